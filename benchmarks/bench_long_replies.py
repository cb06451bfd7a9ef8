"""Benchmark: scoring time against reply length, 1k to 16k characters (run by hand; figures in the README).

    .venv/bin/python benchmarks/bench_long_replies.py [--rounds 5] [--baseline OTHER_CHECKOUT]

Issue 11 asks that scoring time grow linearly with reply length: a fitted
exponent of at most 1.15 from 1k to 16k characters, punctuated or not, and at
most 0.5 s at 16k.  Three kinds of reply, the same texts for every checkout:

* ``punctuated``: corpus replies joined as written, cut at the length;
* ``unpunctuated``: the same with punctuation and spaces removed (one clause);
* ``repeated``: ``"您好我是售后师傅"`` repeated (thousands of hits in one clause).

Each is judged with ``simulator.judge.scan`` (the rules and the learned stage,
as the product judges, less the reply-length cap of ``judge()``, which refuses
replies over ``MAX_REPLY_CHARS``) and with ``Matcher.scan`` (the rules alone).
Every checkout runs in its own process, one round at a time (after an untimed
pass that fills the per-character caches), the checkouts interleaved, so machine
noise hits all alike; a round keeps the best of ``--repeat`` calls per reply
(garbage collection off while timing), measured as the process's CPU time, which
other processes on a shared machine disturb far less than the wall clock (``--wall``
for the wall clock); the table gives medians over rounds,
the exponent (least-squares slope of log time against log length) and, with
``--baseline`` (e.g. a git worktree of an older commit), the baseline's medians
and the ratio.  A baseline call slower than ``--cap`` seconds stops
that kind's larger sizes for the baseline (they would take minutes).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1000, 2000, 4000, 8000, 16000)
KINDS = ("punctuated", "unpunctuated", "repeated")
REPEATED = "您好我是售后师傅"
_PUNCTUATION = re.compile(r"[\s，。！？；：、,.!?;:“”\"'‘’（）()…—~～]")

CHILD = r"""
import gc, json, os, sys, time
sys.path.insert(0, os.getcwd())
from simulator import locations
from simulator.engine import attach_learned
from simulator.judge import scan
from simulator.matcher import load_matcher
from simulator.scenario import load_scenarios

texts = json.load(open(sys.argv[1], encoding="utf-8"))
cap = float(sys.argv[2])
skip = set(json.loads(sys.argv[3]))
repeat = int(sys.argv[4])
clock = time.perf_counter if sys.argv[5] == "wall" else time.process_time
matcher = load_matcher([locations.bundled_phrasebook_dir()])
matcher.warm_up()
attach_learned(matcher, [locations.bundled_corpus_dir()], load_scenarios([locations.bundled_scenarios_dir()]))
stage = matcher.learned
# Steady state: per-character caches (normalisation, sounds) and jieba filled first, untimed.
for by_size in texts.values():
    for text in by_size.values():
        scan(matcher, text[:4000])
out = {}
for kind, by_size in texts.items():
    for size, text in by_size.items():
        key = f"{kind}:{size}"
        if key in skip:
            continue
        for mode in ("engine", "rules"):
            matcher.learned = stage if mode == "engine" else None
            best = float("inf")
            for _ in range(repeat):  # the best of a few calls: other processes only ever add time
                gc.collect()
                gc.disable()
                started = clock()
                scan(matcher, text)
                best = min(best, clock() - started)
                gc.enable()
                if best > cap:
                    break
            out[f"{key}:{mode}"] = best
        if out[f"{key}:engine"] > cap:
            break  # the larger sizes of this kind would take longer still
print(json.dumps(out))
"""


def make_texts(corpus_dir: Path) -> dict[str, dict[str, str]]:
    """The same replies for every checkout: built here, from this checkout's corpus."""
    sys.path.insert(0, str(ROOT))
    from simulator.corpus import load_corpus

    replies = [entry.item.reply for entry in load_corpus([corpus_dir])]
    joined = "".join(replies)
    bare = _PUNCTUATION.sub("", joined)
    assert len(bare) >= max(SIZES)
    return {
        "punctuated": {str(n): joined[:n] for n in SIZES},
        "unpunctuated": {str(n): bare[:n] for n in SIZES},
        "repeated": {str(n): (REPEATED * (n // len(REPEATED) + 1))[:n] for n in SIZES},
    }


def run_round(
    tree: Path, texts_file: Path, cache: Path, cap: float, skip: set[str], repeat: int, clock: str
) -> dict[str, float]:
    env = dict(os.environ, SIMULATOR_CACHE_DIR=str(cache), PYTHONPATH=str(tree))
    env.pop("SIMULATOR_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(texts_file), str(cap), json.dumps(sorted(skip)), str(repeat), clock],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def exponent(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of log(time) against log(size)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="calls per reply and round; the fastest counts")
    parser.add_argument(
        "--wall", action="store_true", help="wall-clock time instead of the process's CPU time (on an idle machine)"
    )
    parser.add_argument("--baseline", type=Path, help="another checkout timed in the same run, interleaved")
    parser.add_argument(
        "--cap", type=float, default=10.0, help="seconds: a baseline call slower than this stops its kind"
    )
    args = parser.parse_args()
    trees = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(make_texts(ROOT / "corpus"), ensure_ascii=False), encoding="utf-8")
        samples: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
        skip: dict[str, set[str]] = {name: set() for name in trees}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                cache = Path(tmp) / f"cache-{name}"  # each checkout trains its learned stage once
                found = run_round(
                    tree,
                    texts_file,
                    cache,
                    args.cap if name == "baseline" else 1e9,
                    skip[name],
                    args.repeat,
                    "wall" if args.wall else "cpu",
                )
                for key, seconds in found.items():
                    samples[name].setdefault(key, []).append(seconds)
                # Sizes a checkout did not reach this round (over the cap) are not tried again.
                for kind in KINDS:
                    reached = [n for n in SIZES if f"{kind}:{n}:engine" in samples[name]]
                    skip[name] |= {f"{kind}:{n}" for n in SIZES if reached and n > max(reached)}
    print(
        f"cpu count {os.cpu_count()}, {'wall-clock' if args.wall else 'CPU'} time, {args.rounds} rounds"
        f" of the best of {args.repeat} calls, medians (ms);"
        " judge.scan = rules + learned stage\n"
    )
    header = "| reply | chars | judge.scan | rules only |" + (" baseline judge.scan | ratio |" if args.baseline else "")
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    medians = {name: {key: statistics.median(v) for key, v in found.items()} for name, found in samples.items()}
    for kind in KINDS:
        for n in SIZES:
            ours = medians["this"][f"{kind}:{n}:engine"]
            rules = medians["this"][f"{kind}:{n}:rules"]
            row = f"| {kind} | {n:,} | {ours * 1000:,.1f} | {rules * 1000:,.1f} |"
            if args.baseline:
                base = medians["baseline"].get(f"{kind}:{n}:engine")
                row += f" {base * 1000:,.0f} | {base / ours:,.1f}× |" if base else f" > {args.cap:.0f} s (not run) | |"
            print(row)
    print("\nexponent, 1k → 16k (time ∝ chars^k):\n")
    print("| reply | judge.scan | rules only |" + (" baseline judge.scan |" if args.baseline else ""))
    print("| --- | ---: | ---: |" + (" ---: |" if args.baseline else ""))
    for kind in KINDS:
        cells = []
        columns = [("this", "engine"), ("this", "rules"), *([("baseline", "engine")] if args.baseline else [])]
        for name, mode in columns:
            points = [(n, medians[name][f"{kind}:{n}:{mode}"]) for n in SIZES if f"{kind}:{n}:{mode}" in medians[name]]
            cells.append(
                f"{exponent(points):.2f}" + ("" if len(points) == len(SIZES) else f" (to {points[-1][0]:,})")
                if len(points) >= 2
                else "—"
            )
        print(f"| {kind} | " + " | ".join(cells) + " |")
    worst = max(medians["this"][f"{kind}:16000:engine"] for kind in KINDS)
    print(f"\nslowest 16k reply: {worst * 1000:.0f} ms (goal ≤ 500 ms)")


if __name__ == "__main__":
    main()

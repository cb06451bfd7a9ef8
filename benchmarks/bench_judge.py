"""Benchmark judging one reply: the rules alone against rules + learned stage (run by hand).

    .venv/bin/python benchmarks/bench_judge.py [--rounds 7]

Replies are the corpus replies of 70-90 characters (the "80-character reply"
of the judgement-v2 issue).  Each round judges every reply once with the
rules alone and once with the whole engine, interleaved, so machine noise
hits both alike; the table gives per-reply medians over rounds and the ratio.
Also reported: the cold start of the learned stage (training, as after a
content change) and its warm start (from the cache).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator import locations
from simulator.corpus import load_corpus
from simulator.engine import build_learned
from simulator.judge import judge
from simulator.matcher import load_matcher
from simulator.scenario import load_scenarios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    matcher = load_matcher(locations.phrasebook_sources())
    matcher.warm_up()
    scenarios = load_scenarios(locations.scenario_sources())
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        build_learned(matcher, locations.corpus_sources(), scenarios, Path(cache))
        cold = time.perf_counter() - started
        started = time.perf_counter()
        stage = build_learned(matcher, locations.corpus_sources(), scenarios, Path(cache))
        warm = time.perf_counter() - started
    replies = [e.item.reply for e in load_corpus(locations.corpus_sources()) if 70 <= len(e.item.reply) <= 90]
    rules: list[float] = []
    full: list[float] = []
    for _ in range(args.rounds):
        for target, with_stage in ((rules, None), (full, stage)):
            matcher.learned = with_stage
            started = time.perf_counter()
            for reply in replies:
                judge(matcher, reply)
            target.append((time.perf_counter() - started) / len(replies) * 1000)
    r, f = statistics.median(rules), statistics.median(full)
    print(f"{len(replies)} replies of 70-90 characters, {args.rounds} rounds, cpu count {os.cpu_count()}:")
    print(f"| rules only | {r:.3f} ms per reply |")
    print(f"| rules + learned stage | {f:.3f} ms per reply |")
    print(f"| ratio | {f / r:.2f} |")
    print(f"| learned stage, cold (training) | {cold:.1f} s |")
    print(f"| learned stage, warm (cache) | {warm * 1000:.0f} ms |")


if __name__ == "__main__":
    main()

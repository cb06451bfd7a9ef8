"""Benchmark start-up (run by hand; results go in the README's Speed section).

    .venv/bin/python benchmarks/bench_startup.py [--runs 7] [--baseline TREE]

Every measure is a fresh process, run interleaved with the others in each
round, and reported as the median (min-max) of the rounds; ratios are taken
between medians of the same run.  The user cache is warmed first (the
normalisation tables, jieba's dictionary, the compiled phrasebook and the
learned stage are built once per install or content change; ``--cold`` also
times that first run).

* ``score "你好"``: the whole ``python -m simulator score 你好`` process, CPU
  (user + sys, from the child's rusage), against ``python -c "import jieba;
  jieba.initialize()"`` and ``python -c pass`` timed in the same rounds;
  a longer reply too (it is the one that imports numpy for the learned stage);
* engine ready: a process that imports ``simulator.cli`` (as the console
  script does) and builds the whole engine (compiled phrasebook, learned stage,
  segmenter), CPU at that moment;
* first frame: the TUI started headless as the console script starts it,
  wall time from just before the process is spawned to Textual's ``Ready``
  (first frame drawn, name box focused), against a bare Textual app showing
  one Input, timed the same way in the same rounds.

``--baseline TREE`` (a git worktree of an older commit, e.g.
``git worktree add /tmp/base <commit>``) times that checkout too, with its own
cache directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LONG_REPLY = "师傅您好，这个不归我管，您去找厂家吧，我也没办法，反正保修期已经过了。"

ENGINE = r"""
import resource
import simulator.cli  # the console script's path
from simulator import locations
from simulator.matcher import load_matcher
try:
    from simulator.engine import attach_learned
    matcher = load_matcher(locations.phrasebook_sources())
    try:
        attach_learned(matcher, locations.corpus_sources(), scenario_sources=locations.scenario_sources())
    except TypeError:  # an older tree: scenarios loaded first
        from simulator.scenario import load_scenarios
        attach_learned(matcher, locations.corpus_sources(), load_scenarios(locations.scenario_sources()))
    matcher.warm_up()
finally:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(usage.ru_utime + usage.ru_stime)
"""

FIRST_FRAME = r"""
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
import simulator.cli  # the console script's path: the CLI module is imported first
from simulator.tui.app import SimulatorApp

class Probe(SimulatorApp):
    def on_ready(self) -> None:
        with open(os.environ["BENCH_OUT"], "w") as out:  # Textual captures print()
            out.write(f"{time.time() - t0:.4f}")
        self.exit()

Probe().run(headless=True)
"""

BARE = r"""
import os, time
t0 = float(os.environ["BENCH_T0"])
from textual.app import App
from textual.widgets import Input

class Bare(App):
    def compose(self):
        yield Input(placeholder="姓名")

    def on_ready(self) -> None:
        with open(os.environ["BENCH_OUT"], "w") as out:
            out.write(f"{time.time() - t0:.4f}")
        self.exit()

Bare().run(headless=True)
"""


def child_cpu(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    """CPU seconds (user + sys) of one child process."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime


def printed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=True)
    return float(out.stdout.split()[-1])


def wall_to_ready(code: str, cwd: Path, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as home:
        result = Path(home) / "result.txt"
        run_env = env | {"SIMULATOR_HOME": home, "BENCH_OUT": str(result), "BENCH_T0": repr(time.time())}
        subprocess.run([sys.executable, "-c", code], env=run_env, cwd=cwd, capture_output=True, timeout=120, check=True)
        return float(result.read_text())


def tree_env(tree: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(tree), SIMULATOR_CACHE_DIR=str(cache))
    env.pop("SIMULATOR_HOME", None)
    return env


def median(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms ({min(values) * 1000:.0f}–{max(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", type=Path, help="another checkout timed in the same rounds, interleaved")
    parser.add_argument("--cold", action="store_true", help="also time one first run on an empty cache")
    args = parser.parse_args()
    caches = tempfile.TemporaryDirectory(prefix="bench-cache-")
    trees = {"this tree": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    envs = {name: tree_env(tree, Path(caches.name) / name.replace(" ", "-")) for name, tree in trees.items()}
    python = sys.executable
    score = [python, "-m", "simulator", "score", "你好"]
    score_long = [python, "-m", "simulator", "score", LONG_REPLY]
    jieba = [python, "-c", "import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()"]

    if args.cold:
        for name, tree in trees.items():
            cold_env = tree_env(tree, Path(caches.name) / f"cold-{name.replace(' ', '-')}")
            print(f"{name}: first run on an empty cache, score 你好: {child_cpu(score, tree, cold_env):.2f} s CPU")
    for name, tree in trees.items():  # warm every cache (and the OS file cache)
        child_cpu(score_long, tree, envs[name])
        wall_to_ready(FIRST_FRAME, tree, envs[name])
    child_cpu(jieba, ROOT, envs["this tree"])

    times: dict[str, list[float]] = {}

    def add(label: str, value: float) -> None:
        times.setdefault(label, []).append(value)

    for _ in range(args.runs):
        add("python -c pass", child_cpu([python, "-c", "pass"], ROOT, envs["this tree"]))
        add("import jieba; jieba.initialize()", child_cpu(jieba, ROOT, envs["this tree"]))
        add("bare Textual app: first frame (wall)", wall_to_ready(BARE, ROOT, envs["this tree"]))
        for name, tree in trees.items():
            env = envs[name]
            add(f"{name}: score 你好 (CPU)", child_cpu(score, tree, env))
            add(f"{name}: score, a 35-character reply (CPU)", child_cpu(score_long, tree, env))
            add(f"{name}: engine ready (CPU)", printed([python, "-c", ENGINE], tree, env))
            add(f"{name}: TUI first frame (wall)", wall_to_ready(FIRST_FRAME, tree, env))

    print(f"{args.runs} interleaved rounds, medians (min–max):")
    for label, values in times.items():
        print(f"| {label} | {median(values)} |")
    med = {label: statistics.median(values) for label, values in times.items()}
    jieba_cpu = med["import jieba; jieba.initialize()"]
    bare = med["bare Textual app: first frame (wall)"]
    print("ratios (medians of this run):")
    for name in trees:
        print(f"| {name}: score 你好 / jieba.initialize() | {med[f'{name}: score 你好 (CPU)'] / jieba_cpu:.2f} |")
        longer = med[f"{name}: score, a 35-character reply (CPU)"]
        print(f"| {name}: score, 35 characters / jieba.initialize() | {longer / jieba_cpu:.2f} |")
        print(f"| {name}: TUI first frame / bare Textual app | {med[f'{name}: TUI first frame (wall)'] / bare:.2f} |")
    if args.baseline:
        for what in ("score 你好 (CPU)", "engine ready (CPU)", "TUI first frame (wall)"):
            print(f"| {what}: this tree / baseline | {med[f'this tree: {what}'] / med[f'baseline: {what}']:.2f} |")


if __name__ == "__main__":
    main()

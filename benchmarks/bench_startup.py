"""Benchmark the TUI's start-up (run by hand; results go in the README).

    .venv/bin/python benchmarks/bench_startup.py [--runs 7]

For each run a fresh process starts the real app headless on a fresh data
directory and reports, measured from just before the process was spawned:

* first screen ready: Textual's ``Ready`` event (DOM mounted, first frame
  drawn, the name box focused and accepting keys);
* engine ready: the phrasebook compiled and jieba loaded in the worker, which
  runs while the first screen is already usable.
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

CHILD = r"""
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
import simulator.cli  # the console script's path: the CLI module is imported first
from simulator.tui.app import SimulatorApp

class Probe(SimulatorApp):
    def on_ready(self) -> None:
        self.first = time.time() - t0

    def _engine_ready(self) -> None:
        super()._engine_ready()
        with open(os.environ["BENCH_OUT"], "w") as out:  # Textual captures print()
            out.write(f"{self.first:.4f} {time.time() - t0:.4f}")
        self.exit()

Probe().run(headless=True)
"""


def run_once(tree: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as home:
        result = Path(home) / "result.txt"
        env = dict(os.environ, SIMULATOR_HOME=home, BENCH_OUT=str(result), BENCH_T0=repr(time.time()))
        subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=tree, capture_output=True, text=True, timeout=120)
        first, engine = map(float, result.read_text().split())
        return first * 1000, engine * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--baseline", type=Path, help="another checkout (e.g. a git worktree of an older commit) timed in the same run, interleaved"
    )
    args = parser.parse_args()
    trees = {"this tree": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in trees}
    run_once(ROOT)  # warm the learned-stage cache and the OS file cache
    for _ in range(args.runs):
        for name, tree in trees.items():
            first, engine = run_once(tree)
            times[name][0].append(first)
            times[name][1].append(engine)
    print(f"{args.runs} fresh processes each, medians (min–max):")
    for name, (firsts, engines) in times.items():
        print(f"| {name}: first screen ready | {statistics.median(firsts):.0f} ms | {min(firsts):.0f}–{max(firsts):.0f} ms |")
        print(f"| {name}: engine ready (background) | {statistics.median(engines):.0f} ms | {min(engines):.0f}–{max(engines):.0f} ms |")
    if args.baseline:
        ratio = statistics.median(times["this tree"][1]) / statistics.median(times["baseline"][1])
        print(f"engine ready, this tree / baseline: {ratio:.2f}")


if __name__ == "__main__":
    main()

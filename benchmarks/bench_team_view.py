"""Benchmark how long the TUI's event loop is blocked at team scale (run by hand; results in the README).

    .venv/bin/python benchmarks/bench_team_view.py [--trainees 10000] [--sessions 100] [--rounds 3]
        [--baseline TREE]

Uses (or generates, with ``bench_store.generate``) the SQLite file that
``bench_store.py`` writes to ``benchmarks/results/``, then drives the real app
headless at 80×24 with Textual's pilot, as a team lead would: the start
screen lists every trainee, ``t`` opens the team view, ``s`` sorts five
times, ``n``/``b`` page, ``enter`` opens a trainee's sessions and ``escape``
goes back.  A task in the app's own event loop sleeps 5 ms at a time and
records how late it wakes: that lateness is the time the UI thread could not
answer a key.  Reported per step: the longest block and the time until the
step's data was on screen.  The engine loads from the user cache in a worker
meanwhile, as it does for a real start.

Each round is a fresh process; ``--baseline TREE`` (a git worktree of an older
commit) runs that tree's app on the same file in the same rounds, interleaved.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TICK = 0.005


class Monitor:
    """Records how late each 5 ms sleep of the event loop wakes, per named step."""

    def __init__(self) -> None:
        self.step = "start"
        self.worst: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - before - TICK
            self.worst[self.step] = max(self.worst.get(self.step, 0.0), late)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def until(pilot, condition, limit: float = 120.0) -> float:  # noqa: ANN001
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > limit:
            raise TimeoutError("step did not finish")
        await pilot.pause(0.01)
    return time.perf_counter() - start


async def one_round(db: str) -> dict[str, tuple[float, float]]:
    from textual.widgets import OptionList

    from simulator.tui.app import SimulatorApp
    from simulator.tui.screens.team import TeamScreen, TraineeSessionsScreen

    app = SimulatorApp(db)
    monitor = Monitor()
    took: dict[str, float] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        monitor.start()
        monitor.step = "start screen: open the store, list every trainee"
        took[monitor.step] = await until(
            pilot, lambda: app.screen.query("#trainees") and app.screen.query_one("#trainees", OptionList).option_count
        )
        monitor.step = "engine loads in a worker (idle UI)"
        took[monitor.step] = await until(pilot, lambda: app.services.matcher is not None)
        await pilot.pause(0.2)
        await pilot.press("down")  # to the trainee list, so t is not typed into the name box
        monitor.step = "t: team view until its table is filled"
        start = time.perf_counter()
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.loaded)
        took[monitor.step] = time.perf_counter() - start
        team = app.screen
        assert isinstance(team, TeamScreen)
        monitor.step = "s ×5: sort by each column"
        start = time.perf_counter()
        for _ in range(5):
            await pilot.press("s")
        await pilot.pause(0.05)
        took[monitor.step] = time.perf_counter() - start
        monitor.step = "n ×3, b ×3: page"
        start = time.perf_counter()
        for key in "nnnbbb":
            await pilot.press(key)
        await pilot.pause(0.05)
        took[monitor.step] = time.perf_counter() - start
        monitor.step = "enter: one trainee's sessions"
        start = time.perf_counter()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TraineeSessionsScreen) and app.screen.ids)
        took[monitor.step] = time.perf_counter() - start
        monitor.step = "escape: back to the team view"
        start = time.perf_counter()
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is team)
        took[monitor.step] = time.perf_counter() - start
        await pilot.pause(0.05)
        monitor.stop()
    return {step: (monitor.worst.get(step, 0.0), took[step]) for step in took}


def run_round(tree: Path, db: Path) -> dict[str, list[float]]:
    """One round in a fresh process running ``tree``'s app (its own user cache, warmed by an earlier round)."""
    env = {**os.environ, "SIMULATOR_CACHE_DIR": str(ROOT / "benchmarks" / "results" / f"cache-{tree.name}")}
    env["SIMULATOR_HOME"] = str(ROOT / "benchmarks" / "results" / f"home-{tree.name}")
    done = subprocess.run(
        [sys.executable, __file__, "--round", str(tree), str(db)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--round"]:
        sys.path.insert(0, sys.argv[2])
        print(json.dumps(asyncio.run(one_round(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trainees", type=int, default=10000)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--turns", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="a git worktree of an older commit, timed in the same rounds")
    args = parser.parse_args()
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"store-{args.trainees}-{args.sessions}-{args.turns}.sqlite3"
    if not path.exists():
        sys.path.insert(0, str(ROOT))
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_store import generate

        from simulator.store import open_store

        start = time.perf_counter()
        with open_store(str(path)) as store:
            generate(store, args.trainees, args.sessions, args.turns)
        print(f"generated {path.name} in {time.perf_counter() - start:.0f} s")
    trees = {"this tree": ROOT}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    for tree in trees.values():
        run_round(tree, path)  # warm each tree's user cache (and the file in the page cache)
    rounds: dict[str, list[dict[str, list[float]]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            rounds[name].append(run_round(tree, path))
    sessions = args.trainees * args.sessions
    print(f"\n{args.trainees:,} trainees, {sessions:,} sessions (SQLite); {args.rounds} rounds, medians (max)\n")
    print("| step | " + " | ".join(f"{name}: longest UI block | {name}: until on screen" for name in trees) + " |")
    print("|---|" + "---:|---:|" * len(trees))
    for step in rounds["this tree"][0]:
        cells = []
        for name in trees:
            blocks = [r[step][0] * 1000 for r in rounds[name]]
            times = [r[step][1] * 1000 for r in rounds[name]]
            cells.append(f"{statistics.median(blocks):.0f} ms ({max(blocks):.0f})")
            cells.append(f"{statistics.median(times):.0f} ms ({max(times):.0f})")
        print(f"| {step} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

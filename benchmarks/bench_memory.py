"""Benchmark peak memory (run by hand; results go in the README's Speed section).

    .venv/bin/python benchmarks/bench_memory.py [--runs 3] [--baseline TREE]

Peak RSS (the child's ``ru_maxrss``) of fresh processes, interleaved, medians:

* ``simulator score "你好"`` and ``score`` of a 35-character reply (the one the
  learned stage scores, so numpy is loaded), against ``import jieba;
  jieba.initialize()``;
* the TUI after a scenario: the real app headless (its own start-up workers
  load the engine), a trainee name typed, a practice scenario played to its
  end with the live lint running on partly typed replies, then the debrief;
  against a bare Textual app showing one Input;
* ``--breakdown``: where the memory goes, step by step in one process.

The user cache is warmed first, as after the first run of an install.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LONG_REPLY = "师傅您好，这个不归我管，您去找厂家吧，我也没办法，反正保修期已经过了。"

TUI = r"""
import asyncio, os, sys
from pathlib import Path
REPLIES = [
    "李站长您好，我是华气公司的售后工程师小王，非常抱歉让您久等了。",
    "检查前需要先停机断电二十分钟，您看现在方便吗？",
    "站长，设备是2007年6月调试安装的，保修期从调试安装开始计算，现在已经超出保修期，本次维修需要收费，我先把费用明细跟您说明一下。",
    "我理解您的心情，费用按公司统一标准收取，我可以把您的情况反馈给公司，有结果第一时间告诉您。",
    "谢谢您的理解，换配件时麻烦您安排操作员配合停气。",
]

async def main():
    import simulator.cli  # the console script's path
    from simulator.tui.app import SimulatorApp
    from textual.widgets import DataTable, Input
    app = SimulatorApp(str(Path(os.environ["SIMULATOR_HOME"]) / "t.sqlite3"))
    async with app.run_test(size=(80, 24)) as pilot:
        async def until(condition, tries=3000):
            for _ in range(tries):
                if condition():
                    return
                await pilot.pause(0.02)
            raise SystemExit("timed out")
        services = app.services
        await until(lambda: services.store is not None and services.scenarios and services.matcher is not None)
        app.screen.query_one("#name", Input).value = "王小明"
        await pilot.press("enter")
        await until(lambda: type(app.screen).__name__ == "PickerScreen")
        picker = app.screen
        row = [s.id for s in picker.shown].index("out_of_warranty_charge")
        picker.query_one("#scenarios", DataTable).move_cursor(row=row)
        await pilot.press("enter")  # practice: the draft is linted while typing
        await until(lambda: type(app.screen).__name__ == "PlayScreen" and app.screen.dialogue is not None)
        play = app.screen
        from simulator.tui.widgets import ReplyArea
        for reply in REPLIES:
            if play.dialogue.finished:
                break
            before = len(play.dialogue.turns)
            area = play.query_one("#reply", ReplyArea)
            area.focus()
            await pilot.press(*reply[:10])  # typed: the lint runs on the partial draft
            await pilot.pause(0.6)
            area.text = reply
            await pilot.pause(0.6)
            await pilot.press("enter")
            await until(lambda: len(play.dialogue.turns) > before and not play.busy)
        await pilot.press("f5")
        await until(lambda: type(app.screen).__name__ == "DebriefScreen")
        await pilot.pause(0.5)
        if not play.dialogue.finished:
            raise SystemExit("the scenario did not end")

asyncio.run(main())
"""

BARE = r"""
from textual.app import App
from textual.widgets import Input

class Bare(App):
    def compose(self):
        yield Input(placeholder="姓名")

    def on_ready(self) -> None:
        self.set_timer(0.5, self.exit)

Bare().run(headless=True)
"""

BREAKDOWN = r"""
import resource, sys
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
steps = []
def step(name):
    steps.append((name, rss()))
step("python")
import simulator.cli
step("import simulator.cli")
from simulator import locations
from simulator.matcher import load_matcher
matcher = load_matcher(locations.phrasebook_sources())
step("compiled phrasebook (cache), rapidfuzz, tables")
from simulator.engine import attach_learned
attach_learned(matcher, locations.corpus_sources(), scenario_sources=locations.scenario_sources())
step("learned stage (cache, no numpy yet)")
matcher.warm_up()
step("segmenter (word overlay; no bucket yet)")
from simulator.judge import judge
judge(matcher, "你好")
step("judge 你好")
judge(matcher, sys.argv[1])
step("judge a 35-character reply (numpy, first buckets)")
import simulator.tui.app, textual.widgets
step("+ Textual and the app's modules")
from simulator.tui.screens import play, debrief, picker
step("+ the play, debrief and picker screens (store, scenario schema, pydantic)")
from simulator.scenario import load_scenarios
scenarios = load_scenarios(locations.scenario_sources())
step("+ scenarios loaded")
previous = 0.0
for name, value in steps:
    print(f"| {name} | {value:.0f} MB | +{value - previous:.0f} |")
    previous = value
"""


def peak_rss(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Peak RSS of one child process, in MB."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    error = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[:4]} failed: {error.decode(errors='replace')[-2000:]}")
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout measured in the same rounds, interleaved")
    parser.add_argument("--breakdown", action="store_true", help="also print where this tree's memory goes")
    args = parser.parse_args()
    caches = tempfile.TemporaryDirectory(prefix="bench-cache-")
    homes = tempfile.TemporaryDirectory(prefix="bench-home-")
    trees = {"this tree": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    python = sys.executable

    def env_for(name: str, tree: Path, run: int) -> dict[str, str]:
        home = Path(homes.name) / f"{name.replace(' ', '-')}-{run}"
        home.mkdir(parents=True, exist_ok=True)
        cache = str(Path(caches.name) / name.replace(" ", "-"))
        return dict(os.environ, PYTHONPATH=str(tree), SIMULATOR_CACHE_DIR=cache, SIMULATOR_HOME=str(home))

    commands = {
        "score 你好": [python, "-m", "simulator", "score", "你好"],
        "score, a 35-character reply": [python, "-m", "simulator", "score", LONG_REPLY],
        "TUI after a scenario": [python, "-c", TUI],
    }
    for name, tree in trees.items():  # warm the caches
        peak_rss(commands["TUI after a scenario"], tree, env_for(name, tree, -1))
    values: dict[str, list[float]] = {}
    jieba = [python, "-c", "import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()"]
    for run in range(args.runs):
        here = env_for("this tree", ROOT, run)
        values.setdefault("import jieba; jieba.initialize()", []).append(peak_rss(jieba, ROOT, here))
        values.setdefault("bare Textual app (one Input)", []).append(peak_rss([python, "-c", BARE], ROOT, here))
        for name, tree in trees.items():
            for label, argv in commands.items():
                values.setdefault(f"{name}: {label}", []).append(peak_rss(argv, tree, env_for(name, tree, run)))
    print(f"peak RSS, {args.runs} interleaved rounds, medians (min–max):")
    for label, found in values.items():
        print(f"| {label} | {statistics.median(found):.0f} MB ({min(found):.0f}–{max(found):.0f}) |")
    if args.breakdown:
        out = subprocess.run(
            [python, "-c", BREAKDOWN, LONG_REPLY],
            env=env_for("this tree", ROOT, 99),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        print("\nwhere it goes (this tree, RSS after each step, one process):")
        print(out.stdout, end="")


if __name__ == "__main__":
    main()

"""What to practise next (issue 15, item 4): the pure rule, the CLI and the TUI on both stores."""

from __future__ import annotations

import io
import json

import pytest
from textual.widgets import Input, Static

from simulator import locations
from simulator.cli import main
from simulator.dialogue import Dialogue
from simulator.matcher import Matcher
from simulator.phrasebook import load_phrasebook
from simulator.recommend import (
    SessionLosses,
    exercises,
    grouped,
    losses_from_rows,
    reason,
    recommend,
    weaknesses,
)
from simulator.scenario import Scenario
from simulator.store import Store, open_store

FEE = "fee_explained_in_advance"
BAD = ["你好", "过保了，你不给钱我就不修。", "这事不归我管"]


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    return load_phrasebook([locations.bundled_phrasebook_dir()]).labels()


def lost(*items: tuple[str, str], scenario: str = "x", n: int = 0) -> SessionLosses:
    return SessionLosses(n, f"2025-01-{30 - n:02d}", scenario, {item: 1 for item in items})


# -- the rule (pure, deterministic) -------------------------------------------------------------


def test_the_issues_sentence(scenarios: dict[str, Scenario], labels: dict[str, str]) -> None:
    recent = [lost(("missed", FEE), n=k) for k in range(3)]
    [first, *_] = recommend(recent, scenarios.values(), labels)
    assert first.scenario == "out_of_warranty_charge" and first.category == FEE
    assert first.reason == "你最近三次在“提前说明费用”上失分，推荐：超出保修期的维修收费"
    # The same input gives the same answer, whatever order the scenarios come in.
    assert recommend(recent, list(scenarios.values())[::-1], labels) == recommend(recent, scenarios.values(), labels)


def test_recency_weighs_and_prohibited_counts_more() -> None:
    recent = [lost(("missed", "apology"), n=0), lost(("missed", "thanks"), n=1), lost(("missed", "thanks"), n=2)]
    weak = weaknesses(recent)
    assert weak["apology"] == 1.0 and weak["thanks"] == pytest.approx(0.7 + 0.49)
    assert weaknesses([lost(("prohibited", "rude"))])["rude"] == 1.5
    assert weaknesses([lost(("missed", "apology|empathy"))]) == {"apology": 0.5, "empathy": 0.5}  # an any-of group
    assert weaknesses([]) == {} and recommend([], [], {}) == []


def test_reasons_say_how_recent() -> None:
    every = [lost(("missed", FEE), n=k) for k in range(2)]
    assert reason(every, FEE, "提前说明费用", "T") == "你最近两次在“提前说明费用”上失分，推荐：T"
    once = [lost(("missed", FEE)), lost(n=1)]
    assert reason(once, FEE, "提前说明费用", "T") == "你最近一次在“提前说明费用”上失分，推荐：T"
    scattered = [lost(n=0), lost(("missed", FEE), n=1), lost(n=2), lost(("missed", FEE), n=3), lost(n=4)]
    assert reason(scattered, FEE, "提前说明费用", "T") == "你最近 5 次练习中有 2 次在“提前说明费用”上失分，推荐：T"


def test_scenarios_for_the_same_weakness_are_listed_in_one_line(
    scenarios: dict[str, Scenario], labels: dict[str, str]
) -> None:
    recent = [lost(("missed", "ask_permission"), n=k) for k in range(3)] + [lost(("missed", FEE), n=3)]
    found = recommend(recent, scenarios.values(), labels)
    assert len(found) == 3 and len({r.why for r in found}) < 3  # the case the newcomer met: a sentence repeated
    lines = grouped(found)
    assert len(lines) == len({r.why for r in found})
    for item in found:  # every scenario is still named, after its reason
        [line] = [line for line in lines if line.startswith(item.why + "，推荐：")]
        assert f"《{item.title}》" in line
        assert item.reason == f"{item.why}，推荐：{item.title}"


def test_exercises_come_from_the_nodes_expects_and_temptations(scenarios: dict[str, Scenario]) -> None:
    fee = exercises(scenarios["out_of_warranty_charge"])
    assert fee[FEE] >= 1 and fee["warranty_basis"] >= 1
    assert fee["go_find_boss"] == 1.0  # a labelled bad answer tempts it
    assert max(fee.values()) <= 2.0  # capped


def test_ties_go_to_the_scenario_played_longest_ago_and_the_one_just_played_waits(
    scenarios: dict[str, Scenario], labels: dict[str, str]
) -> None:
    recent = [lost(("missed", "self_intro"), scenario="first_visit_introduction", n=k) for k in range(3)]
    ranked = [r.scenario for r in recommend(recent, scenarios.values(), labels, top=20)]
    assert ranked and ranked[0] != "first_visit_introduction"  # the one just played is not first
    assert ranked == [r.scenario for r in recommend(recent, scenarios.values(), labels, top=20)]


def test_losses_from_store_rows() -> None:
    rows = [(9, "t9", "a", "missed", FEE, 2), (9, "t9", "a", "prohibited", "rude", 1), (7, "t7", "b", None, None, None)]
    [newest, older] = losses_from_rows(rows)
    assert newest.lost == {("missed", FEE): 2, ("prohibited", "rude"): 1} and older.lost == {}


# -- CLI and TUI on both stores ------------------------------------------------------------------


def play(store: Store, matcher: Matcher, scenario: Scenario, trainee: str, replies: list[str]) -> None:
    dialogue = Dialogue(scenario, matcher, seed=1)
    recorder = store.begin_session(trainee=trainee, scenario=scenario, seed=1)
    for reply in replies:
        if dialogue.finished:
            break
        recorder.record_turn(dialogue.reply(reply).record())
    recorder.finish(dialogue.end())


def run(url: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(["--db", url, *argv], out=out, err=err), out.getvalue(), err.getvalue()


def test_recommend_on_the_command_line(db_url: str, matcher: Matcher, scenarios: dict[str, Scenario]) -> None:
    open_store(db_url).close()  # recommend only reads: it never creates the database
    code, out, _ = run(db_url, "recommend", "--trainee", "甲")
    assert code == 2 and out == ""  # nobody called 甲 has practised: refused like history, report and plot
    with open_store(db_url) as store:
        for _ in range(3):
            play(store, matcher, scenarios["out_of_warranty_charge"], "甲", BAD)
    code, out, _ = run(db_url, "recommend", "--trainee", "甲", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["trainee"] == "甲" and len(data["recommendations"]) == 3
    assert all(r["reason"].startswith("你最近三次在“") for r in data["recommendations"])
    assert out == run(db_url, "recommend", "--trainee", "甲", "--format", "json")[1]  # deterministic
    code, text, _ = run(db_url, "recommend", "--trainee", "甲", "--top", "1")
    assert code == 0 and text.count("\n") == 1 and data["recommendations"][0]["reason"] in text


async def test_recommendations_in_the_picker_and_after_the_debrief(
    db_url: str, engine: Matcher, scenarios: dict[str, Scenario]
) -> None:
    from simulator.tui.app import SimulatorApp
    from simulator.tui.screens.debrief import DebriefScreen
    from simulator.tui.screens.picker import PickerScreen
    from simulator.tui.screens.play import PlayScreen
    from simulator.tui.services import Services
    from simulator.tui.tasks import TasksPanel
    from simulator.tui.widgets import ReplyArea

    with open_store(db_url) as store:
        for _ in range(2):
            play(store, engine, scenarios["out_of_warranty_charge"], "甲", BAD)
    services = Services(db_url)
    services.matcher = engine
    app = SimulatorApp(services=services)

    async def wait(condition, tries: int = 750) -> None:  # noqa: ANN001
        for _ in range(tries):
            if condition():
                return
            await pilot.pause(0.02)
        raise AssertionError("condition not reached")

    async with app.run_test(size=(80, 24)) as pilot:
        await wait(lambda: app.services.store is not None and app.services.scenarios)
        app.screen.query_one("#name", Input).value = "甲"
        await pilot.press("enter")
        await wait(lambda: isinstance(app.screen, PickerScreen))
        panel = app.screen.query_one(TasksPanel)
        await wait(lambda: bool(panel.recommendations))
        assert "下一步练什么：你最近两次在“" in str(panel.render())
        picker = app.screen
        picker.query_one("#scenarios").move_cursor(row=[s.id for s in picker.shown].index("out_of_warranty_charge"))
        await pilot.press("enter")
        await wait(lambda: isinstance(app.screen, PlayScreen) and app.screen.dialogue is not None)
        screen = app.screen
        for reply in BAD:
            if screen.dialogue.finished:
                break
            before = len(screen.dialogue.turns)
            screen.query_one("#reply", ReplyArea).text = reply
            screen.query_one("#reply", ReplyArea).focus()
            await pilot.press("enter")
            await wait(lambda before=before: len(screen.dialogue.turns) > before and not screen.busy)
        assert screen.dialogue.finished  # the customer walks out on the third bad reply
        await pilot.press("f5")
        await wait(lambda: isinstance(app.screen, DebriefScreen))
        shown = app.screen.query_one("#next", Static)
        await wait(lambda: shown.display)
        assert "下一步练什么" in str(shown.render()) and "你最近三次在“" in str(shown.render())

"""Assignments (issue 15, item 3): the pure rules, the store and the CLI on both stores, the TUI."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from simulator.assignments import AssignmentError, build_progress, order_for_trainee, parse_due, state_of
from simulator.cli import main
from simulator.dialogue import Dialogue
from simulator.matcher import Matcher
from simulator.scenario import Scenario
from simulator.store import Store, StoreError, open_store

GOOD = "out_of_warranty_charge"
TODAY = date.today()
FUTURE = (TODAY + timedelta(days=30)).isoformat()
PAST = (TODAY - timedelta(days=1)).isoformat()


def run(url: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", url, *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def play(store: Store, matcher: Matcher, scenario: Scenario, trainee: str, *, good: bool, exam: bool) -> int:
    example = scenario.examples[0 if good else 1]
    dialogue = Dialogue(scenario, matcher, seed=example.seed)
    recorder = store.begin_session(
        trainee=trainee, scenario=scenario, seed=example.seed, mode="exam" if exam else "practice"
    )
    for reply in example.replies:
        if dialogue.finished:
            break
        recorder.record_turn(dialogue.reply(reply).record())
    recorder.finish(dialogue.end())
    return recorder.session_id


# -- the rules (pure) -------------------------------------------------------------------------


def test_states_and_due_dates() -> None:
    assert state_of("2025-01-02", "2025-01-01", "2025-02-01") == "passed"  # passed late is still passed
    assert state_of(None, "2025-01-01", "2025-01-02") == "overdue"
    assert state_of(None, "2025-01-02", "2025-01-02") == "due"  # the due day itself is not overdue
    assert state_of(None, None, "2099-01-01") == "due"
    assert parse_due(" 2025-6-30 ".replace("6", "06")) == "2025-06-30" and parse_due("") is None
    with pytest.raises(AssignmentError, match="年-月-日"):
        parse_due("下周五")


def test_progress_from_rows_and_the_trainees_order() -> None:
    base = ("x", "场景", None, "一组", 60, "practice")
    rows = [
        (1, *base, PAST, "t0", "lead", "甲", 2, 70, "t1"),
        (1, *base, PAST, "t0", "lead", "乙", 1, 40, None),
        (2, *base, FUTURE, "t0", "lead", None, 0, None, None),  # a team with nobody in it yet
        (3, *base, PAST, "t0", "lead", "乙", 0, None, None),
    ]
    progress = build_progress(rows, TODAY.isoformat())
    assert [p.summary for p in progress] == ["通过 1/2，逾期 1", "通过 0/0", "通过 0/1，逾期 1"]
    assert progress[0].to_json()["completion"] == 0.5 and progress[1].standings == []
    mine = build_progress([r for r in rows if r[10] == "乙"], TODAY.isoformat())
    assert [p.assignment.id for p in order_for_trainee(mine)] == [1, 3]


# -- store and CLI, both stores -----------------------------------------------------------------


def test_assign_play_and_report_on_both_stores(db_url: str, matcher: Matcher, scenarios: dict[str, Scenario]) -> None:
    for name, team in (("甲", "一组"), ("乙", "一组"), ("丙", "二组")):
        if db_url.startswith("postgresql"):  # no accounts needed for the owner: teams only
            with open_store(db_url) as store:
                store.trainee_id(name)
            assert run(db_url, "admin", "set-team", name, team)[0] == 0
        else:
            assert run(db_url, "admin", "add-trainee", name, "--team", team)[0] == 0
    code, out, err = run(
        db_url, "assign", "add", GOOD, "--team", "一组", "--mode", "exam", "--pass-mark", "70", "--due", FUTURE
    )
    assert code == 0 and "已布置任务 1" in out and "考试" in out, err
    code, out, _ = run(db_url, "assign", "add", GOOD, "--trainee", "丙", "--due", PAST)
    assert code == 0 and "及格 60 分" in out  # the scenario's own pass mark by default
    with open_store(db_url) as store:
        play(store, matcher, scenarios[GOOD], "甲", good=True, exam=True)  # passes the exam assignment
        play(store, matcher, scenarios[GOOD], "乙", good=True, exam=False)  # practice: not counted for an exam
        play(store, matcher, scenarios[GOOD], "丙", good=False, exam=False)  # tried, not passed, overdue
    code, out, _ = run(db_url, "report", "--assignments", "--format", "json")
    report = {a["id"]: a for a in json.loads(out)}
    assert {t["trainee"]: t["state"] for t in report[1]["trainees"]} == {"甲": "passed", "乙": "due"}
    assert report[1]["passed"] == 1 and report[1]["assigned"] == 2 and report[1]["completion"] == 0.5
    [bing] = report[2]["trainees"]
    assert bing["state"] == "overdue" and bing["attempts"] == 1 and bing["best"] is not None
    code, out, _ = run(db_url, "report", "--assignments", "--format", "csv")
    lines = out.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("assignment,scenario,title") and len(lines) == 4
    code, out, _ = run(db_url, "report", "--assignments")
    assert "任务完成情况" in out and "通过 1/2" in out and "逾期 1" in out
    code, out, _ = run(db_url, "assign", "list", "--trainee", "乙", "--format", "json")
    assert [a["id"] for a in json.loads(out)] == [1]
    assert run(db_url, "assign", "remove", "2")[0] == 0
    code, _, err = run(db_url, "assign", "remove", "2")
    assert code == 1 and "找不到编号为 2 的任务" in err
    assert [a["id"] for a in json.loads(run(db_url, "assign", "list", "--format", "json")[1])] == [1]


def test_assign_refuses_in_chinese(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(db_url) as store:
        store.trainee_id("甲")
    code, _, err = run(db_url, "assign", "add", "no_such_scenario", "--team", "一组")
    assert code == 2 and "找不到场景" in err
    code, _, err = run(db_url, "assign", "add", GOOD, "--team", "一组", "--due", "明天")
    assert code == 2 and "年-月-日" in err
    code, _, _ = run(db_url, "assign", "add", GOOD, "--team", "一组", "--trainee", "甲")
    assert code == 2 and "不能与参数" in capsys.readouterr().err  # argparse writes to sys.stderr
    code, _, err = run(db_url, "assign", "add", GOOD, "--trainee", "无名氏")
    assert code == 1 and "没有学员 无名氏" in err
    code, _, err = run(db_url, "assign", "add", GOOD, "--team", "一组", "--pass-mark", "101")
    assert code == 2
    code, _, err = run(db_url, "assign", "add", GOOD, "--team", "一组", "--due", PAST)
    assert code == 0 and "已经过去" in err


# -- the TUI: the trainee's tasks in the picker; the lead's assignments from the team view -----

SIZE = (80, 24)


def _app(url: str, engine: Matcher):  # noqa: ANN202
    from simulator.tui.app import SimulatorApp
    from simulator.tui.services import Services

    services = Services(url)
    services.matcher = engine
    return SimulatorApp(services=services)


async def _wait(pilot, condition, tries: int = 750) -> None:  # noqa: ANN001
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def test_tasks_in_the_picker_and_assignments_in_the_team_view(
    db_url: str, engine: Matcher, scenarios: dict[str, Scenario]
) -> None:
    from simulator.tui.screens.assignments import AssignmentForm, AssignmentsScreen
    from simulator.tui.screens.picker import PickerScreen
    from simulator.tui.screens.team import TeamScreen
    from simulator.tui.tasks import TasksPanel

    with open_store(db_url) as store:
        for name in ("甲", "乙"):
            store.trainee_id(name)
    assert run(db_url, "admin", "set-team", "甲", "一组")[0] == 0
    assert run(db_url, "assign", "add", GOOD, "--team", "一组", "--due", PAST)[0] == 0
    assert (
        run(
            db_url,
            "assign",
            "add",
            "angry_complaint_repeat_failure",
            "--trainee",
            "甲",
            "--mode",
            "exam",
            "--due",
            FUTURE,
        )[0]
        == 0
    )
    with open_store(db_url) as store:
        play(store, engine, scenarios[GOOD], "乙", good=True, exam=False)  # 乙 is not in 一组: not theirs
    app = _app(db_url, engine)
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: app.services.store is not None and app.services.scenarios)
        app.screen.query_one("#name", Input).value = "甲"
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, PickerScreen))
        panel = app.screen.query_one(TasksPanel)
        await _wait(pilot, lambda: len(panel.assignments) == 2)
        shown = str(panel.render())
        assert "我的任务" in shown and "已逾期" in shown and "待完成" in shown and "考试" in shown
        assert shown.index("已逾期") < shown.index("待完成")  # the most pressing first
        await pilot.press("escape")
        await pilot.press("escape")
        await _wait(pilot, lambda: not isinstance(app.screen, PickerScreen))
        app.screen.query_one("#trainees").focus()
        await pilot.press("t")
        await _wait(pilot, lambda: isinstance(app.screen, TeamScreen))
        await pilot.press("a")
        await _wait(pilot, lambda: isinstance(app.screen, AssignmentsScreen) and app.screen.loaded)
        screen = app.screen
        assert screen.query_one("#assignments", DataTable).row_count == 2
        assert "已逾期" in str(screen.query_one("#standings", Static).render())
        await pilot.press("n")
        await _wait(pilot, lambda: isinstance(app.screen, AssignmentForm))
        form = app.screen
        form.query_one("#scenario", Select).value = GOOD
        form.query_one("#kind", Select).value = "trainee"
        form.query_one("#target", Input).value = "乙"
        form.query_one("#passmark", Input).value = "80"
        form.query_one("#due", Input).value = FUTURE
        form.query_one("#ok").press()
        await _wait(pilot, lambda: isinstance(app.screen, AssignmentsScreen) and len(screen.progress) == 3)
        new = screen.progress[-1]
        assert new.assignment.trainee == "乙" and new.assignment.pass_mark == 80
        assert [s.state for s in new.standings] == ["due"]  # 乙 played before it was assigned: not counted
        screen.query_one("#assignments", DataTable).move_cursor(row=2)
        await pilot.press("d")
        await pilot.press("y")
        await _wait(pilot, lambda: len(screen.progress) == 2)


def test_lead_assigns_only_to_their_own_team_and_trainees_never(tmp_path: Path) -> None:
    """On SQLite everyone is the owner; the PostgreSQL side is in test_roles.py."""
    db = str(tmp_path / "p.sqlite3")
    with open_store(db) as store:
        assert store.identity().can_assign
        with pytest.raises(StoreError, match="二者选一"):
            store.add_assignment(scenario=GOOD, title="t", pass_mark=60, mode="practice", due=None)

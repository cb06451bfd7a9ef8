"""The TUI driven by Textual's pilot: real store file, real engine."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from simulator.matcher import Matcher
from simulator.store import open_store
from simulator.tui.app import SimulatorApp
from simulator.tui.screens.debrief import DebriefScreen
from simulator.tui.screens.picker import PickerScreen
from simulator.tui.screens.play import PlayScreen
from simulator.tui.screens.progress import ProgressScreen
from simulator.tui.screens.team import TeamScreen
from simulator.tui.screens.transcript import TranscriptScreen
from simulator.tui.services import Services
from simulator.tui.widgets import ReplyArea

SIZE = (80, 24)
GOOD_REPLIES = [
    "李站长您好，我是华气公司的售后工程师小王，非常抱歉让您久等了。",
    "检查前需要先停机断电二十分钟，您看现在方便吗？",
    "站长，设备是2007年6月调试安装的，保修期从调试安装开始计算，现在已经超出保修期，本次维修需要收费，我先把费用明细跟您说明一下。",
    "我理解您的心情，费用按公司统一标准收取，我可以把您的情况反馈给公司，有结果第一时间告诉您。",
    "谢谢您的理解，换配件时麻烦您安排操作员配合停气。",
]


def make_app(tmp_path: Path, engine: Matcher) -> SimulatorApp:
    services = Services(str(tmp_path / "tui.sqlite3"))
    services.matcher = engine  # the product's engine (rules + learned stage), compiled once per test run
    return SimulatorApp(services=services)


async def wait_until(pilot, condition, tries: int = 750) -> None:  # noqa: ANN001
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def enter_trainee(pilot, app: SimulatorApp, name: str = "王小明") -> None:  # noqa: ANN001
    await wait_until(pilot, lambda: app.services.store is not None and app.services.scenarios)
    app.screen.query_one("#name", Input).value = name
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))


async def pick(pilot, app: SimulatorApp, scenario_id: str, exam: bool = False) -> PlayScreen:  # noqa: ANN001
    screen = app.screen
    assert isinstance(screen, PickerScreen)
    row = [s.id for s in screen.shown].index(scenario_id)
    table = screen.query_one("#scenarios", DataTable)
    table.move_cursor(row=row)
    await pilot.press("e" if exam else "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen) and app.screen.dialogue is not None)
    return app.screen  # type: ignore[return-value]


async def say(pilot, app: SimulatorApp, text: str) -> None:  # noqa: ANN001
    screen = app.screen
    assert isinstance(screen, PlayScreen)
    before = len(screen.dialogue.turns)
    screen.query_one("#reply", ReplyArea).text = text
    screen.query_one("#reply", ReplyArea).focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: len(screen.dialogue.turns) > before and not screen.busy)


async def test_whole_flow_start_pick_play_debrief_history(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await pick(pilot, app, "out_of_warranty_charge", exam=True)
        assert play.exam
        for reply in GOOD_REPLIES:
            await say(pilot, app, reply)
        assert play.finished and play.dialogue.ending_id == "resolved"
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        bar = str(app.screen.query_one("#scorebar", Static).render())
        assert f"得分 {play.dialogue.score}" in bar
        body = str(app.screen.query_one("#turns", Static).render())
        assert "第 5 回合" in body and "✓ 致谢" in body
        assert "考试" in str(app.screen.query_one("#scorebar", Static).render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ProgressScreen))
        sessions = app.screen.query_one("#sessions", DataTable)
        assert sessions.row_count == 1
        assert "考试" in sessions.get_row_at(0)  # the mode is shown in the progress list
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TranscriptScreen))
    with open_store(str(tmp_path / "tui.sqlite3")) as store:
        [session] = store.sessions(trainee="王小明")
        assert session.finished and session.outcome == "good" and session.mode == "exam"
        assert [t.reply for t in store.turns(session.id)] == GOOD_REPLIES


async def test_quitting_mid_scenario_asks_and_keeps_turns(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app, "李四")
        await pick(pilot, app, "unknown_fault_cause")
        await say(pilot, app, "陈工您好，我是中讯公司的售后工程师。")
        await say(pilot, app, "我估计是电源板坏了。")
        await pilot.press("escape")
        await pilot.pause()
        assert "退出本次练习" in str(app.screen.query_one("#question", Static).render())
        await pilot.press("n")  # keep practising
        await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
    with open_store(str(tmp_path / "tui.sqlite3")) as store:
        [session] = store.sessions(trainee="李四")
        assert not session.finished and session.turns == 2
        turns = store.turns(session.id)
        assert turns[1].prohibited[0].category == "guess_cause"


async def test_practice_mode_lints_while_typing_and_exam_does_not(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await pick(pilot, app, "out_of_warranty_charge")
        play.query_one("#reply", ReplyArea).text = "过保了，你不给钱我就不修"
        lint = play.query_one("#lint", Static)
        await wait_until(pilot, lambda: "不给钱我就不修" in str(lint.render()))
        assert "2.1" in str(lint.render()) and "建议" in str(lint.render())
        await pilot.press("f1")
        await pilot.pause()
        assert "参考说法" in str(lint.render()) and "常用说法" in str(lint.render())
        await pilot.press("escape")  # a draft is in the box: leaving asks first
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        exam = await pick(pilot, app, "out_of_warranty_charge", exam=True)
        exam.query_one("#reply", ReplyArea).text = "过保了，你不给钱我就不修"
        await pilot.pause()
        # Exam mode schedules no lint at all (not merely "none yet").
        assert exam._lint_timer is None and not [w for w in app.workers if w.group == "lint"]
        assert str(exam.query_one("#lint", Static).render()).strip() == ""


async def test_exam_mode_is_reproducible(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    lines = []
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        for _ in range(2):
            play = await pick(pilot, app, "angry_complaint_repeat_failure", exam=True)
            lines.append(play.dialogue.customer_line)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
    assert lines[0] == lines[1]


async def test_filter_as_you_type_and_team_view(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        await pilot.press("投", "诉")
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        assert screen.query_one("#filter", Input).value == "投诉"
        assert [s.id for s in screen.shown] == ["angry_complaint_repeat_failure"]
        await pilot.press("down", "t")
        await wait_until(pilot, lambda: isinstance(app.screen, TeamScreen))
        await pilot.press("s")
        assert "按次数排序" in str(app.screen.query_one("#teambar", Static).render())


async def test_remembers_the_last_trainee(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app, "赵六")
    again = make_app(tmp_path, engine)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.screen.query_one("#name", Input).value == "赵六"


# -- snapshots at 80×24 ------------------------------------------------------------------


@pytest.fixture
def snap_app(tmp_path: Path, engine: Matcher) -> SimulatorApp:
    return make_app(tmp_path, engine)


def test_snapshot_picker(snap_compare, snap_app: SimulatorApp) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await enter_trainee(pilot, snap_app, "王小明")

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_play_after_a_prohibited_reply(snap_compare, snap_app: SimulatorApp) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await enter_trainee(pilot, snap_app, "王小明")
        await pick(pilot, snap_app, "out_of_warranty_charge", exam=True)
        await say(pilot, snap_app, "您好，这个不属于我负责，你找我们上级领导吧。")
        snap_app.screen.turn_started = __import__("time").monotonic() + 10_000  # freeze the clock at 0:00
        snap_app.screen._refresh_bar()

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_debrief(snap_compare, snap_app: SimulatorApp) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await enter_trainee(pilot, snap_app, "王小明")
        await pick(pilot, snap_app, "late_arrival_reschedule", exam=True)
        for reply in [
            "周女士您好，我是安家售后的小赵，实在对不起，让您久等了。",
            "我们重新约个时间，今天下午两点您方便吗？",
            "谢谢您的谅解。",
        ]:
            await say(pilot, snap_app, reply)
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(snap_app.screen, DebriefScreen))

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=run_before)


async def test_command_palette_offers_the_screen_actions_in_chinese(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"考试模式", "我的进度", "团队", "明暗主题", "退出"} <= set(titles)
        assert all(not t.isascii() for t in titles)
        team = next(c for c in app.get_system_commands(app.screen) if c.title == "团队")
        team.callback()
        await wait_until(pilot, lambda: isinstance(app.screen, TeamScreen))


async def test_leaving_before_the_first_reply_stores_no_empty_session(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app, "空白")
        await pick(pilot, app, "first_visit_introduction")
        await pilot.press("escape")  # nothing said yet: leaves without asking
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
    with open_store(str(tmp_path / "tui.sqlite3")) as store:
        assert store.sessions(trainee="空白") == []


async def test_palette_leaves_the_theme_alone_and_f2_switches_and_remembers_it(
    tmp_path: Path, engine: Matcher, isolated_home: Path
) -> None:
    import json

    from simulator import locations

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        before = app.theme
        for _ in range(3):  # the palette asks for the commands each time it opens
            list(app.get_system_commands(app.screen))
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.theme == before
        await pilot.press("f2")
        await wait_until(pilot, lambda: app.theme != before)
        saved = json.loads(locations.settings_file().read_text(encoding="utf-8"))
        assert saved["theme"] == app.theme


async def test_fast_typing_never_merges_or_loses_replies(tmp_path: Path, engine: Matcher) -> None:
    """Type A, press Enter three times, type B at once, Enter: A is stored alone; B is stored
    as the next turn or still waits in the box; nothing is merged or lost."""
    app = make_app(tmp_path, engine)
    # B is typed key by key (the pilot types letters and CJK, not full-width punctuation).
    first, second = "对不起，给您添麻烦了，我马上检查。", "我需要停机检查一下您看可以吗"
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await pick(pilot, app, "out_of_warranty_charge")
        # A slow judgement (a loaded machine), so the keys below arrive while it runs.
        reply = play.dialogue.reply

        def slow_reply(text: str, seconds: float | None = None):  # noqa: ANN202
            import time

            time.sleep(0.6)
            return reply(text, seconds)

        play.dialogue.reply = slow_reply  # type: ignore[method-assign]
        area = play.query_one("#reply", ReplyArea)
        area.focus()
        area.text = first
        await pilot.press("enter", "enter", "enter")
        await pilot.press(*second)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not play.busy and len(play.dialogue.turns) >= 1)
        await pilot.pause(0.3)
        await wait_until(pilot, lambda: not play.busy)
        replies = [t.reply for t in play.dialogue.turns]
        assert replies[0] == first
        assert replies[1:] == [second] or (len(replies) == 1 and area.text == second)
        store = app.services.store
        [session] = store.sessions("王小明")
        assert [t.reply for t in store.turns(session.id)] == replies


async def test_a_name_close_to_an_existing_trainee_is_questioned_once(tmp_path: Path, engine: Matcher) -> None:
    from simulator.tui.screens.start import StartScreen

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.services.store is not None and app.services.scenarios)
        app.services.store.trainee_id("王小明")  # someone already practises under this name
        assert isinstance(app.screen, StartScreen)
        box = app.screen.query_one("#name", Input)
        box.value = "王晓明"
        box.focus()
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, StartScreen)  # warned, still here
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert app.screen.trainee == "王晓明"


async def test_a_large_team_lists_fifty_names_and_the_name_box_filters_them(tmp_path: Path, engine: Matcher) -> None:
    from textual.widgets import OptionList

    from simulator.tui.screens.start import SHOWN, StartScreen

    with open_store(str(tmp_path / "tui.sqlite3")) as store:
        for i in range(120):
            store.trainee_id(f"学员{i:03d}")
    frozen_before = gc.get_freeze_count()
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        options = app.screen.query_one("#trainees", OptionList)
        await wait_until(pilot, lambda: options.option_count > 0)
        assert isinstance(app.screen, StartScreen)
        assert options.option_count == SHOWN + 1  # and a line saying how many more there are
        assert "另有 70 位" in str(options.get_option_at_index(SHOWN).prompt)
        assert options.get_option_at_index(SHOWN).disabled
        app.screen.query_one("#name", Input).value = "学员11"
        await wait_until(pilot, lambda: options.option_count == 10)  # 学员110 … 学员119
        assert [options.get_option_at_index(i).id for i in range(10)] == [f"学员11{i}" for i in range(10)]
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert app.screen.trainee == "学员110"
        # Once the engine is loaded, what is alive is frozen out of the garbage collector's reach
        # (its full passes froze the UI), and the collector is on again.
        await wait_until(pilot, lambda: gc.get_freeze_count() > frozen_before)
        assert gc.isenabled()


class _SlowToOpen(Services):
    """The real store, opened only when the test says so (a slow disk or a remote server)."""

    def __init__(self, db_url: str) -> None:
        super().__init__(db_url)
        self.may_open = threading.Event()

    def open_store(self) -> None:
        self.may_open.wait(30)
        super().open_store()


async def test_a_name_entered_while_the_store_opens_goes_on_once_it_is_open(tmp_path: Path, engine: Matcher) -> None:
    from simulator.tui.screens.start import StartScreen

    services = _SlowToOpen(str(tmp_path / "tui.sqlite3"))
    services.matcher = engine
    app = SimulatorApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, StartScreen) and services.store is None
        box = app.screen.query_one("#name", Input)
        box.value = "赵一"
        box.focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, StartScreen)
        assert "自动以“赵一”进入" in str(app.screen.query_one("#status", Static).render())
        services.may_open.set()
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert app.screen.trainee == "赵一"


async def test_an_unfinished_session_resumes_where_it_stopped(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await pick(pilot, app, "out_of_warranty_charge")
        await say(pilot, app, GOOD_REPLIES[0])
        await say(pilot, app, GOOD_REPLIES[1])
        seed, node, mood, session_id = play.seed, play.dialogue.node_id, play.dialogue.mood, play.recorder.session_id
        await pilot.press("escape")  # leave mid-scenario: the session stays unfinished
        await pilot.pause(0.2)
        if not isinstance(app.screen, PickerScreen):
            await pilot.press("y")  # confirm leaving
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        await wait_until(pilot, lambda: "out_of_warranty_charge" in picker._unfinished)
        row = [s.id for s in picker.shown].index("out_of_warranty_charge")
        picker.query_one("#scenarios", DataTable).move_cursor(row=row)
        assert picker.query_one("#scenarios", DataTable).get_row_at(row)[4] == "待续"
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen) and app.screen.dialogue is not None)
        resumed = app.screen
        assert (resumed.seed, resumed.dialogue.node_id, resumed.dialogue.mood) == (seed, node, mood)
        assert len(resumed.dialogue.turns) == 2
        await say(pilot, app, GOOD_REPLIES[2])
        turns = app.services.store.turns(session_id)
        assert [t.n for t in turns] == [1, 2, 3] and turns[2].reply == GOOD_REPLIES[2]
        assert len(app.services.store.sessions("王小明")) == 1


async def test_hostile_names_and_replies_reach_the_screen_as_visible_text(tmp_path: Path, engine: Matcher) -> None:
    """Escape sequences and markup typed as a name or a reply are shown, never sent to the terminal."""
    import json

    hostile = json.loads((Path(__file__).parent / "hostile" / "terminal_and_csv.json").read_text(encoding="utf-8"))
    name = hostile["names"][0]  # clears the screen and fakes a green 满分 line if printed raw
    controls = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))}

    def screen_text(app: SimulatorApp) -> str:
        return app.export_screenshot()

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app, name)
        assert not controls & set(screen_text(app))
        await pick(pilot, app, "out_of_warranty_charge")
        await say(pilot, app, hostile["replies"][0])
        assert not controls & set(screen_text(app))
        await pilot.press("escape")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TeamScreen))
        await pilot.pause()
        assert not controls & set(screen_text(app)) and "␛" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TranscriptScreen))
        assert not controls & set(screen_text(app))


async def test_the_ui_thread_never_waits_on_the_store(tmp_path: Path, engine: Matcher) -> None:
    """Every store query of a session (start, pick, play, debrief, progress, team, transcript) runs in a worker."""
    import threading

    app = make_app(tmp_path, engine)
    on_ui_thread: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.services.store is not None and app.services.scenarios)
        driver = app.services.store.driver
        execute = driver.execute

        def watched(sql, params=()):  # noqa: ANN001, ANN202 - the real driver, observed
            if threading.current_thread() is threading.main_thread():
                on_ui_thread.append(sql.split()[0] + " " + sql[:60])
            return execute(sql, params)

        driver.execute = watched  # type: ignore[method-assign]
        await enter_trainee(pilot, app)
        await pick(pilot, app, "out_of_warranty_charge")
        await say(pilot, app, GOOD_REPLIES[0])
        await pilot.press("escape", "y")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ProgressScreen))
        await wait_until(pilot, lambda: app.screen.query_one("#sessions", DataTable).row_count == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TranscriptScreen))
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.loaded)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TranscriptScreen))
        await pilot.pause(0.2)
    assert on_ui_thread == []


async def test_team_view_pages_a_large_team(tmp_path: Path, engine: Matcher) -> None:
    with open_store(str(tmp_path / "tui.sqlite3")) as store:
        for i in range(230):
            store.trainee_id(f"学员{i:03d}")
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.services.store is not None and app.services.scenarios)
        app.screen.query_one("#name", Input).blur()
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.loaded)
        table = app.screen.query_one("#team", DataTable)
        bar = app.screen.query_one("#teambar", Static)
        assert table.row_count == 100 and "230 位学员" in str(bar.render()) and "第 1/3 页" in str(bar.render())
        await pilot.press("n", "n")
        assert table.row_count == 30 and "第 3/3 页" in str(bar.render())
        assert str(table.get_row_at(0)[0]) == "学员200"
        await pilot.press("b")
        assert "第 2/3 页" in str(bar.render())


async def test_a_pasted_reply_over_the_limit_is_counted_not_linted_and_not_sent(
    tmp_path: Path, engine: Matcher
) -> None:
    from simulator.judge import MAX_REPLY_CHARS

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await pick(pilot, app, "out_of_warranty_charge")
        area = play.query_one("#reply", ReplyArea)
        area.text = "这个不属于我负责" * 300  # 2,400 characters
        await pilot.pause()
        assert f"2400/{MAX_REPLY_CHARS}" in str(area.border_subtitle) and "超出上限" in str(area.border_subtitle)
        await pilot.pause(0.5)
        assert not [w for w in app.workers if w.group == "lint"]  # a huge paste is not checked over and over
        assert "最多 2000 字" in str(play.query_one("#lint", Static).render())
        area.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert play.dialogue is not None and play.dialogue.turns == [] and len(area.text) == 2400
        area.text = "李站长您好，我是华气公司的售后工程师小王。"
        await pilot.pause()
        assert area.border_subtitle == ""

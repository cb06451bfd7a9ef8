"""The TUI as trainers and team leads meet it (issue 14): content isolation, Chinese, picker and play details."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_content_isolation import BROKEN_SCENARIO
from test_tui import SIZE, enter_trainee, make_app, pick, say, wait_until
from textual.widgets import Input, Static

from simulator import locations
from simulator.matcher import Matcher
from simulator.tui.screens.picker import PickerScreen


async def test_a_broken_and_a_duplicate_user_scenario_are_skipped_with_a_banner(
    tmp_path: Path, engine: Matcher, isolated_home: Path
) -> None:
    folder = isolated_home / "scenarios"
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    shutil.copy(locations.bundled_scenarios_dir() / "late_arrival_reschedule.yaml", folder / "copy.yaml")
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)  # the store opened and the scenarios loaded: nothing stopped
        picker = app.screen
        assert "late_arrival_reschedule" in [s.id for s in picker.shown]
        banner = str(picker.query_one("#skipped", Static).render())
        assert "broken.yaml:5" in banner and "copy.yaml:2" in banner


async def test_the_tui_loads_scenarios_given_on_the_command_line(tmp_path: Path, engine: Matcher) -> None:
    from simulator.tui.app import SimulatorApp
    from simulator.tui.services import Services

    folder = tmp_path / "extra"
    folder.mkdir()
    text = (locations.bundled_scenarios_dir() / "late_arrival_reschedule.yaml").read_text(encoding="utf-8")
    (folder / "mine.yaml").write_text(text.replace("id: late_arrival_reschedule", "id: my_late"), encoding="utf-8")
    services = Services(str(tmp_path / "t.sqlite3"), scenarios=[folder])
    services.matcher = engine
    app = SimulatorApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        assert "my_late" in [s.id for s in app.screen.shown]


# -- item 7: English no longer reaches the trainee ------------------------------------------------------------


async def test_ctrl_c_says_in_chinese_how_to_quit(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        await pilot.press("ctrl+c")
        await pilot.pause()
        [note] = list(app._notifications)
        assert "Ctrl+Q" in note.message and "退出" in (note.title or "")
        assert "quit" not in (note.message + (note.title or "")).lower()


async def test_the_palette_screenshot_is_saved_where_it_says(
    tmp_path: Path, engine: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        [shot] = [c for c in app.get_system_commands(app.screen) if c.title == "截图"]
        assert "当前目录" in shot.help
        shot.callback()
        await wait_until(pilot, lambda: list(tmp_path.glob("*.svg")))
        await wait_until(pilot, lambda: list(app._notifications))
        [saved] = list(tmp_path.glob("*.svg"))
        [note] = list(app._notifications)
        assert str(saved.resolve()) in note.message and note.severity == "information"
        assert "Screenshot" not in note.message + (note.title or "")
        assert "<svg" in saved.read_text(encoding="utf-8")


async def test_the_progress_screen_names_categories_even_before_the_engine_is_ready(
    tmp_path: Path, engine: Matcher
) -> None:
    from simulator.tui.app import SimulatorApp
    from simulator.tui.messages import OpenProgress
    from simulator.tui.screens.progress import ProgressScreen
    from simulator.tui.services import Services

    db = str(tmp_path / "t.sqlite3")
    app = make_app(tmp_path, engine)
    app.services.db_url = db
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        await pick(pilot, app, "out_of_warranty_charge")
        await say(pilot, app, "您好，这个不属于我负责，你找我们上级领导吧。")
    services = Services(db)
    services.load_engine = lambda: None  # type: ignore[method-assign]  # the phrasebook is still compiling
    fresh = SimulatorApp(services=services)
    async with fresh.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: fresh.services.store is not None and fresh.services.labels(), tries=250)
        assert fresh.services.matcher is None
        fresh.post_message(OpenProgress("王小明"))
        await wait_until(pilot, lambda: isinstance(fresh.screen, ProgressScreen))
        weak = str(fresh.screen.query_one("#weak", Static).render())
        assert "推给领导" in weak and "go_find_boss" not in weak


# -- item 10: the picker finds what is typed, keys do what the footer says -------------------------------------


def test_the_search_finds_titles_aliases_tags_and_summaries_loosely() -> None:
    from simulator.scenario import load_scenarios
    from simulator.search import find, gapped_span

    scenarios = load_scenarios([locations.bundled_scenarios_dir()])
    ids = lambda query: [s.id for s in find(query, scenarios)]  # noqa: E731
    assert ids("超保")[0] == "out_of_warranty_charge"  # 超出保修期, with a gap
    assert ids("投诉")[0] == "angry_complaint_repeat_failure"
    assert "late_arrival_reschedule" in ids("改约")  # a tag
    assert ids("ＰＨＯＮＥ") == ids("phone")  # full-width folded
    assert ids("超保 收费") == ["out_of_warranty_charge"]  # every word must be found
    assert ids("完全不相干的词") == []
    assert gapped_span("超保", "超出保修期") == 3 and gapped_span("超保", "保修超期") is None


def test_listed_aliases_are_found(tmp_path: Path) -> None:
    from simulator.scenario import load_scenarios
    from simulator.search import find

    text = (locations.bundled_scenarios_dir() / "late_arrival_reschedule.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text.replace("tags: [", "aliases: [放鸽子]\ntags: ["), encoding="utf-8")
    [scenario] = load_scenarios([tmp_path])
    assert scenario.aliases == ["放鸽子"] and find("鸽子", [scenario]) == [scenario]


async def test_typing_filters_while_e_still_starts_an_exam_and_backspace_edits(tmp_path: Path, engine: Matcher) -> None:
    from simulator.tui.screens.play import PlayScreen

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        picker = app.screen
        assert "超保" in picker.query_one("#filter", Input).placeholder
        await pilot.press("超", "保")
        assert picker.query_one("#filter", Input).value == "超保"
        assert [s.id for s in picker.shown][0] == "out_of_warranty_charge"
        await pilot.press("backspace")
        assert picker.query_one("#filter", Input).value == "超"
        await pilot.press("backspace", "投", "诉")
        assert [s.id for s in picker.shown] == ["angry_complaint_repeat_failure"]
        await pilot.press("e")  # no ↓ first: the list kept the focus
        await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen) and app.screen.dialogue is not None)
        assert app.screen.exam and app.screen.scenario.id == "angry_complaint_repeat_failure"


async def test_ctrl_q_in_a_conversation_asks_then_quits_the_program(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        await pick(pilot, app, "out_of_warranty_charge")
        await say(pilot, app, "李站长您好，我是华气公司的售后工程师小王。")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert "退出程序" in str(app.screen.query_one("#question", Static).render())
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_f1_is_not_offered_in_an_exam(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await pick(pilot, app, "out_of_warranty_charge", exam=True)
        await pilot.pause(0.2)
        footer = screen_lines(app)[-1]
        assert "离开" in footer and "提示" not in footer and "f1" not in footer  # not even greyed out
        assert "提示" not in [c.title for c in app.get_system_commands(play)]


async def test_esc_with_an_unsent_draft_asks_before_dropping_it(tmp_path: Path, engine: Matcher) -> None:
    from simulator.tui.screens.play import PlayScreen
    from simulator.tui.widgets import ReplyArea

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await pick(pilot, app, "first_visit_introduction")
        play.query_one("#reply", ReplyArea).text = "您好，我是"
        await pilot.press("escape")
        await pilot.pause()
        assert "没发送的回复会丢失" in str(app.screen.query_one("#question", Static).render())
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen))
        assert play.query_one("#reply", ReplyArea).text == "您好，我是"


# -- item 11: 80×24 -----------------------------------------------------------------------------------------

THREE_HITS = "你找我们领导去吧，这不归我管，我也不知道。"


def screen_lines(app) -> list[str]:  # noqa: ANN001
    """What the terminal shows, line by line."""
    import io

    from rich.console import Console

    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        record=True,
        force_terminal=False,
        legacy_windows=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


def long_title_scenario(home: Path) -> None:
    """A scenario with a 40-character title and a turn timer, in the user's directory."""
    import re

    text = (locations.bundled_scenarios_dir() / "angry_complaint_repeat_failure.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^id: .*$", "id: long_title_timer", text, count=1, flags=re.M)
    title = "客户愤怒投诉二次故障并要求立即赔偿损失还要找领导投诉到底的情况"
    text = re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M)
    (home / "scenarios").mkdir(parents=True, exist_ok=True)
    (home / "scenarios" / "long.yaml").write_text(text, encoding="utf-8")


async def start_long_title(pilot, app) -> None:  # noqa: ANN001
    import random
    import time

    from simulator.tui.widgets import ReplyArea

    random.seed(14)  # the customer's line variant
    await enter_trainee(pilot, app)
    play = await pick(pilot, app, "long_title_timer")
    play.turn_started = time.monotonic() + 10_000  # freeze the clock at its full 1:30
    play._refresh_bar()  # now, not at the next tick (a slow machine may already show 1:29)
    play.query_one("#reply", ReplyArea).text = THREE_HITS
    lint = play.query_one("#lint", Static)
    await wait_until(pilot, lambda: "我也不知道" in str(lint.render()))
    # and drawn: the panel has been repainted with every hit (three, on a screen of 24 lines)
    await wait_until(pilot, lambda: sum(line.lstrip().startswith("⚠") for line in screen_lines(app)) >= 3)


async def test_the_play_header_keeps_clock_turn_mode_and_mood_at_80_columns(
    tmp_path: Path, engine: Matcher, isolated_home: Path
) -> None:
    long_title_scenario(isolated_home)
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await start_long_title(pilot, app)
        header = screen_lines(app)[0]
        for part in ("剩 1:", "客户愤怒投诉", "第 1 回合", "练习", "客户情绪"):
            assert part in header, header
        lint = [line for line in screen_lines(app) if line.lstrip().startswith("⚠")]
        assert len(lint) == 3, screen_lines(app)  # all three hits, none cut away
        # Wrapped Chinese never starts a line with closing punctuation.
        from simulator.tui.kinsoku import NO_LINE_START

        assert [line for line in screen_lines(app) if line.strip()[:1] in NO_LINE_START] == []


def test_line_start_prohibition_moves_the_break_before_the_punctuation() -> None:
    from rich._wrap import divide_line

    from simulator.tui.kinsoku import make_divider

    divide = make_divider(divide_line)
    text = "再说明处理办法和答复时间，不随口承诺赔偿。"
    plain = divide_line(text, 24)
    assert text[plain[0]] == "，"  # where plain wrapping breaks: a comma starts the second line
    [cut] = divide(text, 24)
    assert text[:cut] == "再说明处理办法和答复时" and text[cut:] == "间，不随口承诺赔偿。"

    def lines(text: str, width: int) -> list[str]:
        breaks = divide(text, width)
        return [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]

    assert lines("说「好的」", 4) == ["说", "「好", "的」"]  # no line ends with 「 or starts with 」
    assert lines("。。。。。。", 4) == ["。。", "。。", "。。"]  # nothing but punctuation: as it was
    assert divide("abc def", 4) == divide_line("abc def", 4)  # no CJK punctuation: untouched


def test_chinese_wraps_between_any_two_characters_not_only_at_spaces() -> None:
    from rich._wrap import divide_line
    from rich.cells import cell_len

    from simulator.tui.kinsoku import cjk_divide_line, make_divider

    divide = make_divider(cjk_divide_line)

    def lines(text: str, width: int) -> list[str]:
        breaks = divide(text, width)
        return [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]

    text = "你最近 2 次练习中有 1 次在“征得同意”上失分，建议先练这个场景。"
    # Rich alone breaks only at spaces: the run after "1 " went down whole, leaving a short line.
    assert text[divide_line(text, 24)[0] :].startswith("次在")
    wrapped = lines(text, 24)
    assert wrapped[0].rstrip() == "你最近 2 次练习中有 1 次"
    assert all(cell_len(line.rstrip()) <= 24 for line in wrapped)
    assert "".join(wrapped) == text
    # A line fills up to the width; the 。 takes 的 down with it rather than start a line.
    assert lines("设备是 2007 年 6 月调试安装的。", 14) == ["设备是 2007 年 ", "6 月调试安装", "的。"]
    for width in (4, 7, 10):  # Latin text wraps exactly as rich wraps it
        assert cjk_divide_line("the quick brown fox jumps", width) == divide_line("the quick brown fox jumps", width)


def test_snapshot_play_with_a_long_title_a_timer_and_three_hits(  # noqa: ANN001
    snap_compare, tmp_path: Path, engine: Matcher, isolated_home: Path
) -> None:
    long_title_scenario(isolated_home)
    app = make_app(tmp_path, engine)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await start_long_title(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_the_progress_plot_labels_each_day_once_on_a_0_to_100_scale(tmp_path: Path, engine: Matcher) -> None:
    from simulator.tui.messages import OpenProgress
    from simulator.tui.screens.progress import ProgressScreen

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        for _ in range(3):  # three sessions on one day
            await pick(pilot, app, "late_arrival_reschedule")
            await say(pilot, app, "周女士您好，我是安家售后的小赵，实在对不起，让您久等了。")
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("y")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        app.post_message(OpenProgress("王小明"))
        await wait_until(pilot, lambda: isinstance(app.screen, ProgressScreen))
        await wait_until(pilot, lambda: "┤" in "".join(screen_lines(app)[1:13]))
        import re

        chart = "\n".join(screen_lines(app)[1:13])
        assert len(re.findall(r"\d\d-\d\d", chart)) == 1, chart
        assert "100" in chart and "20" in chart


# -- the scan: every screen, with content that triggers its messages --------------------------------------------

KEYS = {"esc", "enter", "tab", "space", "backspace", "ctrl", "shift", "alt", "up", "down", "home", "end"}


async def test_no_screen_shows_english(tmp_path: Path, engine: Matcher, isolated_home: Path) -> None:
    from test_chinese_everywhere import latin_words, vocabulary

    from simulator.tui.messages import OpenProgress, OpenTeam, OpenTraineeSessions, OpenTranscript
    from simulator.tui.screens.debrief import DebriefScreen
    from simulator.tui.screens.play import PlayScreen
    from simulator.tui.screens.progress import ProgressScreen
    from simulator.tui.screens.team import TeamScreen, TraineeSessionsScreen
    from simulator.tui.screens.transcript import TranscriptScreen
    from simulator.tui.widgets import ReplyArea

    allowed = vocabulary(content_ids=False) | KEYS
    (isolated_home / "scenarios").mkdir(parents=True)
    (isolated_home / "scenarios" / "broken.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    seen: dict[str, list[str]] = {}

    def scan(where: str) -> None:
        lines = screen_lines(app)
        notes = [f"{n.title or ''} {n.message}" for n in app._notifications]
        # The banner names the broken file's problem (field names a trainer wrote): checked by its own test.
        text = "\n".join(line for line in [*lines, *notes] if ".yaml:" not in line)
        words = latin_words(text, allowed)
        if words:
            seen[where] = sorted(set(words))

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.services.store is not None and app.services.scenarios)
        await pilot.pause(0.3)
        scan("start")
        await enter_trainee(pilot, app)
        scan("picker")
        await pilot.press("超", "保")
        scan("picker filtered")
        await pilot.press("backspace", "backspace", "ctrl+p")
        await pilot.pause(0.5)
        scan("palette")
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("ctrl+c")
        await pilot.pause(0.2)
        scan("ctrl+c")
        play = await pick(pilot, app, "out_of_warranty_charge")
        scan("play")
        play.query_one("#reply", ReplyArea).text = THREE_HITS
        await wait_until(pilot, lambda: "我也不知道" in str(play.query_one("#lint", Static).render()))
        scan("play lint")
        await pilot.press("f1")
        await pilot.pause(0.2)
        scan("play hint")
        await say(pilot, app, "您好，这个不属于我负责，你找我们上级领导吧。")
        scan("play after a prohibited reply")
        await pilot.press("escape")
        await pilot.pause(0.2)
        scan("leave?")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        exam = await pick(pilot, app, "late_arrival_reschedule", exam=True)
        await say(pilot, app, "周女士您好，我是安家售后的小赵，实在对不起，让您久等了。")
        while not exam.finished:  # then rudeness until it ends (badly)
            await say(pilot, app, "那你自己看着办吧，爱等不等。")
        scan("exam finished")
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        scan("debrief")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        app.post_message(OpenProgress("王小明"))
        await wait_until(pilot, lambda: isinstance(app.screen, ProgressScreen))
        await wait_until(pilot, lambda: "┤" in "".join(screen_lines(app)))
        scan("progress")
        app.post_message(OpenTranscript(1))
        await wait_until(pilot, lambda: isinstance(app.screen, TranscriptScreen))
        await pilot.pause(0.3)
        scan("transcript")
        app.post_message(OpenTeam())
        await wait_until(pilot, lambda: isinstance(app.screen, TeamScreen))
        await pilot.pause(0.3)
        scan("team")
        app.post_message(OpenTraineeSessions("王小明"))
        await wait_until(pilot, lambda: isinstance(app.screen, TraineeSessionsScreen))
        await pilot.pause(0.3)
        scan("trainee sessions")
        assert isinstance(app.screen, TraineeSessionsScreen) and not isinstance(app.screen, PlayScreen)
    assert seen == {}


# -- a newcomer at 80×24: debrief figures, scrolling, long text, the dispute form, the picker's columns ----------


async def play_through(pilot, app, scenario_id: str, replies: list[str]):  # noqa: ANN001, ANN201
    """Pick ``scenario_id`` in practice mode and send ``replies`` until it ends; the play screen."""
    play = await pick(pilot, app, scenario_id)
    for reply in replies:
        if play.finished:
            break
        await say(pilot, app, reply)
    return play


async def open_debrief(pilot, app):  # noqa: ANN001, ANN201
    from simulator.tui.screens.debrief import DebriefScreen

    await pilot.press("f5")
    await wait_until(pilot, lambda: isinstance(app.screen, DebriefScreen))
    return app.screen


def visible_text(app, widget) -> str:  # noqa: ANN001
    """The text the terminal shows in ``widget``'s rows, scroll bars and spaces left out, lines joined."""
    rows = screen_lines(app)[widget.region.y : widget.region.bottom]
    return "".join("".join(row.rstrip(" ▁▂▃▄▅▆▇█").split()) for row in rows)


async def test_the_debrief_names_the_scenarios_own_bad_ending_penalty(tmp_path: Path, engine: Matcher) -> None:
    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await play_through(pilot, app, "out_of_warranty_charge", ["嗯"] * 5)
        assert play.dialogue.ending is not None and play.dialogue.ending.outcome == "bad"
        assert play.scenario.model.scoring.bad_ending == 30  # the scenario's own figure, not the default 10
        debrief = await open_debrief(pilot, app)
        summary = str(debrief.query_one("#summary", Static).render())
        assert "结局失败再减 30 分" in summary and "减 10 分" not in summary


async def test_the_chat_shows_the_customers_whole_new_line_after_each_turn(tmp_path: Path, engine: Matcher) -> None:
    import random

    from test_tui import GOOD_REPLIES
    from textual.containers import VerticalScroll

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        random.seed(1)  # the customer's long variant at the fourth node (it wraps at 80 columns)
        play = await play_through(pilot, app, "out_of_warranty_charge", GOOD_REPLIES[:3])
        assert play.dialogue.node_id == "price_pushback" and "干脆免了" in play.dialogue.customer_line
        await pilot.pause(0.3)
        chat = play.query_one("#chat", VerticalScroll)
        last = list(chat.children)[-1]
        assert last.region.height >= 2  # the line wraps
        assert chat.scroll_y == chat.max_scroll_y > 0
        assert last.region.bottom <= chat.content_region.bottom  # its last wrapped line is on screen
        assert "要不干脆免了。" in visible_text(app, chat)


async def test_the_f1_hint_and_the_scenario_details_can_be_read_whole_at_80x24(tmp_path: Path, engine: Matcher) -> None:
    from test_tui import GOOD_REPLIES
    from textual.widgets import DataTable

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        picker = app.screen
        # The picker's details: the longest summary and goal of the bundled scenarios, read to the end by keyboard.
        row = [s.id for s in picker.shown].index("upgrade_without_review")
        picker.query_one("#scenarios", DataTable).move_cursor(row=row)
        await pilot.pause()
        goal = "".join(picker.shown[row].goal.split())
        details = picker.query_one("#details", Static)
        await pilot.press("tab")  # from the list to the details
        await pilot.press("end")
        await pilot.pause(0.2)
        assert goal[-12:] in visible_text(app, details.parent if details.parent is not picker else details)
        picker.query_one("#scenarios", DataTable).focus()
        # The play screen's F1 hint: the whole model answer, where the draft's lint is shown.
        play = await play_through(pilot, app, "out_of_warranty_charge", GOOD_REPLIES[:2])
        assert play.dialogue.node_id == "fee_question"
        await pilot.press("f1")
        await pilot.pause(0.2)
        lint = play.query_one("#lint", Static)
        box = lint.parent if lint.parent is not play else lint
        box.scroll_end(animate=False)  # wherever it does not fit, it scrolls
        await pilot.pause(0.2)
        answer = "".join(play.dialogue.node.model_answer.split())
        assert answer in visible_text(app, box)
        chat = play.query_one("#chat")
        assert chat.region.height >= 5  # the conversation keeps some room, and the customer's line is in it
        assert "".join(play.dialogue.customer_line.split()) in visible_text(app, chat)


async def test_an_invalid_turn_in_the_dispute_form_keeps_the_form_and_what_was_typed(
    tmp_path: Path, engine: Matcher
) -> None:
    from textual.widgets import Button

    from simulator.tui.screens.debrief import DebriefScreen
    from simulator.tui.screens.form import FormScreen

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        play = await play_through(pilot, app, "out_of_warranty_charge", ["嗯"] * 5)
        turns = len(play.dialogue.turns)
        await open_debrief(pilot, app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#field-turn", Input).value = "9"
        form.query_one("#field-comment", Input).value = "客户明明没生气"
        form.query_one("#ok", Button).press()
        await pilot.pause(0.2)
        assert app.screen is form  # still open, with what was typed
        assert form.query_one("#field-comment", Input).value == "客户明明没生气"
        assert any(f"只有 {turns} 个回合" in n.message for n in app._notifications)
        form.query_one("#field-turn", Input).value = "2"
        form.query_one("#ok", Button).press()
        await wait_until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        await wait_until(pilot, lambda: app.services.store.disputes() != [])
        [dispute] = app.services.store.disputes()
        assert (dispute.n, dispute.comment) == (2, "客户明明没生气")


async def test_the_comparison_with_the_last_attempt_skips_what_it_never_reached(
    tmp_path: Path, engine: Matcher
) -> None:
    from test_tui import GOOD_REPLIES

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        first = await play_through(pilot, app, "out_of_warranty_charge", ["嗯"] * 5)
        reached = {t.node for t in first.dialogue.turns}
        await pilot.press("escape")  # from the finished conversation back to the list
        await pilot.pause(0.2)
        if not isinstance(app.screen, PickerScreen):
            await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        second = await play_through(pilot, app, "out_of_warranty_charge", GOOD_REPLIES)
        assert second.finished
        debrief = await open_debrief(pilot, app)
        labels = debrief.labels()
        await wait_until(pilot, lambda: "与上次相比" in str(debrief.query_one("#summary", Static).render()))
        summary = str(debrief.query_one("#summary", Static).render())
        compared = summary.split("与上次相比：", 1)[1]
        nodes = second.scenario.nodes
        chance = {
            c
            for n in reached
            for c in (*nodes[n].expects.required, *nodes[n].expects.any_of, *nodes[n].expects.optional)
        }
        done = {h.category for t in second.dialogue.turns for h in t.record().standard}
        unreached, reachable = done - chance, done & chance
        assert unreached and reachable  # the test means something either way
        for category in unreached:  # e.g. 说明配合事项: the first attempt ended long before that moment
            assert f"“{labels[category]}”从" not in compared, compared
        for category in reachable:
            assert f"“{labels[category]}”从 ✗ 变为 ✓" in compared, compared


def _cells(line: str, start: int, end: int) -> str:
    """The characters of ``line`` between terminal columns ``start`` and ``end``."""
    from rich.cells import cell_len

    out, column = [], 0
    for char in line:
        if start <= column and column + cell_len(char) <= end:
            out.append(char)
        column += cell_len(char)
    return "".join(out)


async def test_the_picker_cuts_long_titles_and_tags_with_an_ellipsis(tmp_path: Path, engine: Matcher) -> None:
    from textual.widgets import DataTable

    app = make_app(tmp_path, engine)
    async with app.run_test(size=SIZE) as pilot:
        await enter_trainee(pilot, app)
        picker = app.screen
        table = picker.query_one("#scenarios", DataTable)
        widths = [c.get_render_width(table) for c in table.ordered_columns]
        starts = [sum(widths[:i]) for i in range(len(widths))]
        lines = screen_lines(app)
        checked = 0
        for scenario in picker.shown:
            [line] = [line for line in lines if scenario.title[:6] in line] or [None]
            if line is None:
                continue  # below the fold
            shown = {
                "title": _cells(line, starts[0], starts[0] + widths[0]).strip(),
                "tags": _cells(line, starts[2], starts[2] + widths[2]).strip(),
            }
            for key, whole in (("title", scenario.title), ("tags", " ".join(scenario.tags[:3]))):
                if shown[key] != whole:  # cut: it says so, and no word is cut in the middle of a tag
                    assert shown[key].endswith("…"), (key, shown[key], whole)
                    checked += 1
            for tag in shown["tags"].rstrip("…").split():
                assert tag in scenario.tags, (tag, scenario.tags)
        assert checked >= 2  # 要迟到了，提前打电话致歉改约 and 价格 产品缺陷 竞品 at least

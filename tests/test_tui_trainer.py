"""The TUI as trainers and team leads meet it (issue 14): content isolation, Chinese, picker and play details."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from test_content_isolation import BROKEN_SCENARIO
from test_tui import SIZE, enter_trainee, make_app, pick, say, wait_until
from textual.widgets import Static

from simulator import locations
from simulator.matcher import Matcher


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

"""The TUI as trainers and team leads meet it (issue 14): content isolation, Chinese, picker and play details."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_content_isolation import BROKEN_SCENARIO
from test_tui import SIZE, enter_trainee, make_app
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

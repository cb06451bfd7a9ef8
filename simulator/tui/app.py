"""The Textual application: trainee → scenario → play → debrief, and progress views.

The app is the one place that builds screens: screens post ``messages.Open*``
and the handlers below push them.  Start-up work runs in thread workers,
started on mount; they wait for the first frame (``Ready``, or at most
``FIRST_FRAME_GRACE``) so they do not compete with it for the interpreter,
and are announced to the open screens with ``ContentReady`` /
``EngineReady``.  Only the start screen is imported before
the first frame: the others (and the engine, the scenarios' schema and the
store they import) load when first opened or in the workers.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen

from .. import locations
from ..errors import ContentError
from .kinsoku import install as keep_punctuation_with_its_text
from .messages import (
    ContentReady,
    EngineReady,
    OpenAssignments,
    OpenDebrief,
    OpenPicker,
    OpenPlay,
    OpenProgress,
    OpenReview,
    OpenTeam,
    OpenTraineeSessions,
    OpenTranscript,
)
from .screens.start import StartScreen
from .services import Services

keep_punctuation_with_its_text()  # no line of wrapped Chinese starts with 。 or ，

# How long the start-up workers wait for the first frame before they start anyway. Their
# imports hold the interpreter; a terminal's first frame comes ~0.1-0.3 s after mount, while
# a browser session through textual-serve may see no ``Ready`` before its first input.
FIRST_FRAME_GRACE = 0.5


class SimulatorApp(App[None]):
    """售后服务情景陪练."""

    TITLE = "售后服务情景陪练"
    # Absolute, so subclasses defined elsewhere (benchmarks, tests) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", id="quit", tooltip="退出程序（练习中会先确认）"),
        Binding("f2", "toggle_dark", "明暗主题", id="theme", tooltip="在明亮与暗色主题之间切换"),
        Binding("ctrl+p", "command_palette", "命令", id="palette", show=False, priority=True, tooltip="打开命令面板"),
    ]

    def __init__(self, db_url: str | None = None, services: Services | None = None):
        super().__init__()
        self._first_frame = threading.Event()
        self.services = services or Services(db_url)
        self.startup_error: str | None = None

    def on_mount(self) -> None:
        theme = self.services.settings.get("theme")
        if theme:
            self.theme = theme
        self.push_screen(StartScreen())
        # Start loading what the next screens need, in thread workers. (Not on ``Ready``
        # or after a refresh: a browser session through textual-serve may see neither
        # before its first input. The workers wait for it a moment instead.)
        self.start_loading()

    def on_ready(self, event: events.Ready) -> None:
        self._first_frame.set()

    def start_loading(self) -> None:
        self.load_content()
        self.load_engine()

    # -- start-up (thread workers) --------------------------------------------------

    @work(thread=True, exclusive=False, group="startup")
    def load_content(self) -> None:
        """Scenarios and the store: fast, needed by the first screens."""
        self._first_frame.wait(FIRST_FRAME_GRACE)
        from ..store import StoreError  # the store's drivers load after the first frame

        self.services.load_scenarios()  # a broken or duplicate file is left out, never fatal
        try:
            self.services.open_store()
        except StoreError as exc:
            self.call_from_thread(self._fatal, str(exc))
            return
        self.call_from_thread(self._announce, ContentReady)
        self.services.load_labels()  # category names for the review screens, before the engine is ready

    @work(thread=True, exclusive=False, group="startup")
    def load_engine(self) -> None:
        """The engine, from the user cache (or compiled and trained after a content change): never blocks a screen."""
        self._first_frame.wait(FIRST_FRAME_GRACE)
        # The engine is ~1 million long-lived Python objects (the segmenter's dictionary, the
        # compiled phrasebook, the learned stage). Each full collection of the garbage collector
        # walked them all, holding the interpreter for 60-110 ms: the UI froze at random moments
        # (measured with benchmarks/bench_team_view.py). No collection while they are built; then
        # they are frozen out of the collector's reach (gc.freeze), as they live as long as the app.
        gc.disable()
        try:
            self.services.load_engine()
        except ContentError as exc:
            self.call_from_thread(self._fatal, "随产品发布的话术库有误：\n" + "\n".join(map(str, exc.problems[:5])))
            return
        finally:
            gc.freeze()
            gc.enable()
        self.call_from_thread(self._engine_ready)

    def _announce(self, message: type[Message]) -> None:
        """Tell every open screen (each handles ``on_content_ready`` / ``on_engine_ready`` if it cares)."""
        for screen in self.screen_stack:
            screen.post_message(message())

    def _engine_ready(self) -> None:
        if self.services.warning:
            self.notify(self.services.warning, severity="warning", timeout=15)
        skipped = self.services.skipped
        if skipped:
            files = len({p.file for p in skipped})
            self.notify(
                f"{files} 个内容文件有误，已跳过，其余照常可用。", title="内容文件有误", severity="warning", timeout=10
            )
        self._announce(EngineReady)

    def _fatal(self, message: str) -> None:
        self.startup_error = message
        self.notify(message, title="无法启动", severity="error", timeout=30)

    # -- navigation (screens ask, the app builds) -------------------------------------

    @on(OpenPicker)
    def open_picker(self, message: OpenPicker) -> None:
        from .screens.picker import PickerScreen

        self.push_screen(PickerScreen(message.trainee))

    @on(OpenPlay)
    def open_play(self, message: OpenPlay) -> None:
        from .screens.play import PlayScreen

        screen = PlayScreen(message.trainee, message.scenario, exam=message.exam, resume=message.resume)
        if message.replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    @on(OpenDebrief)
    def open_debrief(self, message: OpenDebrief) -> None:
        from .screens.debrief import DebriefScreen

        self.switch_screen(
            DebriefScreen(message.trainee, message.scenario, message.dialogue, message.session_id, message.exam)
        )

    @on(OpenProgress)
    def open_progress(self, message: OpenProgress) -> None:
        from .screens.progress import ProgressScreen

        self.push_screen(ProgressScreen(message.trainee))

    @on(OpenTeam)
    def open_team(self) -> None:
        from .screens.team import TeamScreen

        self.push_screen(TeamScreen())

    @on(OpenAssignments)
    def open_assignments(self) -> None:
        from .screens.assignments import AssignmentsScreen

        self.push_screen(AssignmentsScreen())

    @on(OpenTraineeSessions)
    def open_trainee_sessions(self, message: OpenTraineeSessions) -> None:
        from .screens.team import TraineeSessionsScreen

        self.push_screen(TraineeSessionsScreen(message.trainee))

    @on(OpenReview)
    def open_review(self, message: OpenReview) -> None:
        from .screens.review import ReviewScreen

        self.push_screen(ReviewScreen(message.reviewer))

    @on(OpenTranscript)
    def open_transcript(self, message: OpenTranscript) -> None:
        from .screens.transcript import TranscriptScreen

        self.push_screen(TranscriptScreen(message.session_id))

    # -- commands -------------------------------------------------------------------

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # App is invariant
            self.push_screen(CommandPalette(id="--command-palette", placeholder="搜索命令…（如“提示”“复盘”“团队”）"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The enabled bindings of the current screen and the app, in Chinese, plus a screenshot."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            # Textual's own widget bindings carry English descriptions: leave them out.
            if not active.enabled or not binding.description or binding.description.isascii():
                continue
            if binding.action == "command_palette" or binding.action in seen:
                continue
            seen.add(binding.action)

            def run(action: str = binding.action, target: object = active.node) -> None:
                self.call_later(self.run_action, action, target)

            yield SystemCommand(binding.description, binding.tooltip or binding.description, run)
        # After a moment, so the palette has closed and the picture shows the screen under it.
        yield SystemCommand(
            "截图", "把当前画面保存为 SVG 图片（保存在当前目录）", lambda: self.set_timer(0.1, self.action_screenshot)
        )

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save the screen as SVG in the current directory (else the data directory) and say where, in Chinese."""
        name = filename or time.strftime("售后服务情景陪练-截图-%Y%m%d-%H%M%S.svg")
        folders = [Path(path)] if path else [Path.cwd(), locations.data_dir()]
        for folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                saved = Path(self.save_screenshot(name, str(folder)))
            except OSError:
                continue
            self.notify(f"已保存到 {saved.resolve()}", title="截图", timeout=8)
            return
        self.notify("截图没有保存：当前目录和个人数据目录都不能写入", title="截图", severity="error")

    def action_help_quit(self) -> None:
        """Ctrl+C: Textual no longer quits on it; say in Chinese how to quit."""
        self.notify("要退出请按 Ctrl+Q（练习中会先确认，已完成的回合都已保存）", title="退出程序？", timeout=5)

    def action_toggle_dark(self) -> None:
        """F2: switch light/dark and remember the choice for the next start."""
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self.services.remember(theme=self.theme)

    async def action_quit(self) -> None:
        """Ctrl+Q quits the program; in a conversation with turns or a draft, after asking."""
        screen = self.screen
        # A play screen exists only if its module was imported (quitting from the start screen imports nothing).
        play = sys.modules.get("simulator.tui.screens.play")
        if play is not None and isinstance(screen, play.PlayScreen) and not screen.finished and screen.has_work():
            from .screens.confirm import ConfirmScreen

            count = len(screen.dialogue.turns) if screen.dialogue else 0
            question = "退出程序？\n"
            question += (
                f"已完成的 {count} 个回合都已保存，这次练习会记为“未完成”，下次可在场景列表按 c 接着练。"
                if count
                else "还没发送的回复会丢失。"
            )

            def answered(leave: bool | None) -> None:
                if leave:
                    self.exit()

            self.push_screen(ConfirmScreen(question, yes="退出程序", no="继续练习"), answered)
            return
        self.exit()

    def on_unmount(self) -> None:
        self.services.close()

"""The Textual application: trainee → scenario → play → debrief, and progress views."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding

from .services import Services


class SimulatorApp(App[None]):
    """售后服务情景陪练."""

    TITLE = "售后服务情景陪练"
    # Absolute, so subclasses defined elsewhere (benchmarks, tests) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", id="quit", tooltip="退出程序（练习中会先确认）"),
        Binding("f2", "toggle_dark", "明暗主题", id="theme", tooltip="在明亮与暗色主题之间切换"),
    ]

    def __init__(self, db_url: str | None = None, services: Services | None = None):
        super().__init__()
        self.services = services or Services(db_url)
        self.startup_error: str | None = None

    def on_mount(self) -> None:
        from .screens.start import StartScreen

        theme = self.services.settings.get("theme")
        if theme:
            self.theme = theme
        self.push_screen(StartScreen())
        self.load_content()
        self.load_engine()

    @work(thread=True, exclusive=False, group="startup")
    def load_content(self) -> None:
        """Scenarios and the store: fast, needed by the first screens."""
        from ..errors import ContentError
        from ..store import StoreError

        try:
            self.services.load_scenarios()
        except ContentError as exc:
            self.call_from_thread(self._fatal, "场景文件有误：\n" + "\n".join(map(str, exc.problems[:5])))
            return
        try:
            self.services.open_store()
        except StoreError as exc:
            self.call_from_thread(self._fatal, str(exc))
            return
        self.call_from_thread(self._content_ready)

    @work(thread=True, exclusive=False, group="startup")
    def load_engine(self) -> None:
        """The phrasebook compile and jieba (about a second): never blocks the first screen."""
        from ..errors import ContentError

        try:
            self.services.load_engine()
        except ContentError as exc:
            self.call_from_thread(self._fatal, "话术库有误：\n" + "\n".join(map(str, exc.problems[:5])))
            return
        self.call_from_thread(self._engine_ready)

    def _content_ready(self) -> None:
        for screen in self.screen_stack:
            handler = getattr(screen, "content_ready", None)
            if handler:
                handler()

    def _engine_ready(self) -> None:
        for screen in self.screen_stack:
            handler = getattr(screen, "engine_ready", None)
            if handler:
                handler()

    def _fatal(self, message: str) -> None:
        self.startup_error = message
        self.notify(message, title="无法启动", severity="error", timeout=30)

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self.services.remember(theme=self.theme)

    async def action_quit(self) -> None:
        from .screens.play import PlayScreen

        if isinstance(self.screen, PlayScreen) and not self.screen.finished:
            self.screen.action_leave()
            return
        self.exit()

    def on_unmount(self) -> None:
        self.services.close()


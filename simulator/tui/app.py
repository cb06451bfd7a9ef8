"""The Textual application: trainee → scenario → play → debrief, and progress views."""

from __future__ import annotations

from pathlib import Path

from collections.abc import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

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
        Binding("ctrl+p", "command_palette", "命令", id="palette", show=False, priority=True, tooltip="打开命令面板"),
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

    def _tell_screens(self, hook: str) -> None:
        """Call ``hook`` on every open screen that has it (content_ready, engine_ready)."""
        for screen in self.screen_stack:
            handler = getattr(screen, hook, None)
            if handler:
                handler()

    def _content_ready(self) -> None:
        self._tell_screens("content_ready")

    def _engine_ready(self) -> None:
        if self.services.warning:
            self.notify(self.services.warning, severity="warning", timeout=15)
        self._tell_screens("engine_ready")

    def _fatal(self, message: str) -> None:
        self.startup_error = message
        self.notify(message, title="无法启动", severity="error", timeout=30)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder="搜索命令…（如“提示”“复盘”“团队”）"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding of the current screen, plus the app's own, in Chinese."""
        seen: set[str] = set()
        for node in (screen, self):
            for binding in node._bindings.key_to_bindings.values():
                for item in binding:
                    # Textual's own screen bindings carry English descriptions: leave them out.
                    if not item.description or item.description.isascii() or item.action in seen:
                        continue
                    if item.action == "command_palette":
                        continue
                    if node is screen and screen.check_action(item.action.split("(")[0], ()) is not True:
                        continue
                    seen.add(item.action)
                    target = node

                    def run(action: str = item.action, target: object = target) -> None:
                        self.call_later(target.run_action, action)  # type: ignore[attr-defined]

                    yield SystemCommand(item.description, item.tooltip or item.description, run)
        yield SystemCommand("截图", "把当前画面保存为 SVG 图片（保存在当前目录）", lambda: self.action_screenshot())

    def action_toggle_dark(self) -> None:
        """F2: switch light/dark and remember the choice for the next start."""
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


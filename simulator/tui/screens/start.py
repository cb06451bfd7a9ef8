"""Choose or create the trainee; the last one is remembered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...terminal import printable
from ..messages import ContentReady, EngineReady, OpenPicker, OpenTeam
from ..widgets import SkippedBanner
from .base import AppScreen

if TYPE_CHECKING:
    from ...store import Identity, Store

# Names listed at once. A company's server may hold 10,000 trainees: listing them all froze the
# screen for a quarter of a second, and nobody scrolls 10,000 names; the name box filters instead.
SHOWN = 50


class StartScreen(AppScreen):
    BINDINGS = [
        Binding("t", "team", "团队进度", id="start.team", tooltip="组长查看全体学员的进度"),
        Binding("down", "to_list", "选择已有学员", id="start.list", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield SkippedBanner(id="skipped")
        with Vertical(id="start"):
            yield Static("售后服务情景陪练", id="brand")
            yield Static("和“客户”对练：按规范说话，系统逐句评判，告诉你哪句话违反了哪条规范、应该怎么说。", id="intro")
            yield Static("你的姓名：", classes="label")
            yield Input(placeholder="输入姓名后按回车（新学员会自动建档）", id="name")
            yield Static("已有学员（↓ 选择）：", classes="label", id="list_label")
            yield OptionList(id="trainees")
            yield Static("正在打开进度数据库…", id="status")
        yield Footer()

    _warned: str | None = None
    _names: list[str] = []  # every trainee in the store, by name
    _pending: str | None = None  # a name entered before the store was open: chosen once it is

    def on_mount(self) -> None:
        last = self.services.settings.get("trainee")
        name = self.query_one("#name", Input)
        if last:
            name.value = last
        name.focus()
        if self.services.store is not None:
            self.show_trainees()

    def on_content_ready(self, message: ContentReady) -> None:
        self.show_trainees()
        if self._pending is not None:
            name, self._pending = self._pending, None
            self.choose(name)

    def on_engine_ready(self, message: EngineReady) -> None:
        self.query_one("#skipped", SkippedBanner).show(self.services.skipped)

    def show_trainees(self) -> None:
        self.read_store(lambda store: (store.trainees(), store.identity()), self.list_trainees)

    def list_trainees(self, found: tuple[list[str], Identity]) -> None:
        trainees, who = found
        services = self.services
        self._names = trainees
        self.show_names()
        count = len(services.scenarios)
        self.query_one("#skipped", SkippedBanner).show(services.skipped)
        status = f"已载入 {count} 个场景；已有 {len(trainees)} 位学员。"
        if who.kind == "trainee" and who.name:
            # On a shared server the account says who you are: the name is filled in for you.
            self.query_one("#name", Input).value = who.name
            status = f"已载入 {count} 个场景；当前账号：{who.describe()}。"
        elif who.kind == "trainer":
            status = f"已载入 {count} 个场景；当前账号：{who.describe()}：输入你的姓名后按 v 复核，不能练习。"
        elif not who.can_play:
            status = f"已载入 {count} 个场景；当前账号：{who.describe()}，只能查看记录（按 t 看团队进度）。"
        self.query_one("#status", Static).update(printable(status))

    def on_input_changed(self, event: Input.Changed) -> None:
        if len(self._names) > SHOWN:
            self.show_names()

    def show_names(self) -> None:
        """Every trainee, or in a large team the first ``SHOWN`` whose name contains what is typed."""
        names = self._names
        more = 0
        if len(names) > SHOWN:
            typed = self.query_one("#name", Input).value.strip().casefold()
            matches = [n for n in names if typed in n.casefold()] if typed else names
            names, more = matches[:SHOWN], len(matches) - SHOWN
            self.query_one("#list_label", Static).update("已有学员（↓ 选择；在上面输入姓名可筛选）：")
        options = self.query_one("#trainees", OptionList)
        options.clear_options()
        options.add_options([Option(Text(printable(name)), id=name) for name in names])
        if more > 0:
            options.add_option(Option(Text(f"……另有 {more} 位，输入姓名可筛选", style="dim"), disabled=True))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.choose(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(str(event.option.id))

    def action_to_list(self) -> None:
        options = self.query_one("#trainees", OptionList)
        options.focus()
        if options.highlighted is None and options.option_count:
            options.highlighted = 0  # ↓ then Enter picks the first name

    def action_team(self) -> None:
        if isinstance(self.focused, Input):
            return
        self.post_message(OpenTeam())

    def choose(self, name: str) -> None:
        name = name.strip()
        services = self.services
        if not name:
            self.notify("请输入姓名", severity="warning")
            return
        if len(name) > 30:
            self.notify("姓名太长了（最多 30 个字）", severity="warning")
            return
        if services.store is None:
            if self.startup_error:
                self.notify(self.startup_error, severity="error")
                return
            # Still opening: keep the name and go on as soon as the store is open.
            self._pending = name
            self.query_one("#status", Static).update(printable(f"正在打开进度数据库…打开后自动以“{name}”进入。"))
            return

        from ...store import StoreError  # the store's modules load after the first frame

        def read(store: Store) -> tuple[str, list[str], str | None]:
            if store.identity().kind == "trainer":
                # A trainer goes on to the picker to review (v); practising is refused when a turn is saved.
                return store.canonical_name(name), [], None
            try:
                store.check_may_play(name)  # a shared server's account may practise only as itself
            except StoreError as exc:
                return name, [], str(exc)
            existing = store.canonical_name(name)
            is_new = existing == name and name not in store.trainees()
            return existing, store.similar_trainees(name) if is_new else [], None

        self.read_store(read, lambda found: self.enter(name, *found))

    def enter(self, name: str, existing: str, close: list[str], refused: str | None = None) -> None:
        """Go on as ``existing`` (the stored spelling), after one warning if the name is new but close to others."""
        services = self.services
        if refused:
            self.notify(printable(refused), severity="warning", timeout=8, markup=False)
            return
        if close and self._warned != name:
            # One warning per new name: Enter again means "yes, a new trainee".
            self._warned = name
            self.notify(
                printable(
                    f"已有相近的学员：{'、'.join(close)}。如果是你，请在下方列表中选择；确实是新学员就再按一次回车。"
                ),
                severity="warning",
                timeout=8,
                markup=False,  # names are shown as typed
            )
            return
        name = existing  # 張偉 and 张 伟 continue 张伟's record
        services.remember(trainee=name)
        self.post_message(OpenPicker(name))

"""Assignments, for leads: completion per assignment, set a new one, withdraw one (from the team view)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Input, Select, Static

from ...assignments import MODE_LABELS, AssignmentError, AssignmentProgress, build_progress, parse_due
from ...terminal import printable
from ..widgets import TitleBar
from .base import AppScreen
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from ...scenario import Scenario
    from ...store import Identity, Store


@dataclass
class StoreWritten(Message):
    """A write run by a worker finished (``error``: why it failed, in Chinese)."""

    then: Callable[[Any], None]
    result: Any = None
    error: str | None = None


@dataclass(frozen=True)
class NewAssignment:
    scenario: str
    title: str
    trainee: str | None
    team: str | None
    pass_mark: int
    mode: str
    due: str | None


class AssignmentForm(ModalScreen[NewAssignment | None]):
    """Set a scenario for a trainee or a team: pass mark, mode, due date."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="assign.cancel", tooltip="不布置，返回")]

    def __init__(self, scenarios: list[Scenario], team: str | None):
        super().__init__()
        self.scenarios = {s.id: s for s in scenarios}
        self.team = team

    def compose(self) -> ComposeResult:
        with Vertical(id="assignform"):
            yield Static("布置任务", classes="formtitle")
            yield Select([(s.title, s.id) for s in self.scenarios.values()], prompt="选择场景", id="scenario")
            yield Select([("全组", "team"), ("一位学员", "trainee")], value="team", allow_blank=False, id="kind")
            yield Input(value=self.team or "", placeholder="组名或学员姓名", id="target")
            yield Input(placeholder="及格线（留空：用场景自己的及格线）", id="passmark", type="integer")
            yield Select([("练习", "practice"), ("考试", "exam")], value="practice", allow_blank=False, id="mode")
            yield Input(placeholder="截止日期 年-月-日（可留空）", id="due")
            with Horizontal(id="formbuttons"):
                yield Button("布置", variant="primary", id="ok")
                yield Button("取消", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#scenario", Select).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        scenario_id = self.query_one("#scenario", Select).value
        if not isinstance(scenario_id, str) or scenario_id not in self.scenarios:
            self.notify("请选择场景", severity="warning")
            return
        scenario = self.scenarios[scenario_id]
        target = self.query_one("#target", Input).value.strip()
        if not target:
            self.notify("请填写组名或学员姓名", severity="warning")
            return
        kind = self.query_one("#kind", Select).value
        mark_text = self.query_one("#passmark", Input).value.strip()
        try:
            pass_mark = int(mark_text) if mark_text else scenario.model.scoring.pass_mark
            if not 0 <= pass_mark <= 100:
                raise AssignmentError("及格线应在 0 到 100 之间")
            due = parse_due(self.query_one("#due", Input).value)
        except (AssignmentError, ValueError) as exc:
            self.notify(str(exc) if isinstance(exc, AssignmentError) else "及格线应是整数", severity="warning")
            return
        mode = str(self.query_one("#mode", Select).value)
        self.dismiss(
            NewAssignment(
                scenario.id,
                scenario.title,
                target if kind == "trainee" else None,
                target if kind == "team" else None,
                pass_mark,
                mode,
                due,
            )
        )


class AssignmentsScreen(AppScreen):
    BINDINGS = [
        Binding("n", "new", "布置任务", id="assignments.new", tooltip="把一个场景布置给一位学员或全组"),
        Binding("d", "remove", "撤销任务", id="assignments.remove", tooltip="撤销所选任务（练习记录保留）"),
        Binding("escape,q", "back", "返回", id="assignments.back", tooltip="返回团队进度"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.progress: list[AssignmentProgress] = []
        self.who: Identity | None = None
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield TitleBar(" 任务 · 正在读取…", id="assignmentsbar")
        yield DataTable(id="assignments", cursor_type="row", zebra_stripes=True)
        yield Static(id="standings")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#assignments", DataTable)
        table.add_columns("编号", "场景", "布置给", "模式", "及格", "截止", "完成")
        table.focus()
        self.reload()

    def reload(self) -> None:
        today = date.today().isoformat()

        def read(store: Store) -> tuple[list[AssignmentProgress], Identity]:
            return build_progress(store.assignment_rows(), today), store.identity()

        self.read_store(read, self.show)

    def show(self, found: tuple[list[AssignmentProgress], Identity]) -> None:
        self.progress, self.who = found
        self.loaded = True
        table = self.query_one("#assignments", DataTable)
        row = table.cursor_row
        table.clear()
        for p in self.progress:
            a = p.assignment
            table.add_row(
                str(a.id),
                Text(printable(a.title)),
                Text(printable(a.target)),
                MODE_LABELS.get(a.mode, a.mode),
                str(a.pass_mark),
                a.due or "—",
                p.summary,
                key=str(a.id),
            )
        if self.progress:
            table.move_cursor(row=min(max(row, 0), len(self.progress) - 1))
        bar = Text(f" 任务 · 共 {len(self.progress)} 项", style="bold")
        if self.who is not None and not self.who.can_assign:
            bar.append("（只读）")
        self.query_one("#assignmentsbar", TitleBar).update(bar)
        self.show_standings(table.cursor_row)
        self.refresh_bindings()

    def show_standings(self, row: int) -> None:
        note = self.query_one("#standings", Static)
        if not 0 <= row < len(self.progress):
            note.update("还没有布置任何任务。" + ("按 n 布置。" if self._may_assign() else ""))
            return
        p = self.progress[row]
        text = Text(printable(p.assignment.describe()) + "\n", style="bold")
        for s in p.standings:
            style = {"passed": "green", "overdue": "red"}.get(s.state, "")
            text.append(f"{s.label} ", style=style)
            detail = f"（最好 {s.best} 分，{s.attempts} 次）" if s.attempts else "（还没练）"
            text.append(printable(s.trainee) + detail + "  ")
        if not p.standings:
            text.append("这个组里还没有学员。", style="dim")
        note.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_standings(event.cursor_row)

    def _may_assign(self) -> bool:
        return self.who is not None and self.who.can_assign

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new":
            return self._may_assign()
        if action == "remove":
            return self._may_assign() and bool(self.progress)
        return True

    # -- writes (in a worker, like every store access of the TUI) --------------------------

    def write_store(self, change: Callable[[Store], Any], then: Callable[[Any], None]) -> None:
        if self.services.store is not None:
            self._write(change, then)

    @work(thread=True, group="store-write")
    def _write(self, change: Callable[[Store], Any], then: Callable[[Any], None]) -> None:
        store = self.services.store
        if store is None:
            return
        try:
            result = change(store)
        except Exception as exc:  # noqa: BLE001 - shown to the lead; the screen stays usable
            self.post_message(StoreWritten(then, error=str(exc)))
            return
        self.post_message(StoreWritten(then, result))

    @on(StoreWritten)
    def _written(self, message: StoreWritten) -> None:
        if message.error is not None:
            self.notify(message.error, title="没有保存", severity="error", timeout=10, markup=False)
            return
        message.then(message.result)

    def action_new(self) -> None:
        team = self.who.team if self.who is not None else None
        scenarios = sorted(self.services.scenarios.values(), key=lambda s: (s.difficulty, s.title))
        self.app.push_screen(AssignmentForm(scenarios, team), self._add)

    def _add(self, new: NewAssignment | None) -> None:
        if new is None:
            return

        def add(store: Store) -> int:
            return store.add_assignment(
                scenario=new.scenario,
                title=new.title,
                trainee=new.trainee,
                team=new.team,
                pass_mark=new.pass_mark,
                mode=new.mode,
                due=new.due,
            )

        def done(assignment_id: int) -> None:
            self.notify(f"已布置任务 {assignment_id}：{new.title}", markup=False)
            self.reload()

        self.write_store(add, done)

    def action_remove(self) -> None:
        row = self.query_one("#assignments", DataTable).cursor_row
        if not 0 <= row < len(self.progress):
            return
        assignment = self.progress[row].assignment

        def answered(yes: bool | None) -> None:
            if yes:
                self.write_store(lambda store: store.remove_assignment(assignment.id), lambda _: self.reload())

        self.app.push_screen(
            ConfirmScreen(
                escape(printable(f"撤销任务 {assignment.id}：{assignment.describe()}？为它做过的练习记录会保留。")),
                yes="撤销",
            ),
            answered,
        )

    def action_back(self) -> None:
        self.app.pop_screen()

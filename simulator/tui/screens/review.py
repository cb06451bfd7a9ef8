"""复核: a trainer works through the queue of judged turns and marks what the engine got wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from ...calibration import QueueItem, queue_from, suggestion
from ...record import MARK_KINDS, Mark
from ...render import turn_text
from ...terminal import printable
from ..widgets import TitleBar
from .base import AppScreen
from .form import FormScreen

if TYPE_CHECKING:
    from ...store import Store


def load_queue(store: Store) -> list[QueueItem]:
    """The queue as ``simulator review list`` builds it: open disputes first."""
    return queue_from(store.judged_turns(), store.disputes(), store.marks(history=True))


class ReviewScreen(AppScreen):
    BINDINGS = [
        Binding("c", "mark('confirmed')", "判得对", id="review.confirm", tooltip="引擎的判定是对的"),
        Binding("f", "mark('false_alarm')", "误报", id="review.false_alarm", tooltip="某个禁用语判错了"),
        Binding("m", "mark('missed')", "漏判", id="review.missed", tooltip="应判为某个禁用语却没判（可写出原话）"),
        Binding("g", "mark('missing_credit')", "常用语漏给", id="review.credit", tooltip="做到了某个常用语却没给分"),
        Binding("escape,q", "back", "返回", id="review.back", tooltip="返回上一页"),
    ]

    def __init__(self, reviewer: str):
        super().__init__()
        self.reviewer = reviewer
        self.queue: list[QueueItem] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(" 复核 · 正在读取…", id="reviewbar")
        yield DataTable(id="reviewlist", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="reviewdetail"):
            yield Static(id="reviewturn")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#reviewlist", DataTable)
        table.add_columns("回合", "为什么看", "学员", "回复")
        table.focus()
        self.reload()

    def reload(self) -> None:
        self.read_store(load_queue, self.show_queue)

    def show_queue(self, queue: list[QueueItem]) -> None:
        self.queue = queue
        table = self.query_one("#reviewlist", DataTable)
        table.clear()
        for item in queue:
            table.add_row(
                item.key,
                item.reason,
                Text(printable(item.session.trainee)),
                Text(printable(item.turn.reply[:30])),
                key=item.key,
            )
        bar = Text(f" 复核 · {printable(self.reviewer)} · 队列 {len(queue)} 个回合（申诉优先）", style="bold")
        self.query_one("#reviewbar", TitleBar).update(bar)
        if queue:
            self.show_turn(0)
        else:
            self.query_one("#reviewturn", Static).update("复核队列是空的：没有申诉，也没有需要看的回合。")
        self.refresh_bindings()

    def show_turn(self, row: int) -> None:
        if not 0 <= row < len(self.queue):
            return
        item = self.queue[row]
        body = Text(
            printable(
                f"练习 {item.session.id} · {item.session.trainee} · {item.session.scenario_title}"
                f" · {item.reason}：{item.detail}\n"
            ),
            style="bold",
        )
        body.append_text(turn_text(item.turn, self.labels()))
        self.query_one("#reviewturn", Static).update(body)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_turn(event.cursor_row)

    def _current(self) -> QueueItem | None:
        row = self.query_one("#reviewlist", DataTable).cursor_row
        return self.queue[row] if 0 <= row < len(self.queue) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mark":
            return None if not self.queue else True
        return True

    def action_mark(self, kind: str) -> None:
        item = self._current()
        if item is None:
            return
        if item.session.trainee == self.reviewer:
            self.notify("学员不能复核自己的回合", severity="warning")
            return
        if kind == "confirmed":
            self._save(item, {"kind": kind})
            return
        judged = sorted({h.category for h in item.turn.prohibited})
        fields = [
            (
                "category",
                "类别编号" + (f"（判定的：{'、'.join(judged)}）" if judged else ""),
                judged[0] if kind == "false_alarm" and judged else "",
            )
        ]
        if kind == "missed":
            fields.append(("words", "违规的原话（可不填；填了会生成话术库建议）", ""))
        fields.append(("comment", "说明（可不填）", ""))
        self.app.push_screen(
            FormScreen(f"{MARK_KINDS[kind]} · 练习 {item.key}", fields),
            lambda values: self._save(item, {"kind": kind, **values}) if values else None,
        )

    def _save(self, item: QueueItem, values: dict[str, str]) -> None:
        kind = values["kind"]
        category = values.get("category", "")
        kinds = self.services.matcher.book.kinds() if self.services.matcher else {}
        wanted = "standard" if kind in ("wrong_credit", "missing_credit") else "prohibited"
        if kind != "confirmed" and kinds.get(category) != wanted:
            self.notify(
                f"{category or '（空）'} 不是{'常用语' if wanted == 'standard' else '禁用语'}类别", severity="error"
            )
            return

        def write(store: Store) -> Mark:
            return store.add_mark(
                item.session.id,
                item.turn.n,
                reviewer=self.reviewer,
                kind=kind,
                category=category,
                words=values.get("words", ""),
                comment=values.get("comment", ""),
            )

        def done(mark: Mark) -> None:
            proposed = suggestion(mark, item.turn)
            message = f"已记录：{MARK_KINDS[mark.kind]} {mark.category}"
            if proposed is not None:
                message += f"。建议：{proposed.describe()}（用 simulator review suggest {item.key} 查看效果并确认）"
            self.notify(printable(message), timeout=10, markup=False)
            self.reload()

        self.read_store(write, done)

    def action_back(self) -> None:
        self.app.pop_screen()

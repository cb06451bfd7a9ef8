"""My progress: score over time, weakest categories, recent sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from ...charts import SCORE_TICKS, day_ticks
from ...progress import TraineeProgress, team_report
from ...record import SessionRecord
from ...terminal import printable
from ..messages import OpenTranscript
from ..widgets import TitleBar
from .base import AppScreen

if TYPE_CHECKING:
    from ...store import Store


class ProgressScreen(AppScreen):
    BINDINGS = [
        Binding("escape,q", "back", "返回", id="progress.back", tooltip="返回上一页"),
        Binding("enter", "open", "查看对话", id="progress.open", tooltip="查看所选练习的完整对话"),
    ]

    def __init__(self, trainee: str):
        super().__init__()
        self.trainee = trainee
        self.session_ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(id="progressbar")
        with Vertical(id="progressbody"):
            yield PlotextPlot(id="plot")
            yield Static(id="weak")
            yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        table.add_columns("编号", "场景", "时间", "方式", "结果", "得分")
        table.focus()

        def read(store: Store) -> tuple[list[SessionRecord], TraineeProgress | None]:
            return store.sessions(trainee=self.trainee), next(iter(team_report(store, self.trainee)), None)

        self.read_store(read, self.show)

    def show(self, found: tuple[list[SessionRecord], TraineeProgress | None]) -> None:
        sessions, report = found
        scored = [s for s in sessions if s.score is not None]
        bar = Text(f" 我的进度 · {printable(self.trainee)}", style="bold")
        if report is not None and report.average is not None:
            bar.append(
                f"    共 {report.sessions} 次  平均 {report.average:.0f}  最高 {report.best}  趋势 {report.trend_arrow}"
            )
        self.query_one("#progressbar", TitleBar).update(bar)
        plot = self.query_one("#plot", PlotextPlot).plt
        plot.title("得分趋势")
        if scored:
            plot.plot(list(range(1, len(scored) + 1)), [s.score for s in scored], marker="dot")
            marks = day_ticks([s.day for s in scored])  # each day once, not once per session
            plot.xticks([i + 1 for i, _ in marks], [day for _, day in marks])
        plot.ylim(0, 100)
        plot.yticks([float(t) for t in SCORE_TICKS], [str(t) for t in SCORE_TICKS])
        self.query_one("#plot", PlotextPlot).refresh()  # drawn after the store was read, not at mount
        labels = self.labels()
        weak = Text()
        if report is not None and report.most_broken:
            weak.append("最常违反：", style="bold red")
            weak.append(" · ".join(f"{labels.get(c, c)} {n} 次" for c, n in report.most_broken) + "\n")
        if report is not None and report.most_missed:
            weak.append("最常遗漏：", style="bold yellow")
            weak.append(
                " · ".join(
                    "或".join(labels.get(x, x) for x in c.split("|")) + f" {n} 次" for c, n in report.most_missed
                )
            )
        if not sessions:
            weak.append("还没有练习记录，回到场景列表开始第一次练习吧。", style="dim")
        self.query_one("#weak", Static).update(weak)
        table = self.query_one("#sessions", DataTable)
        for session in reversed(sessions):
            self.session_ids.append(session.id)
            table.add_row(
                str(session.id),
                Text(printable(session.scenario_title)),
                session.when,
                session.mode_label,
                session.result_label,
                "—" if session.score is None else str(session.score),
            )

    def action_open(self) -> None:
        table = self.query_one("#sessions", DataTable)
        if self.session_ids:
            self.post_message(OpenTranscript(self.session_ids[table.cursor_row]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_back(self) -> None:
        self.app.pop_screen()

"""Team view for team leads: every trainee, sortable; drill into a trainee, then a transcript."""

from __future__ import annotations

from operator import itemgetter

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from ...progress import PASS_SCORE, TREND_WINDOW, TraineeProgress, team_report
from ...record import SessionRecord, short_day
from ...terminal import printable
from ..messages import OpenAssignments, OpenTraineeSessions, OpenTranscript
from ..widgets import TitleBar
from .base import AppScreen

# A trainee's line, as a plain tuple of strings and numbers: the garbage collector stops tracking
# such tuples, so 10,000 of them add nothing to its passes (as dataclasses, 10,000 trainees were
# ~45,000 tracked objects and each full pass walked them: 20-45 ms, a dropped key while paging).
# (trainee, sessions, average, trend, last played, counts, average, pass rate, trend, last, most broken)
TeamRow = tuple[str, int, float, float, str, str, str, str, str, str, str]

SORTS = [("学员", 0, False), ("次数", 1, True), ("平均", 2, True), ("趋势", 3, True), ("最近", 4, True)]


def team_row(r: TraineeProgress) -> TeamRow:
    """What the table shows of one trainee, with the sort keys first."""
    return (
        r.trainee,
        r.sessions,
        -1.0 if r.average is None else r.average,
        -999.0 if r.trend is None else r.trend,
        r.last_played or "",
        r.counts_text,
        "—" if r.average is None else f"{r.average:.0f}",
        "—" if r.pass_rate is None else f"{r.pass_rate * 100:.0f}%",
        r.trend_arrow + ("" if r.trend is None else f"{r.trend:+.0f}"),
        short_day(r.last_played) if r.last_played else "—",
        r.most_broken[0][0] if r.most_broken else "",
    )


PAGE = 100  # rows in the table at once: a team of 10,000 opens as fast as a team of 10


class TeamScreen(AppScreen):
    BINDINGS = [
        Binding("s", "sort", "换排序", id="team.sort", tooltip="按学员、次数、平均分、趋势、最近练习轮流排序"),
        Binding("enter", "open", "查看学员", id="team.open", tooltip="查看所选学员的每次练习"),
        Binding("a", "assignments", "任务", id="team.assignments", tooltip="布置的任务与每位学员的完成情况"),
        Binding("n", "page(1)", "下一页", id="team.next", tooltip=f"每页 {PAGE} 位学员：看下一页"),
        Binding("b", "page(-1)", "上一页", id="team.previous", tooltip="看上一页"),
        Binding("escape,q", "back", "返回", id="team.back", tooltip="返回上一页"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: list[TeamRow] = []
        self.sort_index = 0
        self.page = 0
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield TitleBar(" 团队进度 · 正在汇总…", id="teambar")
        yield DataTable(id="team", cursor_type="row", zebra_stripes=True)
        yield Static(id="teamnote")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#team", DataTable)
        table.add_columns("学员", "次数", "平均", "通过率", "趋势", "最近", "最常违反")
        self.query_one("#teamnote", Static).update(
            Text(
                f"只计完成的练习。通过：非失败结局且 ≥ 及格线（默认 {PASS_SCORE}）；"
                f"趋势：近 {TREND_WINDOW} 次均分减前 {TREND_WINDOW} 次",
                style="dim",
            )
        )
        table.focus()
        # One row per trainee from the store's summaries, read off the UI thread.
        self.read_store(lambda store: [team_row(r) for r in team_report(store, scenarios=False)], self.show_report)

    def show_report(self, report: list[TeamRow]) -> None:
        self.report = report
        self.refresh_bindings()  # n/b are offered once there is more than one page
        self.loaded = True
        self.fill()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.report) // PAGE))

    def fill(self) -> None:
        name, column, reverse = SORTS[self.sort_index]
        self.report = sorted(self.report, key=itemgetter(column), reverse=reverse)
        self.page = min(self.page, self.pages - 1)
        labels = self.labels()
        table = self.query_one("#team", DataTable)
        table.clear()
        for r in self.report[self.page * PAGE : (self.page + 1) * PAGE]:
            trainee, *_, counts, average, pass_rate, trend, last, broken = r
            cells = (printable(trainee), counts, average, pass_rate, trend, last, labels.get(broken, broken) or "—")
            # Text, not str: a str cell is parsed as markup each time the table measures it.
            table.add_row(*map(Text, cells), key=trainee)
        paging = f" · 第 {self.page + 1}/{self.pages} 页（n/b 翻页）" if self.pages > 1 else ""
        bar = Text(f" 团队进度 · {len(self.report)} 位学员 · 按{name}排序{paging}", style="bold")
        self.query_one("#teambar", TitleBar).update(bar)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page":
            return self.pages > 1
        return True

    def action_page(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self.fill()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.fill()

    def action_open(self) -> None:
        if self.report:
            row = self.query_one("#team", DataTable).cursor_row
            self.post_message(OpenTraineeSessions(self.report[self.page * PAGE + row][0]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_assignments(self) -> None:
        self.post_message(OpenAssignments())

    def action_back(self) -> None:
        self.app.pop_screen()


class TraineeSessionsScreen(AppScreen):
    BINDINGS = [
        Binding("enter", "open", "查看对话", id="sessions.open", tooltip="查看所选练习的完整对话"),
        Binding("escape,q", "back", "返回", id="sessions.back", tooltip="返回团队列表"),
    ]

    def __init__(self, trainee: str):
        super().__init__()
        self.trainee = trainee
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(Text(f" {printable(self.trainee)} 的练习记录", style="bold"), id="sessionsbar")
        yield DataTable(id="trainee_sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#trainee_sessions", DataTable)
        table.add_columns("编号", "场景", "时间", "模式", "结果", "得分", "回合")
        table.focus()
        self.read_store(lambda store: store.sessions(trainee=self.trainee), self.show_sessions)

    def show_sessions(self, sessions: list[SessionRecord]) -> None:
        table = self.query_one("#trainee_sessions", DataTable)
        for s in reversed(sessions):
            self.ids.append(s.id)
            table.add_row(
                str(s.id),
                Text(printable(s.scenario_title)),
                s.when,
                s.mode_label,
                s.result_label,
                "—" if s.score is None else str(s.score),
                str(s.turns),
            )

    def action_open(self) -> None:
        if self.ids:
            self.post_message(OpenTranscript(self.ids[self.query_one("#trainee_sessions", DataTable).cursor_row]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_back(self) -> None:
        self.app.pop_screen()

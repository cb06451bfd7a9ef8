"""Scenario picker: title, difficulty, tags, your best score and last played, filter as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Input, Static

from ...progress import bests_by_scenario
from ...record import SessionRecord
from ...scenario import Scenario
from ...search import find
from ...terminal import printable
from ..messages import ContentReady, EngineReady, OpenPlay, OpenProgress, OpenReview, OpenTeam
from ..tasks import TasksPanel
from ..widgets import SkippedBanner, TitleBar, stars
from .base import AppScreen

if TYPE_CHECKING:
    from ...store import Store


TITLE_WIDTH = 26  # the title and tag columns at 80 columns, in cells
TAGS_WIDTH = 16


def cut(text: str, width: int) -> Text:
    """``text`` in ``width`` cells: when it does not fit, it ends with … (rather than stopping mid-word)."""
    text = printable(text)
    if cell_len(text) > width:
        while text and cell_len(text) > width - 1:
            text = text[:-1]
        text += "…"
    return Text(text, no_wrap=True)


def fit_tags(tags: list[str], width: int = TAGS_WIDTH) -> Text:
    """As many whole tags as fit in ``width`` cells, then … when some are left out."""
    for count in range(len(tags), 0, -1):
        shown = " ".join(tags[:count]) + ("" if count == len(tags) else " …")
        if cell_len(shown) <= width:
            return Text(printable(shown), no_wrap=True)
    return cut(tags[0] if tags else "", width)


class PickerScreen(AppScreen):
    BINDINGS = [
        Binding("enter", "start(False)", "开始练习", id="picker.practice", tooltip="练习模式：边打字边提示"),
        Binding("e", "start(True)", "考试模式", id="picker.exam", tooltip="考试模式：不提示、固定随机种子，成绩可比"),
        Binding("c", "resume", "继续未完成", id="picker.resume", tooltip="接着上次没做完的这个场景练下去"),
        Binding("p", "progress", "我的进度", id="picker.progress", tooltip="我的得分趋势和薄弱项"),
        Binding("t", "team", "团队", id="picker.team", tooltip="全体学员的进度（组长）"),
        Binding("v", "review", "复核", id="picker.review", tooltip="培训师复核引擎的判定（申诉优先）"),
        Binding(
            "slash", "filter", "筛选", id="picker.filter", tooltip="编辑筛选文字（直接打中文也会筛选，不用先按 /）"
        ),
        Binding("escape", "back", "换学员", id="picker.back", tooltip="回到选择学员"),
    ]

    def __init__(self, trainee: str):
        super().__init__()
        self.trainee = trainee
        self.shown: list[Scenario] = []
        self._bests: dict[str, tuple[int | None, str | None]] = {}
        self._unfinished: dict[str, SessionRecord] = {}  # scenario id -> the latest unfinished session

    def compose(self) -> ComposeResult:
        yield TitleBar(id="topbar")
        yield SkippedBanner(id="skipped")
        with Vertical(id="picker"):
            yield TasksPanel(self.trainee, id="tasks")  # assignments and what to practise next
            yield Input(
                placeholder="筛选：直接输入标题、标签或别名，如“超保”“投诉”", id="filter", select_on_focus=False
            )
            yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
            # Scrolls (Tab from the list, or the mouse) when a scenario says more than the rows shown.
            with VerticalScroll(id="detailsbox"):
                yield Static(id="details")
        yield Footer()

    def on_mount(self) -> None:
        top = Text(" 售后服务情景陪练", style="bold")
        top.append(f"    学员：{printable(self.trainee)}", style="bold")
        self.query_one("#topbar", TitleBar).update(top)
        table = self.query_one("#scenarios", DataTable)
        table.add_column("场景", width=TITLE_WIDTH, key="title")
        table.add_column("难度", width=5, key="difficulty")
        table.add_column("标签", width=TAGS_WIDTH, key="tags")
        table.add_column("最佳", width=4, key="best")
        table.add_column("上次", width=5, key="last")
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()  # scores may have changed after a session

    def on_content_ready(self, message: ContentReady) -> None:
        self.reload()

    def on_engine_ready(self, message: EngineReady) -> None:
        self.reload()  # a scenario naming a category the phrasebook lacks is left out now

    def reload(self) -> None:
        """Read the trainee's best scores once (off the UI thread); typing in the filter only re-filters."""
        self.query_one("#skipped", SkippedBanner).show(self.services.skipped)
        self.refresh_rows()

        def read(store: Store) -> tuple[dict[str, tuple[int | None, str | None]], dict[str, SessionRecord]]:
            return bests_by_scenario(store.sessions(trainee=self.trainee)), store.unfinished_sessions(self.trainee)

        self.read_store(read, self.show_history)
        self.query_one(TasksPanel).reload()

    def show_history(self, found: tuple[dict[str, tuple[int | None, str | None]], dict[str, SessionRecord]]) -> None:
        self._bests, self._unfinished = found
        row = self.query_one("#scenarios", DataTable).cursor_row
        self.refresh_rows()
        if 0 <= row < len(self.shown):
            self.query_one("#scenarios", DataTable).move_cursor(row=row)
            self.show_details(row)
        self.refresh_bindings()

    def refresh_rows(self) -> None:
        services = self.services
        query = self.query_one("#filter", Input).value
        scenarios = find(query, sorted(services.scenarios.values(), key=lambda s: (s.difficulty, s.title)))
        self.shown = scenarios
        history = self._bests
        table = self.query_one("#scenarios", DataTable)
        table.clear()
        for scenario in scenarios:
            best, last = history.get(scenario.id, (None, None))
            table.add_row(
                cut(scenario.title, TITLE_WIDTH),
                stars(scenario.difficulty),
                fit_tags(scenario.tags),
                "—" if best is None else str(best),
                "待续" if scenario.id in self._unfinished else (last or "—"),
                key=scenario.id,
            )
        if not scenarios:
            self.query_one("#details", Static).update(
                "没有符合筛选条件的场景。" if services.scenarios else "正在载入场景…"
            )
        else:
            self.show_details(0)

    def show_details(self, row: int) -> None:
        if not 0 <= row < len(self.shown):
            return
        scenario = self.shown[row]
        persona = scenario.persona
        text = Text()
        text.append(f"客户：{persona.name}", style="bold")
        if persona.role:
            text.append(f"（{persona.role}）")
        text.append(f"。{scenario.summary or persona.description}\n")
        if scenario.goal:
            text.append("目标：", style="bold")
            text.append(scenario.goal)
        unfinished = self._unfinished.get(scenario.id)
        if unfinished is not None:
            text.append(f"\n上次没做完（{unfinished.when}，{unfinished.turns} 回合），按 c 接着练。", style="yellow")
        self.query_one("#details", Static).update(text)
        self.query_one("#detailsbox", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_details(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_start(False)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#scenarios", DataTable).focus()
        self.action_start(False)

    def on_key(self, event: events.Key) -> None:
        # Filter as you type: a character typed on the list goes to the filter and the list keeps
        # the focus, so e / c / p / t / v still act and Backspace takes the last character back.
        # ``/`` edits the filter itself (then every letter is typed; Enter or ↓ comes back).
        table = self.query_one("#scenarios", DataTable)
        box = self.query_one("#filter", Input)
        if self.focused is table:
            if event.key == "backspace" and box.value:
                box.value = box.value[:-1]
                event.stop()
            elif event.is_printable and event.character and event.character not in "ecptvq/ ":
                box.value += event.character
                box.cursor_position = len(box.value)
                event.stop()
        elif self.focused is box and event.key in ("down", "up"):
            table.focus()
            event.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("progress", "team", "review") and isinstance(self.focused, Input):
            return False  # the letters are being typed into the filter
        if action == "start" and not self.shown:
            return None  # shown greyed out
        if action == "resume":
            current = self._current()
            return current is not None and current.id in self._unfinished  # hidden otherwise
        return True

    def _current(self) -> Scenario | None:
        if not self.shown:
            return None
        table = self.query_one("#scenarios", DataTable)
        return self.shown[min(max(table.cursor_row, 0), len(self.shown) - 1)]

    def action_resume(self) -> None:
        scenario = self._current()
        session = self._unfinished.get(scenario.id) if scenario else None
        if scenario is None or session is None:
            self.notify("这个场景没有未完成的练习", severity="warning")
            return
        self.post_message(OpenPlay(self.trainee, scenario, resume=session))

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_start(self, exam: bool) -> None:
        table = self.query_one("#scenarios", DataTable)
        if not self.shown:
            self.notify("没有可开始的场景", severity="warning")
            return
        scenario = self.shown[min(table.cursor_row, len(self.shown) - 1)]
        self.post_message(OpenPlay(self.trainee, scenario, exam=exam))

    def action_progress(self) -> None:
        self.post_message(OpenProgress(self.trainee))

    def action_review(self) -> None:
        trainers = self.services.settings.get("trainers")
        if isinstance(trainers, list) and trainers and self.trainee not in trainers:
            self.notify("只有培训师名单里的人可以复核（设置文件中的 trainers）", severity="warning")
            return
        self.post_message(OpenReview(self.trainee))

    def action_team(self) -> None:
        self.post_message(OpenTeam())

    def action_back(self) -> None:
        if self.query_one("#filter", Input).value:
            self.query_one("#filter", Input).value = ""
            return
        self.app.pop_screen()

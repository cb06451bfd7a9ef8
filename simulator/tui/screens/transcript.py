"""One stored session, turn by turn, as the team lead and the trainee review it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from ...record import SessionRecord, TurnRecord, short_time
from ...render import turn_text
from ...terminal import printable
from ..widgets import TitleBar
from .base import AppScreen


class TranscriptScreen(AppScreen):
    BINDINGS = [Binding("escape,q", "back", "返回", id="transcript.back", tooltip="返回上一页")]

    def __init__(self, session_id: int):
        super().__init__()
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield TitleBar(id="transcriptbar")
        with VerticalScroll(id="transcript"):
            yield Static(id="transcript_body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#transcript", VerticalScroll).focus()
        self.read_store(lambda store: (store.session(self.session_id), store.turns(self.session_id)), self.show)

    def show(self, found: tuple[SessionRecord | None, list[TurnRecord]]) -> None:
        session, turns = found
        if session is None:
            self.query_one("#transcript_body", Static).update("找不到这次练习。")
            return
        bar = Text(
            printable(f" {session.scenario_title} · {session.trainee} · {short_time(session.started_at)}"), style="bold"
        )
        bar.append(f" · {session.result_label} · 得分 {session.score if session.score is not None else '—'}")
        self.query_one("#transcriptbar", TitleBar).update(bar)
        labels = self.labels()
        body = Text()
        for turn in turns:
            body.append_text(turn_text(turn, labels))
            body.append("\n")
        if not body:
            body.append("这次练习还没有任何回合。", style="dim")
        self.query_one("#transcript_body", Static).update(body)

    def action_back(self) -> None:
        self.app.pop_screen()

"""Debrief: the score and its breakdown, every turn with its hits, the path taken
versus the best path, and what changed since the previous attempt."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from ...dialogue import Dialogue
from ...progress import compare_attempts
from ...record import SessionRecord, TurnRecord
from ...render import turn_text
from ...scenario import OUTCOME_LABELS, Scenario
from ...scenario_scores import best_path, path_max_score, step_label
from ...terminal import printable
from ..messages import OpenPlay, OpenProgress
from ..tasks import next_scenarios
from ..widgets import TitleBar
from .base import AppScreen
from .form import FormScreen

if TYPE_CHECKING:
    from ...recommend import Recommendation
    from ...store import Store


class DebriefScreen(AppScreen):
    BINDINGS = [
        Binding("r", "retry", "重练", id="debrief.retry", tooltip="用同一模式再练一次这个场景"),
        Binding("p", "progress", "我的进度", id="debrief.progress", tooltip="查看得分趋势和薄弱项"),
        Binding(
            "d",
            "dispute",
            "我认为判错了",
            id="debrief.dispute",
            tooltip="对某个回合的评判提出申诉，培训师复核时会先看到",
        ),
        Binding("escape,q", "back", "返回", id="debrief.back", tooltip="回到场景列表"),
    ]

    def __init__(self, trainee: str, scenario: Scenario, dialogue: Dialogue, session_id: int | None, exam: bool):
        super().__init__()
        self.trainee = trainee
        self.scenario = scenario
        self.dialogue = dialogue
        self.session_id = session_id
        self.exam = exam

    def compose(self) -> ComposeResult:
        yield TitleBar(id="scorebar")
        with VerticalScroll(id="debrief"):
            yield Static(id="summary")
            yield Static(id="turns")
            # What to practise next, once this session is counted (hidden until there is something to say).
            yield Static(id="next").set_styles("display: none;")
        yield Footer()

    def on_mount(self) -> None:
        self.show(None, [])
        session_id = self.session_id
        if session_id is not None:  # then the comparison with the previous attempt, read off the UI thread

            def read(store: Store) -> tuple[SessionRecord | None, list[TurnRecord]]:
                previous = store.previous_session(self.trainee, self.scenario.id, session_id)
                return previous, store.turns(previous.id) if previous is not None else []

            self.read_store(read, lambda found: self.show(*found))
            scenarios = list(self.services.scenarios.values())
            self.read_store(lambda store: next_scenarios(store, self.services, self.trainee, scenarios), self.show_next)

    def show_next(self, recommendations: list[Recommendation]) -> None:
        if not recommendations:
            return
        from ...recommend import grouped

        text = Text("\n下一步练什么：\n", style="bold")
        for line in grouped(recommendations):
            text.append("  · ")
            text.append(printable(line) + "\n", style="cyan")
        shown = self.query_one("#next", Static)
        shown.update(text)
        shown.display = True

    def show(self, previous: SessionRecord | None, previous_turns: list[TurnRecord]) -> None:
        labels = self.labels()
        dialogue = self.dialogue
        records = [t.record() for t in dialogue.turns]
        ending = dialogue.ending
        bar = Text(f" 复盘 · {self.scenario.title}{' · 考试' if self.exam else ''}", style="bold")
        bar.append(f"    得分 {dialogue.score} / 100", style="bold")
        if previous is not None and previous.score is not None:
            delta = dialogue.score - previous.score
            bar.append(f"   上次 {previous.score} ", style="dim")
            bar.append(
                ("▲" if delta > 0 else "▼" if delta < 0 else "＝") + str(abs(delta)),
                style="green" if delta > 0 else "red" if delta < 0 else "dim",
            )
        self.query_one("#scorebar", TitleBar).update(bar)

        summary = Text()
        if ending:
            summary.append(f"结局：{ending.title}（{OUTCOME_LABELS[ending.outcome]}）\n", style="bold")
            if ending.debrief:
                summary.append(ending.debrief + "\n")
        taken = dialogue.path + ([dialogue.ending_id] if dialogue.ending_id else [])
        best = best_path(self.scenario)
        summary.append("你的路径：", style="bold")
        summary.append(" → ".join(self._step(step, dialogue) for step in taken) + "\n")
        summary.append("最佳路径：", style="bold")
        summary.append(" → ".join(self._label(step, dialogue) for step in best) + "\n")
        if taken == best:
            summary.append("  你走的正是最佳路径。\n", style="green")
        ceiling = path_max_score(self.scenario, dialogue.path, dialogue.ending_id)
        if ceiling:
            summary.append(
                f"  这条路径最高可得 {ceiling} 分，你得到其中的 {round(100 * dialogue.score / ceiling)}%。\n",
                style="dim",
            )
        explained = Text("\n得分明细（整场为各回合平均")
        penalty = self.scenario.model.scoring.bad_ending  # the scenario's own figure (default 10)
        explained.append(f"，结局失败再减 {penalty} 分）：\n" if ending and ending.outcome == "bad" else "）：\n")
        for turn in records:
            items = "，".join(f"{i.reason} {i.delta:+d}" for i in turn.score_lines[1:]) or "无加减"
            explained.append(f"  第 {turn.n} 回合 {turn.score} 分：基础 60，{items}\n", style="dim")
        summary.append_text(explained)
        if previous is not None:
            lines = compare_attempts(*self._comparable(previous_turns, records), labels, previous.score, dialogue.score)
            summary.append("\n与上次相比：", style="bold")
            summary.append("；".join(lines) + "\n")
        self.query_one("#summary", Static).update(summary)
        body = Text()
        for turn in records:
            body.append("\n")
            body.append_text(turn_text(turn, labels))
            node = self.scenario.nodes[turn.node]
            if turn.outcome != "met":
                body.append("  参考说法：", style="bold")
                body.append(node.model_answer + "\n", style="cyan")
        self.query_one("#turns", Static).update(body)

    def _expected(self, turns: list[TurnRecord]) -> set[str]:
        """The standard categories asked for (required, any of, optional) at the nodes these turns reached."""
        nodes = [self.scenario.nodes.get(t.node) for t in turns]
        return {c for n in nodes if n for c in (*n.expects.required, *n.expects.any_of, *n.expects.optional)}

    def _comparable(
        self, previous: list[TurnRecord], current: list[TurnRecord]
    ) -> tuple[list[TurnRecord], list[TurnRecord]]:
        """Both attempts with only the standard hits both had the chance to earn (reached a node asking for
        them): one that ended early is not "✗" on moments it never reached. Prohibited hits stay as they are."""
        both = self._expected(previous) & self._expected(current)

        def keep(turns: list[TurnRecord]) -> list[TurnRecord]:
            return [replace(t, standard=tuple(h for h in t.standard if h.category in both)) for t in turns]

        return keep(previous), keep(current)

    def _label(self, step: str, dialogue: Dialogue) -> str:
        """A node is named by its title, else by the customer's line the trainee actually heard there."""
        turn = next((t for t in dialogue.turns if t.node == step), None)
        node = self.scenario.nodes.get(step)
        if turn is not None and node is not None and not node.title:
            return turn.customer if len(turn.customer) <= 10 else turn.customer[:9] + "…"
        return step_label(self.scenario, step)

    def _step(self, step: str, dialogue: Dialogue) -> str:
        turn = next((t for t in dialogue.turns if t.node == step), None)
        label = self._label(step, dialogue)
        if turn is None:
            return label
        return label + (
            " ✓" if turn.outcome == "met" else " ✗" if turn.outcome in ("prohibited", "missed", "timeout") else " △"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dispute":
            return self.session_id is not None  # nothing stored, nothing to dispute
        return True

    def action_dispute(self) -> None:
        session_id = self.session_id
        if session_id is None or not self.dialogue.turns:
            return
        flagged = [t.n for t in self.dialogue.turns if t.judgement.prohibited]
        default = str(flagged[-1] if flagged else self.dialogue.turns[-1].n)

        turns = len(self.dialogue.turns)

        def check(values: dict[str, str]) -> tuple[str, str] | None:
            """A wrong turn number is said while the form stays open, with the comment typed."""
            try:
                number = int(values["turn"])
            except ValueError:
                return "turn", "回合应是数字"
            if not 1 <= number <= turns:
                return "turn", f"这次练习只有 {turns} 个回合"
            return None

        def submit(values: dict[str, str] | None) -> None:
            if not values or check(values) is not None:
                return
            n = int(values["turn"])
            self.read_store(
                lambda store: store.add_dispute(session_id, n, values.get("comment", "")),
                lambda _: self.notify(f"已提交第 {n} 回合的申诉，培训师复核时会先看到它。"),
            )

        self.app.push_screen(
            FormScreen(
                "我认为判错了：哪个回合、哪里不对？",
                [("turn", "第几回合", default), ("comment", "说明（可不填）", "")],
                check=check,
            ),
            submit,
        )

    def action_retry(self) -> None:
        self.post_message(OpenPlay(self.trainee, self.scenario, exam=self.exam, replace=True))

    def action_progress(self) -> None:
        self.post_message(OpenProgress(self.trainee))

    def action_back(self) -> None:
        self.app.pop_screen()

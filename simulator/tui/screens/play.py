"""Play a scenario: the conversation, the mood meter, the timer, a multi-line reply box.

Practice mode lints the draft as it is typed (debounced, in a worker); exam
mode hides lints and hints and uses a fixed seed.  Every turn is stored the
moment it is played.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from ...dialogue import EXAM_SEED, Dialogue
from ...hits import Hit
from ...judge import MAX_REPLY_CHARS, ReplyTooLong, scan
from ...moment import NO_MOMENT
from ...record import SessionRecord, TurnRecord, missed_names
from ...render import reply_text
from ...scenario import Scenario
from ...store import SessionRecorder
from ...terminal import printable
from ..messages import EngineReady, OpenDebrief
from ..widgets import MoodMeter, ReplyArea
from .base import AppScreen
from .confirm import ConfirmScreen

LINT_DELAY = 0.35  # seconds of quiet typing before the draft is linted
COUNTER_FROM = MAX_REPLY_CHARS * 4 // 5  # the length shows under the box from here on


def _short(text: str, size: int = 14) -> str:
    """A matched stretch for the one-line lint: cut when long (a learned hit spans its sentence), made printable."""
    return printable(text if len(text) <= size else text[: size - 1] + "…")


LINT_ROWS = 6  # the lint panel's height at 80×24


def lint_text(hits: list[Hit], possible: list[Hit], rows: int = LINT_ROWS) -> Text:
    """The draft's prohibited hits, every one of them in ``rows`` lines (each line cut to the width, not wrapped).

    Up to half as many hits as rows: each on two lines (what and where, then the suggestion);
    more: one line each; more than the rows: the last line counts the rest.
    """
    items: list[tuple[Hit, bool]] = [(h, False) for h in hits] + [(h, True) for h in possible]
    text = Text()
    if not items:
        return text
    roomy = len(items) * 2 <= rows
    shown = items if len(items) <= rows else items[: rows - 1]
    for hit, doubtful in shown:
        how = "，模型判断" if hit.stage == "learned" else ""
        if doubtful:
            text.append(f"? 疑似{hit.label}「{_short(hit.matched)}」（不扣分，请自查）", style="yellow")
        else:
            text.append(f"⚠ {hit.label}「{_short(hit.matched)}」（{hit.source}{how}）", style="bold red")
        text.append("\n  " if roomy else " ")
        text.append(f"建议：{hit.suggestion}\n", style="cyan")
    if len(shown) < len(items):
        text.append(f"……另有 {len(items) - len(shown)} 处，发送后逐条显示\n", style="bold red")
    text.rstrip()
    return text


@dataclass
class TurnPlayed(Message):
    """A turn was judged and stored (or storing failed) by the worker."""

    turn: TurnRecord
    error: str | None


@dataclass
class DraftLinted(Message):
    """The lint worker's verdict on the draft being typed."""

    text: Text


class PlayScreen(AppScreen):
    BINDINGS = [
        Binding("ctrl+s", "send", "发送", id="play.send", tooltip="发送回复（也可以按回车；Ctrl+J 换行）"),
        Binding("f1", "hint", "提示", id="play.hint", tooltip="显示本节点的标准回答和应做到的要求（练习模式）"),
        Binding("escape", "leave", "离开", id="play.leave", tooltip="结束本次练习（已完成的回合都已保存）"),
        Binding("f5,enter", "debrief", "复盘", id="play.debrief", tooltip="对话结束后查看复盘"),
    ]

    busy: reactive[bool] = reactive(False)  # a turn is being judged and stored

    def __init__(self, trainee: str, scenario: Scenario, exam: bool = False, resume: SessionRecord | None = None):
        super().__init__()
        self.trainee = trainee
        self.scenario = scenario
        self.exam = exam if resume is None else resume.mode == "exam"
        self.resume = resume  # an unfinished session to go on with
        self.dialogue: Dialogue | None = None
        self.recorder: SessionRecorder | None = None
        self.seed = 0
        self.started = time.monotonic()
        self.turn_started = time.monotonic()
        self._resuming = False
        self._lint_timer: Timer | None = None
        self._clock: Timer | None = None

    def _resume(self, found: tuple[list[TurnRecord], SessionRecorder]) -> None:
        """Go on with an unfinished session: the same seed, its replies played again, then the chat as it was."""
        stored, self.recorder = found
        matcher = self.services.matcher
        assert self.resume is not None and matcher is not None
        self.seed = self.resume.seed
        self.dialogue = Dialogue.resumed(self.scenario, matcher, self.seed, [(t.reply, t.timed_out) for t in stored])
        self._say_system(f"【{self.scenario.title}】继续上次未完成的练习（已完成 {len(self.dialogue.turns)} 回合）。")
        persona = self.scenario.persona
        for turn in self.dialogue.turns:
            self._say_customer(turn.customer, persona.name)
            self._say_trainee(turn.record())
        area = self.query_one("#reply", ReplyArea)
        if self.dialogue.finished:
            self._say_system("这次练习其实已经结束，按 F5 或回车查看复盘。")
            self.refresh_bindings()
        else:
            self._say_customer(self.dialogue.customer_line, persona.name)
            area.disabled = False
            area.focus()
        self.turn_started = time.monotonic()
        self._clock = self.set_interval(1, self._tick)
        self._refresh_bar()

    def watch_busy(self, busy: bool) -> None:
        self._show_box_state()

    def _show_box_state(self) -> None:
        """Under the box: judging in progress, and the length once a draft nears the limit."""
        if not self.is_mounted:
            return
        area = self.query_one("#reply", ReplyArea)
        length = len(area.text)
        parts = ["评判中…"] if self.busy else []
        if length > MAX_REPLY_CHARS:
            parts.append(f"[b red]{length}/{MAX_REPLY_CHARS} 字，超出上限[/]")
        elif length >= COUNTER_FROM:
            parts.append(f"{length}/{MAX_REPLY_CHARS} 字")
        area.border_subtitle = " · ".join(parts)

    @property
    def finished(self) -> bool:
        return bool(self.dialogue and self.dialogue.finished)

    def compose(self) -> ComposeResult:
        # Clock, turn, mode and mood keep their width; only the title gives way (cut with …).
        with Horizontal(id="playbar"):
            yield Static(id="clock")
            yield Static(id="progress")
            yield Static(id="turn")
            yield MoodMeter(id="mood")
        yield VerticalScroll(id="chat")
        yield ReplyArea(id="reply", soft_wrap=True, show_line_numbers=False)
        # The draft's lint, or the F1 hint: scrolls (Tab from the reply box, or the mouse) when longer.
        with VerticalScroll(id="lintbox"):
            yield Static(id="lint")
        yield Footer()

    def on_mount(self) -> None:
        area = self.query_one("#reply", ReplyArea)
        area.border_title = "你的回复（回车发送，Ctrl+J 换行）"
        area.disabled = True
        if self.services.matcher is None:
            self._say_system("正在加载话术库和分词词典（约一秒）…")
        else:
            self.begin()

    def on_engine_ready(self, message: EngineReady) -> None:
        self.begin()

    def begin(self) -> None:
        """Start (or resume) the conversation once the engine can judge."""
        matcher = self.services.matcher
        if self.dialogue is not None or matcher is None or self._resuming:
            return
        resume = self.resume
        if resume is not None and self.services.store is not None:
            self._resuming = True  # the stored turns are read off the UI thread, then replayed
            self.read_store(lambda store: (store.turns(resume.id), store.resume_session(resume)), self._resume)
            return
        seed = EXAM_SEED if self.exam else random.randrange(1 << 30)
        self.dialogue = Dialogue(self.scenario, matcher, seed=seed)
        self.seed = seed
        persona = self.scenario.persona
        mode = "考试模式：不提示，成绩可比。" if self.exam else "练习模式：打字时会提示禁用语，F1 看提示。"
        intro = f"【{self.scenario.title}】{mode}"
        self._say_system(intro)
        if self.scenario.goal:
            self._say_system(f"目标：{self.scenario.goal}")
        self._say_customer(self.dialogue.customer_line, persona.name)
        area = self.query_one("#reply", ReplyArea)
        area.disabled = False
        area.focus()
        self.turn_started = time.monotonic()
        self._clock = self.set_interval(1, self._tick)
        self._refresh_bar()

    # -- conversation --------------------------------------------------------

    def _chat(self) -> VerticalScroll:
        return self.query_one("#chat", VerticalScroll)

    def _say_system(self, message: str) -> None:
        self._chat().mount(Static(Text(message, style="dim italic"), classes="system"))
        self._chat().scroll_end(animate=False)

    def _say_customer(self, line: str, name: str | None = None) -> None:
        text = Text()
        text.append(f"{name or self.scenario.persona.name}  ", style="bold cyan")
        text.append(printable(line, newlines=True))
        self._chat().mount(Static(text, classes="customer"))
        self._chat().scroll_end(animate=False)

    def _say_trainee(self, turn: TurnRecord) -> None:
        text = Text()
        text.append("我  ", style="bold")
        text.append_text(reply_text(turn))
        marks = Text("\n")
        labels = self.labels()
        for hit in turn.prohibited:
            marks.append(f"✗ {labels.get(hit.category, hit.category)} ", style="bold red")
        for category in dict.fromkeys(h.category for h in turn.standard):
            marks.append(f"✓ {labels.get(category, category)} ", style="green")
        if turn.repeated:
            marks.append("↺ 和之前的回复几乎一样，不计常用语分 ", style="yellow")
        for names in missed_names(turn, labels):
            marks.append(f"○ {names} ", style="yellow")
        marks.append(f"  {turn.score} 分", style="bold")
        text.append_text(marks)
        self._chat().mount(Static(text, classes="trainee"))
        if not self.exam:
            for hit in turn.prohibited:
                label = labels.get(hit.category, hit.category)
                note = Text(
                    f"⚠ {label}「{_short(hit.matched)}」（{hit.source}）\n  建议：{hit.suggestion}", style="red"
                )
                self._chat().mount(Static(note, classes="system"))
        self._chat().scroll_end(animate=False)

    def _refresh_bar(self) -> None:
        if self.dialogue is None:
            return
        turn_no = len(self.dialogue.turns) + (0 if self.finished else 1)
        node = None if self.finished else self.dialogue.node
        elapsed = max(0, int(time.monotonic() - self.turn_started))
        clock = Text(" ")
        if node is not None and node.timeout:
            left = max(0, node.timeout - elapsed)
            clock.append(f"剩 {left // 60}:{left % 60:02d}", style="bold red" if left <= 10 else "bold")
        elif not self.finished:
            clock.append(f"{elapsed // 60}:{elapsed % 60:02d}", style="dim")
        self.query_one("#clock", Static).update(clock)
        self.query_one("#progress", Static).update(Text(printable(self.scenario.title), style="bold"))
        turn = Text(f"第 {turn_no} 回合")
        turn.append(" · 考试" if self.exam else " · 练习", style="dim")
        self.query_one("#turn", Static).update(turn)
        self.query_one("#mood", MoodMeter).show(self.dialogue.mood)

    def _tick(self) -> None:
        if self.dialogue is None or self.finished:
            return
        self._refresh_bar()
        node = self.dialogue.node
        if node.timeout and not self.busy and time.monotonic() - self.turn_started >= node.timeout:
            self.busy = True
            self.play_turn(None)

    # -- sending -------------------------------------------------------------

    def on_reply_area_submitted(self, event: ReplyArea.Submitted) -> None:
        # The text as it was when Enter was pressed: keys typed after it belong to the next reply.
        self.send(event.value)

    def action_send(self) -> None:
        self.send(self.query_one("#reply", ReplyArea).text)

    def send(self, text: str) -> None:
        """Send ``text`` as this turn's reply; whatever else is in the box stays there.

        The box is never disabled while a turn is judged, so nothing typed
        meanwhile is lost; a second Enter during judging sends nothing (the
        new text waits in the box) rather than merging two replies.
        """
        if self.dialogue is None or self.finished:
            return
        if self.busy:
            self.notify("正在评判上一句，请稍候再发送", severity="warning", timeout=2)
            return
        if not text.strip():
            self.notify("请先输入回复", severity="warning", timeout=2)
            return
        if len(text) > MAX_REPLY_CHARS:
            self.notify(str(ReplyTooLong(len(text))), severity="error", timeout=6)
            return
        area = self.query_one("#reply", ReplyArea)
        area.text = area.text[len(text) :] if area.text.startswith(text) else area.text.replace(text, "", 1)
        self.busy = True
        self.play_turn(text)

    @work(thread=True, exclusive=True, group="turn")
    def play_turn(self, text: str | None) -> None:
        """Judge, advance and store one turn off the UI thread; the result comes back as ``TurnPlayed``."""
        assert self.dialogue is not None
        seconds = round(time.monotonic() - self.turn_started, 2)
        played = self.dialogue.timeout(seconds) if text is None else self.dialogue.reply(text, seconds)
        turn = played.record()
        error = None
        store = self.services.store
        if store is not None:
            try:
                if self.recorder is None:  # the session starts with its first turn: no empty sessions
                    self.recorder = store.begin_session(
                        trainee=self.trainee,
                        scenario=self.scenario,
                        seed=self.seed,
                        mode="exam" if self.exam else "practice",
                    )
                self.recorder.record_turn(turn)
                self.recorder.finish(self.dialogue.end())
            except Exception as exc:  # noqa: BLE001 - shown to the trainee, the session goes on
                error = str(exc)
        self.post_message(TurnPlayed(turn, error))

    @on(TurnPlayed)
    def after_turn(self, message: TurnPlayed) -> None:
        turn, error = message.turn, message.error
        assert self.dialogue is not None
        if error:
            self.notify(f"保存失败：{error}", severity="error", timeout=10)
        area = self.query_one("#reply", ReplyArea)
        if turn.timed_out:
            self._say_system("（超时，没有回复）")
        self._say_trainee(turn)
        self._show_below(Text())
        if self.dialogue.finished:
            ending = self.dialogue.ending
            if turn.next_customer:
                self._say_customer(turn.next_customer)
            if ending:
                self._say_system(f"结局：{ending.title}。整场得分 {self.dialogue.score}。按 F5 或回车查看复盘。")
            self.busy = False
            area.disabled = True
            self._refresh_bar()
            self.refresh_bindings()
            return
        self._say_customer(turn.next_customer or "")
        self.turn_started = time.monotonic()
        self.busy = False
        area.focus()
        self._refresh_bar()

    # -- lint while typing (practice mode) ------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._show_box_state()
        if self.exam or self.dialogue is None:
            return
        if self._lint_timer is not None:
            self._lint_timer.stop()
        draft = event.text_area.text
        if not draft.strip():  # nothing to check (the box was just sent): an F1 hint shown meanwhile stays
            if not self.query_one("#lintbox").has_class("hint"):
                self._show_below(Text())
            return
        if len(draft) > MAX_REPLY_CHARS:  # not sent as it is, so not worth checking (a paste can be huge)
            self._show_below(Text(str(ReplyTooLong(len(draft))), style="bold red"))
            return
        self._lint_timer = self.set_timer(LINT_DELAY, lambda: self.lint(draft))

    @work(thread=True, exclusive=True, group="lint")
    def lint(self, draft: str) -> None:
        """Check the draft off the UI thread; the verdict comes back as ``DraftLinted``."""
        matcher = self.services.matcher
        if matcher is None or not draft.strip():
            self.post_message(DraftLinted(Text()))
            return
        found, possible = scan(matcher, draft, self.dialogue.moment if self.dialogue else NO_MOMENT)
        hits = [h for h in found if h.kind == "prohibited"]
        self.post_message(DraftLinted(lint_text(hits, [h for h in possible if h.kind == "prohibited"])))

    @on(DraftLinted)
    def show_lint(self, message: DraftLinted) -> None:
        self._show_below(message.text, lines=True)  # one row per line, cut with … rather than wrapped out of sight

    def _show_below(self, text: Text, lines: bool = False, hint: bool = False) -> None:
        """Show ``text`` under the reply box, from its top: the lint (``lines``: one row per line) or the hint."""
        chat = self._chat()
        at_end = chat.scroll_y >= chat.max_scroll_y
        lint = self.query_one("#lint", Static)
        lint.set_class(lines, "lines")
        box = self.query_one("#lintbox", VerticalScroll)
        box.set_class(hint, "hint")  # the hint may take more rows than the lint
        lint.update(text)
        box.scroll_home(animate=False)
        if at_end:  # the chat gives up rows: its last line stays in sight
            chat.scroll_end(animate=False)

    # -- hint, leaving, debrief ------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "hint":
            if self.exam:
                return False  # no hints in an exam: not shown at all
            return None if self.finished else True
        if action == "debrief":
            return self.finished
        if action == "send":
            return None if self.finished else True
        return True

    def action_hint(self) -> None:
        if self.exam or self.dialogue is None or self.finished:
            return
        node = self.dialogue.node
        labels = self.labels()
        text = Text("提示  ", style="bold yellow")
        if node.hint:
            text.append(node.hint + "\n")
        wanted = [labels.get(c, c) for c in node.expects.required]
        if node.expects.any_of:
            wanted.append("或".join(labels.get(c, c) for c in node.expects.any_of))
        if wanted:
            text.append("要做到：" + "、".join(wanted) + "\n")
        matcher = self.services.matcher
        samples = []
        for category in [*node.expects.required, *node.expects.any_of][:3]:
            spec = matcher.categories.get(category) if matcher else None
            if spec is not None:
                phrases = list(dict.fromkeys(text for _, text, _ in spec.phrases))[:2]
                if phrases:
                    samples.append(f"{spec.label}：" + " / ".join(phrases))
        if samples:
            text.append("常用说法：" + "；".join(samples) + "\n")
        text.append("参考说法：", style="bold")
        text.append(node.model_answer)
        self._show_below(text, hint=True)

    def has_work(self) -> bool:
        """Whether leaving now would end a started conversation or drop a draft (so it is asked first)."""
        if self.finished or self.dialogue is None:
            return False
        return bool(self.dialogue.turns) or bool(self.query_one("#reply", ReplyArea).text.strip())

    def action_leave(self) -> None:
        if not self.has_work():
            self.app.pop_screen()
            return
        assert self.dialogue is not None
        count = len(self.dialogue.turns)
        if count:
            question = f"退出本次练习？\n已完成的 {count} 个回合都已保存，这次练习会记为“未完成”。"
        else:
            question = "退出本次练习？\n还没发送的回复会丢失。"

        def answered(leave: bool | None) -> None:
            if leave:
                self.app.pop_screen()

        self.app.push_screen(ConfirmScreen(question, yes="退出", no="继续练习"), answered)

    def action_debrief(self) -> None:
        if not self.finished or self.dialogue is None:
            return
        session_id = self.recorder.session_id if self.recorder else None
        self.post_message(OpenDebrief(self.trainee, self.scenario, self.dialogue, session_id, self.exam))

    def on_unmount(self) -> None:
        if self._clock is not None:
            self._clock.stop()

"""How judgements and turns read on a terminal (rich ``Text``), shared by the CLI and the TUI.

One place marks a reply's hits (:func:`highlight`) and explains a turn
(:func:`turn_text`), so the play screen, the debrief, the transcript screen
and ``simulator transcript`` all say the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from .mood import mood_label
from .record import HitRecord, TurnRecord, highlighted, missed_names
from .specs import SEVERITY_LABELS
from .terminal import printable

if TYPE_CHECKING:  # ``transcript`` and the review screens never load the engine
    from .judge import Judgement
    from .matcher import Hit

STYLES = {"standard": "bold green", "prohibited": "bold white on red"}


def safe(text: Text) -> Text:
    """A rich ``Text`` with its characters made :func:`printable` (styles and spans kept)."""
    return Text(printable(text.plain, newlines=True), style=text.style, spans=list(text.spans), end=text.end)


def highlight(text: str, hits: Sequence[Hit] | Sequence[HitRecord]) -> Text:
    """The reply with standard hits in green and prohibited hits in red."""
    out = Text()
    for stretch in highlighted(text, list(hits)):
        out.append(stretch.text, style=STYLES.get(stretch.kind or "", ""))
    return out


def _how(hit: Hit) -> str:
    """How the hit was found: rule similarity or the learned stage's confidence."""
    if hit.stage == "learned":
        return f"模型判断 · 把握 {hit.similarity}%"
    return f"相似度 {hit.similarity}"


def judgement_text(judgement: Judgement) -> Text:
    """A multi-line explanation of one judgement (``simulator score``)."""
    out = Text()
    out.append_text(highlight(judgement.text, [*judgement.standard, *judgement.prohibited]))
    out.append("\n")
    colour = "green" if judgement.score.value >= 80 else "yellow" if judgement.score.value >= 60 else "red"
    out.append("  得分 ", style="dim")
    out.append(f"{judgement.score.value}", style=f"bold {colour}")
    out.append(" / 100\n", style="dim")
    for hit in judgement.prohibited:
        severity = SEVERITY_LABELS.get(hit.severity or "", hit.severity or "")
        out.append("  ✗ 禁用语「", style="red")
        out.append(hit.matched, style="bold red")
        out.append(f"」 {hit.label}（{hit.category}）· {severity} · {_how(hit)}\n", style="red")
        if hit.nearest:
            out.append(f"    最像的已标注说法：{hit.nearest}\n", style="dim")
        if hit.source:
            out.append(f"    依据：{hit.source}\n", style="dim")
        if hit.suggestion:
            out.append(f"    建议：{hit.suggestion}\n", style="cyan")
    for hit in judgement.standard:
        out.append("  ✓ 常用语「", style="green")
        out.append(hit.matched, style="bold green")
        out.append(
            f"」 {hit.label}（{hit.category}）{' · 模型判断' if hit.stage == 'learned' else ''}\n", style="green"
        )
    for hit in judgement.possible:
        kind = "禁用语" if hit.kind == "prohibited" else "常用语"
        out.append(f"  ? 疑似{kind}「", style="yellow")
        out.append(hit.matched, style="bold yellow")
        out.append(f"」 {hit.label}（{hit.category}）· 模型把握 {hit.similarity}% · 不计分\n", style="yellow")
        if hit.nearest:
            out.append(f"    最像的已标注说法：{hit.nearest}\n", style="dim")
    for label in judgement.missed_labels:
        out.append(f"  ○ 未做到：{label}\n", style="yellow")
    if not judgement.prohibited and not judgement.standard:
        out.append("  （未命中任何常用语或禁用语）\n", style="dim")
    return safe(out)


def reply_text(turn: TurnRecord) -> Text:
    """The reply as typed, its hits marked; a timeout says so."""
    if turn.timed_out:
        return Text("（超时未回复）", style="italic dim")
    return safe(highlight(turn.reply, turn.hits))


def turn_text(turn: TurnRecord, labels: dict[str, str]) -> Text:
    """One turn: the customer, the reply with hits, the norm clause, what to say, what was missed."""
    out = Text()
    out.append(f"第 {turn.n} 回合", style="bold")
    out.append(f"  本回合 {turn.score} 分 · 客户情绪 {turn.mood} {mood_label(turn.mood)}\n", style="dim")
    out.append("客户：", style="bold cyan")
    out.append(turn.customer + "\n")
    out.append("你：", style="bold")
    out.append_text(reply_text(turn))
    out.append("\n")
    for hit in turn.prohibited:
        out.append(f"  ✗ 禁用语「{hit.matched}」{labels.get(hit.category, hit.category)}", style="red")
        if hit.source:
            out.append(f" · 依据 {hit.source}", style="red")
        out.append("\n")
        if hit.stage == "learned":
            out.append(f"    模型判断，把握 {round(100 * (hit.confidence or 0))}%", style="dim")
            if hit.nearest:
                out.append(f"；最像的已标注说法：{hit.nearest}", style="dim")
            out.append("\n")
        if hit.suggestion:
            out.append(f"    应说：{hit.suggestion}\n", style="cyan")
    for hit in (h for h in turn.possible if h.kind == "prohibited"):
        label = labels.get(hit.category, hit.category)
        confidence = round(100 * (hit.confidence or 0))
        out.append(f"  ? 疑似{label}「{hit.matched}」（模型把握 {confidence}%，不扣分，请自查）\n", style="yellow")
    done = list(dict.fromkeys(labels.get(h.category, h.category) for h in turn.standard))
    if done:
        out.append("  ✓ " + "  ✓ ".join(done) + "\n", style="green")
    for names in missed_names(turn, labels):
        out.append(f"  ○ 未做到：{names}\n", style="yellow")
    return safe(out)

"""Human-readable rendering of judgements for the terminal (rich markup)."""

from __future__ import annotations

from rich.text import Text

from .judge import Judgement
from .matcher import Hit
from .phrasebook import SEVERITY_LABELS


def highlighted(text: str, prohibited: tuple[Hit, ...], standard: tuple[Hit, ...]) -> Text:
    """The reply with standard hits in green and prohibited hits in red."""
    out = Text(text)
    for hit in standard:
        out.stylize("bold green", *hit.span)
    for hit in prohibited:
        out.stylize("bold white on red", *hit.span)
    return out


def _how(hit: Hit) -> str:
    """How the hit was found: rule similarity or the learned stage's confidence."""
    if hit.stage == "learned":
        return f"模型判断 · 把握 {hit.similarity}%"
    return f"相似度 {hit.similarity}"


def judgement_text(judgement: Judgement) -> Text:
    """A multi-line explanation of one judgement."""
    out = Text()
    out.append_text(highlighted(judgement.text, judgement.prohibited, judgement.standard))
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
        out.append(f"」 {hit.label}（{hit.category}）{' · 模型判断' if hit.stage == 'learned' else ''}\n", style="green")
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
    return out

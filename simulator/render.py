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
        out.append(f"」 {hit.label}（{hit.category}）· {severity} · 相似度 {hit.similarity}\n", style="red")
        if hit.source:
            out.append(f"    依据：{hit.source}\n", style="dim")
        if hit.suggestion:
            out.append(f"    建议：{hit.suggestion}\n", style="cyan")
    for hit in judgement.standard:
        out.append("  ✓ 常用语「", style="green")
        out.append(hit.matched, style="bold green")
        out.append(f"」 {hit.label}（{hit.category}）\n", style="green")
    for label in judgement.missed_labels:
        out.append(f"  ○ 未做到：{label}\n", style="yellow")
    if not judgement.prohibited and not judgement.standard:
        out.append("  （未命中任何常用语或禁用语）\n", style="dim")
    return out

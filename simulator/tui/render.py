"""Rich text for turns, shared by the debrief and transcript screens."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..dialogue import mood_label


def reply_text(turn: dict[str, Any]) -> Text:
    """The reply as typed, standard hits green, prohibited hits red."""
    if turn.get("timed_out"):
        return Text("（超时未回复）", style="italic dim")
    text = Text(turn["reply"])
    for hit in turn["standard"]:
        text.stylize("bold green", *hit["span"])
    for hit in turn["prohibited"]:
        text.stylize("bold white on red", *hit["span"])
    return text


def turn_text(turn: dict[str, Any], labels: dict[str, str]) -> Text:
    """One turn: the customer, the reply with hits, the norm clause, what to say, what was missed."""
    out = Text()
    out.append(f"第 {turn['n']} 回合", style="bold")
    out.append(f"  本回合 {turn['score']} 分 · 客户情绪 {turn['mood']} {mood_label(turn['mood'])}\n", style="dim")
    out.append("客户：", style="bold cyan")
    out.append(turn["customer"] + "\n")
    out.append("你：", style="bold")
    out.append_text(reply_text(turn))
    out.append("\n")
    for hit in turn["prohibited"]:
        label = labels.get(hit["category"], hit["category"])
        out.append(f"  ✗ 禁用语「{hit['matched']}」{label}", style="red")
        if hit.get("source"):
            out.append(f" · 依据 {hit['source']}", style="red")
        out.append("\n")
        if hit.get("stage") == "learned":
            out.append(f"    模型判断，把握 {round(100 * (hit.get('confidence') or 0))}%", style="dim")
            if hit.get("nearest"):
                out.append(f"；最像的已标注说法：{hit['nearest']}", style="dim")
            out.append("\n")
        if hit.get("suggestion"):
            out.append(f"    应说：{hit['suggestion']}\n", style="cyan")
    for hit in [h for h in turn.get("possible", []) if h.get("kind", "prohibited") == "prohibited"]:
        label = labels.get(hit["category"], hit["category"])
        out.append(f"  ? 疑似{label}「{hit['matched']}」（模型把握 {round(100 * (hit.get('confidence') or 0))}%，不扣分，请自查）\n", style="yellow")
    done = list(dict.fromkeys(labels.get(h["category"], h["category"]) for h in turn["standard"]))
    if done:
        out.append("  ✓ " + "  ✓ ".join(done) + "\n", style="green")
    for item in turn.get("missed", []):
        names = "或".join(labels.get(c, c) for c in str(item).split("|"))
        out.append(f"  ○ 未做到：{names}\n", style="yellow")
    return out

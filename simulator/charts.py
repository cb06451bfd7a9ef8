"""Score-over-time charts: a standalone SVG (and an HTML page around it) for reports.

Pure string building: no plotting library is needed to export a chart that
opens in any browser or embeds in a document.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#4d7c0f"]


SCORE_TICKS = [0, 20, 40, 60, 80, 100]


@dataclass
class Series:
    label: str
    points: list[tuple[str, float]]  # (x label such as a date, y value)


def day_ticks(days: list[str], most: int = 6) -> list[tuple[int, str]]:
    """(position, label) for an x-axis of sessions: each day once, at its first session, at most ``most``.

    Thirteen sessions on one day give one label, not thirteen.
    """
    firsts = [(i, day) for i, day in enumerate(days) if i == 0 or day != days[i - 1]]
    if len(firsts) <= most:
        return firsts
    step = (len(firsts) - 1) / (most - 1)
    return [firsts[round(k * step)] for k in range(most)]


def count_ticks(highest: float, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 covering ``highest`` (counts are never 0.75), at most ``most`` + 1 of them."""
    top = max(1, int(-(-highest // 1)))
    step = max(1, -(-top // most))
    return list(range(0, top + step, step))  # ends at the first multiple of the step at or above the top


def attempt_ticks(attempts: int, most: int = 10) -> list[int]:
    """Whole-number ticks for an axis of attempts 1..``attempts`` (never 1.75), at most ``most`` + 1 of them."""
    step = max(1, -(-attempts // most))
    return list(range(1, max(1, attempts) + 1, step))


def svg_chart(
    title: str,
    series: list[Series],
    y_label: str = "得分",
    y_max: float | None = 100,
    width: int = 760,
    height: int = 360,
) -> str:
    """A line chart with one line per series; x positions are the sample order."""
    left, right, top, bottom = 56, 20, 40, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    longest = max((len(s.points) for s in series), default=0)
    values = [y for s in series for _, y in s.points]
    # Scores on 0–100 in steps of 20; counts (no y_max) on whole numbers.
    if y_max is None:
        ticks = [float(t) for t in count_ticks(max(values + [1]))]
    elif y_max == 100:
        ticks = [float(t) for t in SCORE_TICKS]
    else:
        ticks = [y_max * step / 4 for step in range(5)]
    top_value = ticks[-1] or 1.0

    def x_at(i: int) -> float:
        return left + (plot_w * i / (longest - 1) if longest > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * min(max(v, 0), top_value) / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold" fill="#111827">{escape(title)}</text>',
    ]
    for value in ticks:
        y = y_at(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#6b7280">{value:g}</text>')
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" transform="rotate(-90 14 {top + plot_h / 2:.1f})" '
        f'text-anchor="middle" fill="#6b7280">{escape(y_label)}</text>'
    )
    if series and longest:
        labels = [x for x, _ in max(series, key=lambda s: len(s.points)).points]
        for i, label in day_ticks(labels, most=8):
            parts.append(
                f'<text x="{x_at(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" fill="#6b7280">'
                f"{escape(label)}</text>"
            )
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        coords = " ".join(f"{x_at(i):.1f},{y_at(y):.1f}" for i, (_, y) in enumerate(item.points))
        if len(item.points) > 1:
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, (label, y) in enumerate(item.points):
            parts.append(
                f'<circle cx="{x_at(i):.1f}" cy="{y_at(y):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(item.label)} {escape(label)}：{y:g}</title></circle>"
            )
        legend_x = left + 10 + (index % 4) * 170
        legend_y = height - 16 - 16 * (index // 4)
        parts.append(f'<rect x="{legend_x}" y="{legend_y - 9}" width="12" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 18}" y="{legend_y - 3}" fill="#111827">{escape(item.label)}</text>')
    if not series or not longest:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#6b7280">暂无数据</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def html_page(title: str, svg: str, table_rows: list[list[str]] | None = None, header: list[str] | None = None) -> str:
    """A self-contained HTML page with the chart and an optional table."""
    table = ""
    if table_rows and header:
        head = "".join(f"<th>{escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table_rows)
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#111827}}
table{{border-collapse:collapse;margin-top:16px}}td,th{{border:1px solid #e5e7eb;padding:4px 10px;text-align:left}}
th{{background:#f3f4f6}}</style></head>
<body><h1>{escape(title)}</h1>
{svg}
{table}
</body></html>
"""

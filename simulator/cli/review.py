"""Team leads' commands: ``history``, ``transcript``, ``report``, ``plot`` (thin presenters over the store)."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any, TextIO

from ..charts import Series, html_page, svg_chart
from ..progress import PASS_SCORE, TREND_WINDOW, team_report
from ..record import TurnRecord, short_time
from ..scenario_schema import OUTCOME_LABELS as SCENARIO_OUTCOMES
from ..terminal import csv_cell, printable
from .common import (
    EXIT_FAILED,
    ROW_ID,
    UsageError,
    category_labels,
    console,
    format_option,
    load_matcher,
    load_scenarios_for,
    open_store,
    trainee_filter_option,
)

OUTCOME_LABELS: dict[str | None, str] = {None: "未完成"}
OUTCOME_LABELS.update(SCENARIO_OUTCOMES)


RICH_ROWS = 200  # beyond this a table is printed as aligned plain text: rich takes seconds for 10,000 rows


def _plain_table(out: TextIO, title: str, header: list[str], rows: list[list[str]], right: set[int]) -> None:
    """Columns aligned by display width (a Chinese character is two columns), one write per row."""
    from rich.cells import cell_len

    cells = [[printable(c) for c in header]] + [[printable(c) for c in row] for row in rows]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        padded = []
        for i, cell in enumerate(row):
            gap = " " * (widths[i] - cell_len(cell))
            padded.append(gap + cell if i in right else cell + gap)
        return "  ".join(padded).rstrip()

    out.write(printable(title) + f"（共 {len(rows)} 行）\n")
    out.write(line(cells[0]) + "\n")
    out.write("  ".join("─" * w for w in widths) + "\n")
    out.writelines(line(row) + "\n" for row in cells[1:])


def _table(out: TextIO, title: str, header: list[str], rows: list[list[str]], justify_right: set[int] | None = None) -> None:
    if len(rows) > RICH_ROWS:
        _plain_table(out, title, header, rows, justify_right or set())
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Cells are Text, never markup: a name like "[bold]" or one carrying escape codes prints as typed.
    table = Table(title=Text(printable(title)), header_style="bold", show_lines=False)
    for index, name in enumerate(header):
        table.add_column(name, justify="right" if justify_right and index in justify_right else "left")
    for row in rows:
        table.add_row(*(Text(printable(cell)) for cell in row))
    tty = hasattr(out, "isatty") and out.isatty()
    # On a terminal rich fits the table to the window; piped output is not cut.
    Console(file=out, highlight=False, width=None if tty else 200).print(table)


def _csv(out: TextIO, header: list[str], rows: list[list[Any]]) -> None:
    """CSV for Excel: a UTF-8 byte-order mark first, every cell safe to open (see ``csv_cell``)."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def cmd_history(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args) as store:
        sessions = store.sessions(trainee=args.trainee)
    if args.trainee and not sessions:
        err.write(f"学员 {args.trainee} 还没有练习记录。\n")
    data = [s.to_json() for s in sessions]
    if args.format == "json":
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    header = ["id", "trainee", "scenario", "started_at", "finished", "outcome", "score", "turns"]
    if args.format == "csv":
        _csv(out, header + ["scenario_title", "mode", "ending"], [[d[k] for k in header] + [d["scenario_title"], d["mode"], d["ending"]] for d in data])
        return 0
    rows = [
        [str(s.id), s.trainee, s.scenario_title, s.when, OUTCOME_LABELS.get(s.outcome, s.outcome or "未完成"),
         _fmt(s.score), str(s.turns), "考试" if s.mode == "exam" else "练习"]
        for s in sessions
    ]
    _table(out, "练习记录" + (f" · {args.trainee}" if args.trainee else ""), ["编号", "学员", "场景", "开始时间", "结果", "得分", "回合", "模式"], rows, {0, 5, 6})
    return 0


def cmd_transcript(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args) as store:
        session = store.session(args.session_id)
        turns = store.turns(args.session_id) if session else []
    if session is None:
        err.write(f"找不到编号为 {args.session_id} 的练习记录（可用 simulator history 查看）。\n")
        return EXIT_FAILED
    today = _rejudged(args, err, session.scenario, turns) if args.rejudge else {}
    if args.format == "json":
        data: dict[str, Any] = {"session": session.to_json(), "turns": [t.to_json() for t in turns]}
        if args.rejudge:
            data["rejudged"] = [today.get(t.n) for t in turns]
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    from rich.text import Text

    from ..render import turn_text

    labels = category_labels()
    screen = console(out)
    screen.print(
        Text(printable(f"{session.scenario_title} · {session.trainee} · {short_time(session.started_at)} · "
                       f"{OUTCOME_LABELS.get(session.outcome, '未完成')} · 得分 {_fmt(session.score)}"), style="bold")
    )
    for turn in turns:
        screen.print()
        screen.print(turn_text(turn, labels))
        now = today.get(turn.n)
        if now is not None:
            broken = "、".join(labels.get(c, c) for c in now["prohibited"]) or "无禁用语"
            change = "（与保存的判定相同）" if now["same"] else "（与保存的判定不同）"
            out.write(printable(f"  按今天的话术库：本回合 {now['score']} 分，{broken}{change}") + "\n")
    if args.rejudge:
        out.write("保存的得分不会改变；上面“按今天的话术库”一行只供对照。\n")
    return 0


def _rejudged(args: argparse.Namespace, err: TextIO, scenario_id: str, turns: list[TurnRecord]) -> dict[int, Any]:
    """Each turn judged again, in its moment, with today's phrasebook (the stored turn stays as it was)."""
    from ..judge import judge

    matcher = load_matcher(args, err)
    matcher.warm_up()
    scenarios = {s.id: s for s in load_scenarios_for(args, matcher.book.kinds())}
    scenario = scenarios.get(scenario_id)
    out: dict[int, Any] = {}
    for turn in turns:
        if turn.timed_out:
            continue
        moment = scenario.moment(turn.node, turn.customer) if scenario and turn.node in scenario.nodes else None
        verdict = judge(matcher, turn.reply, moment=moment)
        prohibited = sorted({h.category for h in verdict.prohibited})
        out[turn.n] = {
            "n": turn.n, "score": verdict.score.value, "prohibited": prohibited,
            "standard": sorted({h.category for h in verdict.standard}),
            "same": prohibited == sorted({h.category for h in turn.prohibited}) and verdict.score.value == turn.score,
        }
    return out


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args) as store:
        # Per-scenario figures are printed only for one trainee (and always exported as JSON/CSV).
        report = team_report(store, args.trainee, scenarios=bool(args.trainee) or args.format != "table")
        labels = category_labels()
    if args.format == "json":
        out.write(json.dumps([r.to_json() for r in report], ensure_ascii=False, indent=2) + "\n")
        return 0
    if args.format == "csv":
        header = ["trainee", "sessions", "finished", "unfinished", "exams", "exam_pass_rate", "average", "best", "pass_rate", "trend", "last_played",
                  "most_broken", "most_missed", "prohibited_hits"]
        rows = [[r.trainee, r.sessions, r.finished, r.unfinished, r.exams, _fmt(r.exam_pass_rate, 3), _fmt(r.average, 1), _fmt(r.best), _fmt(r.pass_rate, 3),
                 _fmt(r.trend, 1), r.last_played or "", ";".join(f"{c}:{n}" for c, n in r.most_broken),
                 ";".join(f"{c}:{n}" for c, n in r.most_missed), r.prohibited_hits] for r in report]
        if args.trainee:
            header += ["scenario", "scenario_sessions", "scenario_average", "first", "best_in_scenario", "latest", "lift"]
            # One row per scenario; a trainee with no per-scenario figures (only unfinished
            # sessions) keeps one row with the scenario columns empty.
            rows = [
                row + ([s.scenario, s.sessions, _fmt(s.average, 1), _fmt(s.first), _fmt(s.best), _fmt(s.latest), _fmt(s.lift)]
                       if s is not None else [""] * 7)
                for row, r in zip(rows, report)
                for s in (r.scenarios or [None])  # type: ignore[list-item]
            ]
        _csv(out, header, rows)
        return 0
    if not report:
        out.write("还没有任何练习记录。\n")
        return 0
    table_rows = [
        [r.trainee, r.counts_text, _fmt(r.average, 1), _fmt(r.best), _fmt(None if r.pass_rate is None else r.pass_rate * 100, 0) + ("%" if r.pass_rate is not None else ""),
         f"{r.trend_arrow} {_fmt(r.trend, 1)}" if r.trend is not None else "—", (r.last_played or "—")[:10],
         "、".join(f"{labels.get(c, c)}×{n}" for c, n in r.most_broken[:2]) or "—"]
        for r in report
    ]
    _table(out, "团队练习情况", ["学员", "次数", "平均分", "最高", "通过率", "趋势", "最近练习", "最常违反"], table_rows, {1, 2, 3, 4})
    exams = [r for r in report if r.exams]
    if exams:
        out.write(
            f"其中考试（及格线默认 {PASS_SCORE} 分，场景可另定）："
            + "；".join(f"{r.trainee} {r.exams} 次，通过率 {_fmt(r.exam_pass_rate * 100, 0)}%" for r in exams if r.exam_pass_rate is not None)
            + "\n"
        )
    out.write(f"通过：完成且结局不是失败、得分不低于及格线（默认 {PASS_SCORE}，场景可在 scoring 里另定，按练习结束时的及格线判定）；趋势：最近 {TREND_WINDOW} 次平均分减去之前 {TREND_WINDOW} 次；只统计完成的练习，未完成的单列。\n")
    if args.trainee:
        for r in report:
            srows = [[s.title, str(s.sessions), _fmt(s.first), _fmt(s.best), _fmt(s.latest), _fmt(s.average, 1),
                      (f"{s.lift:+d}" if s.lift is not None else "—")] for s in r.scenarios]
            _table(out, f"{r.trainee} · 各场景", ["场景", "次数", "首次", "最高", "最近", "平均", "提升"], srows, {1, 2, 3, 4, 5, 6})
            if r.most_missed:
                out.write("最常遗漏：" + "、".join(f"{labels.get(c, c)}×{n}" for c, n in r.most_missed) + "\n")
    return 0


def cmd_plot(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args) as store:
        names = [args.trainee] if args.trainee else store.trainees()
        if args.trainee and args.trainee not in store.trainees():
            raise UsageError(f"没有学员 {args.trainee} 的记录")
        series: list[Series] = []
        for name in names[: args.max_trainees]:
            if args.category:
                rows = store.category_series(name, args.category)
                series.append(Series(printable(name), [(str(at)[5:10], float(count)) for at, _, count in rows]))
            else:
                sessions = [s for s in store.sessions(trainee=name) if s.score is not None]
                series.append(Series(printable(name), [(s.day, float(s.score or 0)) for s in sessions]))
    labels = category_labels()
    if args.category:
        title = f"{labels.get(args.category, args.category)}（{args.category}）每次练习的次数"
        y_label, y_max = "次数", None
    else:
        title = "得分趋势" + (f" · {printable(args.trainee)}" if args.trainee else "")
        y_label, y_max = "得分", 100.0
    if args.output:
        path = Path(args.output)
        svg = svg_chart(title, series, y_label=y_label, y_max=y_max)
        if path.suffix.lower() == ".svg":
            path.write_text(svg, encoding="utf-8")
        else:
            summary = [
                [s.label, str(len(s.points)), _fmt(sum(y for _, y in s.points) / len(s.points) if s.points else None, 1)]
                for s in series
            ]
            path.write_text(html_page(title, svg, summary, ["学员", "次数", "平均"]), encoding="utf-8")
        out.write(f"已导出：{path}\n")
        return 0
    import plotext as plt

    plt.clear_figure()
    if not (hasattr(out, "isatty") and out.isatty()):
        plt.theme("clear")  # no colour codes in files and pipes
    plt.plotsize(80, 20)
    plt.title(title)
    for item in series:
        if item.points:
            plt.plot(list(range(1, len(item.points) + 1)), [y for _, y in item.points], label=item.label, marker="dot")
    if y_max:
        plt.ylim(0, y_max)
    plt.xlabel("第几次练习")
    chart = plt.build()
    if not (hasattr(out, "isatty") and out.isatty()):
        import re

        chart = re.sub(r"\x1b\[[0-9;]*m", "", chart)
    out.write(chart + "\n")
    return 0


def add_parsers(sub: Any) -> None:
    """Register ``history``, ``transcript``, ``report`` and ``plot``."""
    trainee = trainee_filter_option()
    table_formats = format_option("table", "json", "csv", default="table")
    history = sub.add_parser(
        "history", parents=[trainee, table_formats], help="练习记录（每次练习一行）",
        description="列出练习记录，每次练习一行。",
    )
    history.set_defaults(handler=cmd_history)

    transcript = sub.add_parser(
        "transcript", parents=[format_option("text", "json", default="text")], help="查看一次练习的完整对话",
        description="按保存的内容显示一次练习的每个回合。",
    )
    transcript.add_argument(
        "--rejudge", action="store_true", help="另外按今天的话术库重新评判每个回合，与保存的判定并排（不改动保存的得分）"
    )
    transcript.add_argument("session_id", type=ROW_ID, metavar="SESSION_ID", help="练习编号（见 simulator history）")
    transcript.set_defaults(handler=cmd_transcript)

    report = sub.add_parser(
        "report", parents=[table_formats], help="团队汇总（给组长看）",
        description="每位学员的练习次数、平均分、通过率、趋势和最常违反的规范。",
    )
    report.add_argument("--trainee", metavar="NAME", help="只看这位学员，并列出各场景的首次、最高、最近得分与提升")
    report.set_defaults(handler=cmd_report)

    plot = sub.add_parser(
        "plot", help="得分趋势图（终端显示或导出 HTML/SVG）",
        description="画出得分随时间的变化；--output 导出为 .html 或 .svg 文件。",
    )
    plot.add_argument("--trainee", metavar="NAME", help="只画这位学员")
    plot.add_argument("--category", metavar="ID", help="改为画这个类别每次练习出现的次数（如 not_my_job）")
    plot.add_argument("--output", metavar="FILE", help="导出到文件（.html 或 .svg）")
    plot.add_argument("--max-trainees", type=int, default=8, help=argparse.SUPPRESS)
    plot.set_defaults(handler=cmd_plot)

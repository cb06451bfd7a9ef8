"""Team leads' commands: ``history``, ``transcript``, ``report``, ``plot`` (thin presenters over the store)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from ..charts import SCORE_TICKS, Series, attempt_ticks, count_ticks, day_ticks, html_page, svg_chart
from ..progress import PASS_SCORE, TREND_WINDOW, team_report
from ..record import TurnRecord, local_date, short_day, short_time
from ..terminal import printable
from . import assign
from .common import (
    EXIT_FAILED,
    ROW_ID,
    UsageError,
    category_labels,
    console,
    format_option,
    known_trainee,
    load_matcher,
    load_scenarios_for,
    open_store,
    scenario_sources,
    trainee_filter_option,
    trainee_name,
    write_output,
)
from .tables import write_csv as _csv
from .tables import write_table as _table


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _counts(items: list[tuple[str, int]], labels: dict[str, str]) -> str:
    """``推给领导×2；推诿×1``: categories by their Chinese names (一 | 二 for either of two)."""
    return "；".join("或".join(labels.get(c, c) for c in category.split("|")) + f"×{n}" for category, n in items)


def _number(value: int | float | None, digits: int = 0) -> int | float | str:
    """A figure for a CSV cell: a number Excel can sum, empty when there is none."""
    if value is None:
        return ""
    return round(value, digits) if digits else round(value)


def _percent(rate: float | None) -> float | str:
    return "" if rate is None else round(rate * 100, 1)


def _csv_time(iso: str | None) -> str:
    """``2026-11-27 16:21`` (UTC): a time Excel reads as one."""
    return iso[:16].replace("T", " ") if iso else ""


def _ending_titles(args: argparse.Namespace) -> dict[tuple[str, str], str]:
    """(scenario id, ending id) -> the ending's title, for the scenarios that load."""
    from ..sources import load_scenarios_skipping

    scenarios, _ = load_scenarios_skipping(scenario_sources(args))
    return {(s.id, ending_id): ending.title for s in scenarios for ending_id, ending in s.endings.items()}


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def cmd_history(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args, create=False) as store:
        trainee = known_trainee(store, args.trainee) if args.trainee is not None else None
        sessions = store.sessions(trainee=trainee)
    if args.format == "json":
        out.write(json.dumps([s.to_json() for s in sessions], ensure_ascii=False, indent=2) + "\n")
        return 0
    if args.format == "csv":  # for Excel: Chinese headers and values (the ids are in the JSON)
        endings = _ending_titles(args)
        _csv(
            out,
            [
                "编号",
                "学员",
                "场景",
                "开始时间（UTC）",
                "结束时间（UTC）",
                "是否完成",
                "结果",
                "结局",
                "得分",
                "回合数",
                "方式",
            ],
            [
                [
                    s.id,
                    s.trainee,
                    s.scenario_title,
                    _csv_time(s.started_at),
                    _csv_time(s.ended_at),
                    _yes_no(s.finished),
                    s.result_label,
                    endings.get((s.scenario, s.ending or ""), s.ending or ""),
                    "" if s.score is None else s.score,
                    s.turns,
                    s.mode_label,
                ]
                for s in sessions
            ],
        )
        return 0
    rows = [
        [
            str(s.id),
            s.trainee,
            s.scenario_title,
            s.when,
            s.result_label,
            _fmt(s.score),
            str(s.turns),
            s.mode_label,
        ]
        for s in sessions
    ]
    header = ["编号", "学员", "场景", "开始时间", "结果", "得分", "回合", "方式"]
    _table(out, "练习记录" + (f" · {trainee}" if trainee else ""), header, rows, {0, 5, 6})
    return 0


def cmd_transcript(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args, create=False) as store:
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
        Text(
            printable(
                f"{session.scenario_title} · {session.trainee} · {short_time(session.started_at)} · "
                f"{session.result_label} · 得分 {_fmt(session.score)}"
            ),
            style="bold",
        )
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
            "n": turn.n,
            "score": verdict.score.value,
            "prohibited": prohibited,
            "standard": sorted({h.category for h in verdict.standard}),
            "same": prohibited == sorted({h.category for h in turn.prohibited}) and verdict.score.value == turn.score,
        }
    return out


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.assignments:
        return assign.report_assignments(args, out, err)
    with open_store(args, create=False) as store:
        trainee = known_trainee(store, args.trainee) if args.trainee is not None else None
        # Per-scenario figures are printed only for one trainee (and always exported as JSON/CSV).
        report = team_report(store, trainee, scenarios=bool(trainee) or args.format != "table")
        labels = category_labels()
    if args.format == "json":
        out.write(json.dumps([r.to_json() for r in report], ensure_ascii=False, indent=2) + "\n")
        return 0
    if args.format == "csv":  # for Excel: Chinese headers and values (the ids are in the JSON)
        header = [
            "学员",
            "练习次数",
            "完成",
            "未完成",
            "考试次数",
            "考试通过率（%）",
            "平均分",
            "最高分",
            "通过率（%）",
            "趋势",
            "最近练习",
            "最常违反",
            "最常遗漏",
            "禁用语次数",
        ]
        rows = [
            [
                r.trainee,
                r.sessions,
                r.finished,
                r.unfinished,
                r.exams,
                _percent(r.exam_pass_rate),
                _number(r.average, 1),
                _number(r.best),
                _percent(r.pass_rate),
                _number(r.trend, 1),
                _csv_time(r.last_played),
                _counts(r.most_broken, labels),
                _counts(r.most_missed, labels),
                r.prohibited_hits,
            ]
            for r in report
        ]
        if trainee:
            header += ["场景", "该场景次数", "该场景平均分", "首次得分", "该场景最高分", "最近得分", "提升"]
            # One row per scenario; a trainee with no per-scenario figures (only unfinished
            # sessions) keeps one row with the scenario columns empty.
            rows = [
                row
                + (
                    [
                        s.title,
                        s.sessions,
                        _number(s.average, 1),
                        _number(s.first),
                        _number(s.best),
                        _number(s.latest),
                        _number(s.lift),
                    ]
                    if s is not None
                    else [""] * 7
                )
                for row, r in zip(rows, report, strict=True)
                for s in (r.scenarios or [None])  # type: ignore[list-item]
            ]
        _csv(out, header, rows)
        return 0
    if not report:
        out.write("还没有任何练习记录。\n")
        return 0
    table_rows = [
        [
            r.trainee,
            r.counts_text,
            _fmt(r.average, 1),
            _fmt(r.best),
            _fmt(None if r.pass_rate is None else r.pass_rate * 100, 0) + ("%" if r.pass_rate is not None else ""),
            f"{r.trend_arrow} {_fmt(r.trend, 1)}" if r.trend is not None else "—",
            local_date(r.last_played) if r.last_played else "—",
            "、".join(f"{labels.get(c, c)}×{n}" for c, n in r.most_broken[:2]) or "—",
        ]
        for r in report
    ]
    _table(
        out,
        "团队练习情况",
        ["学员", "次数", "平均分", "最高", "通过率", "趋势", "最近练习", "最常违反"],
        table_rows,
        {1, 2, 3, 4},
    )
    exams = [r for r in report if r.exams]
    if exams:
        out.write(
            f"其中考试（及格线默认 {PASS_SCORE} 分，场景可另定）："
            + "；".join(
                f"{r.trainee} {r.exams} 次，通过率 {_fmt(r.exam_pass_rate * 100, 0)}%"
                for r in exams
                if r.exam_pass_rate is not None
            )
            + "\n"
        )
    out.write(
        f"通过：完成且结局不是失败、得分不低于及格线（默认 {PASS_SCORE}，场景文件可以另定，"
        "按练习结束时的及格线判定）；趋势"
        f"：最近 {TREND_WINDOW} 次平均分减去之前 {TREND_WINDOW} 次；只统计完成的练习，未完成的单列。\n"
    )
    if trainee:
        for r in report:
            srows = [
                [
                    s.title,
                    str(s.sessions),
                    _fmt(s.first),
                    _fmt(s.best),
                    _fmt(s.latest),
                    _fmt(s.average, 1),
                    (f"{s.lift:+d}" if s.lift is not None else "—"),
                ]
                for s in r.scenarios
            ]
            _table(
                out,
                f"{r.trainee} · 各场景",
                ["场景", "次数", "首次", "最高", "最近", "平均", "提升"],
                srows,
                {1, 2, 3, 4, 5, 6},
            )
            if r.most_missed:
                out.write("最常遗漏：" + _counts(r.most_missed, labels).replace("；", "、") + "\n")
    return 0


PLOT_FORMATS = {".svg": "SVG 图片", ".html": "网页", ".htm": "网页"}


def cmd_plot(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path = Path(args.output) if args.output else None
    if path is not None and path.suffix.lower() not in PLOT_FORMATS:
        shown = f"“{path.suffix}”" if path.suffix else "没有扩展名的文件"
        raise UsageError(
            f"不能导出为{shown}：请用 .svg（图片，可插入文档）或 .html（网页）。"
            "PNG 需要另装图片转换库，本程序不离线生成；可以用浏览器打开 .svg 或 .html 后另存或截图"
        )
    labels = category_labels()
    by_label = {label: category for category, label in labels.items()}
    if args.category in by_label:  # 推给领导 as well as go_find_boss
        args.category = by_label[args.category]
    if args.category and labels and args.category not in labels:
        known = "、".join(sorted(labels.values()))
        raise UsageError(
            f"话术库里没有类别 {printable(args.category)}；可用的类别（写中文名或类别编号都可以）：{known}"
        )
    with open_store(args, create=False) as store:
        names = [known_trainee(store, args.trainee)] if args.trainee else store.trainees()
        series: list[Series] = []
        for name in names[: args.max_trainees]:
            if args.category:
                rows = store.category_series(name, args.category)
                series.append(Series(printable(name), [(short_day(str(at)), float(count)) for at, _, count in rows]))
            else:
                sessions = [s for s in store.sessions(trainee=name) if s.score is not None]
                series.append(Series(printable(name), [(s.day, float(s.score or 0)) for s in sessions]))
    who = f" · {printable(names[0])}" if args.trainee else ""
    if args.category:
        title = f"“{labels.get(args.category, args.category)}”每次练习出现的次数{who}"
        y_label, y_max = "次数", None
    else:
        title = f"得分趋势{who}"
        y_label, y_max = "得分", 100.0
    if path is not None:
        svg = svg_chart(title, series, y_label=y_label, y_max=y_max)
        if path.suffix.lower() == ".svg":
            write_output(path, svg)
        else:
            summary = [
                [
                    s.label,
                    str(len(s.points)),
                    _fmt(sum(y for _, y in s.points) / len(s.points) if s.points else None, 1),
                ]
                for s in series
            ]
            write_output(path, html_page(title, svg, summary, ["学员", "次数", "平均"]))
        out.write(f"已导出：{path}\n")
        return 0
    out.write(_terminal_chart(title, series, y_max, out) + "\n")
    return 0


CHART_COLOURS = ("blue+", "green+", "red+", "cyan+", "magenta+", "yellow", "orange", "gray")  # one per trainee
CHART_WIDTH, CHART_HEIGHT = 80, 20


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal columns (a Chinese character takes two), ``…`` where cut."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def _centred(text: str, width: int) -> str:
    from rich.cells import cell_len

    text = _cut(text, width)
    return " " * ((width - cell_len(text)) // 2) + text


def _terminal_chart(title: str, series: list[Series], y_max: float | None, out: TextIO) -> str:
    """The chart as terminal text, every line within the terminal's width (80 columns when not a terminal).

    plotext counts a Chinese character as one column, so it draws only the canvas and the
    ASCII ticks; the title, the legend and the axis label are laid out here by display width.
    """
    import plotext as plt
    from rich.cells import cell_len

    tty = hasattr(out, "isatty") and out.isatty()
    width = CHART_WIDTH
    if tty:
        import shutil

        width = max(40, min(CHART_WIDTH, shutil.get_terminal_size((CHART_WIDTH, 24)).columns))
    drawn = [(s, CHART_COLOURS[i % len(CHART_COLOURS)]) for i, s in enumerate(series) if s.points]
    legend: list[str] = []
    line, used = "", 0
    for item, colour in drawn:
        label = _cut(item.label, width - 3)
        mark = plt.colorize("••", colour) if tty else "••"
        size = 3 + cell_len(label)
        if line and used + 2 + size > width:
            legend.append(line)
            line, used = "", 0
        line += ("  " if line else "") + f"{mark} {label}"
        used += (2 if used else 0) + size
    if line:
        legend.append(line)
    plt.clear_figure()
    if not tty:
        plt.theme("clear")  # no colour codes in files and pipes
    plt.plotsize(width, max(10, CHART_HEIGHT - 2 - len(legend)))
    for item, colour in drawn:
        plt.plot(list(range(1, len(item.points) + 1)), [y for _, y in item.points], color=colour, marker="dot")
    if y_max:
        plt.ylim(0, y_max)
        plt.yticks(SCORE_TICKS)
    else:
        ticks = count_ticks(max((y for s in series for _, y in s.points), default=1))
        plt.ylim(0, ticks[-1])
        plt.yticks(ticks)
    if len(drawn) == 1:  # one trainee: the dates, each day once
        marks = day_ticks([x for x, _ in drawn[0][0].points])
        plt.xticks([i + 1 for i, _ in marks], [day for _, day in marks])
        x_label = "日期（每次练习一个点）"
    else:
        attempts = attempt_ticks(max((len(s.points) for s, _ in drawn), default=1))
        plt.xticks(attempts, [str(n) for n in attempts])
        x_label = "第几次练习"
    chart = plt.build()
    if not tty:
        import re

        chart = re.sub(r"\x1b\[[0-9;]*m", "", chart)
    return "\n".join([_centred(title, width), *legend, chart.rstrip("\n"), _centred(x_label, width)])


def add_parsers(sub: Any) -> None:
    """Register ``history``, ``transcript``, ``report`` and ``plot``."""
    trainee = trainee_filter_option()
    table_formats = format_option("table", "json", "csv", default="table")
    history = sub.add_parser(
        "history",
        parents=[trainee, table_formats],
        help="练习记录（每次练习一行）",
        description="列出练习记录，每次练习一行。",
    )
    history.set_defaults(handler=cmd_history)

    transcript = sub.add_parser(
        "transcript",
        parents=[format_option("text", "json", default="text")],
        help="查看一次练习的完整对话",
        description="按保存的内容显示一次练习的每个回合。",
    )
    transcript.add_argument(
        "--rejudge",
        action="store_true",
        help="另外按今天的话术库重新评判每个回合，与保存的判定并排（不改动保存的得分）",
    )
    transcript.add_argument("session_id", type=ROW_ID, metavar="SESSION_ID", help="练习编号（见 simulator history）")
    transcript.set_defaults(handler=cmd_transcript)

    report = sub.add_parser(
        "report",
        parents=[table_formats],
        help="团队汇总（给组长看）",
        description="每位学员的练习次数、平均分、通过率、趋势和最常违反的规范。",
    )
    report.add_argument(
        "--trainee", type=trainee_name, metavar="NAME", help="只看这位学员，并列出各场景的首次、最高、最近得分与提升"
    )
    report.add_argument(
        "--assignments", action="store_true", help="改为列出布置的任务及每位学员的完成情况（通过、待完成、逾期）"
    )
    report.set_defaults(handler=cmd_report)

    plot = sub.add_parser(
        "plot",
        help="得分趋势图（终端显示或导出 HTML/SVG）",
        description="画出得分随时间的变化；--output 导出为 .html 或 .svg 文件。",
    )
    plot.add_argument("--trainee", type=trainee_name, metavar="NAME", help="只画这位学员")
    plot.add_argument(
        "--category", metavar="ID", help="改为画这个类别每次练习出现的次数（类别 id 或中文名，如 not_my_job 或 推诿）"
    )
    plot.add_argument("--output", metavar="FILE", help="导出到文件：.svg（图片）或 .html（网页），按扩展名决定")
    plot.add_argument("--max-trainees", type=int, default=8, help=argparse.SUPPRESS)
    plot.set_defaults(handler=cmd_plot)

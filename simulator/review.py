"""Team leads' commands: ``history``, ``transcript``, ``report``, ``plot`` (thin presenters)."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any, TextIO

from .charts import Series, html_page, svg_chart
from .progress import PASS_SCORE, TREND_WINDOW, team_report
from .scenario import OUTCOME_LABELS as SCENARIO_OUTCOMES

OUTCOME_LABELS: dict[str | None, str] = {**SCENARIO_OUTCOMES, None: "未完成"}


def _store():  # noqa: ANN202 - deferred import keeps the CLI's start-up light
    from .store import open_store

    return open_store()


def _table(out: TextIO, title: str, header: list[str], rows: list[list[str]], justify_right: set[int] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, header_style="bold", show_lines=False)
    for index, name in enumerate(header):
        table.add_column(name, justify="right" if justify_right and index in justify_right else "left")
    for row in rows:
        table.add_row(*row)
    tty = hasattr(out, "isatty") and out.isatty()
    # On a terminal rich fits the table to the window; piped output is not cut.
    Console(file=out, highlight=False, width=None if tty else 200).print(table)


def _csv(out: TextIO, header: list[str], rows: list[list[Any]]) -> None:
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def cmd_history(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _store() as store:
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
        [str(s.id), s.trainee, s.scenario_title, s.started_at[5:16].replace("T", " "), OUTCOME_LABELS.get(s.outcome, s.outcome or "未完成"),
         _fmt(s.score), str(s.turns), "考试" if s.mode == "exam" else "练习"]
        for s in sessions
    ]
    _table(out, "练习记录" + (f" · {args.trainee}" if args.trainee else ""), ["编号", "学员", "场景", "开始时间", "结果", "得分", "回合", "模式"], rows, {0, 5, 6})
    return 0


def cmd_transcript(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .cli import EXIT_FAILED

    with _store() as store:
        session = store.session(args.session_id)
        turns = store.turns(args.session_id) if session else []
    if session is None:
        err.write(f"找不到编号为 {args.session_id} 的练习记录（可用 simulator history 查看）。\n")
        return EXIT_FAILED
    if args.format == "json":
        out.write(json.dumps({"session": session.to_json(), "turns": turns}, ensure_ascii=False, indent=2) + "\n")
        return 0
    from rich.console import Console
    from rich.text import Text

    labels = _category_labels()
    console = Console(file=out, highlight=False, soft_wrap=True)
    console.print(
        Text(f"{session.scenario_title} · {session.trainee} · {session.started_at[:16].replace('T', ' ')} · "
             f"{OUTCOME_LABELS.get(session.outcome, '未完成')} · 得分 {_fmt(session.score)}", style="bold")
    )
    for turn in turns:
        console.print(Text(f"\n第 {turn['n']} 回合  客户：{turn['customer']}"))
        reply = Text("  学员：")
        body = Text(turn["reply"] if not turn["timed_out"] else "（超时未回复）")
        for hit in turn["standard"]:
            body.stylize("bold green", *hit["span"])
        for hit in turn["prohibited"]:
            body.stylize("bold white on red", *hit["span"])
        reply.append_text(body)
        console.print(reply)
        for hit in turn["prohibited"]:
            label = labels.get(hit["category"], hit["category"])
            console.print(Text(f"    ✗ 禁用语「{hit['matched']}」{label}（{hit['category']}）依据 {hit['source']}；建议：{hit['suggestion']}", style="red"))
        if turn["standard"]:
            done = dict.fromkeys(labels.get(h["category"], h["category"]) for h in turn["standard"])
            console.print(Text("    ✓ " + "、".join(done), style="green"))
        if turn["missed"]:
            missed = ["或".join(labels.get(c, c) for c in item.split("|")) for item in turn["missed"]]
            console.print(Text("    ○ 未做到：" + "、".join(missed), style="yellow"))
        console.print(Text(f"    本回合 {turn['score']} 分 · 客户情绪 {turn['mood']}", style="dim"))
    return 0


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _store() as store:
        report = team_report(store, args.trainee, _pass_marks())
        labels = _category_labels()
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
                for s in (r.scenarios or [None])
            ]
        _csv(out, header, rows)
        return 0
    if not report:
        out.write("还没有任何练习记录。\n")
        return 0
    rows = [
        [r.trainee, r.counts_text, _fmt(r.average, 1), _fmt(r.best), _fmt(None if r.pass_rate is None else r.pass_rate * 100, 0) + ("%" if r.pass_rate is not None else ""),
         f"{r.trend_arrow} {_fmt(r.trend, 1)}" if r.trend is not None else "—", (r.last_played or "—")[:10],
         "、".join(f"{labels.get(c, c)}×{n}" for c, n in r.most_broken[:2]) or "—"]
        for r in report
    ]
    _table(out, "团队练习情况", ["学员", "次数", "平均分", "最高", "通过率", "趋势", "最近练习", "最常违反"], rows, {1, 2, 3, 4})
    exams = [r for r in report if r.exams]
    if exams:
        out.write(
            f"其中考试（及格线默认 {PASS_SCORE} 分，场景可另定）："
            + "；".join(f"{r.trainee} {r.exams} 次，通过率 {_fmt(r.exam_pass_rate * 100, 0)}%" for r in exams if r.exam_pass_rate is not None)
            + "\n"
        )
    out.write(f"通过：完成且结局不是失败、得分不低于及格线（默认 {PASS_SCORE}，场景可在 scoring 里另定）；趋势：最近 {TREND_WINDOW} 次平均分减去之前 {TREND_WINDOW} 次；只统计完成的练习，未完成的单列。\n")
    if args.trainee:
        for r in report:
            srows = [[s.title, str(s.sessions), _fmt(s.first), _fmt(s.best), _fmt(s.latest), _fmt(s.average, 1),
                      (f"{s.lift:+d}" if s.lift is not None else "—")] for s in r.scenarios]
            _table(out, f"{r.trainee} · 各场景", ["场景", "次数", "首次", "最高", "最近", "平均", "提升"], srows, {1, 2, 3, 4, 5, 6})
            if r.most_missed:
                out.write("最常遗漏：" + "、".join(f"{labels.get(c, c)}×{n}" for c, n in r.most_missed) + "\n")
    return 0


def _pass_marks() -> dict[str, int]:
    """Each scenario's pass mark (its ``scoring.pass_mark``); unreadable content leaves the default."""
    from . import locations
    from .errors import ContentError
    from .scenario import load_scenarios

    try:
        return {s.id: s.model.scoring.pass_mark for s in load_scenarios(locations.scenario_sources())}
    except ContentError:
        return {}


def _category_labels() -> dict[str, str]:
    try:
        from . import locations
        from .phrasebook import load_phrasebook

        return load_phrasebook(locations.phrasebook_sources()).labels()
    except Exception:  # noqa: BLE001 - labels are cosmetic; ids still show
        return {}


def cmd_plot(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .cli import UsageError

    with _store() as store:
        names = [args.trainee] if args.trainee else store.trainees()
        if args.trainee and args.trainee not in store.trainees():
            raise UsageError(f"没有学员 {args.trainee} 的记录")
        series: list[Series] = []
        for name in names[: args.max_trainees]:
            if args.category:
                rows = store.category_series(name, args.category)
                series.append(Series(name, [(str(at)[5:10], float(count)) for at, _, count in rows]))
            else:
                sessions = [s for s in store.sessions(trainee=name) if s.score is not None]
                series.append(Series(name, [(s.started_at[5:10], float(s.score or 0)) for s in sessions]))
    labels = _category_labels()
    if args.category:
        title = f"{labels.get(args.category, args.category)}（{args.category}）每次练习的次数"
        y_label, y_max = "次数", None
    else:
        title = "得分趋势" + (f" · {args.trainee}" if args.trainee else "")
        y_label, y_max = "得分", 100.0
    if args.output:
        path = Path(args.output)
        svg = svg_chart(title, series, y_label=y_label, y_max=y_max)
        if path.suffix.lower() == ".svg":
            path.write_text(svg, encoding="utf-8")
        else:
            rows = [[s.label, str(len(s.points)), _fmt(sum(y for _, y in s.points) / len(s.points) if s.points else None, 1)] for s in series]
            path.write_text(html_page(title, svg, rows, ["学员", "次数", "平均"]), encoding="utf-8")
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

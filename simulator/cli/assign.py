"""``simulator assign``: a lead sets scenarios for a trainee or a team; ``report --assignments`` shows completion."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any, TextIO

from ..assignments import MODE_LABELS, AssignmentError, build_progress, check_pass_mark, parse_due
from ..terminal import printable
from .common import (
    EXIT_FAILED,
    ROW_ID,
    UsageError,
    bounded_int,
    dump,
    format_option,
    load_scenarios_for,
    open_store,
    trainee_name,
)
from .tables import write_csv, write_table


def cmd_add(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scenarios = {s.id: s for s in load_scenarios_for(args)}
    scenario = scenarios.get(args.scenario_id)
    if scenario is None:
        raise UsageError(f"找不到场景 {args.scenario_id}；可用的场景：{'、'.join(sorted(scenarios))}")
    try:
        due = parse_due(args.due)
        pass_mark = check_pass_mark(args.pass_mark if args.pass_mark is not None else scenario.model.scoring.pass_mark)
    except AssignmentError as exc:
        raise UsageError(str(exc)) from None
    if due is not None and due < date.today().isoformat():
        err.write(f"⚠ 截止日期 {due} 已经过去，这项任务一布置就是逾期。\n")
    with open_store(args) as store:
        assignment_id = store.add_assignment(
            scenario=scenario.id,
            title=scenario.title,
            trainee=args.trainee,
            team=args.team,
            pass_mark=pass_mark,
            mode=args.mode,
            due=due,
        )
    target = f"学员 {args.trainee}" if args.trainee else f"组“{args.team}”的每位学员"
    due_text = f"，截止 {due}" if due else "，不限日期"
    what = f"{scenario.title}（{MODE_LABELS[args.mode]}，及格 {pass_mark} 分{due_text}）"
    out.write(printable(f"✓ 已布置任务 {assignment_id}：{what}给{target}") + "\n")
    return 0


def cmd_remove(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args) as store:
        removed = store.remove_assignment(args.assignment_id)
    if not removed:
        err.write(f"找不到编号为 {args.assignment_id} 的任务（或不是你负责的组的）。\n")
        return EXIT_FAILED
    out.write(f"✓ 已撤销任务 {args.assignment_id}（为它做过的练习仍然保留）\n")
    return 0


def report_assignments(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Completion per assignment: table, JSON (with every trainee's standing) or CSV (one row per trainee)."""
    with open_store(args, create=False) as store:
        progress = build_progress(store.assignment_rows(args.trainee), date.today().isoformat())
    if args.format == "json":
        dump([p.to_json() for p in progress], out)
        return 0
    if args.format == "csv":
        header = [
            "assignment",
            "scenario",
            "title",
            "target_trainee",
            "team",
            "mode",
            "pass_mark",
            "due",
            "created_at",
            "trainee",
            "state",
            "attempts",
            "best",
            "passed_at",
        ]
        rows = [
            [
                p.assignment.id,
                p.assignment.scenario,
                p.assignment.title,
                p.assignment.trainee or "",
                p.assignment.team or "",
                p.assignment.mode,
                p.assignment.pass_mark,
                p.assignment.due or "",
                p.assignment.created_at,
                s.trainee,
                s.state,
                s.attempts,
                "" if s.best is None else s.best,
                s.passed_at or "",
            ]
            for p in progress
            for s in (p.standings or [None])  # type: ignore[list-item]
            if s is not None
        ]
        write_csv(out, header, rows)
        return 0
    if not progress:
        out.write("还没有布置任何任务（simulator assign add …）。\n")
        return 0
    table = [
        [
            str(p.assignment.id),
            p.assignment.title,
            p.assignment.target,
            MODE_LABELS.get(p.assignment.mode, ""),
            str(p.assignment.pass_mark),
            p.assignment.due or "—",
            p.summary,
        ]
        for p in progress
    ]
    write_table(out, "任务完成情况", ["编号", "场景", "布置给", "模式", "及格", "截止", "完成"], table, {0, 4})
    if args.trainee or len(progress) <= 3:
        for p in progress:
            standings = "；".join(
                f"{s.trainee} {s.label}" + (f"（最好 {s.best} 分，{s.attempts} 次）" if s.attempts else "（未练）")
                for s in p.standings
            )
            standings = standings or "（组里还没有学员）"
            out.write(printable(f"任务 {p.assignment.id} {p.assignment.title}：{standings}") + "\n")
    out.write(
        "计算方法：只算布置之后开始并完成的练习（考试任务只算考试模式）；达到及格线且结局不是失败即为通过；"
        "过了截止日期仍未通过为逾期。\n"
    )
    return 0


def add_parsers(sub: Any) -> None:
    """Register ``assign`` and its subcommands."""
    assign = sub.add_parser(
        "assign",
        help="给学员或整个组布置练习任务（组长）",
        description="布置任务：指定场景、及格线、模式（练习或考试）和截止日期；学员在场景列表顶部看到自己的任务。",
    )
    actions = assign.add_subparsers(dest="assign_command", metavar="操作", required=True)
    add = actions.add_parser(
        "add",
        help="布置一项任务",
        description="把一个场景布置给一位学员（--trainee）或一个组（--team）。",
    )
    add.add_argument("scenario_id", metavar="SCENARIO_ID", help="场景 id（见 simulator validate 或界面中的场景列表）")
    target = add.add_mutually_exclusive_group(required=True)
    target.add_argument("--trainee", type=trainee_name, metavar="NAME", help="布置给这位学员")
    target.add_argument("--team", metavar="TEAM", help="布置给这个组的每位学员（以后加入的也算）")
    add.add_argument("--pass-mark", type=bounded_int(0, 100), metavar="N", help="及格线（默认用场景自己的及格线）")
    add.add_argument(
        "--mode", choices=["practice", "exam"], default="practice", help="practice 练习 或 exam 考试（默认练习）"
    )
    add.add_argument("--due", metavar="YYYY-MM-DD", help="截止日期（可不填）")
    add.set_defaults(handler=cmd_add)

    listing = actions.add_parser(
        "list",
        parents=[format_option("table", "json", "csv", default="table")],
        help="任务及每位学员的完成情况",
        description="列出任务和完成情况（与 simulator report --assignments 相同）。",
    )
    listing.add_argument("--trainee", type=trainee_name, metavar="NAME", help="只看这位学员的任务")
    listing.set_defaults(handler=report_assignments)

    remove = actions.add_parser("remove", help="撤销一项任务", description="撤销任务；为它做过的练习记录保留。")
    remove.add_argument("assignment_id", type=ROW_ID, metavar="ID", help="任务编号（见 simulator assign list）")
    remove.set_defaults(handler=cmd_remove)

"""``simulator score`` and ``simulator eval``: the judging engine on replies and on labelled sets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from .common import (
    EXIT_OK,
    UsageError,
    console,
    dump,
    format_option,
    lines,
    load_matcher,
    load_scenarios_for,
    phrasebook_option,
    rules_only_option,
)

PREVIEW = 40  # characters of a refused (too long) reply echoed back


def cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..judge import ReplyTooLong, judge
    from ..render import judgement_text

    if args.node and not args.scenario:
        raise UsageError("--node 需要与 --scenario 一起使用")
    matcher = load_matcher(args, err, learned=not args.rules_only)
    moment = None
    if args.scenario:
        scenarios = {s.id: s for s in load_scenarios_for(args, matcher.book.kinds(), err)}
        scenario = scenarios.get(args.scenario)
        if scenario is None:
            raise UsageError(f"找不到场景 {args.scenario}（可用的场景：{'、'.join(sorted(scenarios))}）")
        node_id = args.node or scenario.start
        if node_id not in scenario.nodes:
            raise UsageError(f"场景 {args.scenario} 没有节点 {node_id}（可选：{'、'.join(scenario.nodes)}）")
        moment = scenario.moment(node_id)
    matcher.warm_up()
    collected: list[dict[str, Any]] = []
    screen = console(out) if args.format == "text" else None
    for number, text in enumerate(lines(args.text, sys.stdin), 1):
        try:
            verdict = judge(matcher, text, moment=moment)
        except ReplyTooLong as exc:  # this line only: the others are judged as usual
            refused = {
                "text": text[:PREVIEW] + ("…" if len(text) > PREVIEW else ""),
                "line": number,
                "length": exc.length,
                "error": str(exc),
            }
            if args.format == "jsonl":
                out.write(json.dumps(refused, ensure_ascii=False) + "\n")
                out.flush()
            elif args.format == "json":
                collected.append(refused)
            else:
                err.write(f"✗ 第 {number} 行：{exc}\n")
            continue
        if args.format == "jsonl":
            out.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")
            out.flush()
        elif args.format == "json":
            collected.append(verdict.to_json())
        elif screen is not None:
            screen.print(judgement_text(verdict))
    if args.format == "json":
        dump(collected, out)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.reviewed:
        from .reviewing import evaluate_reviewed

        return evaluate_reviewed(args, out, err)
    if not args.files:
        raise UsageError("请给出评测集文件或目录，或用 --reviewed 评测复核过的回合")
    from ..corpus import split_of
    from ..evaluation import evaluate, load_items, report_text
    from ..yamlfile import yaml_files

    files = []
    for path in args.files:
        if not path.exists():
            raise UsageError(f"评测集不存在：{path}")
        files.extend(yaml_files([path]))
    matcher = load_matcher(args, err, learned=not args.rules_only)
    matcher.warm_up()
    items = [item for path in files for item in load_items(path)]
    if args.split:
        items = [item for item in items if split_of(item["reply"]) == args.split]
    scenarios = {s.id: s for s in load_scenarios_for(args, matcher.book.kinds(), err)}
    report = evaluate(matcher, items, scenarios)
    if args.format == "json":
        dump(report.as_dict(), out)
    else:
        out.write(report_text(report, matcher.book.labels()) + "\n")
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Register ``score`` and ``eval``."""
    phrasebook, rules_only = phrasebook_option(), rules_only_option()
    score = sub.add_parser(
        "score",
        parents=[phrasebook, rules_only, format_option("text", "json", "jsonl", default="text")],
        help="给回复打分并解释命中",
        description="给每条回复打分；不给 TEXT 时逐行读取标准输入。",
    )
    score.add_argument("text", nargs="*", metavar="TEXT", help="要评分的回复")
    score.add_argument("--scenario", metavar="ID", help="在该场景的某个时刻评分（默认开场节点）")
    score.add_argument(
        "--node", metavar="NODE", help="与 --scenario 一起用：按这个节点（客户刚说的话、节点的要求）评分"
    )
    score.add_argument("--scenarios", action="append", type=Path, metavar="PATH", help=argparse.SUPPRESS)
    score.set_defaults(handler=cmd_score)

    evaluation = sub.add_parser(
        "eval",
        parents=[phrasebook, rules_only, format_option("text", "json", default="text")],
        help="用带标注的评测集衡量评判引擎",
        description="对带标注的评测集打分，输出禁用语与常用语的精确率、召回率。",
    )
    evaluation.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="评测集 YAML 文件或目录（如 corpus/、../shared/eval/dev.yaml）",
    )
    evaluation.add_argument(
        "--split", choices=["train", "dev", "test"], help="只评测语料的这一部分（按回复文本的稳定哈希划分）"
    )
    evaluation.add_argument(
        "--reviewed", action="store_true", help="改为评测进度数据库里复核过的回合：现在的引擎与当时的判定对比"
    )
    evaluation.set_defaults(handler=cmd_eval)

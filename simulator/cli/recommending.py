"""``simulator recommend``: what a trainee should practise next, and why (one Chinese sentence each)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ..recommend import TOP, losses_from_rows, recommend
from ..terminal import printable
from .common import (
    bounded_int,
    category_labels,
    dump,
    format_option,
    known_trainee,
    load_scenarios_for,
    open_store,
    trainee_name,
)


def cmd_recommend(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scenarios = load_scenarios_for(args)
    with open_store(args, create=False) as store:
        trainee = known_trainee(store, args.trainee)  # an unknown name: exit 2, as history, report and plot
        rows = store.recent_losses(trainee)
    found = recommend(losses_from_rows(rows), scenarios, category_labels(), top=args.top)
    if args.format == "json":
        dump({"trainee": trainee, "recommendations": [r.to_json() for r in found]}, out)
        return 0
    if not rows:
        out.write(printable(f"学员 {trainee} 还没有练习记录，先从任意一个场景开始吧。") + "\n")
    elif not found:
        out.write(printable(f"学员 {trainee} 最近的练习没有失分的地方，可以挑难度更高的场景。") + "\n")
    for item in found:
        out.write(printable(f"{item.reason}（场景 id：{item.scenario}）") + "\n")
    return 0


def add_parsers(sub: Any) -> None:
    """Register ``recommend``."""
    parser = sub.add_parser(
        "recommend",
        parents=[format_option("text", "json", default="text")],
        help="推荐下一步练习的场景（附理由）",
        description="根据学员最近练习中最常违反的禁用语、最常遗漏的常用语（越近权重越大），"
        "和每个场景各节点要求的类别，推荐下一步练习的场景，每条附一句理由。",
    )
    parser.add_argument("--trainee", type=trainee_name, required=True, metavar="NAME", help="学员姓名")
    parser.add_argument("--top", type=bounded_int(1, 20), default=TOP, help=f"推荐几个（默认 {TOP}）")
    parser.set_defaults(handler=cmd_recommend)

"""``simulator new scenario ID``: a commented scenario skeleton that passes ``validate`` and ``test``."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any, TextIO

from .. import locations
from .common import EXIT_OK, UsageError, load_scenarios_for, os_reason
from .content import write_schemas

# Three nodes, two endings, one example playthrough; tests/test_authoring.py keeps it valid.
SCENARIO_TEMPLATE = """# yaml-language-server: $schema=__SCHEMA__
# 场景骨架：由 simulator new scenario 生成。照着注释改成你自己的剧情（# 后面是注释，可以删掉）。
# 改完运行：
#   simulator validate __FILE__    检查格式和剧情结构
#   simulator test __FILE__        回放下面的示范对练
# 每个字段的说明见《场景编写指南》（随产品发布的 scenarios/README.md）。

version: 1
id: __ID__                        # 场景编号：小写英文、数字、下划线，不能和别的场景重复
title: 上门检查空调（请改成你的标题）  # 40 字以内，显示在场景列表里
difficulty: 1                   # 难度 1–3
tags: [上门, 检查]               # 标签：学员筛选时可以输入标签
aliases: [空调]                  # 别名：学员筛选时输入这些词也能找到本场景
summary: 客户家的空调不制冷，约好今天上门检查。   # 简介，选择场景时显示
goal: 问候并自我介绍，检查前征得同意，完工后致谢道别。  # 练习目标
source: 售后服务人员服务准则     # 依据的规范条款
persona:                        # 学员面对的客户
  name: 刘先生
  role: 住户
  description: 空调用了三年，昨天突然不制冷，有点着急。
mood:
  start: 50                     # 开场情绪：0 暴怒 — 100 满意
start: opening                  # 对话从哪个节点开始

nodes:                          # 三个节点：开场 → 检查 → 完工
  opening:
    title: 开场                  # 复盘时显示路径用
    customer:                   # 客户这句话的几种说法，每次随机选一种
      - 师傅你来了，快看看这空调怎么回事。
      - 你好，是来修空调的吧？
    expects:
      required: [greeting, self_intro]   # 必须做到的常用语类别（类别 id 见《话术库编写指南》）
      optional: [empathy]                # 做到会加分
    model_answer: 刘先生您好，我是售后服务工程师小王，今天来给您检查空调。
    hint: 先问候，再说清楚你是谁、来做什么。
    transitions:                # 从上到下检查，第一条满足的生效
      - {when: prohibited, goto: complained}   # 说了禁用语
      - {when: always, goto: check}            # 其他情况

  check:
    title: 检查前
    customer:
      - 那你赶紧看看吧，我下午还要出门。
    expects:
      required: [ask_permission]
    model_answer: 我需要先断电检查一下室外机，您看现在方便吗？
    hint: 动手之前先征得客户同意。
    transitions:
      - {when: prohibited, goto: complained}
      - {when: met, goto: wrap_up}             # 做到了全部要求
      - {when: missed, goto: complained}       # 没做到要求

  wrap_up:
    title: 完工
    customer:
      - 凉了凉了，修好了就好。
    expects:
      required: [thanks]
      optional: [farewell]
    model_answer: 谢谢您的配合，以后有问题随时联系我们，再见。
    transitions:
      - {when: prohibited, goto: complained}
      - {when: always, goto: fixed}

endings:                        # 两个结局：至少一个 outcome: good
  fixed:
    outcome: good               # good 圆满 / neutral 一般 / bad 失败
    title: 顺利修好
    customer: 谢谢师傅，慢走。
    debrief: 问候、征得同意、致谢道别都做到了，客户很满意。
  complained:
    outcome: bad
    title: 客户不满
    customer: 你这是什么态度？我要投诉。
    debrief: 说了禁用语或没有征得同意，客户失去信任。

examples:                       # 示范对练：simulator test 会逐条回放并核对 expect
  - name: 规范处理
    replies:                    # 学员每回合的回复；写 <超时> 表示这回合没回复
      - 刘先生您好，我是售后服务工程师小王，今天来给您检查空调。
      - 我需要先断电检查一下室外机，您看现在方便吗？
      - 谢谢您的配合，以后有问题随时联系我们，再见。
    expect:
      path: [opening, check, wrap_up]   # 依次经过的节点
      ending: fixed                     # 最后到达的结局
      score_min: 80                     # 整场得分不低于
"""


def _schema_reference(target: Path, schema: Path) -> str:
    """The schema as the modeline names it: relative to the file when possible."""
    try:
        return Path(os.path.relpath(schema.resolve(), target.resolve().parent)).as_posix()
    except ValueError:  # another drive (Windows)
        return schema.resolve().as_posix()


def cmd_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scenario_id = args.id
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,47}", scenario_id):
        raise UsageError(f"场景 id {scenario_id} 不合规：只能用小写英文字母、数字和下划线，以字母开头")
    taken = {s.id: s.file for s in load_scenarios_for(args, err=err)}
    if scenario_id in taken:
        raise UsageError(f"场景 id {scenario_id} 已被 {taken[scenario_id]} 使用，请换一个 id")
    target = Path(args.output) if args.output else locations.user_scenarios_dir() / f"{scenario_id}.yaml"
    if target.exists():
        raise UsageError(f"文件已存在，没有覆盖：{target}")
    try:
        [schema] = write_schemas(locations.schemas_dir(), ["scenario"])
        target.parent.mkdir(parents=True, exist_ok=True)
        text = (
            SCENARIO_TEMPLATE.replace("__ID__", scenario_id)
            .replace("__SCHEMA__", _schema_reference(target, schema))
            .replace("__FILE__", str(target))
        )
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"无法写入 {target}（{os_reason(exc)}）") from None
    out.write(f"已创建场景骨架：{target}\n")
    out.write("它已经可以练习和回放；照着文件里的注释改成你的剧情，改完运行：\n")
    out.write(f"  simulator validate {target}\n  simulator test {target}\n")
    if not args.output:
        out.write("这个文件在你的场景目录里，终端界面的场景列表会显示它。\n")
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Register ``new``."""
    new = sub.add_parser(
        "new",
        help="新建内容文件（场景骨架）",
        description="新建一个带注释的场景骨架（三个节点、两个结局、一段示范对练），可以直接通过 validate 和 test。",
    )
    new.add_argument("kind", choices=["scenario"], help="要新建的内容：scenario（场景）")
    new.add_argument("id", metavar="ID", help="场景 id：小写英文字母、数字和下划线，如 aircon_first_visit")
    new.add_argument(
        "--output", metavar="FILE", help="写到这个文件（默认：你的场景目录下的 ID.yaml，见 simulator paths）"
    )
    new.add_argument("--scenarios", action="append", type=Path, metavar="PATH", help=argparse.SUPPRESS)
    new.set_defaults(handler=cmd_new)

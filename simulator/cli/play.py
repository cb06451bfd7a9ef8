"""``simulator play``: a scenario driven line by line, without the TUI; each turn stored as it is played."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from ..dialogue import EXAM_SEED, Dialogue
from ..mood import mood_label
from ..record import TurnRecord, missed_names
from ..scenario import OUTCOME_LABELS, TIMEOUT_REPLY
from ..store import utc_now
from .common import (
    EXIT_OK,
    UsageError,
    load_matcher,
    load_scenarios_for,
    open_store,
    phrasebook_option,
)


def _event(out: TextIO, data: dict[str, Any]) -> None:
    out.write(json.dumps(data, ensure_ascii=False) + "\n")
    out.flush()


def _turn_text(turn: TurnRecord, labels: dict[str, str]) -> str:
    """One played turn in plain text: the reply, its marks, the score and mood, suggestions."""
    lines = [f"你：{turn.reply if not turn.timed_out else '（超时未回复）'}"]
    marks = [f"✗ {labels.get(h.category, h.category)}「{h.matched}」" for h in turn.prohibited]
    marks += [f"✓ {labels.get(h.category, h.category)}" for h in turn.standard]
    marks += [f"○ 未做到：{names}" for names in missed_names(turn, labels)]
    lines.append(
        "    " + ("  ".join(marks) if marks else "（无命中）")
        + f"   本回合 {turn.score} 分 · 客户情绪 {turn.mood}（{mood_label(turn.mood)}）"
    )
    for hit in turn.prohibited:
        if hit.suggestion:
            lines.append(f"    建议：{hit.suggestion}（{hit.source}）")
    return "\n".join(lines)


def play_session(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    matcher = load_matcher(args, err)
    labels = matcher.book.labels()
    scenarios = {s.id: s for s in load_scenarios_for(args, matcher.book.kinds())}
    scenario = scenarios.get(args.scenario_id)
    if scenario is None:
        raise UsageError(f"找不到场景 {args.scenario_id}；可用的场景：{'、'.join(sorted(scenarios))}")
    if not args.trainee.strip():
        raise UsageError("学员姓名不能为空")
    if args.replies == "-":
        source: TextIO = sys.stdin
    else:
        path = Path(args.replies)
        if not path.exists():
            raise UsageError(f"回复文件不存在：{path}")
        source = path.open(encoding="utf-8")
    seed = EXAM_SEED if args.exam else (args.seed if args.seed is not None else random.randrange(1 << 30))
    matcher.warm_up()
    dialogue = Dialogue(scenario, matcher, seed=seed)
    started_at = utc_now()
    recorder = None
    store = None
    if not args.no_record:
        store = open_store(args)
        recorder = store.begin_session(
            trainee=args.trainee.strip(), scenario=scenario, seed=seed, mode="exam" if args.exam else "practice",
            started_at=started_at,
        )
    session_id = recorder.session_id if recorder else None
    fmt = args.format
    if fmt == "jsonl":
        _event(out, {"event": "start", "session": session_id, "scenario": scenario.id, "title": scenario.title,
                     "trainee": args.trainee, "seed": seed, "node": dialogue.node_id,
                     "customer": dialogue.customer_line, "mood": dialogue.mood})
    elif fmt == "text":
        out.write(f"【{scenario.title}】学员：{args.trainee}\n客户（{scenario.persona.name}）：{dialogue.customer_line}\n")
        out.flush()
    finished_recorded = False
    try:
        started = time.monotonic()
        for raw in iter(source.readline, ""):
            text = raw.rstrip("\r\n")
            seconds = round(time.monotonic() - started, 3)
            played = dialogue.timeout(seconds) if text == TIMEOUT_REPLY else dialogue.reply(text, seconds)
            turn = played.record()
            if recorder:
                recorder.record_turn(turn)
                if dialogue.finished:  # stored the moment it is reached, not when input ends
                    recorder.finish(dialogue.end())
                    finished_recorded = True
            if fmt == "jsonl":
                _event(out, {"event": "turn", **turn.to_json()})
            elif fmt == "text":
                out.write(_turn_text(turn, labels) + "\n")
                who = "客户" if not dialogue.finished else "结局"
                if dialogue.finished and dialogue.ending:
                    if turn.next_customer:
                        out.write(f"客户：{turn.next_customer}\n")
                    out.write(f"{who}：{dialogue.ending.title}\n")
                else:
                    out.write(f"客户：{turn.next_customer}\n")
                out.flush()
            if dialogue.finished:
                break  # nothing more to read: the conversation is over
            started = time.monotonic()
    finally:
        if source is not sys.stdin:
            source.close()
        if recorder and not finished_recorded:
            recorder.finish(dialogue.end())
    result = dialogue.result() | {"session": session_id, "trainee": args.trainee, "seed": seed}
    if fmt == "jsonl":
        _event(out, {"event": "end", **result})
    elif fmt == "json":
        # "session" has the shape of a `history --format json` row, as `transcript` does.
        stored = store.session(session_id) if store is not None and session_id is not None else None
        session = stored.to_json() if stored else {
            "id": None, "trainee": args.trainee, "scenario": scenario.id, "started_at": started_at,
            "finished": dialogue.finished, "outcome": result["outcome"], "score": dialogue.score,
            "turns": len(dialogue.turns),
        }
        out.write(json.dumps({"session": session, "turns": [t.record().to_json() for t in dialogue.turns], "result": result},
                             ensure_ascii=False, indent=2) + "\n")
    else:
        state = (
            f"结局：{dialogue.ending.title}（{OUTCOME_LABELS[dialogue.ending.outcome]}）"
            if dialogue.ending
            else "对话未结束（回复已用完）"
        )
        out.write(f"\n{state}；总分 {dialogue.score}；共 {len(dialogue.turns)} 回合\n")
    if store is not None:
        store.close()
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Register ``play``."""
    play = sub.add_parser(
        "play", parents=[phrasebook_option()],
        help="不用界面，按行读入回复进行对练",
        description="不打开界面进行对练：每行一句回复，读到一行就评一行；写 <超时> 表示这回合没有回复。",
    )
    play.add_argument("scenario_id", metavar="SCENARIO_ID", help="场景 id")
    play.add_argument("--trainee", required=True, metavar="NAME", help="学员姓名")
    play.add_argument("--replies", required=True, metavar="FILE", help="回复文件，- 表示标准输入")
    play.add_argument("--format", choices=["text", "json", "jsonl"], default="text", help="输出格式（默认 text）")
    play.add_argument("--no-record", action="store_true", help="不记录到进度数据库")
    play.add_argument("--seed", type=int, default=None, help="客户台词的随机种子（默认随机）")
    play.add_argument("--exam", action="store_true", help="考试模式：固定种子，便于比较")
    play.add_argument("--scenarios", action="append", type=Path, metavar="PATH", help="额外的场景文件或目录（可重复）")
    play.set_defaults(handler=play_session)

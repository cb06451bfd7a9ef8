"""``simulator play``: a scenario driven line by line, without the TUI; each turn stored as it is played."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..mood import mood_label
from ..record import OUTCOME_LABELS, TurnRecord, missed_names
from ..terminal import printable
from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    SEED,
    UsageError,
    load_matcher,
    load_scenarios_for,
    open_store,
    phrasebook_option,
)

if TYPE_CHECKING:
    from ..store import Store


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
        "    "
        + ("  ".join(marks) if marks else "（无命中）")
        + f"   本回合 {turn.score} 分 · 客户情绪 {turn.mood}（{mood_label(turn.mood)}）"
    )
    for hit in turn.prohibited:
        if hit.suggestion:
            lines.append(f"    建议：{hit.suggestion}（{hit.source}）")
    return "\n".join(lines)


class RepliesError(Exception):
    """The replies could not be read further (the message is Chinese and names the line)."""


def _decoded(lines: Iterator[bytes], name: str) -> Iterator[str]:
    for number, raw in enumerate(lines, 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            hint = "请用 UTF-8 编码输入" if name == "标准输入" else "请把文件另存为 UTF-8 后再试"
            raise RepliesError(f"{name}第 {number} 行不是 UTF-8 编码的文字；{hint}") from None
        yield text.rstrip("\r\n").lstrip("\ufeff") if number == 1 else text.rstrip("\r\n")


def _replies(where: str) -> Iterator[str]:
    """The reply lines of ``--replies`` (a file, or ``-`` for stdin, read as each line arrives).

    A file is read and checked whole before anything is stored, so a bad file
    starts no session; stdin is checked line by line.
    """
    if where == "-":
        stdin = sys.stdin
        if stdin is None or stdin.closed:
            raise UsageError("标准输入已关闭，无法读取回复（--replies -）")
        buffer = getattr(stdin, "buffer", None)
        if buffer is None:  # a text stream (tests, embedding): already decoded
            return (line.rstrip("\r\n") for line in iter(stdin.readline, ""))
        return _decoded(iter(buffer.readline, b""), "标准输入")
    path = Path(where)
    if not path.exists():
        raise UsageError(f"回复文件不存在：{path}")
    if path.is_dir():
        raise UsageError(f"回复文件 {path} 是一个目录，请指定文件")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取回复文件 {path}（{exc.strerror or exc}）") from None
    try:
        lines = list(_decoded(iter(data.splitlines(keepends=True)), f"回复文件 {path} "))
    except RepliesError as exc:
        raise UsageError(str(exc)) from None
    return iter(lines)


def play_session(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # Here, not at the top: every command imports this module to build the parser.
    from ..dialogue import EXAM_SEED, Dialogue
    from ..judge import ReplyTooLong
    from ..scenario import TIMEOUT_REPLY
    from ..store import utc_now
    from ..store.errors import StoreError

    matcher = load_matcher(args, err)
    labels = matcher.book.labels()
    scenarios = {s.id: s for s in load_scenarios_for(args, matcher.book.kinds(), err)}
    scenario = scenarios.get(args.scenario_id)
    if scenario is None:
        raise UsageError(f"找不到场景 {args.scenario_id}；可用的场景：{'、'.join(sorted(scenarios))}")
    if not args.trainee.strip():
        raise UsageError("学员姓名不能为空")
    source = _replies(args.replies)
    seed = EXAM_SEED if args.exam else (args.seed if args.seed is not None else random.randrange(1 << 30))
    matcher.warm_up()
    dialogue = Dialogue(scenario, matcher, seed=seed)
    started_at = utc_now()
    recorder = None
    store = None
    if not args.no_record:
        store = open_store(args)
        recorder = store.begin_session(
            trainee=args.trainee.strip(),
            scenario=scenario,
            seed=seed,
            mode="exam" if args.exam else "practice",
            started_at=started_at,
        )
    session_id = recorder.session_id if recorder else None
    fmt = args.format
    if fmt == "jsonl":
        _event(
            out,
            {
                "event": "start",
                "session": session_id,
                "scenario": scenario.id,
                "title": scenario.title,
                "trainee": args.trainee,
                "seed": seed,
                "node": dialogue.node_id,
                "customer": dialogue.customer_line,
                "mood": dialogue.mood,
            },
        )
    elif fmt == "text":
        out.write(printable(f"【{scenario.title}】学员：{args.trainee}") + "\n")
        out.write(printable(f"客户（{scenario.persona.name}）：{dialogue.customer_line}") + "\n")
        out.flush()
    finished_recorded = False
    failure: str | None = None
    interrupted = False
    saved = 0  # turns committed to the store
    try:
        started = time.monotonic()
        for number, text in enumerate(source, 1):
            seconds = round(time.monotonic() - started, 3)
            try:
                played = dialogue.timeout(seconds) if text == TIMEOUT_REPLY else dialogue.reply(text, seconds)
            except ReplyTooLong as exc:  # the line is not a turn: say so and read the next one
                if fmt == "jsonl":
                    _event(out, {"event": "error", "line": number, "length": exc.length, "error": str(exc)})
                else:
                    err.write(f"✗ 第 {number} 行：{exc}（这一行没有作为回复）\n")
                continue
            turn = played.record()
            if recorder:
                try:
                    recorder.record_turn(turn)
                    saved += 1
                    if dialogue.finished:  # stored the moment it is reached, not when input ends
                        recorder.finish(dialogue.end())
                        finished_recorded = True
                except StoreError as exc:
                    saved = turn.n - 1
                    failure = f"保存第 {turn.n} 回合时出错：{exc}\n已保存的 {saved} 个回合不会丢失" + (
                        "；数据库恢复后，在界面中选择这个场景按 c 可以接着练。" if saved else "。"
                    )
                    recorder = None
                    break
            if fmt == "jsonl":
                _event(out, {"event": "turn", **turn.to_json()})
            elif fmt == "text":
                out.write(printable(_turn_text(turn, labels), newlines=True) + "\n")
                who = "客户" if not dialogue.finished else "结局"
                if dialogue.finished and dialogue.ending:
                    if turn.next_customer:
                        out.write(printable(f"客户：{turn.next_customer}") + "\n")
                    out.write(printable(f"{who}：{dialogue.ending.title}") + "\n")
                else:
                    out.write(printable(f"客户：{turn.next_customer}") + "\n")
                out.flush()
            if dialogue.finished:
                break  # nothing more to read: the conversation is over
            started = time.monotonic()
    except RepliesError as exc:
        failure = str(exc)
    except KeyboardInterrupt:  # Ctrl-C: every turn so far is committed; the session stays unfinished
        interrupted = True
    finally:
        if recorder and not finished_recorded and failure is None:
            recorder.finish(dialogue.end())
    if interrupted:
        return _interrupted(err, store, session_id, saved, finished=dialogue.finished)
    if failure is not None:
        if store is not None and session_id is not None:
            store.discard_if_empty(session_id)  # a session that never got a turn leaves nothing behind
            store.close()
        err.write(f"✗ {failure}\n")
        return EXIT_FAILED
    result = dialogue.result() | {"session": session_id, "trainee": args.trainee, "seed": seed}
    if fmt == "jsonl":
        _event(out, {"event": "end", **result})
    elif fmt == "json":
        # "session" has the shape of a `history --format json` row, as `transcript` does.
        stored = store.session(session_id) if store is not None and session_id is not None else None
        session = (
            stored.to_json()
            if stored
            else {
                "id": None,
                "trainee": args.trainee,
                "scenario": scenario.id,
                "started_at": started_at,
                "finished": dialogue.finished,
                "outcome": result["outcome"],
                "score": dialogue.score,
                "turns": len(dialogue.turns),
            }
        )
        out.write(
            json.dumps(
                {"session": session, "turns": [t.record().to_json() for t in dialogue.turns], "result": result},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
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


def _interrupted(err: TextIO, store: Store | None, session_id: int | None, saved: int, *, finished: bool) -> int:
    """Say what Ctrl-C left behind (the conversation did not run out of replies: it was stopped)."""
    if store is None or session_id is None:
        err.write("\n已中断：对话没有结束（--no-record，没有保存任何回合）。\n")
    elif finished:
        err.write(f"\n已中断：对话已经结束，{saved} 个回合都已保存。\n")
    elif saved:
        err.write(f"\n已中断：对话没有结束，已保存的 {saved} 个回合不会丢失；在界面中选择这个场景按 c 可以接着练。\n")
    else:
        store.discard_if_empty(session_id)  # a session that never got a turn leaves nothing behind
        err.write("\n已中断：还没有作答，没有保存任何回合。\n")
    if store is not None:
        store.close()
    return EXIT_INTERRUPTED


def add_parsers(sub: Any) -> None:
    """Register ``play``."""
    play = sub.add_parser(
        "play",
        parents=[phrasebook_option()],
        help="不用界面，按行读入回复进行对练",
        description="不打开界面进行对练：每行一句回复，读到一行就评一行；写 <超时> 表示这回合没有回复。",
    )
    play.add_argument("scenario_id", metavar="SCENARIO_ID", help="场景 id")
    play.add_argument("--trainee", required=True, metavar="NAME", help="学员姓名")
    play.add_argument("--replies", required=True, metavar="FILE", help="回复文件，- 表示标准输入")
    play.add_argument("--format", choices=["text", "json", "jsonl"], default="text", help="输出格式（默认 text）")
    play.add_argument("--no-record", action="store_true", help="不记录到进度数据库")
    play.add_argument("--seed", type=SEED, default=None, help="客户台词的随机种子（默认随机）")
    play.add_argument("--exam", action="store_true", help="考试模式：固定种子，便于比较")
    play.add_argument("--scenarios", action="append", type=Path, metavar="PATH", help="额外的场景文件或目录（可重复）")
    play.set_defaults(handler=play_session)

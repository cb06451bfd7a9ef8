"""``simulator review list|show|mark|dispute|suggest`` and ``simulator corpus export``: the review loop.

Trainees dispute a judgement; trainers work through the queue and mark what
the engine got wrong; marks measure the engine (``eval --reviewed``), become
labelled data (``corpus export``) and phrasebook suggestions (``review
suggest``, written only with ``--accept``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .. import locations
from ..calibration import corpus_yaml, judged_as, labelled, phrasebook_yaml, queue_from, suggestion
from ..contentfiles import yaml_files  # the listing alone: no YAML parser, no pydantic
from ..errors import ContentError
from ..record import MARK_KINDS, Mark, SessionRecord, TurnRecord
from ..terminal import printable
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    category_labels,
    dump,
    format_option,
    open_store,
    trainee_name,
    write_output,
    write_problems,
)
from .parse import ChineseArgumentParser

if TYPE_CHECKING:
    from ..store import Store

SUGGESTIONS_FILE = "复核建议.yaml"  # in the user's phrasebook directory


def turn_ref(text: str) -> tuple[int, int]:
    """``SESSION:TURN`` (e.g. ``12:3``) as an argparse type."""
    try:
        session, turn = text.split(":")
        parsed = int(session), int(turn)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应写成 练习编号:回合，如 12:3（收到 {text[:30]!r}）") from None
    if not (1 <= parsed[0] < 2**63 and 1 <= parsed[1] <= 1000):
        raise argparse.ArgumentTypeError("练习编号或回合超出范围")
    return parsed


def trainers() -> list[str]:
    """Who may mark (``trainers`` in the settings file); empty means anyone but the trainee."""
    try:
        data = json.loads(locations.settings_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = data.get("trainers") if isinstance(data, dict) else None
    return [str(n) for n in names] if isinstance(names, list) else []


def _find(store: Store, ref: tuple[int, int]) -> tuple[SessionRecord, TurnRecord]:
    session = store.session(ref[0])
    turn = store.turn(*ref) if session else None
    if session is None or turn is None:
        raise UsageError(f"找不到练习 {ref[0]} 的第 {ref[1]} 回合（可用 simulator review list 查看）")
    return session, turn


def _queue(store: Store, args: argparse.Namespace) -> list[Any]:
    queue = queue_from(store.judged_turns(), store.disputes(), store.marks(history=True))
    if args.trainee:
        name = store.canonical_name(args.trainee)
        queue = [q for q in queue if q.session.trainee == name]
    if args.scenario:
        queue = [q for q in queue if q.session.scenario == args.scenario]
    if args.category:
        queue = [
            q
            for q in queue
            if args.category in {h.category for h in (*q.turn.hits, *q.turn.possible)}
            or any(args.category in m.split("|") for m in q.turn.missed)
        ]
    if args.since:
        queue = [q for q in queue if q.session.started_at[:10] >= args.since]
    return queue


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args, create=False) as store:
        queue = _queue(store, args)
    shown = queue[: args.limit]
    if args.format == "json":
        dump([q.to_json() for q in shown], out)
        return EXIT_OK
    if not queue:
        out.write("复核队列是空的：没有申诉，也没有需要看的回合。\n")
        return EXIT_OK
    out.write(f"复核队列：共 {len(queue)} 个回合，先看前 {len(shown)} 个（申诉优先）\n")
    for q in shown:
        judged = "、".join(sorted({h.category for h in q.turn.prohibited})) or "无禁用语"
        out.write(
            printable(
                f"{q.key:>8}  {q.reason}：{q.detail}  · {q.session.trainee} · {q.session.scenario_title}"
                f" · 判定：{judged}"
            )
            + "\n"
        )
        out.write(printable(f"          {q.turn.reply[:60]}") + "\n")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..render import turn_text

    with open_store(args, create=False) as store:
        session, turn = _find(store, args.turn)
        history = store.marks(session.id, turn.n, history=True)
        disputes = [d for d in store.disputes() if (d.session_id, d.n) == args.turn]
    if args.format == "json":
        dump(
            {
                "session": session.to_json(),
                "turn": turn.to_json(),
                "marks": [m.to_json() for m in history],
                "disputes": [d.to_json() for d in disputes],
            },
            out,
        )
        return EXIT_OK
    from .common import console

    screen = console(out)
    screen.print(printable(f"练习 {session.id} · {session.trainee} · {session.scenario_title}"))
    screen.print(turn_text(turn, category_labels()))
    for dispute in disputes:
        out.write(printable(f"  申诉（{dispute.created_at[:16]}）：{dispute.comment or '（没有说明）'}") + "\n")
    for mark in history:
        state = "" if mark.active else "（已被后来的复核取代）"
        out.write(
            printable(
                f"  复核 {mark.reviewer}：{MARK_KINDS.get(mark.kind, mark.kind)} {mark.category}"
                f"{' 「' + mark.words + '」' if mark.words else ''}{state}"
            )
            + "\n"
        )
    return EXIT_OK


def cmd_dispute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args) as store:
        session, turn = _find(store, args.turn)
        dispute = store.add_dispute(session.id, turn.n, args.comment or "")
    out.write(f"已提交申诉：练习 {dispute.session_id} 第 {dispute.n} 回合，培训师复核时会先看到它。\n")
    return EXIT_OK


def _check_category(category: str, kind: str) -> None:
    from ..phrasebook import load_phrasebook

    kinds = load_phrasebook(locations.phrasebook_sources()).kinds()
    wanted = "standard" if kind in ("wrong_credit", "missing_credit") else "prohibited"
    if kinds.get(category) != wanted:
        choices = "、".join(sorted(c for c, k in kinds.items() if k == wanted))
        raise UsageError(f"{category} 不是{'常用语' if wanted == 'standard' else '禁用语'}类别（可选：{choices}）")


def cmd_mark(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.kind != "confirmed" and not args.category:
        raise UsageError("除 confirmed 外都要用 --category 指明类别")
    if args.kind != "confirmed":
        _check_category(args.category, args.kind)
    allowed = trainers()
    reviewer = args.reviewer.strip()
    if not reviewer:
        raise UsageError("--reviewer 不能为空")
    with open_store(args) as store:
        session, turn = _find(store, args.turn)
        if allowed and reviewer not in allowed:
            raise UsageError(f"{reviewer} 不在培训师名单里（设置文件 {locations.settings_file()} 的 trainers）")
        if store.canonical_name(reviewer) == session.trainee:
            raise UsageError("学员不能复核自己的回合")
        mark = store.add_mark(
            session.id,
            turn.n,
            reviewer=reviewer,
            kind=args.kind,
            category=args.category or "",
            words=args.words or "",
            comment=args.comment or "",
        )
    out.write(
        printable(f"已记录复核：练习 {mark.session_id} 第 {mark.n} 回合 · {MARK_KINDS[mark.kind]} {mark.category}")
        + "\n"
    )
    proposed = suggestion(mark, turn)
    if proposed is not None:
        out.write(
            f"建议：{proposed.describe()}。运行 simulator review suggest {mark.session_id}:{mark.n} 查看效果并确认。\n"
        )
    return EXIT_OK


def _suggestions(store: Store, ref: tuple[int, int]) -> list[Any]:
    _, turn = _find(store, ref)
    return [s for s in (suggestion(m, turn) for m in store.marks(ref[0], ref[1])) if s is not None]


def reviewed_items(store: Store) -> list[tuple[dict[str, Any], TurnRecord]]:
    """Every reviewed turn as a labelled item, with the turn as judged when it was played."""
    by_turn: dict[tuple[int, int], list[Mark]] = {}
    for mark in store.marks():
        by_turn.setdefault((mark.session_id, mark.n), []).append(mark)
    out = []
    for (session_id, n), marks in sorted(by_turn.items()):
        session = store.session(session_id)
        turn = store.turn(session_id, n)
        if session is not None and turn is not None:
            out.append((labelled(session, turn, marks), turn))
    return out


def cmd_suggest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import yaml

    from ..evaluation import evaluate, load_items
    from ..matcher import load_matcher
    from ..scenario import load_scenarios

    with open_store(args, create=False) as store:
        proposals = _suggestions(store, args.turn)
        reviewed = [item for item, _ in reviewed_items(store)]
    if not proposals:
        out.write("这个回合的复核没有可以写进话术库的建议（确认、常用语修正，或漏判没有写出原话）。\n")
        return EXIT_OK
    target = locations.user_phrasebook_dir() / SUGGESTIONS_FILE
    before_text = target.read_text(encoding="utf-8") if target.exists() else ""
    existing = yaml.safe_load(before_text) if before_text else None
    after_text = phrasebook_yaml(existing, proposals)
    for proposed in proposals:
        out.write(f"建议：{proposed.describe()}\n")
    diff = difflib.unified_diff(
        before_text.splitlines(keepends=True),
        after_text.splitlines(keepends=True),
        fromfile=f"{target}（现在）",
        tofile=f"{target}（接受后）",
    )
    out.write(printable("".join(diff), newlines=True) + "\n")
    # The effect on every labelled item there is: the bundled corpus plus the reviewed turns (rules only).
    items = [i for path in yaml_files([locations.bundled_corpus_dir()]) for i in load_items(path)] + reviewed
    sources = locations.phrasebook_sources()
    before = load_matcher(sources)
    scenarios = {s.id: s for s in load_scenarios(locations.scenario_sources(), before.book.kinds())}
    try:
        with tempfile.TemporaryDirectory() as folder:
            draft = Path(folder) / SUGGESTIONS_FILE
            draft.write_text(after_text, encoding="utf-8")
            # Every phrasebook file as loaded now, the suggestions file replaced by its draft.
            files = [f for f in yaml_files(sources) if f.resolve() != target.resolve()]
            after = load_matcher([*files, draft])
    except ContentError as exc:
        err.write("✗ 这条建议写进话术库后无法通过检查，没有写入：\n")
        write_problems(err, exc.problems)
        return EXIT_FAILED
    old, new = evaluate(before, items, scenarios), evaluate(after, items, scenarios)
    out.write(f"全部标注数据（{len(items)} 条，只看规则）：\n")
    for name, a, b in (("禁用语检出", old.flagged, new.flagged), ("常用语", old.standard_micro, new.standard_micro)):
        out.write(f"  {name}  精确率 {a.precision:.3f} → {b.precision:.3f}  召回率 {a.recall:.3f} → {b.recall:.3f}\n")
    if not args.accept:
        out.write("没有写入任何文件。确认无误后加 --accept 写入。\n")
        return EXIT_OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(after_text, encoding="utf-8")
    try:
        load_matcher(locations.phrasebook_sources())  # validate what the product will load
    except ContentError as exc:
        if before_text:
            target.write_text(before_text, encoding="utf-8")
        else:
            target.unlink()
        err.write("✗ 写入后话术库无法通过检查，已撤回：\n")
        write_problems(err, exc.problems)
        return EXIT_FAILED
    out.write(f"已写入 {target}，话术库检查通过。\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args, create=False) as store:
        items = [item for item, _ in reviewed_items(store)]
    text = corpus_yaml(items)
    if args.output:
        path = Path(args.output)
        write_output(path, text)
        err.write(f"已导出 {len(items)} 条复核过的回合：{path}\n")
    else:
        out.write(text)
    return EXIT_OK


def evaluate_reviewed(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``eval --reviewed``: the engine on reviewed turns, now and as judged when they were played."""
    from ..evaluation import evaluate, report_text
    from .common import load_matcher, load_scenarios_for

    with open_store(args, create=False) as store:
        pairs = reviewed_items(store)
    if not pairs:
        out.write("还没有复核过的回合。\n")
        return EXIT_OK
    items = [item for item, _ in pairs]
    then = {item["id"]: judged_as(turn) for item, turn in pairs}
    matcher = load_matcher(args, err, learned=not args.rules_only)
    matcher.warm_up()
    scenarios = {s.id: s for s in load_scenarios_for(args, matcher.book.kinds())}
    now = evaluate(matcher, items, scenarios)
    at_the_time = evaluate(None, items, judged=lambda item: then[item["id"]])
    if args.format == "json":
        dump({"now": now.as_dict(), "at_the_time": at_the_time.as_dict()}, out)
        return EXIT_OK
    labels = matcher.book.labels()
    out.write("复核过的回合 · 现在的引擎：\n" + report_text(now, labels) + "\n\n")
    out.write("复核过的回合 · 当时的判定：\n" + report_text(at_the_time, labels) + "\n")
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Register ``review`` (list, show, mark, dispute, suggest) and ``corpus export``."""
    review = sub.add_parser(
        "review", help="复核：培训师纠正评判、学员申诉", description="复核队列、查看、标记、申诉与话术库建议。"
    )
    actions = review.add_subparsers(dest="action", metavar="动作", required=True, parser_class=ChineseArgumentParser)
    listing = actions.add_parser(
        "list", parents=[format_option("table", "json", default="table")], help="复核队列（申诉优先）"
    )
    listing.add_argument("--trainee", type=trainee_name, metavar="NAME", help="只看这位学员")
    listing.add_argument("--scenario", metavar="ID", help="只看这个场景")
    listing.add_argument("--category", metavar="ID", help="只看涉及这个类别的回合")
    listing.add_argument("--since", metavar="YYYY-MM-DD", help="只看这天以后的练习")
    listing.add_argument("--limit", type=int, default=50, help="最多列出多少个（默认 50）")
    listing.set_defaults(handler=cmd_list)

    show = actions.add_parser(
        "show", parents=[format_option("text", "json", default="text")], help="查看一个回合及其复核记录"
    )
    show.add_argument("turn", type=turn_ref, metavar="练习编号:回合")
    show.set_defaults(handler=cmd_show)

    mark = actions.add_parser(
        "mark",
        help="记录复核结论",
        description="记录复核结论：" + "；".join(f"{k} = {v}" for k, v in MARK_KINDS.items()),
    )
    mark.add_argument("turn", type=turn_ref, metavar="练习编号:回合")
    mark.add_argument("--reviewer", required=True, metavar="NAME", help="复核人（培训师）姓名")
    mark.add_argument("--kind", required=True, choices=list(MARK_KINDS), help="结论类型")
    mark.add_argument("--category", metavar="ID", help="类别（confirmed 以外必填）")
    mark.add_argument("--words", metavar="TEXT", help="漏判时：违规的原话（用于生成话术库建议）")
    mark.add_argument("--comment", metavar="TEXT", help="说明")
    mark.set_defaults(handler=cmd_mark)

    dispute = actions.add_parser("dispute", help="学员申诉：我认为判错了")
    dispute.add_argument("turn", type=turn_ref, metavar="练习编号:回合")
    dispute.add_argument("--comment", metavar="TEXT", help="说明哪里判错了")
    dispute.set_defaults(handler=cmd_dispute)

    suggest = actions.add_parser("suggest", help="根据复核生成话术库建议，看效果，确认后写入")
    suggest.add_argument("turn", type=turn_ref, metavar="练习编号:回合")
    suggest.add_argument("--accept", action="store_true", help="写入个人话术库目录（写入后自动检查）")
    suggest.add_argument("--trial-dir", help=argparse.SUPPRESS)
    suggest.set_defaults(handler=cmd_suggest)

    corpus = sub.add_parser(
        "corpus", help="标注语料：导出复核过的回合", description="把复核过的回合导出为语料 YAML（与 corpus/ 同格式）。"
    )
    corpus_actions = corpus.add_subparsers(
        dest="action", metavar="动作", required=True, parser_class=ChineseArgumentParser
    )
    export = corpus_actions.add_parser("export", help="导出复核过的回合")
    export.add_argument(
        "--output", metavar="FILE", help="写到文件（放进个人数据目录的 corpus/ 即参与第二阶段训练）；不给则打印"
    )
    export.set_defaults(handler=cmd_export)

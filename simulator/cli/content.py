"""``simulator validate``, ``test`` and ``schema``: for trainers who write phrasebooks and scenarios."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .. import locations
from ..errors import ContentError
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    SEED,
    dump,
    expand,
    load_matcher,
    load_scenarios_for,
    phrasebook_option,
    write_problems,
)

if TYPE_CHECKING:
    from ..matcher import Matcher


def _classify(path: Path) -> str:
    """'phrasebook', 'scenario' or 'corpus', by the file's top-level keys."""
    import yaml

    try:
        head = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace")[:200_000])
    except Exception:  # noqa: BLE001 - any parse failure is reported by the real loader
        head = None
    if isinstance(head, dict) and ("nodes" in head or "start" in head):
        return "scenario"
    if isinstance(head, dict) and ("categories" in head or "negation" in head):
        return "phrasebook"
    if isinstance(head, dict) and "items" in head:
        return "corpus"
    return "scenario" if "scenario" in path.parts or path.name.endswith(".scenario.yaml") else "phrasebook"


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..matcher import load_matcher as compile_phrasebook

    targets = args.paths or [
        locations.bundled_phrasebook_dir(),
        locations.bundled_scenarios_dir(),
        *([locations.bundled_corpus_dir()] if locations.bundled_corpus_dir().is_dir() else []),
    ]
    files = expand(targets)
    kinds = {f: _classify(f) for f in files}
    phrasebooks = [f for f in files if kinds[f] == "phrasebook"]
    scenarios = [f for f in files if kinds[f] == "scenario"]
    corpora = [f for f in files if kinds[f] == "corpus"]
    failed = False
    matcher = None
    try:
        matcher = compile_phrasebook(locations.phrasebook_sources(phrasebooks))
        for path in phrasebooks:
            out.write(f"✓ {path}：话术库有效\n")
        out.write(
            f"  共 {len(matcher.categories)} 个类别、{matcher.phrase_count} 条短语、"
            f"{matcher.pattern_count} 个模式，自测用例全部通过\n"
        )
    except ContentError as exc:
        failed = True
        write_problems(err, exc.problems)
    if scenarios:
        if matcher is None:
            err.write("✗ 话术库无效，无法检查场景中引用的类别\n")
            return EXIT_FAILED
        failed |= not _validate_scenarios(scenarios, matcher, out, err)
    if corpora:
        if matcher is None:
            err.write("✗ 话术库无效，无法检查语料中的类别\n")
            return EXIT_FAILED
        failed |= not _validate_corpus(corpora, matcher, args, out, err)
    return EXIT_FAILED if failed else EXIT_OK


def _validate_scenarios(paths: list[Path], matcher: Matcher, out: TextIO, err: TextIO) -> bool:
    """Each scenario file against the phrasebook's categories, with its score range."""
    from ..scenario import load_scenarios
    from ..scenario_scores import check_model_answers, score_range

    categories = matcher.book.kinds()
    ok = True
    for path in paths:
        try:
            [scenario] = load_scenarios([path], categories)
        except ContentError as exc:
            ok = False
            write_problems(err, exc.problems)
            continue
        problems = check_model_answers(scenario, matcher)
        if problems:
            ok = False
            write_problems(err, problems)
            continue
        low, high = score_range(scenario)
        out.write(
            f"✓ {path}：场景「{scenario.title}」有效，{len(scenario.nodes)} 个节点、{len(scenario.endings)} 个结局、"
            f"{len(scenario.examples)} 个示范对练；得分范围 {low}–{high}\n"
        )
    return ok


def _validate_corpus(paths: list[Path], matcher: Matcher, args: argparse.Namespace, out: TextIO, err: TextIO) -> bool:
    """Schema, unique ids, known categories and existing scenario moments of labelled files."""
    from ..corpus import check_labels, load_corpus_file

    try:
        nodes: dict[str, set[str]] | None = {
            s.id: set(s.nodes) for s in load_scenarios_for(args, matcher.book.kinds())
        }
    except ContentError:
        nodes = None
    ok = True
    for path in paths:
        try:
            items = load_corpus_file(path)
        except ContentError as exc:
            ok = False
            write_problems(err, exc.problems)
            continue
        problems = check_labels(items, matcher.book.kinds(), nodes)
        write_problems(err, problems)
        if problems:
            ok = False
            continue
        splits = Counter(entry.item.split for entry in items)
        flagged = sum(entry.item.is_prohibited for entry in items)
        out.write(
            f"✓ {path}：语料有效，{len(items)} 条（违规 {flagged} 条）；"
            f"训练 {splits['train']} / 调参 {splits['dev']} / 测试 {splits['test']}\n"
        )
    return ok


def cmd_test(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..playtest import check_answers, explore, run_playthrough
    from ..scenario import load_scenarios

    matcher = load_matcher(args, err)
    matcher.warm_up()
    categories = matcher.book.kinds()
    scenarios = load_scenarios(expand(args.paths), categories) if args.paths else load_scenarios_for(args, categories)
    failed = 0
    total = 0
    for scenario in scenarios:
        if not scenario.examples:
            err.write(f"✗ {scenario.file}：场景 {scenario.id} 没有示范对练（examples）\n")
            failed += 1
        for example in scenario.examples:
            total += 1
            result = run_playthrough(scenario, matcher, example)
            if result.passed:
                out.write(f"✓ {scenario.id} · {example.name}（得分 {result.score}，结局 {result.ending}）\n")
            else:
                failed += 1
                err.write(f"✗ {scenario.id} · {example.name}：{result.difference}\n")
        for answer in check_answers(scenario, matcher):
            total += 1
            if answer.passed:
                out.write(f"✓ {scenario.id} · {answer.name}\n")
            else:
                failed += 1
                err.write(f"✗ {scenario.id} · {answer.name}：{answer.difference}\n")
        if args.explore:
            failures = explore(scenario, matcher, args.explore, seed=args.seed)
            total += args.explore
            for failure in failures:
                failed += 1
                err.write(f"✗ {scenario.id} · {failure.name}：{failure.difference}\n")
            if not failures:
                out.write(f"✓ {scenario.id} · {args.explore} 次随机对练全部正常结束\n")
    out.write(f"\n{total - failed} passed, {failed} failed\n")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..schema import json_schema

    dump(json_schema(args.kind), out)
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Register ``validate``, ``test`` and ``schema``."""
    validate = sub.add_parser(
        "validate", help="检查话术库与场景文件", description="检查话术库与场景（默认检查随产品发布的内容）。"
    )
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="文件或目录")
    validate.set_defaults(handler=cmd_validate)

    test = sub.add_parser(
        "test", parents=[phrasebook_option()], help="回放场景中的示范对练",
        description="回放场景里写好的示范对练，逐条报告通过与否。",
    )
    test.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="场景文件或目录（默认随产品发布的场景）")
    test.add_argument(
        "--explore", type=int, default=0, metavar="N", help="另外对每个场景做 N 次随机对练，检查引擎错误和死胡同"
    )
    test.add_argument("--seed", type=SEED, default=0, help="随机对练的种子（默认 0）")
    test.set_defaults(handler=cmd_test)

    schema = sub.add_parser(
        "schema", help="输出 JSON Schema（供编辑器自动补全）", description="输出话术库或场景的 JSON Schema。"
    )
    schema.add_argument(
        "kind", nargs="?", choices=["phrasebook", "scenario", "corpus"], default="phrasebook",
        help="phrasebook、scenario 或 corpus",
    )
    schema.set_defaults(handler=cmd_schema)

"""``simulator validate``, ``test`` and ``schema``: for trainers who write phrasebooks and scenarios."""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .. import locations
from ..errors import ContentError
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    SEED,
    UsageError,
    database_url,
    dump,
    expand,
    format_option,
    load_matcher,
    os_reason,
    phrasebook_option,
    scenario_sources,
    warn_skipped,
    write_problems,
)

if TYPE_CHECKING:
    from ..matcher import Matcher


_SCENARIO_KEYS = {
    "id",
    "title",
    "difficulty",
    "persona",
    "start",
    "nodes",
    "endings",
    "examples",
    "goal",
    "summary",
    "max_turns",
    "on_max_turns",
    "scoring",
    "mood",
    "tags",
    "source",
}
_PHRASEBOOK_KEYS = {"categories", "negation", "lexicon"}
_CORPUS_KEYS = {"items"}


def _classify(path: Path, places: dict[str, list[Path]]) -> str:
    """'phrasebook', 'scenario' or 'corpus': by the directory it is in, else by its top-level keys.

    The keys are read from the text (``key:`` at the start of a line), so a file
    with a YAML slip is still checked as what it is meant to be.
    """
    resolved = path.resolve()
    for kind, folders in places.items():
        if any(folder.is_dir() and resolved.is_relative_to(folder.resolve()) for folder in folders):
            return kind
    text = path.read_text(encoding="utf-8", errors="replace")[:200_000]
    keys = set(re.findall(r"^([A-Za-z_]+)\s*:", text, flags=re.MULTILINE))
    votes = {
        "scenario": len(keys & _SCENARIO_KEYS),
        "phrasebook": len(keys & _PHRASEBOOK_KEYS) * 3,
        "corpus": len(keys & _CORPUS_KEYS) * 3,
    }
    best = max(votes, key=lambda kind: votes[kind])
    if votes[best]:
        return best
    return "scenario" if "scenario" in path.parts or path.name.endswith(".scenario.yaml") else "phrasebook"


def _places() -> dict[str, list[Path]]:
    """The directories the TUI reads, by kind: bundled first, then the user's."""
    return {
        "phrasebook": [locations.bundled_phrasebook_dir(), locations.user_phrasebook_dir()],
        "scenario": [locations.bundled_scenarios_dir(), locations.user_scenarios_dir()],
        "corpus": [locations.bundled_corpus_dir(), locations.user_corpus_dir()],
    }


_KIND_NAMES = {"phrasebook": "话术库", "scenario": "场景", "corpus": "语料"}


def _say_directories(out: TextIO, places: dict[str, list[Path]]) -> list[Path]:
    """List the directories read (those that exist) and return them."""
    out.write("检查界面会载入的全部内容，读取的目录：\n")
    read: list[Path] = []
    for kind, (bundled, user) in places.items():
        name = _KIND_NAMES[kind]
        if bundled.is_dir():
            out.write(f"  {name}（随产品发布）：{bundled}\n")
            read.append(bundled)
        if user.is_dir():
            out.write(f"  {name}（你的）：{user}\n")
            read.append(user)
        else:
            out.write(f"  {name}（你的）：{user}（还没有这个目录，放进去的文件会一起载入）\n")
    return read


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Each file's problems on their own; checks across files run on the files that loaded."""
    from ..sources import load_matcher_skipping

    places = _places()
    targets = args.paths or _say_directories(out, places)
    files = expand(targets)
    kinds = {f: _classify(f, places) for f in files}
    phrasebooks = [f for f in files if kinds[f] == "phrasebook"]
    scenarios = [f for f in files if kinds[f] == "scenario"]
    corpora = [f for f in files if kinds[f] == "corpus"]
    failed = False
    matcher: Matcher | None = None
    if phrasebooks or not args.paths or scenarios or corpora:
        sources = locations.phrasebook_sources(phrasebooks)
        try:
            matcher, skipped = load_matcher_skipping(sources[:1], sources[1:])
        except ContentError as exc:  # the bundled phrasebook itself
            failed = True
            write_problems(err, exc.problems)
            skipped = []
        named = {f.resolve() for f in phrasebooks}
        bad_files = {Path(p.file).resolve() for p in skipped}
        for path in phrasebooks:
            if path.resolve() not in bad_files and matcher is not None:
                out.write(f"✓ {path}：话术库有效\n")
        mine = [p for p in skipped if Path(p.file).resolve() in named]
        if mine:
            failed = True
            write_problems(err, mine)
        others = [p for p in skipped if Path(p.file).resolve() not in named]
        if others:  # a broken file of the user's, not one asked about: the TUI skips it too
            warn_skipped(args, err, others)
        if matcher is not None and (phrasebooks or not args.paths):
            _phrasebook_summary(out, matcher, phrasebooks, bad_files)
    if scenarios:
        if matcher is None:
            err.write("⚠ 话术库没有载入，下面只检查场景的格式和剧情结构，不检查其中引用的类别\n")
        failed |= not _validate_scenarios(scenarios, matcher, args, out, err)
    if corpora:
        if matcher is None:
            err.write("✗ 话术库没有载入，无法检查语料中的类别\n")
            return EXIT_FAILED
        failed |= not _validate_corpus(corpora, matcher, args, out, err)
    return EXIT_FAILED if failed else EXIT_OK


def _phrasebook_summary(out: TextIO, matcher: Matcher, files: list[Path], bad_files: set[Path]) -> None:
    """What the phrasebook files validated hold (those that failed left out); "all passed" only if none failed."""
    named = list(dict.fromkeys(f.resolve() for f in files))
    valid = {f for f in named if f not in bad_files}
    failed = len(named) - len(valid)

    def here(where: tuple[str, int, int]) -> bool:
        return Path(where[0]).resolve() in valid

    categories = phrases = patterns = 0
    for spec in matcher.categories.values():
        mine = sum(here(w) for _, _, w in spec.phrases), sum(here(w) for _, _, w in spec.patterns)
        located = (*spec.exceptions, *spec.hit_examples, *spec.clean_examples)
        categories += bool(any(mine) or any(here(w) for _, w in located))
        phrases += mine[0]
        patterns += mine[1]
    counts = f"{categories} 个类别、{phrases} 条短语、{patterns} 个模式"
    if not failed:
        out.write(f"  共 {counts}，自测用例全部通过\n")
    elif valid:
        out.write(f"  有效的 {len(valid)} 个文件共 {counts}，自测用例通过；{failed} 个话术库文件有误（见上面的 ✗）\n")
    else:
        out.write(f"  {failed} 个话术库文件有误（见上面的 ✗），没有通过检查\n")


def _validate_scenarios(
    paths: list[Path], matcher: Matcher | None, args: argparse.Namespace, out: TextIO, err: TextIO
) -> bool:
    """Each scenario file on its own (schema, graph, categories, model answers, an id nobody else has)."""
    from ..scenario import duplicate_id, load_each, scenario_files
    from ..scenario_scores import check_model_answers, score_range

    categories = matcher.book.kinds() if matcher is not None else None
    # The ids taken before each file, in the order the TUI loads: the first file of an id wins.
    order = [f.resolve() for f in scenario_files(scenario_sources(args))]
    loaded, _ = load_each(order, categories)
    position = {f: i for i, f in enumerate(order)}
    ok = True
    for path in paths:
        here = position.get(path.resolve(), len(order))
        taken = {s.id: s.file for s in loaded if position.get(Path(s.file).resolve(), 0) < here}
        checked, problems = load_each([path], categories)
        if not checked:
            ok = False
            write_problems(err, problems)
            continue
        scenario = checked[0]
        found = check_model_answers(scenario, matcher) if matcher is not None else []
        if scenario.id in taken:
            found.insert(0, duplicate_id(scenario, taken[scenario.id]))
        if found:
            ok = False
            write_problems(err, found)
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
    from ..sources import load_scenarios_skipping

    loaded, _ = load_scenarios_skipping(scenario_sources(args), matcher.book.kinds())  # their problems: see above
    nodes: dict[str, set[str]] | None = {s.id: set(s.nodes) for s in loaded}
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
    from ..sources import by_file, load_scenarios_skipping

    matcher = load_matcher(args, err)
    matcher.warm_up()
    categories = matcher.book.kinds()
    failed = 0
    total = 0
    if args.paths:
        scenarios = load_scenarios(expand(args.paths), categories)
    else:  # everything the TUI loads: a file that does not load is a failure, the rest is still played
        scenarios, problems = load_scenarios_skipping(scenario_sources(args), categories)
        write_problems(err, problems)
        failed += len(by_file(problems))
        total += len(by_file(problems))
    for scenario in scenarios:
        name = scenario.title
        if not scenario.examples:
            err.write(f"✗ {scenario.file}：场景「{name}」没有示范对练（examples）\n")
            failed += 1
        for example in scenario.examples:
            total += 1
            result = run_playthrough(scenario, matcher, example)
            if result.passed:
                ending = scenario.endings[result.ending].title if result.ending in scenario.endings else "—"
                out.write(f"✓ {name} · {example.name}（得分 {result.score}，结局「{ending}」）\n")
            else:
                failed += 1
                err.write(f"✗ {name} · {example.name}：{result.difference}\n")
        for answer in check_answers(scenario, matcher):
            total += 1
            if answer.passed:
                out.write(f"✓ {name} · {answer.name}\n")
            else:
                failed += 1
                err.write(f"✗ {name} · {answer.name}：{answer.difference}\n")
        if args.explore:
            failures = explore(scenario, matcher, args.explore, seed=args.seed)
            total += args.explore
            for failure in failures:
                failed += 1
                err.write(f"✗ {name} · {failure.name}：{failure.difference}\n")
            if not failures:
                out.write(f"✓ {name} · {args.explore} 次随机对练全部正常结束\n")
    out.write(f"\n共 {total} 项：通过 {total - failed} 项，失败 {failed} 项\n")
    return EXIT_FAILED if failed else EXIT_OK


def write_schemas(folder: Path, kinds: Sequence[str]) -> list[Path]:
    """The JSON Schemas written as files into ``folder`` (created), for editors."""
    from ..schema import json_schema, schema_file_name

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in kinds:
        path = folder / schema_file_name(kind)
        path.write_text(json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..schema import KINDS, json_schema

    if args.write is None:
        dump(json_schema(args.kind or "phrasebook"), out)
        return EXIT_OK
    folder = Path(args.write) if args.write else locations.schemas_dir()
    try:
        written = write_schemas(folder, [args.kind] if args.kind else KINDS)
    except OSError as exc:
        raise UsageError(f"无法写入 {folder}（{os_reason(exc)}）") from None
    for path in written:
        out.write(f"已写入：{path}\n")
    first = written[-1] if len(written) == 1 else folder / "scenario.schema.json"
    out.write(
        "\n在 YAML 文件第一行写上这一行，VS Code 等编辑器（装 YAML 插件）就会给出字段提示和错误标记：\n"
        f"# yaml-language-server: $schema={first.resolve().as_posix()}\n"
    )
    return EXIT_OK


def _shown_url(url: str) -> str:
    """A database URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _yaml_count(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else 0


def cmd_paths(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Where everything is: the database, the user's content directories, settings, cache, bundled content."""
    from ..learned import cache_dir

    url = database_url(args)
    is_file = "://" not in url
    places = [
        ("database", "进度数据库", url, Path(url) if is_file else None),
        ("data_dir", "个人数据目录", str(locations.data_dir()), locations.data_dir()),
        ("scenarios", "你的场景目录", str(locations.user_scenarios_dir()), locations.user_scenarios_dir()),
        ("phrasebook", "你的话术库目录", str(locations.user_phrasebook_dir()), locations.user_phrasebook_dir()),
        ("corpus", "你的语料目录", str(locations.user_corpus_dir()), locations.user_corpus_dir()),
        ("settings", "设置文件", str(locations.settings_file()), locations.settings_file()),
        ("schemas", "编辑器用的 JSON Schema", str(locations.schemas_dir()), locations.schemas_dir()),
        ("cache", "缓存目录", str(cache_dir()), cache_dir()),
        (
            "bundled_scenarios",
            "随产品发布的场景",
            str(locations.bundled_scenarios_dir()),
            locations.bundled_scenarios_dir(),
        ),
        (
            "bundled_phrasebook",
            "随产品发布的话术库",
            str(locations.bundled_phrasebook_dir()),
            locations.bundled_phrasebook_dir(),
        ),
        ("bundled_corpus", "随产品发布的语料", str(locations.bundled_corpus_dir()), locations.bundled_corpus_dir()),
    ]
    if args.format == "json":
        dump(
            {
                key: {
                    "path": _shown_url(shown) if key == "database" else shown,
                    "exists": path.exists() if path is not None else None,
                }
                for key, _, shown, path in places
            },
            out,
        )
        return EXIT_OK
    notes = {
        "database": "第一次练习时创建",
        "scenarios": "自己写的场景放这里，界面和命令都会载入",
        "phrasebook": "自己的话术库文件放这里，和随产品的一起生效",
        "corpus": "自己的标注语料放这里，判别模型会一起学习",
        "settings": "记住上次的学员和明暗主题",
        "cache": "判别模型和自测结果的缓存，可以随时删除",
        "schemas": "运行 simulator schema --write 写到这里",
    }
    for key, name, shown, path in places:
        if key == "database" and not is_file:
            out.write(f"{name}：{_shown_url(shown)}（PostgreSQL 服务器）\n")
            continue
        if path is None or not path.exists():
            state = "还不存在" + (f"，{notes[key]}" if key in notes else "")
        elif path.is_dir() and key in ("scenarios", "phrasebook", "corpus"):
            state = f"已存在，{_yaml_count(path)} 个文件"
        else:
            state = "已存在"
        out.write(f"{name}：{shown}（{state}）\n")
    out.write(
        "\n换位置：环境变量 SIMULATOR_HOME 把个人数据目录整个换到别处，SIMULATOR_DB 或 --db 指定进度数据库；"
        "也可以用 --scenarios、--phrasebook 临时载入别处的文件。\n"
    )
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Register ``validate``, ``test``, ``schema`` and ``paths``."""
    validate = sub.add_parser(
        "validate", help="检查话术库与场景文件", description="检查话术库与场景（默认检查随产品发布的内容）。"
    )
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="文件或目录")
    validate.set_defaults(handler=cmd_validate)

    test = sub.add_parser(
        "test",
        parents=[phrasebook_option()],
        help="回放场景中的示范对练",
        description="回放场景里写好的示范对练，逐条报告通过与否。",
    )
    test.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="场景文件或目录（默认随产品发布的场景）")
    test.add_argument(
        "--explore", type=int, default=0, metavar="N", help="另外对每个场景做 N 次随机对练，检查引擎错误和死胡同"
    )
    test.add_argument("--seed", type=SEED, default=0, help="随机对练的种子（默认 0）")
    test.set_defaults(handler=cmd_test)

    schema = sub.add_parser(
        "schema",
        help="输出 JSON Schema（供编辑器自动补全）",
        description="输出话术库、场景或语料文件的 JSON Schema；--write 把它们写成文件，供编辑器关联。",
    )
    schema.add_argument(
        "kind",
        nargs="?",
        choices=["phrasebook", "scenario", "corpus"],
        default=None,
        help="phrasebook（默认）、scenario 或 corpus",
    )
    schema.add_argument(
        "--write",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="写成文件（phrasebook.schema.json 等）放进 DIR，不写 DIR 时放进个人数据目录的 schemas/",
    )
    schema.set_defaults(handler=cmd_schema)

    paths = sub.add_parser(
        "paths",
        parents=[format_option("text", "json", default="text")],
        help="显示数据和内容文件的位置",
        description="显示进度数据库、你的场景 / 话术库 / 语料目录、设置文件、缓存目录和随产品发布的内容在哪里。",
    )
    paths.set_defaults(handler=cmd_paths)

"""The ``simulator`` command line: thin wrappers over the core.

Exit codes (DESIGN.md): 0 ok, 1 content or test failures, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import locations
from .cliparse import ChineseArgumentParser
from .errors import ContentError
from .store.errors import StoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called (exit code 2)."""


def _dump(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _console(out: TextIO):  # noqa: ANN202 - rich is imported lazily
    from rich.console import Console

    return Console(file=out, highlight=False, soft_wrap=True)


def _load_matcher(extra: list[Path] | None, *, learned: bool = True, err: TextIO | None = None):  # noqa: ANN202
    """The phrasebook compiled, with the learned stage unless ``learned`` is false."""
    from .matcher import load_matcher

    for path in extra or []:
        if not path.exists():
            raise UsageError(f"话术库路径不存在：{path}")
    matcher = load_matcher(locations.phrasebook_sources(extra))
    if learned:
        _attach_learned(matcher, err)
    return matcher


def _attach_learned(matcher, err: TextIO | None) -> None:  # noqa: ANN001
    from .engine import attach_learned
    from .scenario import load_scenarios

    corpus = locations.corpus_sources()
    if not any(p.is_dir() and any(p.glob("*.y*ml")) for p in corpus):
        return
    try:
        scenarios = load_scenarios(locations.scenario_sources(), matcher.book.kinds())

        def say_training() -> None:
            if err is not None:
                err.write("正在训练第二阶段判别模型（内容有变化或首次运行，约需十几秒）…\n")
                err.flush()

        attach_learned(matcher, corpus, scenarios, on_training=say_training)
    except ContentError as exc:
        # A broken corpus or scenario file must not stop judging: the rules still work.
        if err is not None:
            err.write("⚠ 第二阶段判别模型没有加载，本次只用话术库规则评判：\n")
            for problem in exc.problems[:5]:
                err.write(f"  {problem}\n")
            err.flush()


def _lines(args_text: Sequence[str], stdin: TextIO) -> Iterator[str]:
    """TEXT arguments, or each stdin line as it arrives."""
    if args_text:
        yield from args_text
        return
    for line in iter(stdin.readline, ""):
        yield line.rstrip("\r\n")


# -- commands -------------------------------------------------------------------


def cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .judge import judge
    from .render import judgement_text

    matcher = _load_matcher(args.phrasebook, learned=not args.rules_only, err=err)
    moment = None
    if args.node and not args.scenario:
        raise UsageError("--node 需要与 --scenario 一起使用")
    if args.scenario:
        from .scenario import find_scenario

        scenario = find_scenario(args.scenario, getattr(args, "scenarios", None))
        node_id = args.node or scenario.start
        if node_id not in scenario.nodes:
            raise UsageError(f"场景 {args.scenario} 没有节点 {node_id}（可选：{'、'.join(scenario.nodes)}）")
        moment = scenario.moment(node_id)
    matcher.warm_up()
    collected = []
    console = _console(out) if args.format == "text" else None
    for text in _lines(args.text, sys.stdin if args.stdin is None else args.stdin):
        verdict = judge(matcher, text, moment=moment)
        if args.format == "jsonl":
            out.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")
            out.flush()
        elif args.format == "json":
            collected.append(verdict.to_json())
        else:
            assert console is not None
            console.print(judgement_text(verdict))
    if args.format == "json":
        _dump(collected, out)
    return EXIT_OK


def _classify(path: Path) -> str:
    """'phrasebook' or 'scenario', by the file's top-level keys."""
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


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            out.append(path)
        else:
            raise UsageError(f"路径不存在：{path}")
    return out


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .matcher import load_matcher

    targets = args.paths or [
        locations.bundled_phrasebook_dir(),
        locations.bundled_scenarios_dir(),
        *([locations.bundled_corpus_dir()] if locations.bundled_corpus_dir().is_dir() else []),
    ]
    files = _expand(targets)
    kinds = {f: _classify(f) for f in files}
    phrasebooks = [f for f in files if kinds[f] == "phrasebook"]
    scenarios = [f for f in files if kinds[f] == "scenario"]
    corpora = [f for f in files if kinds[f] == "corpus"]
    failed = False
    matcher = None
    try:
        sources = locations.phrasebook_sources([p for p in phrasebooks])
        matcher = load_matcher(sources)
        for path in phrasebooks:
            out.write(f"✓ {path}：话术库有效\n")
        out.write(
            f"  共 {len(matcher.categories)} 个类别、{matcher.phrase_count} 条短语、{matcher.pattern_count} 个模式，自测用例全部通过\n"
        )
    except ContentError as exc:
        failed = True
        for problem in exc.problems:
            err.write(f"✗ {problem}\n")
    if scenarios:
        from .scenario import validate_scenario_files

        if matcher is None:
            err.write("✗ 话术库无效，无法检查场景中引用的类别\n")
            return EXIT_FAILED
        failed |= not validate_scenario_files(scenarios, matcher, out, err)
    if corpora:
        if matcher is None:
            err.write("✗ 话术库无效，无法检查语料中的类别\n")
            return EXIT_FAILED
        failed |= not _validate_corpus(corpora, matcher, out, err)
    return EXIT_FAILED if failed else EXIT_OK


def _validate_corpus(paths: list[Path], matcher, out: TextIO, err: TextIO) -> bool:  # noqa: ANN001
    """Schema, unique ids, known categories and existing scenario moments of labelled files."""
    from collections import Counter

    from .corpus import check_labels, load_corpus_file
    from .scenario import load_scenarios

    try:
        nodes = {s.id: set(s.nodes) for s in load_scenarios(locations.scenario_sources(), matcher.book.kinds())}
    except ContentError:
        nodes = None
    ok = True
    for path in paths:
        try:
            items = load_corpus_file(path)
        except ContentError as exc:
            ok = False
            for problem in exc.problems:
                err.write(f"✗ {problem}\n")
            continue
        problems = check_labels(items, matcher.book.kinds(), nodes)
        for problem in problems:
            err.write(f"✗ {problem}\n")
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


def cmd_eval(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .corpus import split_of
    from .evaluation import evaluate, load_items, report_text
    from .scenario import load_scenarios
    from .yamlfile import yaml_files

    files = []
    for path in args.files:
        if not path.exists():
            raise UsageError(f"评测集不存在：{path}")
        files.extend(yaml_files([path]))
    matcher = _load_matcher(args.phrasebook, learned=not args.rules_only, err=err)
    matcher.warm_up()
    items = [item for path in files for item in load_items(path)]
    if args.split:
        items = [item for item in items if split_of(item["reply"]) == args.split]
    scenarios = {s.id: s for s in load_scenarios(locations.scenario_sources(), matcher.book.kinds())}
    report = evaluate(matcher, items, scenarios)
    if args.format == "json":
        _dump(report.as_dict(), out)
    else:
        out.write(report_text(report, matcher.book.labels()) + "\n")
    return EXIT_OK


def _scenario_sources(args: argparse.Namespace) -> list[Path]:
    extra = getattr(args, "scenarios", None) or []
    for path in extra:
        if not path.exists():
            raise UsageError(f"场景路径不存在：{path}")
    return locations.scenario_sources(extra)


def cmd_test(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .playtest import check_answers, explore, run_playthrough
    from .scenario import load_scenarios

    matcher = _load_matcher(args.phrasebook)
    matcher.warm_up()
    categories = matcher.book.kinds()
    sources = _expand(args.paths) if args.paths else _scenario_sources(args)
    scenarios = load_scenarios(sources, categories)
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
        for result in check_answers(scenario, matcher):
            total += 1
            if result.passed:
                out.write(f"✓ {scenario.id} · {result.name}\n")
            else:
                failed += 1
                err.write(f"✗ {scenario.id} · {result.name}：{result.difference}\n")
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


def cmd_play(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .play import play_session

    return play_session(args, out, err)


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .schema import json_schema

    _dump(json_schema(args.kind), out)
    return EXIT_OK


# -- parser ---------------------------------------------------------------------


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog="simulator",
        description="售后服务情景陪练：不带子命令时打开终端界面。",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="进度数据库：SQLite 文件路径或 postgresql://…（也可用环境变量 SIMULATOR_DB）",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"售后服务情景陪练 {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)

    score = sub.add_parser("score", help="给回复打分并解释命中", description="给每条回复打分；不给 TEXT 时逐行读取标准输入。")
    score.add_argument("text", nargs="*", metavar="TEXT", help="要评分的回复")
    score.add_argument("--phrasebook", action="append", type=Path, metavar="PATH", help="额外的话术库文件或目录（可重复）")
    score.add_argument("--scenario", metavar="ID", help="在该场景的某个时刻评分（默认开场节点）")
    score.add_argument("--node", metavar="NODE", help="与 --scenario 一起用：按这个节点（客户刚说的话、节点的要求）评分")
    score.add_argument("--rules-only", action="store_true", help="只用话术库规则，不用第二阶段判别模型")
    score.add_argument("--scenarios", action="append", type=Path, metavar="PATH", help=argparse.SUPPRESS)
    score.add_argument("--format", choices=["text", "json", "jsonl"], default="text", help="输出格式（默认 text）")
    score.set_defaults(handler=cmd_score, stdin=None)

    validate = sub.add_parser("validate", help="检查话术库与场景文件", description="检查话术库与场景（默认检查随产品发布的内容）。")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="文件或目录")
    validate.set_defaults(handler=cmd_validate)

    evaluation = sub.add_parser(
        "eval", help="用带标注的评测集衡量评判引擎", description="对带标注的评测集打分，输出禁用语与常用语的精确率、召回率。"
    )
    evaluation.add_argument("files", nargs="+", type=Path, metavar="FILE", help="评测集 YAML 文件或目录（如 corpus/、../shared/eval/dev.yaml）")
    evaluation.add_argument("--split", choices=["train", "dev", "test"], help="只评测语料的这一部分（按回复文本的稳定哈希划分）")
    evaluation.add_argument("--rules-only", action="store_true", help="只用话术库规则，不用第二阶段判别模型")
    evaluation.add_argument("--phrasebook", action="append", type=Path, metavar="PATH", help="额外的话术库文件或目录（可重复）")
    evaluation.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    evaluation.set_defaults(handler=cmd_eval)

    test = sub.add_parser("test", help="回放场景中的示范对练", description="回放场景里写好的示范对练，逐条报告通过与否。")
    test.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="场景文件或目录（默认随产品发布的场景）")
    test.add_argument("--explore", type=int, default=0, metavar="N", help="另外对每个场景做 N 次随机对练，检查引擎错误和死胡同")
    test.add_argument("--seed", type=int, default=0, help="随机对练的种子（默认 0）")
    test.add_argument("--phrasebook", action="append", type=Path, metavar="PATH", help="额外的话术库文件或目录（可重复）")
    test.set_defaults(handler=cmd_test)

    play = sub.add_parser(
        "play",
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
    play.add_argument("--phrasebook", action="append", type=Path, metavar="PATH", help="额外的话术库文件或目录（可重复）")
    play.add_argument("--scenarios", action="append", type=Path, metavar="PATH", help="额外的场景文件或目录（可重复）")
    play.set_defaults(handler=cmd_play)

    from . import review

    history = sub.add_parser("history", help="练习记录（每次练习一行）", description="列出练习记录，每次练习一行。")
    history.add_argument("--trainee", metavar="NAME", help="只看这位学员")
    history.add_argument("--format", choices=["table", "json", "csv"], default="table", help="输出格式（默认 table）")
    history.set_defaults(handler=review.cmd_history)

    transcript = sub.add_parser("transcript", help="查看一次练习的完整对话", description="按保存的内容显示一次练习的每个回合。")
    transcript.add_argument("session_id", type=int, metavar="SESSION_ID", help="练习编号（见 simulator history）")
    transcript.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    transcript.set_defaults(handler=review.cmd_transcript)

    report = sub.add_parser("report", help="团队汇总（给组长看）", description="每位学员的练习次数、平均分、通过率、趋势和最常违反的规范。")
    report.add_argument("--trainee", metavar="NAME", help="只看这位学员，并列出各场景的首次、最高、最近得分与提升")
    report.add_argument("--format", choices=["table", "json", "csv"], default="table", help="输出格式（默认 table）")
    report.set_defaults(handler=review.cmd_report)

    plot = sub.add_parser("plot", help="得分趋势图（终端显示或导出 HTML/SVG）", description="画出得分随时间的变化；--output 导出为 .html 或 .svg 文件。")
    plot.add_argument("--trainee", metavar="NAME", help="只画这位学员")
    plot.add_argument("--category", metavar="ID", help="改为画这个类别每次练习出现的次数（如 not_my_job）")
    plot.add_argument("--output", metavar="FILE", help="导出到文件（.html 或 .svg）")
    plot.add_argument("--max-trainees", type=int, default=8, help=argparse.SUPPRESS)
    plot.set_defaults(handler=review.cmd_plot)

    schema = sub.add_parser("schema", help="输出 JSON Schema（供编辑器自动补全）", description="输出话术库或场景的 JSON Schema。")
    schema.add_argument("kind", nargs="?", choices=["phrasebook", "scenario", "corpus"], default="phrasebook", help="phrasebook、scenario 或 corpus")
    schema.set_defaults(handler=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point; returns the exit code (``sys.exit`` is done by the caller)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed a Chinese message
        return int(exc.code or 0)
    if args.db:
        import os

        os.environ["SIMULATOR_DB"] = args.db
    if not args.command:
        from .tui import run_app

        return run_app(args.db)
    try:
        return int(args.handler(args, out, err))
    except ContentError as exc:
        for problem in exc.problems:
            err.write(f"✗ {problem}\n")
        return EXIT_FAILED
    except UsageError as exc:
        err.write(f"simulator：错误：{exc}\n")
        return EXIT_USAGE
    except StoreError as exc:
        err.write(f"✗ {exc}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.write("\n已中断。\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    sys.exit(main())

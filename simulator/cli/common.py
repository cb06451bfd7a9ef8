"""What every command shares: exit codes, usage errors, content and store from the options, output.

Configuration travels explicitly: the handlers get the parsed options and
resolve paths and the database URL here, from the options first, then from
:mod:`simulator.locations` (environment variables and the user's data dir).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .. import locations
from ..errors import ContentError, Problem

if TYPE_CHECKING:  # the engine and the store load only for the commands that need them
    from rich.console import Console

    from ..matcher import Matcher
    from ..scenario import Scenario
    from ..store import Store

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports a process ended by SIGINT


class UsageError(Exception):
    """A mistake in how the command was called (exit code 2)."""


# -- shared options (argparse parents) ----------------------------------------------


def bounded_int(low: int, high: int) -> Any:
    """An argparse type: an integer in [low, high], refused in Chinese otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"应为整数：{text[:40]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"应在 {low} 到 {high} 之间")
        return value

    return parse


SEED = bounded_int(0, 2**31 - 1)
ROW_ID = bounded_int(1, 2**63 - 1)  # what both SQLite and PostgreSQL can store


def phrasebook_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--phrasebook", action="append", type=Path, metavar="PATH", help="额外的话术库文件或目录（可重复）"
    )
    return parent


def rules_only_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--rules-only", action="store_true", help="只用话术库规则，不用第二阶段判别模型")
    return parent


def trainee_name(text: str) -> str:
    """An argparse type: a trainee's name, never blank (a blank --trainee must not read as "everyone")."""
    if not text.strip():
        raise argparse.ArgumentTypeError("学员姓名不能为空（要看所有学员，请不带 --trainee 运行）")
    return text


def trainee_filter_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--trainee", type=trainee_name, metavar="NAME", help="只看这位学员")
    return parent


def known_trainee(store: Store, name: str) -> str:
    """The stored trainee ``name`` is (张伟, 張偉 and 张 伟 are one), or a usage error: the same for every command."""
    from ..terminal import printable

    canonical = store.canonical_name(name)
    if canonical not in store.trainees():
        raise UsageError(
            f"没有学员 {printable(name)} 的练习记录（不带 --trainee 运行 simulator report 可以看到所有学员）"
        )
    return canonical


def format_option(*choices: str, default: str) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--format", choices=list(choices), default=default, help=f"输出格式（默认 {default}）")
    return parent


# -- output -----------------------------------------------------------------------


def dump(data: Any, out: TextIO) -> None:
    """JSON as the contract prints it: UTF-8 text, indented."""
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def console(out: TextIO) -> Console:
    from rich.console import Console  # rich costs ~0.1 s: only commands that print rich text pay it

    return Console(file=out, highlight=False, soft_wrap=True)


def write_problems(err: TextIO, problems: Sequence[Problem]) -> None:
    """Each content problem on its own ✗ line (file:line:col 字段 message)."""
    for problem in problems:
        err.write(f"✗ {problem}\n")


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese (the common reasons; others keep the system's words)."""
    import errno

    if isinstance(exc, PermissionError):
        return "没有权限"
    if isinstance(exc, IsADirectoryError):
        return "这是一个目录"
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "路径中有一段是文件而不是目录"
    if isinstance(exc, FileNotFoundError):
        return "路径不存在"
    reasons = {errno.ENOSPC: "磁盘已满", errno.EROFS: "文件系统是只读的", errno.ENAMETOOLONG: "文件名太长"}
    return reasons.get(exc.errno or 0) or f"系统错误：{exc.strerror or exc}"


def write_output(path: Path, text: str) -> None:
    """Write ``text`` to a file the user named, creating its folders; any failure is a usage error naming it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"无法写入 {path}（{os_reason(exc)}）") from None


def lines(args_text: Sequence[str], stdin: TextIO) -> Iterator[str]:
    """TEXT arguments, or each stdin line as it arrives."""
    if args_text:
        yield from args_text
        return
    for line in iter(stdin.readline, ""):
        yield line.rstrip("\r\n")


# -- content and store from the options ----------------------------------------------


def existing(paths: list[Path] | None, what: str) -> list[Path]:
    for path in paths or []:
        if not path.exists():
            raise UsageError(f"{what}路径不存在：{path}")
    return list(paths or [])


def scenario_sources(args: argparse.Namespace) -> list[Path]:
    """The bundled scenarios, the user's own, then ``--scenarios``."""
    return locations.scenario_sources(existing(getattr(args, "scenarios", None), "场景"))


def warn_skipped(args: argparse.Namespace, err: TextIO | None, problems: Sequence[Problem]) -> None:
    """Say on stderr which files were left out and why (each problem once per command)."""
    said: set[str] = args.__dict__.setdefault("_warned", set())
    fresh = [p for p in problems if str(p) not in said]
    if not fresh:
        return
    said.update(str(p) for p in fresh)
    stream = err or sys.stderr
    files = {p.file for p in fresh}
    stream.write(f"⚠ 有 {len(files)} 个内容文件有误，已跳过，其余内容照常使用（simulator validate 可查看详情）：\n")
    for problem in fresh:
        stream.write(f"  {problem}\n")
    stream.flush()


def load_scenarios_for(
    args: argparse.Namespace, categories: dict[str, str] | None = None, err: TextIO | None = None
) -> list[Scenario]:
    """Every scenario that loads (bundled, the user's, ``--scenarios``).

    A broken or duplicate file is skipped with a warning.
    """
    from ..sources import load_scenarios_skipping

    scenarios, problems = load_scenarios_skipping(scenario_sources(args), categories)
    warn_skipped(args, err, problems)
    return scenarios


def load_matcher(args: argparse.Namespace, err: TextIO, *, learned: bool = True) -> Matcher:
    """The phrasebook compiled (bundled, the user's, ``--phrasebook``), with the learned stage unless ``learned``
    is false.

    A user's phrasebook file that does not load is skipped with a warning; a broken bundled phrasebook stops
    the command.
    """
    from ..sources import load_matcher_skipping

    extra = existing(getattr(args, "phrasebook", None), "话术库")
    sources = locations.phrasebook_sources(extra)
    matcher, problems = load_matcher_skipping(sources[:1], sources[1:])
    warn_skipped(args, err, problems)
    if learned:
        attach_learned_stage(matcher, args, err)
    return matcher


def attach_learned_stage(matcher: Matcher, args: argparse.Namespace, err: TextIO) -> None:
    """The second stage, trained on first use; a broken corpus only turns it off (with a warning)."""
    from ..engine import attach_learned

    corpus = locations.corpus_sources()
    if not any(p.is_dir() and any(p.glob("*.y*ml")) for p in corpus):
        return

    def say_training() -> None:
        err.write("正在训练第二阶段判别模型（内容有变化或首次运行，约需十几秒）…\n")
        err.flush()

    try:
        # By their files: the scenarios are parsed only if the stage must be trained.
        attach_learned(matcher, corpus, on_training=say_training, scenario_sources=scenario_sources(args))
    except ContentError as exc:
        # A broken corpus file must not stop judging: the rules still work.
        err.write("⚠ 第二阶段判别模型没有加载，本次只用话术库规则评判：\n")
        for problem in exc.problems[:5]:
            err.write(f"  {problem}\n")
        err.flush()


def database_url(args: argparse.Namespace) -> str:
    """``--db``, else ``SIMULATOR_DB``, else the SQLite file in the user's data directory."""
    return getattr(args, "db", None) or locations.default_database()


def open_store(args: argparse.Namespace, *, create: bool = True) -> Store:
    """The store the options name; ``create=False`` for commands that only read.

    Those never create a database file or folder: a SQLite file named with ``--db`` or
    ``SIMULATOR_DB`` that does not exist is a usage error (a mistyped path must not read
    as "no records"); the default file not existing yet means nobody has practised on
    this machine, so they read an empty store kept in memory.
    """
    from ..store import open_store as open_database
    from ..store.errors import MissingDatabase

    try:
        return open_database(database_url(args), create=create)
    except MissingDatabase as exc:
        if getattr(args, "db", None):
            named = "--db 指定的"
        elif locations.database_setting():
            named = "环境变量 SIMULATOR_DB 指定的"
        else:
            return open_database(":memory:")
        raise UsageError(
            f"进度数据库 {exc.path} 不存在（{named}路径），请检查路径是否写错；只查看记录的命令不会新建数据库。"
        ) from None


def category_labels() -> dict[str, str]:
    """Category id -> Chinese label, for the review commands; cosmetic, so never fatal.

    Read from the phrasebook files (cached by their bytes), never by loading or
    compiling the phrasebook: the review commands need only the store and these names.
    A broken file of the user's must not hide every label: then the bundled files' names.
    """
    from ..labels import category_labels as labels_of

    sources = locations.phrasebook_sources()
    for attempt in (sources, sources[:1]):
        try:
            return labels_of(attempt)
        except ContentError:
            continue
    return {}


def expand(paths: list[Path]) -> list[Path]:
    """Files named, and the YAML files under directories named."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            out.append(path)
        else:
            raise UsageError(f"路径不存在：{path}")
    return out

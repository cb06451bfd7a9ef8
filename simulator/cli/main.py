"""The ``simulator`` command line: the parser and the dispatch; the commands live beside it.

Exit codes (DESIGN.md): 0 ok, 1 content or test failures, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .. import __version__
from ..errors import ContentError
from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    database_url,
    existing,
    write_problems,
)
from .parse import ChineseArgumentParser


def build_parser() -> ChineseArgumentParser:
    # Here, not at the top: opening the TUI builds no parser (see main).
    from . import admin, assign, content, judging, new, play, recommending, review, reviewing, serve

    parser = ChineseArgumentParser(prog="simulator", description="售后服务情景陪练：不带子命令时打开终端界面。")
    parser.add_argument(
        "--db", metavar="URL", help="进度数据库：SQLite 文件路径或 postgresql://…（也可用环境变量 SIMULATOR_DB）"
    )
    parser.add_argument(
        "--scenarios",
        action="append",
        type=Path,
        metavar="PATH",
        dest="tui_scenarios",
        help="终端界面另外载入的场景文件或目录（可重复）",
    )
    parser.add_argument(
        "--phrasebook",
        action="append",
        type=Path,
        metavar="PATH",
        dest="tui_phrasebook",
        help="终端界面另外载入的话术库文件或目录（可重复）",
    )
    parser.add_argument(
        "--version", action="version", version=f"售后服务情景陪练 {__version__}", help="显示版本号并退出"
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    judging.add_parsers(sub)
    content.add_parsers(sub)
    new.add_parsers(sub)
    play.add_parsers(sub)
    review.add_parsers(sub)
    reviewing.add_parsers(sub)
    recommending.add_parsers(sub)
    assign.add_parsers(sub)
    admin.add_parsers(sub)
    serve.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point; returns the exit code (``sys.exit`` is done by the caller)."""
    out = out or sys.stdout
    err = err or sys.stderr
    words = list(sys.argv[1:] if argv is None else argv)
    tui_db = _only_opens_the_tui(words)
    if tui_db is not None:
        # No command: nothing of the command modules is needed before the first frame.
        args = argparse.Namespace(db=tui_db or None, command=None, tui_scenarios=None, tui_phrasebook=None)
    else:
        try:
            args = build_parser().parse_args(words)
        except SystemExit as exc:  # argparse already printed a Chinese message
            return int(exc.code or 0)
    if not args.command:
        from ..tui import run_app  # Textual loads only for the TUI

        try:
            scenarios = existing(args.tui_scenarios, "场景")
            phrasebook = existing(args.tui_phrasebook, "话术库")
        except UsageError as exc:
            err.write(f"simulator：错误：{exc}\n")
            return EXIT_USAGE
        return run_app(database_url(args), scenarios=scenarios, phrasebook=phrasebook)
    try:
        return int(args.handler(args, out, err))
    except ContentError as exc:
        write_problems(err, exc.problems)
        return EXIT_FAILED
    except UsageError as exc:
        err.write(f"simulator：错误：{exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("\n已中断。\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        # A StoreError: the store is imported only by the commands that open it (its
        # drivers cost every other command ~40 ms), and one never imported raised nothing.
        store_errors = sys.modules.get("simulator.store.errors")
        if store_errors is None or not isinstance(exc, store_errors.StoreError):
            raise
        err.write(f"✗ {exc}\n")
        return EXIT_FAILED


def _only_opens_the_tui(words: list[str]) -> str | None:
    """The ``--db`` value ("" for none) when ``words`` are just ``[--db URL]``, which opens the TUI; else None."""
    if not words:
        return ""
    if len(words) == 2 and words[0] == "--db" and not words[1].startswith("-"):
        return words[1]
    if len(words) == 1 and words[0].startswith("--db="):
        return words[0][len("--db=") :]
    return None


def _utf8_streams() -> None:
    """Read and write UTF-8 whatever the locale says.

    Output stays valid UTF-8 (JSON lines included) even under an ASCII or
    Latin-1 locale, and bytes on stdin that are not UTF-8 become U+FFFD, one
    output line per input line, instead of a traceback that loses the lines
    already read.
    """
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors=errors)


def entry() -> None:
    _utf8_streams()
    sys.exit(main())

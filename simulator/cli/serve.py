"""``simulator serve``: the same Textual app in a browser, through textual-serve.

Each browser tab starts its own ``simulator`` process (textual-serve's web
driver) on the store this command was given; the address travels in
``SIMULATOR_DB``, never on a command line where ``ps`` would show a password.
There is no login in front of it: whoever reaches the port uses the app with
this command's database account, so it listens on loopback unless told
otherwise (docs/团队部署指南.md says what exposing it safely takes).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any, TextIO

from ..terminal import printable
from .common import EXIT_OK, UsageError, bounded_int, database_url, open_store

TITLE = "售后服务情景陪练"
PAGE = Path(__file__).with_name("web")  # the page in Chinese (a copy of textual-serve's, without the web font)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(command: str, host: str, port: int, public_url: str | None, out: TextIO) -> Any:
    """A textual-serve server whose page and console messages are in Chinese."""
    from textual_serve.server import Server

    class ChineseServer(Server):
        def initialize_logging(self) -> None:
            # textual-serve logs each connection in English at INFO; only its warnings and errors pass.
            logging.basicConfig(level=logging.WARNING, format="%(message)s")

        async def on_startup(self, app: Any) -> None:
            out.write(printable(f"{TITLE} 已在浏览器中可用：{self.public_url}") + "\n")
            out.write("每个浏览器标签页各自运行一份程序；按 Ctrl+C 停止。\n")
            out.flush()

    return ChineseServer(command, host=host, port=port, title=TITLE, public_url=public_url, templates_path=PAGE)


def cmd_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError("在浏览器中使用需要 textual-serve：pip install 'after-sales-simulator[serve]'") from None
    url = database_url(args)
    # Open the store once here, so a wrong address or an account without rights is said now, not in each tab.
    with open_store(args) as store:
        who = store.identity()
    if not _loopback(args.host):
        err.write(
            printable(
                f"⚠ 正在监听 {args.host}：网页本身没有登录验证，能访问这个地址的人都会以{who.describe()}的身份使用。"
                "请只在带登录验证的 HTTPS 反向代理后面这样用（见 docs/团队部署指南.md）。"
            )
            + "\n"
        )
    os.environ["SIMULATOR_DB"] = url  # each tab's process reads it (locations.default_database)
    command = shlex.join([sys.executable, "-m", "simulator"])
    server = make_server(command, args.host, args.port, args.public_url, out)
    server.serve()
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Register ``serve``."""
    serve = sub.add_parser(
        "serve",
        help="在浏览器中使用（不需要终端）",
        description="把同一个界面通过网页提供给没有终端的组长和学员（textual-serve）。默认只在本机 127.0.0.1 上监听；"
        "网页没有登录验证，对外开放前请阅读 docs/团队部署指南.md。",
    )
    serve.add_argument("--host", default="127.0.0.1", help="监听的地址（默认 127.0.0.1，只有本机能访问）")
    serve.add_argument("--port", type=bounded_int(1, 65535), default=8000, help="端口（默认 8000）")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="浏览器访问用的地址（在反向代理后面时填代理的地址，如 https://练习.example.com）",
    )
    serve.set_defaults(handler=cmd_serve)

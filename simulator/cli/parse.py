"""argparse with its messages in Simplified Chinese.

argparse looks its messages up through the module-level ``_`` (gettext) at
call time, so replacing it gives Chinese usage errors and help headings
without re-implementing the parser.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

_MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可能是 %(matches)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "expected at least one argument": "至少需要一个值",
    "subcommands": "子命令",
}


def _chinese(message: str) -> str:
    return _MESSAGES.get(message, message)


argparse._ = _chinese  # type: ignore[attr-defined]


class ChineseArgumentParser(argparse.ArgumentParser):
    """Usage errors in Chinese, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n")

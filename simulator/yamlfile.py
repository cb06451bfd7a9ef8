"""Safe YAML loading with a position for every value, and pydantic errors in Chinese.

Content files are written by trainers and may be wrong or hostile: they are
read with PyYAML's safe composer only (no ``!!python`` tags), anchors and
aliases are refused (an alias bomb would otherwise expand exponentially during
validation), a key written twice in one mapping is refused (parsers silently
keep the last value), size is capped, and every failure becomes a
:class:`Problem` with ``file:line:col``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .contentfiles import yaml_files as yaml_files  # re-exported: listing files needs no YAML parser
from .errors import ContentError, Problem, field_path

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000

Positions = dict[tuple[object, ...], tuple[int, int]]
# First element of a ``Positions`` path that gives a key's own place rather than its value's:
# an unknown field is pointed at where its name is written.
KEY = "<key>"
M = TypeVar("M", bound=BaseModel)

Severity = Literal["critical", "major", "minor"]  # of a prohibited category, or a transition's filter


class StrictModel(BaseModel):
    """The base of every content model: unknown keys are errors, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _problem(path: str, message: str, line: int = 0, column: int = 0, field: str = "") -> Problem:
    return Problem(path, line, column, field, message)


def read_text(path: Path) -> str:
    """Read a UTF-8 content file, or raise ContentError."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContentError([_problem(name, f"无法读取文件（{exc.strerror or exc}）")]) from None
    if size > MAX_FILE_BYTES:
        raise ContentError(
            [_problem(name, f"文件过大（{size // 1024} KB），内容文件不能超过 {MAX_FILE_BYTES // 1024 // 1024} MB")]
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([_problem(name, f"无法读取文件（{exc.strerror or exc}）")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError([_problem(name, "文件不是 UTF-8 编码，请用 UTF-8 保存后重试", line, column)]) from None


# libyaml's parser when PyYAML was built with it (5-10x faster); its nodes carry
# the same line/column marks the error messages need.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, name: str) -> tuple[Any, Positions]:
    """Parse YAML text into plain data plus a map from value path to (line, col)."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise ContentError([_problem(name, "文件是空的")])
            positions: Positions = {}
            repeats: list[Problem] = []
            _walk(node, (), positions, name, set(), [0], repeats)
            if repeats:
                raise ContentError(repeats)
            try:
                data = loader.construct_document(node)
            except ValueError:  # an integer longer than Python converts (4,300 digits)
                line, column = _long_number(node)
                raise ContentError([_problem(name, "数字太长（超过 4300 位），请检查这个值", line, column)]) from None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        detail, mark = _yaml_detail(exc, text)
        line = mark.line + 1 if mark else 0
        column = mark.column + 1 if mark else 0
        raise ContentError([_problem(name, f"YAML 语法错误：{detail}", line, column)]) from None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)  # a reader error: where the bad character is
        line = column = 0
        if isinstance(position, int) and 0 <= position <= len(text):
            line = text.count("\n", 0, position) + 1
            column = position - (text.rfind("\n", 0, position) + 1) + 1
        raise ContentError([_problem(name, f"YAML 语法错误：{_plain_detail(str(exc))}", line, column)]) from None
    except RecursionError:
        raise ContentError([_problem(name, "YAML 嵌套层次过深")]) from None
    return data, positions


def _long_number(root: yaml.Node) -> tuple[int, int]:
    """(line, column) of the first integer scalar too long to convert, or (0, 0)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.tag.endswith(":int") and len(node.value) > 4000:
                return node.start_mark.line + 1, node.start_mark.column + 1
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in reversed(node.value) for v in reversed(pair))
    return 0, 0


def _indents(text: str, mark: Any) -> str:
    """Both lines' indentation when they differ: the mistake may be in the line above (too deep)."""
    lines = text.splitlines()
    if mark is None or not 0 < mark.line < len(lines):
        return ""
    here = lines[mark.line]
    above = next(
        (k for k in range(mark.line - 1, -1, -1) if lines[k].strip() and not lines[k].lstrip().startswith("#")), None
    )
    if above is None:
        return ""
    a, b = len(lines[above]) - len(lines[above].lstrip(" ")), len(here) - len(here.lstrip(" "))
    if a == b:
        return ""
    return f"（这一行缩进 {b} 格，第 {above + 1} 行缩进 {a} 格：请检查这两行哪一行缩进错了）"


_OPENERS = {"flow sequence": "方括号“[”", "flow mapping": "花括号“{”"}


def _yaml_detail(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, Any]:
    """PyYAML's (English) complaint in Chinese, and the mark of the line a person must fix.

    Both of PyYAML's parsers are covered (libyaml's words differ from the pure-Python ones).
    An unclosed bracket or quote is found where the parser gave up, often a
    line later: point at where it was opened instead.
    """
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    mark, opened = exc.problem_mark or exc.context_mark, exc.context_mark or exc.problem_mark
    found = _char_at(text, mark)
    if "could not determine a constructor" in problem:
        return "不支持的 YAML 标签（内容文件只允许普通的映射、列表和文字）", mark
    if "undefined alias" in problem:
        return "引用了未定义的锚点（内容文件不支持 * 引用，请直接写出内容）", mark
    if "tab" in problem or found == "\t":
        return "不能用制表符（Tab）缩进，请改用空格", mark
    if "mapping values are not allowed" in problem:
        return "此处不能出现冒号“:”：含冒号的文字请整段加引号，或检查上一行的缩进", mark
    for kind, opener in _OPENERS.items():
        if kind in context:
            closer = "]" if "sequence" in kind else "}"
            return (
                f"{opener}开始的内容没有正确结束：缺少“{closer}”或逗号，"
                f"或其中某一项含有冒号、括号等符号（这样的项请加引号）",
                opened,
            )
    if "quoted scalar" in context:
        if "escape" in problem:
            return "双引号里的反斜杠“\\”用法不对：要写反斜杠本身，请改用单引号，或写成“\\\\”", mark
        return "引号没有闭合：从这里开始的引号直到文件末尾都没有结束", opened
    if "simple key" in context or "expected ':'" in problem:
        return "这一行缺少冒号“:”（键和值之间要用“冒号加空格”隔开）", opened
    if "cannot start any token" in problem:
        return f"文字不能以“{found or '这个符号'}”开头，请给这段文字加引号", mark
    if "block collection" in context or "'-' indicator" in problem:
        return "列表项的缩进不一致：同一个列表的每一项都要以“- ”开头并对齐", mark
    if "expected key" in problem or "<block end>" in problem or "block mapping" in context:
        if found == "-":
            return "缩进不一致：这个列表项“- ”和上面的键对不齐（或者列表项混进了键值对中间）", mark
        if _after_quote(text, mark):
            return "引号结束后不能再接文字：需要的话请把整段文字放进引号里", mark
        return "缩进不一致：这一行和上面同一层的键没有对齐" + _indents(text, mark), mark
    if "end of stream" in problem:
        return "文件意外结束（可能有没闭合的引号或括号）", mark
    if "anchor" in context or "alias" in context:
        return "不支持 YAML 锚点与别名（& 与 *），请直接写出内容", mark
    return "无法解析这一行（请检查缩进、冒号和引号）", mark


def _char_at(text: str, mark: Any) -> str:
    if mark is None:
        return ""
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if 0 <= mark.column < len(line) else ""


def _after_quote(text: str, mark: Any) -> bool:
    if mark is None:
        return False
    lines = text.split("\n")
    before = lines[mark.line][: mark.column].rstrip() if 0 <= mark.line < len(lines) else ""
    return before.endswith(('"', "'"))


def _plain_detail(message: str) -> str:
    """An unmarked PyYAML error (a control character, mostly) in Chinese."""
    if "unacceptable character" in message or "special characters" in message or "control characters" in message:
        return "文件里有不允许的控制字符（可能是从别处复制来的隐藏字符），请删除后重试"
    return "无法解析（请检查缩进、冒号和引号）"


def _walk(
    node: yaml.Node,
    path: tuple[object, ...],
    positions: Positions,
    name: str,
    seen: set[int],
    count: list[int],
    repeats: list[Problem],
) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ContentError([_problem(name, f"文件包含的条目过多（超过 {MAX_NODES} 个）")])
    if id(node) in seen or getattr(node, "anchor", None):
        mark = node.start_mark
        raise ContentError(
            [_problem(name, "不支持 YAML 锚点与别名（& 与 *），请直接写出内容", mark.line + 1, mark.column + 1)]
        )
    seen.add(id(node))
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        first_line: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag.endswith(":int"):
                try:
                    key = int(key_node.value)
                except ValueError:
                    pass
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key in first_line:
                # YAML parsers keep the last value silently: the first one would be ignored unseen.
                repeats.append(
                    Problem(
                        name,
                        line,
                        column,
                        field_path(path + (key,)),
                        f"键“{key}”重复（第 {first_line[key]} 行已有同名键），"
                        "同一层里每个键只能写一次，请删除或改名其中一个",
                    )
                )
                continue
            first_line[key] = line
            positions[path + (key,)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            positions[(KEY,) + path + (key,)] = (line, column)  # where the key itself is written
            _walk(value_node, path + (key,), positions, name, seen, count, repeats)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), positions, name, seen, count, repeats)


def position_of(positions: Positions, loc: tuple[object, ...]) -> tuple[int, int]:
    """The position of the deepest known prefix of ``loc``."""
    for cut in range(len(loc), -1, -1):
        found = positions.get(tuple(loc[:cut]))
        if found:
            return found
    return (0, 0)


_TYPE_NAMES = {
    "string_type": "文字",
    "int_type": "整数",
    "int_parsing": "整数",
    "float_type": "数字",
    "float_parsing": "数字",
    "bool_type": "true 或 false",
    "bool_parsing": "true 或 false",
    "list_type": "列表",
    "dict_type": "映射（键: 值）",
    "model_type": "映射（键: 值）",
    "model_attributes_type": "映射（键: 值）",
}


def chinese_message(error: dict[str, Any]) -> str:
    """Translate one pydantic error into Simplified Chinese."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    given = error.get("input")
    shown = repr(given) if not isinstance(given, (dict, list)) else type(given).__name__
    if len(shown) > 40:
        shown = shown[:37] + "…"
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        return "未知字段（请检查拼写；可用字段见 simulator schema）"
    if kind in _TYPE_NAMES:
        return f"应为{_TYPE_NAMES[kind]}，实际为 {shown}"
    if kind in ("literal_error", "enum"):
        # pydantic says "'a', 'b' or 'c'"
        expected = str(ctx.get("expected", "")).replace(" or ", "、").replace(", ", "、")
        return f"取值必须是 {expected} 之一，实际为 {shown}"
    if kind == "string_too_short":
        return f"文字不能少于 {ctx.get('min_length')} 个字符"
    if kind == "string_too_long":
        return f"文字不能超过 {ctx.get('max_length')} 个字符"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return f"最多只能有 {ctx.get('max_length')} 项"
    if kind == "string_pattern_mismatch":
        return f"格式不符（应匹配 {ctx.get('pattern')}），实际为 {shown}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"应不小于 {ctx.get('ge', ctx.get('gt'))}，实际为 {shown}"
    if kind in ("less_than_equal", "less_than"):
        return f"应不大于 {ctx.get('le', ctx.get('lt'))}，实际为 {shown}"
    if kind == "value_error":
        message = str(ctx.get("error", "")) or error.get("msg", "")
        return message.removeprefix("Value error, ")
    if kind.startswith("union_tag") or kind == "union":
        return "取值形式不对"
    return f"取值无效（{kind}）"


def validate_model(model: type[M], data: Any, positions: Positions, name: str) -> M:
    """Validate ``data`` against ``model``; raise ContentError with positions."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        seen: set[tuple[object, ...]] = set()
        for error in exc.errors(include_url=False):
            # Drop pydantic's union-branch labels (``str``, ``PhraseEntry``...)
            # so the path only names fields and list indexes the trainer wrote.
            loc = tuple(
                part for part in error["loc"] if isinstance(part, int) or _is_field(part, positions, error["loc"])
            )
            if loc in seen:
                continue
            seen.add(loc)
            line, column = position_of(positions, loc)
            if error["type"] == "extra_forbidden" and (KEY, *loc) in positions:
                line, column = positions[(KEY, *loc)]
            problems.append(Problem(name, line, column, field_path(loc), chinese_message(dict(error))))
        raise ContentError(problems) from None


def _is_field(part: object, positions: Positions, full: tuple[object, ...]) -> bool:
    text = str(part)
    if text[:1].isupper() or "[" in text or text in ("str", "list[str]", "int", "function-after", "function-before"):
        return False
    return True

"""Bad phrasebooks fail with file:line:col and a Chinese message; examples self-test."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import locations
from simulator.errors import ContentError
from simulator.matcher import load_matcher

GOOD_CATEGORY = """\
version: 1
categories:
  - id: sarcasm
    label: 冷嘲热讽
    kind: prohibited
    severity: major
    source: {document: 售后服务人员服务准则, clause: "2.2"}
    suggestion: 我理解您的心情，我们一起看看怎么解决。
    phrases: [您可真行, 真有您的]
    examples:
      hit: ["哎呀[您可真行]。"]
      clean: ["您真行，谢谢您的配合。"]
"""


def write(tmp_path: Path, text: str, name: str = "extra.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(paths: list[Path]) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_matcher(paths)
    return [str(p) for p in caught.value.problems]


def test_trainer_file_adds_a_category(tmp_path: Path) -> None:
    extra = write(tmp_path, GOOD_CATEGORY)
    matcher = load_matcher([locations.bundled_phrasebook_dir(), extra])
    hit = next(h for h in matcher.scan("您可真行啊") if h.category == "sarcasm")
    assert hit.matched == "您可真行"


def test_trainer_file_extends_a_shipped_category(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        """\
version: 1
categories:
  - id: not_my_job
    extend: true
    phrases: [这块儿我们不碰]
    examples:
      hit: ["[这块儿我们不碰]"]
""",
    )
    matcher = load_matcher([locations.bundled_phrasebook_dir(), extra])
    assert any(h.category == "not_my_job" for h in matcher.scan("这块儿我们不碰"))


def test_wrong_severity_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_CATEGORY.replace("severity: major", "severity: high"))
    [message] = problems_of([path])
    assert message.startswith(f"{path}:6:15: 字段 categories[0].severity：")
    assert "critical" in message and "'high'" in message


def test_unknown_field_is_reported_in_chinese(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_CATEGORY.replace("    phrases:", "    phrazes: [x]\n    phrases:"))
    messages = problems_of([path])
    assert any("phrazes" in m and "未知字段" in m and f"{path}:9:" in m for m in messages)


def test_missing_suggestion_for_prohibited(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_CATEGORY.replace("    suggestion: 我理解您的心情，我们一起看看怎么解决。\n", ""))
    [message] = problems_of([path])
    assert "suggestion" in message and "禁用语类别必须填写" in message and f"{path}:3:" in message


def test_failing_example_prevents_loading(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_CATEGORY.replace('clean: ["您真行，谢谢您的配合。"]', 'clean: ["您可真行"]'))
    [message] = problems_of([path])
    assert "examples.clean" in message and "不应命中" in message and f"{path}:12:" in message


def test_example_with_wrong_span_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_CATEGORY.replace('"哎呀[您可真行]。"', '"[哎呀您可真行]。"'))
    [message] = problems_of([path])
    assert "应命中“哎呀您可真行”" in message and "“您可真行”" in message


def test_duplicate_category_needs_extend(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_CATEGORY.replace("id: sarcasm", "id: rude"))
    messages = problems_of([locations.bundled_phrasebook_dir(), path])
    assert any("重复定义" in m and "extend: true" in m for m in messages)


@pytest.mark.parametrize(
    "content, expected",
    [
        ("version: 1\ncategories: !!python/object/apply:os.system ['echo hi']\n", "不支持的 YAML 标签"),
        ("version: 1\ncategories:\n  - id: [unclosed\n", "YAML 语法错误"),
        ("a: &a [x, x]\nb: &b [*a, *a]\nversion: 1\n", "不支持 YAML 锚点与别名"),
        ("version: 1\ncategories: 5\n", "应为列表"),
        ("", "文件是空的"),
        ("version: 2\n", "取值必须是"),
    ],
)
def test_hostile_or_broken_yaml_gets_a_chinese_error(tmp_path: Path, content: str, expected: str) -> None:
    path = write(tmp_path, content)
    messages = problems_of([path])
    assert any(expected in m and m.startswith(str(path)) for m in messages), messages


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("version: 1\nname: 话术\n".encode("gbk"))
    [message] = problems_of([path])
    assert "UTF-8" in message and f"{path}:2:" in message


def test_oversized_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (3 * 1024 * 1024))
    [message] = problems_of([path])
    assert "文件过大" in message


def test_trainer_guide_example_is_valid(tmp_path: Path) -> None:
    """The worked example in docs/话术库编写指南.md loads and passes its own examples."""
    import re

    guide = (Path(__file__).resolve().parent.parent / "docs" / "话术库编写指南.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", guide, re.S)
    assert example
    path = write(tmp_path, example.group(1), "guide.yaml")
    matcher = load_matcher([locations.bundled_phrasebook_dir(), path])
    assert any(h.category == "sarcasm" for h in matcher.scan("您可真行，又坏了"))

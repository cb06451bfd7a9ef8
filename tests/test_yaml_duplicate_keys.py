"""A key written twice in one mapping is refused with file:line:col, in every YAML the product loads.

Issue 11, item 12.

YAML parsers keep the last value silently: a trainer who pasted a second
``title:`` or ``id:`` would never learn that the first one is ignored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import locations
from simulator.corpus import load_corpus
from simulator.errors import ContentError
from simulator.evaluation import load_items
from simulator.matcher import load_matcher
from simulator.scenario import load_scenarios
from simulator.yamlfile import load_yaml

SCENARIO = """\
version: 1
id: tiny
title: 小场景
difficulty: 1
persona: {name: 客户}
start: a
nodes:
  a:
    customer: [你好]
    expects: {required: [greeting]}
    model_answer: 您好
    transitions:
      - {when: met, goto: b}
      - {when: always, goto: bad}
  b:
    customer: [再见]
    model_answer: 谢谢
    transitions:
      - {when: always, goto: good}
endings:
  good: {outcome: good, title: 好}
  bad: {outcome: bad, title: 差}
"""


def problems(call, path: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        call(path)
    return [str(p) for p in caught.value.problems]


def write(tmp_path: Path, text: str, name: str = "dup.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_yaml_names_the_key_and_the_line_and_column_of_the_repeat() -> None:
    with pytest.raises(ContentError) as caught:
        load_yaml("version: 1\nname: 甲\nitems: []\nname: 乙\n", "f.yaml")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("f.yaml", 4, 1)
    message = str(problem)
    assert message.startswith("f.yaml:4:1:")
    assert "“name”" in message and "重复" in message and "第 2 行" in message


def test_nested_repeats_are_all_reported() -> None:
    text = "a:\n  b: 1\n  c: 2\n  b: 3\nd:\n  - {x: 1, x: 2}\n"
    with pytest.raises(ContentError) as caught:
        load_yaml(text, "f.yaml")
    found = sorted((p.line, p.column) for p in caught.value.problems)
    assert found == [(4, 3), (6, 12)]


def test_the_same_key_in_different_mappings_is_fine() -> None:
    data, _ = load_yaml("a: {id: 1}\nb: {id: 2}\nc: [{id: 3}, {id: 4}]\n", "f.yaml")
    assert data["c"][1]["id"] == 4


def test_phrasebook(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
version: 1
categories:
  - id: sarcasm
    label: 冷嘲热讽
    kind: prohibited
    severity: major
    source: {document: 售后服务人员服务准则, clause: "2.2"}
    suggestion: 我理解您的心情。
    phrases: [您可真行]
    id: sarcasm_two
""",
    )
    messages = problems(lambda p: load_matcher([locations.bundled_phrasebook_dir(), p]), path)
    assert any(m.startswith(f"{path}:10:5:") and "“id”" in m and "重复" in m for m in messages), messages


def test_scenario(tmp_path: Path) -> None:
    path = write(tmp_path, SCENARIO.replace("difficulty: 1\n", "difficulty: 1\ntitle: 另一个标题\n"))
    messages = problems(lambda p: load_scenarios([p]), path)
    assert any(m.startswith(f"{path}:5:1:") and "“title”" in m and "第 3 行" in m for m in messages), messages


def test_node_title_repeated_inside_a_node(tmp_path: Path) -> None:
    text = SCENARIO.replace("    customer: [再见]\n", "    title: 道别\n    customer: [再见]\n    title: 再见\n")
    path = write(tmp_path, text)
    messages = problems(lambda p: load_scenarios([p]), path)
    assert any(m.startswith(f"{path}:18:5:") and "“title”" in m for m in messages), messages


CORPUS = """\
items:
  - id: a1
    reply: 这个我不懂
    prohibited_matches: [dont_know]
    id: a2
"""


def test_corpus(tmp_path: Path) -> None:
    path = write(tmp_path, CORPUS)
    messages = problems(lambda p: load_corpus([p]), path)
    assert any(m.startswith(f"{path}:5:5:") and "“id”" in m for m in messages), messages


def test_eval_set(tmp_path: Path) -> None:
    path = write(tmp_path, CORPUS)
    messages = problems(load_items, path)
    assert any(m.startswith(f"{path}:5:5:") and "“id”" in m for m in messages), messages


def test_shipped_content_has_no_repeated_keys() -> None:
    load_matcher([locations.bundled_phrasebook_dir()], self_test=False)
    load_scenarios([locations.bundled_scenarios_dir()])
    load_corpus([locations.bundled_corpus_dir()])

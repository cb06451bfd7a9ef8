"""Trainers writing content (issue 14, items 2-6): validate what the TUI loads, each file on its own,
where files go, editor schemas, a scenario skeleton."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from test_content_isolation import BROKEN_SCENARIO

from simulator import yamlfile
from simulator.cli import main
from simulator.errors import ContentError

LATE = Path(__file__).resolve().parent.parent / "scenarios" / "late_arrival_reschedule.yaml"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


NAMES = {"YAML", "JSON", "CSV", "SVG", "HTML", "PNG", "UTF", "Tab", "Excel", "SQLite", "PostgreSQL", "Code"}


def english_words(text: str) -> list[str]:
    """Latin words that are not the name of a format or a product."""
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in NAMES]


# -- item 2: validate with no arguments checks what the TUI loads ------------------------------


def test_validate_without_arguments_reads_the_user_directories_and_says_so(isolated_home: Path) -> None:
    folder = isolated_home / "scenarios"
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    code, out, err = run("validate")
    assert code == 1
    assert "broken.yaml:5:" in err
    assert str(folder) in out and "读取的目录" in out
    assert str(isolated_home / "phrasebook") in out  # the user's phrasebook directory, even before it exists


# -- item 3: each file's errors on their own; the position of a YAML slip ---------------------------


def test_a_yaml_slip_hides_no_other_file_and_points_at_its_line(tmp_path: Path) -> None:
    phrasebook = tmp_path / "mine.yaml"
    phrasebook.write_text(
        "version: 1\nname: 我的\ncategories:\n  - id: my_thanks\n    phrases: [谢谢您, 多谢\n    kind: standard\n",
        encoding="utf-8",
    )
    scenario = tmp_path / "late.yaml"
    scenario.write_text(
        LATE.read_text(encoding="utf-8")
        .replace("id: late_arrival_reschedule", "id: my_late")
        .replace("goto: confirm", "goto: confirmm", 1),
        encoding="utf-8",
    )
    code, out, err = run("validate", str(phrasebook), str(scenario))
    assert code == 1
    assert f"{phrasebook}:5:" in err  # the line with the unclosed bracket, not the line after it
    assert "跳转目标 confirmm 既不是节点也不是结局" in err  # the scenario was still checked, against the phrasebook
    assert "无法检查" not in err


SLIPS = {
    "tags: [守时, 改约\nnext: 1\n": 1,
    "a:\n  b: 1\n   c: 2\n": 3,
    "a: 1\nmodel_answer: 您好: 我是\n": 2,
    "a:\n\tb: 1\n": 2,
    'a: "abc\nb: 1\nc: 2\n': 1,
    "a:\n  b: 1\n  - c\n": 3,
    "a:\n  - x\n  b: 1\n": 3,
    'a: "x" y\n': 1,
    "t: {when: met, goto: x\nu: 1\n": 1,
    "a: @x\n": 1,
    "a: 1\nb\nc: 2\n": 2,
    'a: "x\\q"\n': 1,
    "a: b\x07\n": 1,
}


@pytest.mark.parametrize("loader", ["libyaml", "python"])
@pytest.mark.parametrize("text", list(SLIPS))
def test_yaml_slips_read_in_chinese_at_the_line_to_fix(text: str, loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if loader == "python":
        monkeypatch.setattr(yamlfile, "_Loader", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML without libyaml")
    with pytest.raises(ContentError) as caught:
        yamlfile.load_yaml(text, "f.yaml")
    [problem] = caught.value.problems
    assert problem.line == SLIPS[text], str(problem)
    assert english_words(problem.message) == [], problem.message


# -- item 4: where do my files go ---------------------------------------------------------------------------


def test_paths_names_the_database_the_user_directories_settings_and_cache(isolated_home: Path) -> None:
    (isolated_home / "scenarios").mkdir(parents=True)
    (isolated_home / "scenarios" / "mine.yaml").write_text("version: 1\n", encoding="utf-8")
    code, out, _ = run("paths")
    assert code == 0
    for where in (
        "progress.sqlite3",
        str(isolated_home / "scenarios"),
        str(isolated_home / "phrasebook"),
        "settings.json",
        "缓存目录",
    ):
        assert where in out, where
    assert "1 个文件" in out and "还不存在" in out and "SIMULATOR_HOME" in out
    code, out, _ = run("--db", "postgresql://lead:secret@db.example/train", "paths", "--format", "json")
    data = __import__("json").loads(out)
    assert data["scenarios"] == {"path": str(isolated_home / "scenarios"), "exists": True}
    assert "secret" not in data["database"]["path"]


def test_the_tui_takes_scenarios_and_phrasebook_paths_like_play(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simulator.tui

    seen = {}
    monkeypatch.setattr(simulator.tui, "run_app", lambda db, **kw: seen.update(kw, db=db) or 0)
    folder = tmp_path / "mine"
    folder.mkdir()
    assert run("--scenarios", str(folder), "--phrasebook", str(folder))[0] == 0
    assert seen["scenarios"] == [folder] and seen["phrasebook"] == [folder]
    code, _, err = run("--scenarios", str(tmp_path / "nope"))
    assert code == 2 and "不存在" in err


def test_the_trainer_docs_say_where_the_files_go() -> None:
    root = Path(__file__).resolve().parent.parent
    docs = root / "docs"
    for doc in (root / "scenarios" / "README.md", docs / "话术库编写指南.md", docs / "组长使用说明.md"):
        text = doc.read_text(encoding="utf-8")
        assert "simulator paths" in text and "SIMULATOR_HOME" in text, doc.name


# -- item 5: editor support ------------------------------------------------------------------------------

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _texts(node: object, path: str = "") -> list[tuple[str, str]]:
    """Every title and description of a schema, with where it is."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key in ("title", "description"):
            if isinstance(node.get(key), str):
                found.append((f"{path}.{key}", node[key]))
        for key, value in node.items():
            if key == "properties":
                for name, field in value.items():
                    found += _texts(field, f"{path}.{name}")
            elif isinstance(value, (dict, list)):
                found += _texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _texts(item, f"{path}[{index}]")
    return found


def test_schemas_are_written_as_files_with_chinese_titles_and_descriptions(tmp_path: Path) -> None:
    import json

    code, out, _ = run("schema", "--write", str(tmp_path / "schemas"))
    assert code == 0 and "yaml-language-server: $schema=" in out
    for kind in ("phrasebook", "scenario", "corpus"):
        schema = json.loads((tmp_path / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        texts = _texts(schema)
        assert len(texts) > 20
        assert [(where, text) for where, text in texts if not CHINESE.search(text)] == [], kind
        assert schema["$schema"].startswith("http://json-schema.org/draft-07")
    scenario = json.loads((tmp_path / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert scenario["properties"]["version"]["title"] == "格式版本"
    assert scenario["description"] != "The top level of a scenario file."


def test_the_trainer_docs_show_the_modeline_and_the_vs_code_setting() -> None:
    root = Path(__file__).resolve().parent.parent
    for doc in (root / "scenarios" / "README.md", root / "docs" / "话术库编写指南.md"):
        text = doc.read_text(encoding="utf-8")
        assert "# yaml-language-server: $schema=" in text and '"yaml.schemas"' in text, doc.name
        assert "simulator schema --write" in text, doc.name


# -- item 6: a scenario skeleton ---------------------------------------------------------------------------


def test_new_scenario_writes_a_commented_skeleton_that_passes_validate_and_test(isolated_home: Path) -> None:
    code, out, err = run("new", "scenario", "my_first")
    assert code == 0, err
    path = isolated_home / "scenarios" / "my_first.yaml"
    assert str(path) in out
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first.split("=", 1)[1]).resolve().is_file()  # the schema it names is there
    data = yaml.safe_load(text)
    assert data["id"] == "my_first" and len(data["nodes"]) == 3 and len(data["endings"]) == 2
    assert len(data["examples"]) == 1 and text.count("#") > 20  # commented
    code, out, err = run("validate", str(path))
    assert code == 0, err
    code, out, err = run("test", str(path))
    assert code == 0, out + err
    # Taken ids and existing files are refused, nothing is overwritten.
    assert run("new", "scenario", "my_first", "--output", str(isolated_home / "other.yaml"))[0] == 2
    assert run("new", "scenario", "late_arrival_reschedule")[0] == 2
    assert run("new", "scenario", "Bad-Id")[0] == 2


def test_a_model_answer_longer_than_a_reply_may_be_is_a_located_error_not_a_crash(tmp_path: Path) -> None:
    from simulator.judge import MAX_REPLY_CHARS

    text = LATE.read_text(encoding="utf-8")
    match = re.search(r"^(\s*)model_answer: .*$", text, flags=re.MULTILINE)
    assert match
    line = text[: match.start()].count("\n") + 1
    long_answer = "您好，我是售后工程师小王。" * (MAX_REPLY_CHARS // 13 + 1)
    assert len(long_answer) > MAX_REPLY_CHARS
    text = text[: match.start()] + f"{match.group(1)}model_answer: {long_answer}" + text[match.end() :]
    path = tmp_path / "long.yaml"
    path.write_text(text.replace("id: late_arrival_reschedule", "id: long_answer", 1), encoding="utf-8")
    code, out, err = run("validate", str(path))
    assert code == 1
    assert f"long.yaml:{line}:" in err and "model_answer" in err and f"{MAX_REPLY_CHARS}" in err
    assert "Traceback" not in err


def test_an_unknown_field_is_pointed_at_where_its_name_is_written(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "version: 1\ncategories:\n  - id: typo_cat\n    label: 测试\n    kind: standard\n"
        "    descripton: 拼错的字段\n    phrases: [您好]\n",
        encoding="utf-8",
    )
    code, _, err = run("validate", str(path))
    assert code == 1
    # Line 6, column 5: the misspelt key, not its value (column 17).
    assert "typo.yaml:6:5:" in err and "descripton" in err and "未知字段" in err


@pytest.mark.parametrize("loader", ["libyaml", "python"])
def test_an_indentation_slip_names_both_lines_when_the_line_above_is_too_deep(
    loader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if loader == "python":
        monkeypatch.setattr(yamlfile, "_Loader", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML without libyaml")
    # "title" (line 3) is indented two spaces too deep; the parser stops at "customer" (line 4).
    text = "nodes:\n  check:\n      title: 检查\n    customer: [您好]\n"
    with pytest.raises(ContentError) as caught:
        yamlfile.load_yaml(text, "f.yaml")
    [problem] = caught.value.problems
    assert problem.line == 4
    assert "第 3 行缩进 6 格" in problem.message and "这一行缩进 4 格" in problem.message

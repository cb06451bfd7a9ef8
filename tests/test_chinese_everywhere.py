"""Every word the user reads is Chinese (issue 14, item 7 and the scan of every command's output)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
LATE = ROOT / "scenarios" / "late_arrival_reschedule.yaml"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_the_test_command_sums_up_in_chinese_and_names_endings_by_title() -> None:
    from simulator.scenario import load_scenarios

    [scenario] = load_scenarios([LATE])
    code, out, err = run("test", str(LATE))
    assert code == 0, err
    assert re.search(r"共 (\d+) 项：通过 \1 项，失败 0 项$", out.rstrip())
    for example in scenario.examples:
        if example.expect.ending:
            assert f"结局「{scenario.endings[example.expect.ending].title}」" in out
            assert example.expect.ending not in out
    assert "passed" not in out and "failed" not in out


# -- team leads' exports (items 7, 8, 9) --------------------------------------------------------------------------

REPLIES = "周女士您好，我是安家售后的小赵，实在对不起，让您久等了。\n你找我们领导去吧\n"


def played(tmp_path: Path, trainee: str = "张伟", times: int = 3) -> None:
    replies = tmp_path / "r.txt"
    replies.write_text(REPLIES, encoding="utf-8")
    for seed in range(times):
        code, _, err = run(
            "play", "late_arrival_reschedule", "--trainee", trainee, "--replies", str(replies), "--seed", str(seed + 1)
        )
        assert code == 0, err


def csv_rows(text: str) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_exports_have_chinese_headers_and_values(tmp_path: Path) -> None:
    played(tmp_path)
    code, out, _ = run("history", "--format", "csv")
    assert code == 0
    header, *rows = csv_rows(out)
    assert header[:3] == ["编号", "学员", "场景"] and "方式" in header and "是否完成" in header
    row = dict(zip(header, rows[0], strict=True))
    title = __import__("yaml").safe_load(LATE.read_text(encoding="utf-8"))["title"]
    assert row["场景"] == title and row["方式"] == "练习" and row["是否完成"] in ("是", "否")
    code, out, _ = run("report", "--format", "csv", "--trainee", "張偉")  # one person, however written
    header, *rows = csv_rows(out)
    row = dict(zip(header, rows[0], strict=True))
    assert header[0] == "学员" and row["学员"] == "张伟" and row["最常违反"] == "推给领导×3"
    for text in (",".join(header), *(",".join(r) for r in rows)):
        for word in ("True", "False", "practice", "exam", "go_find_boss", "late_arrival_reschedule", "trainee"):
            assert word not in text, (word, text)


def test_plot_exports_by_extension_and_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    played(tmp_path)
    for name, start in (("p.svg", "<svg"), ("p.html", "<!doctype html>"), ("p.HTM", "<!doctype html>")):
        code, out, err = run("plot", "--output", str(tmp_path / name))
        assert code == 0, err
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start), name
    for name in ("p.png", "p.pdf", "p"):
        code, _, err = run("plot", "--output", str(tmp_path / name))
        assert code == 2 and ".svg" in err and not (tmp_path / name).exists(), name


def test_plot_refuses_an_unknown_category_and_takes_a_chinese_name(tmp_path: Path) -> None:
    played(tmp_path)
    code, _, err = run("plot", "--category", "nonexist")
    assert code == 2 and "没有类别 nonexist" in err
    code, out, err = run("plot", "--category", "推给领导", "--output", str(tmp_path / "c.svg"))
    assert code == 0, err
    assert "go_find_boss" not in (tmp_path / "c.svg").read_text(encoding="utf-8")


def test_an_unknown_trainee_is_the_same_usage_error_everywhere(tmp_path: Path) -> None:
    played(tmp_path)
    results = {cmd: run(cmd, "--trainee", "不存在的人") for cmd in ("report", "plot", "history")}
    assert {code for code, _, _ in results.values()} == {2}
    assert len({err for _, _, err in results.values()}) == 1 and "不存在的人" in results["report"][2]


def test_plots_label_each_day_once_count_in_whole_numbers_and_score_0_to_100(tmp_path: Path) -> None:
    import re

    from simulator.charts import Series, svg_chart

    same_day = Series("张伟", [("06-01", float(i % 3)) for i in range(13)])
    counts = svg_chart("次数", [same_day], y_label="次数", y_max=None)
    assert counts.count(">06-01</text>") == 1
    ticks = re.findall(r'text-anchor="end" fill="#6b7280">([^<]+)</text>', counts)
    assert ticks == ["0", "1", "2"]
    scores = svg_chart("得分", [Series("张伟", [("06-01", 55.0), ("06-02", 70.0)])])
    y_ticks = re.findall(r'text-anchor="end" fill="#6b7280">([^<]+)</text>', scores)
    assert y_ticks == ["0", "20", "40", "60", "80", "100"]
    played(tmp_path, times=4)  # four sessions, one day
    code, out, _ = run("plot", "--trainee", "张伟")
    assert code == 0
    day = re.findall(r"\d\d-\d\d", out)
    assert len(day) == 1  # the day once on the x-axis
    y_axis = [line.split("┤")[0].strip() for line in out.splitlines() if "┤" in line]
    assert y_axis == ["100", "80", "60", "40", "20", "0"]


# -- the scan: every command, with content that triggers its messages -------------------------------------------

# Names of formats, products and keys, written as their users know them.
NAMES = {
    "YAML",
    "JSON",
    "CSV",
    "SVG",
    "HTML",
    "PNG",
    "PDF",
    "UTF",
    "BOM",
    "Excel",
    "SQLite",
    "PostgreSQL",
    "VS",
    "Code",
    "Tab",
    "Ctrl",
    "Enter",
    "Esc",
    "Shift",
    "Alt",
    "UTC",
    "URL",
    "Schema",
    "Windows",
    "macOS",
    "Linux",
}
PLACEHOLDERS = re.compile(r"^[A-Z][A-Z_]*$")  # metavars such as PATH, SESSION_ID in usage lines
PATHISH = re.compile(r"\S*[/\\]\S*|[\w.-]*\.(?:ya?ml|json|svg|html?|png|pdf|txt|sqlite3|csv|md)\b|[a-z]+://\S+")
# Typed by the user and echoed back ("no such category nonexist"), or an example in the help.
ECHOED = {"nope", "nonexist", "Bad", "Id", "xml", "nosuchcommand", "nowhere", "aircon_first_visit", "my_first"}


def vocabulary(content_ids: bool = True) -> set[str]:
    """What may appear in Latin letters: the CLI's own words and, for authoring commands, the content ids
    a trainer wrote and the schema's keys and values (a trainee's and a team lead's outputs have none)."""
    from simulator.cli.main import build_parser
    from simulator.scenario import load_scenarios
    from simulator.schema import json_schema

    words: set[str] = set(NAMES) | {"simulator", "yaml", "language", "server", "schema"}
    from simulator import locations
    from simulator.phrasebook import load_phrasebook

    if not content_ids:
        words |= set(NAMES)
    else:
        words |= set(load_phrasebook([locations.bundled_phrasebook_dir()]).labels())
    for scenario in load_scenarios([locations.bundled_scenarios_dir()]) if content_ids else []:
        words |= {scenario.id, *scenario.nodes, *scenario.endings}

    def keys(node: object) -> None:
        if isinstance(node, dict):
            words.update(k for k in node.get("properties", {}))
            words.update(v for v in node.get("enum", []) if isinstance(v, str))  # values a trainer writes
            for value in node.values():
                keys(value)
        elif isinstance(node, list):
            for value in node:
                keys(value)

    for kind in ("phrasebook", "scenario", "corpus") if content_ids else ():
        keys(json_schema(kind))
        words |= set(json_schema(kind)["properties"])

    def parser_words(parser) -> None:  # noqa: ANN001
        for action in parser._actions:
            for option in action.option_strings:
                words.update(re.findall(r"[a-z]+", option))
            words.update(str(c) for c in (action.choices or []) if isinstance(c, str))
            if hasattr(action, "_name_parser_map"):
                for name, sub in action._name_parser_map.items():
                    words.add(name)
                    parser_words(sub)

    parser_words(build_parser())
    words |= {w for name in os.environ if name.startswith("SIMULATOR_") for w in name.split("_")}
    words |= {"SIMULATOR", "HOME", "DB", "DIR", "CACHE", "PHRASEBOOK", "SCENARIOS", "CORPUS"}
    return words


def latin_words(text: str, allowed: set[str]) -> list[str]:
    text = PATHISH.sub(" ", text)
    found = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text):
        if len(word) < 2 or word in allowed or PLACEHOLDERS.match(word) or re.fullmatch(r"[fF]\d+", word):
            continue
        if all(part in allowed for part in word.split("_") if part):
            continue
        found.append(word)
    return found


BAD_PHRASEBOOK = "version: 1\ncategories:\n  - id: Bad-Id\n    kind: standard\n    phrases: [谢谢您, 多谢\n"
BAD_CORPUS = "items:\n  - reply: 这个我不懂\n    prohibited_matches: [no_such_category]\n    kind: weird\n"


def test_no_command_prints_english_outside_json(
    tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heldout = ROOT / "benchmarks" / "data" / "heldout.yaml"
    items = __import__("yaml").safe_load(heldout.read_text(encoding="utf-8"))["items"]
    item_ids = {str(item.get("id")) for item in items}
    allowed = vocabulary() | ECHOED | item_ids | {"no_such_category", "weird"}
    # What trainees and team leads read (play, history, transcript, report, plot) names no id at all.
    strict = vocabulary(content_ids=False) | ECHOED
    scenario_ids = {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}  # play takes one: a wrong one lists them
    played(tmp_path, times=2)
    files = {name: tmp_path / name for name in ("bad_pb.yaml", "bad_corpus.yaml", "slip.yaml", "late.yaml")}
    files["bad_pb.yaml"].write_text(BAD_PHRASEBOOK, encoding="utf-8")
    files["bad_corpus.yaml"].write_text(BAD_CORPUS, encoding="utf-8")
    files["slip.yaml"].write_text("version: 1\nid: x\ntitle: [a\nstart: b\n", encoding="utf-8")
    files["late.yaml"].write_text(
        LATE.read_text(encoding="utf-8")
        .replace("goto: confirm", "goto: nowhere", 1)
        .replace("model_answer: 车正在修", "model_answer: 好的。车正在修", 1),
        encoding="utf-8",
    )
    user = isolated_home / "scenarios"
    user.mkdir(parents=True, exist_ok=True)
    (user / "broken.yaml").write_text("version: 1\nid: mine\ntitle: 我的\n", encoding="utf-8")
    replies = tmp_path / "replies.txt"
    replies.write_text(REPLIES, encoding="utf-8")
    [session] = [row[0] for row in csv_rows(run("history", "--format", "csv")[1])[1:2]]
    runs = [
        ("score", "您好，这个不属于我负责", "过保了，你不给钱我就不修"),
        ("score", "--scenario", "first_visit_introduction", "你好"),
        ("validate",),
        ("validate", *map(str, files.values())),
        ("test", str(LATE)),
        ("test", str(files["late.yaml"])),
        ("test",),
        ("eval", str(heldout)),
        ("play", "late_arrival_reschedule", "--trainee", "李四", "--replies", str(replies)),
        ("play", "nope", "--trainee", "李四", "--replies", str(replies)),
        ("history",),
        ("history", "--format", "csv"),
        ("history", "--trainee", "不存在"),
        ("transcript", session),
        ("transcript", "99999"),
        ("report",),
        ("report", "--trainee", "张伟"),
        ("report", "--format", "csv"),
        ("report", "--trainee", "张伟", "--format", "csv"),
        ("plot",),
        ("plot", "--trainee", "张伟"),
        ("plot", "--category", "go_find_boss"),
        ("plot", "--category", "nonexist"),
        ("plot", "--output", str(tmp_path / "p.png")),
        ("plot", "--output", str(tmp_path / "p.html")),
        ("schema", "--write", str(tmp_path / "schemas")),
        ("paths",),
        ("new", "scenario", "my_first"),
        ("new", "scenario", "Bad-Id"),
        ("score", "--format", "xml", "x"),
        ("nosuchcommand",),
        ("--help",),
        *(
            (name, "--help")
            for name in (
                "score",
                "validate",
                "eval",
                "test",
                "play",
                "history",
                "transcript",
                "report",
                "plot",
                "schema",
                "paths",
                "new",
            )
        ),
    ]
    english: dict[str, list[str]] = {}
    for argv in runs:
        capsys.readouterr()
        code, out, err = run(*argv)
        printed = capsys.readouterr()  # argparse's help and usage errors go straight to the streams
        review = argv[0] in ("play", "history", "transcript", "report", "plot") and "--help" not in argv
        text = "\n".join((out, err, printed.out, printed.err))
        if review:  # a skipped content file's problems (file:line field …) are for the trainer who wrote it
            text = "\n".join(line for line in text.splitlines() if ".yaml:" not in line)
        words = latin_words(text, (strict | (scenario_ids if argv[0] == "play" else set())) if review else allowed)
        if words:
            english[" ".join(argv)] = sorted(set(words))
    assert english == {}, "\n".join(f"{k}: {v}" for k, v in english.items())

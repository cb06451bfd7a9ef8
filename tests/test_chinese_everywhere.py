"""Every word the user reads is Chinese (issue 14, item 7 and the scan of every command's output)."""

from __future__ import annotations

import io
from pathlib import Path

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
LATE = ROOT / "scenarios" / "late_arrival_reschedule.yaml"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_the_test_command_sums_up_in_chinese_and_names_endings_by_title() -> None:
    code, out, err = run("test", str(LATE))
    assert code == 0, err
    assert out.rstrip().endswith("共 2 项：通过 2 项，失败 0 项")
    assert "结局「重新约定成功」" in out and "rescheduled" not in out and "passed" not in out


# -- team leads' exports (items 7, 8, 9) --------------------------------------------------------------------------

REPLIES = "周女士您好，我是安家售后的小赵，实在对不起，让您久等了。\n你找我们领导去吧\n"


def played(tmp_path: Path, trainee: str = "张伟", times: int = 3) -> None:
    replies = tmp_path / "r.txt"
    replies.write_text(REPLIES, encoding="utf-8")
    for seed in range(times):
        code, _, err = run("play", "late_arrival_reschedule", "--trainee", trainee, "--replies", str(replies),
                           "--seed", str(seed + 1))
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
    assert row["场景"] == "迟到时电话致歉并重新约定" and row["方式"] == "练习" and row["是否完成"] == "否"
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

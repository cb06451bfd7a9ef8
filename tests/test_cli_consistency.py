"""CLI defects a newcomer found: output paths, read-only commands, summaries, chart widths, small inconsistencies."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from simulator.cli import main

GOOD = "周女士您好，我是安家售后的小赵，实在对不起，让您久等了。\n我们改到今天下午两点，您看方便吗？\n谢谢您的谅解。\n"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def play(tmp_path: Path, trainee: str, *db: str, seed: int = 1) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text(GOOD, encoding="utf-8")
    argv = [*db, "play", "late_arrival_reschedule", "--trainee", trainee, "--replies", str(replies)]
    code, _, err = run(*argv, "--seed", str(seed))
    assert code == 0, err


# -- 1. plot --output --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_plot_output_creates_missing_folders(tmp_path: Path, suffix: str) -> None:
    play(tmp_path, "张伟")
    target = tmp_path / "not" / "there" / f"chart{suffix}"
    code, out, err = run("plot", "--output", str(target))
    assert code == 0, err
    assert target.is_file() and "<svg" in target.read_text(encoding="utf-8")
    assert str(target) in out


def test_plot_output_that_cannot_be_written_is_a_chinese_error(tmp_path: Path) -> None:
    play(tmp_path, "张伟")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "chart.svg"  # a folder that is a file: it can be neither created nor written into
    code, out, err = run("plot", "--output", str(target))
    assert code == 2
    assert f"无法写入 {target}" in err
    assert "Error" not in err and "Errno" not in err
    assert out == ""


def test_corpus_export_that_cannot_be_written_is_a_chinese_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run("corpus", "export", "--output", str(blocker / "out.yaml"))
    assert code == 2
    assert f"无法写入 {blocker / 'out.yaml'}" in err and "Errno" not in err


# -- 2. commands that only read never create a database ------------------------------------------

READ_ONLY = [
    ["history"],
    ["history", "--format", "json"],
    ["report"],
    ["report", "--assignments"],
    ["assign", "list"],
    ["transcript", "1"],
    ["plot"],
    ["recommend", "--trainee", "张伟"],
    ["review", "list"],
    ["review", "show", "1:1"],
    ["review", "suggest", "1:1"],
    ["corpus", "export"],
    ["eval", "--reviewed", "--rules-only"],
    ["admin", "list"],
    ["admin", "whoami"],
]


@pytest.mark.parametrize("argv", READ_ONLY, ids=" ".join)
def test_a_mistyped_db_is_refused_and_nothing_is_created(tmp_path: Path, argv: list[str]) -> None:
    typo = tmp_path / "typo" / "deep" / "progress.sqlite3"
    code, out, err = run("--db", str(typo), *argv)
    assert code == 2, (out, err)
    assert f"进度数据库 {typo} 不存在" in err and "--db" in err
    assert not (tmp_path / "typo").exists()


def test_a_mistyped_simulator_db_is_refused_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    typo = tmp_path / "typo.sqlite3"
    monkeypatch.setenv("SIMULATOR_DB", str(typo))
    code, _, err = run("history")
    assert code == 2
    assert f"进度数据库 {typo} 不存在" in err and "SIMULATOR_DB" in err
    assert not typo.exists()


@pytest.mark.parametrize("argv", READ_ONLY, ids=" ".join)
def test_before_anyone_practised_reading_creates_nothing(isolated_home: Path, argv: list[str]) -> None:
    default = isolated_home / "progress.sqlite3"
    code, out, err = run(*argv)
    assert "Traceback" not in err
    assert not default.exists() and not default.with_name("progress.sqlite3-wal").exists()


def test_before_anyone_practised_the_listings_are_empty(isolated_home: Path) -> None:
    assert run("history", "--format", "json")[:2] == (0, "[]\n")
    assert run("report", "--format", "json")[:2] == (0, "[]\n")
    code, out, _ = run("report")
    assert code == 0 and "还没有任何练习记录" in out
    assert not (isolated_home / "progress.sqlite3").exists()


def test_writing_commands_still_create_the_database(tmp_path: Path) -> None:
    fresh = tmp_path / "new" / "folder" / "progress.sqlite3"
    play(tmp_path, "张伟", "--db", str(fresh))
    assert fresh.is_file()
    code, out, _ = run("--db", str(fresh), "history", "--format", "json")
    assert code == 0 and '"张伟"' in out


# -- 3. validate's summary -------------------------------------------------------------------------

PHRASEBOOK = """version: 1
name: 我的话术库
categories:
  - id: {id}
    label: {label}
    kind: standard
    description: 测试。
    phrases: [{phrase}]
    examples:
      hit:
        - "[{example}]"
"""


def phrasebook(folder: Path, name: str, *, passes: bool) -> Path:
    path = folder / name
    example = "辛苦您了" if passes else "您慢走"  # the failing one expects a hit its phrases never give
    category = "my_thanks_" + name.split(".")[0]
    path.write_text(
        PHRASEBOOK.format(id=category, label="我的" + name, phrase="辛苦您了", example=example), encoding="utf-8"
    )
    return path


def test_validate_claims_nothing_passed_when_the_named_phrasebook_failed(tmp_path: Path) -> None:
    bad = phrasebook(tmp_path, "bad.yaml", passes=False)
    code, out, err = run("validate", str(bad))
    assert code == 1
    assert f"✗ {bad}:11:" in err and "您慢走" in err
    assert "全部通过" not in out and "✓" not in out
    assert "1 个话术库文件有误" in out


def test_validate_counts_only_the_named_phrasebooks(tmp_path: Path) -> None:
    good = phrasebook(tmp_path, "good.yaml", passes=True)
    code, out, err = run("validate", str(good))
    assert code == 0, err
    assert f"✓ {good}：话术库有效" in out
    assert "共 1 个类别、1 条短语、0 个模式，自测用例全部通过" in out


def test_validate_of_a_good_and_a_bad_phrasebook_counts_the_good_one(tmp_path: Path) -> None:
    good = phrasebook(tmp_path, "good.yaml", passes=True)
    bad = phrasebook(tmp_path, "bad.yaml", passes=False)
    code, out, _ = run("validate", str(good), str(bad))
    assert code == 1
    assert "全部通过" not in out
    assert "有效的 1 个文件共 1 个类别、1 条短语、0 个模式" in out and "1 个话术库文件有误" in out


# -- 4. the terminal chart -------------------------------------------------------------------------

LONG_A = "欧阳张伟伟伟伟伟伟伟"
LONG_B = "司马李娜娜娜娜娜娜娜"


@pytest.fixture
def two_trainees(tmp_path: Path) -> None:
    for seed in (1, 2, 3):
        play(tmp_path, LONG_A, seed=seed)
    for seed in (1, 2):
        play(tmp_path, LONG_B, seed=seed)


@pytest.mark.usefixtures("two_trainees")
@pytest.mark.parametrize(
    "argv",
    [[], ["--trainee", LONG_A], ["--category", "致歉"], ["--trainee", LONG_B, "--category", "apology"]],
    ids=["everyone", "one", "category", "one-category"],
)
def test_the_terminal_chart_fits_80_columns_with_chinese_names(argv: list[str]) -> None:
    from rich.cells import cell_len

    code, out, err = run("plot", *argv)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) > 10
    too_wide = [(cell_len(line), line) for line in lines if cell_len(line) > 80]
    assert not too_wide
    assert ("得分趋势" in out) != ("致歉" in out)
    assert LONG_A in out or LONG_B in out  # the legend or the title names the trainee in full


@pytest.mark.usefixtures("two_trainees")
def test_the_attempt_axis_has_whole_numbers() -> None:
    import re

    code, out, _ = run("plot")
    assert code == 0
    assert "第几次练习" in out
    assert not re.search(r"\d\.\d", out)  # 1.00 1.75 2.50 … were drawn before
    lines = out.splitlines()
    [axis] = [i for i, line in enumerate(lines) if "└" in line]
    assert lines[axis + 1].split() == ["1", "2", "3"]
    assert LONG_A in out and LONG_B in out  # both in the legend


# -- 5. small inconsistencies ----------------------------------------------------------------------


def test_ctrl_c_in_play_says_it_was_interrupted_and_what_is_saved(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    db = tmp_path / "p.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--db", str(db), "play", "late_arrival_reschedule"]
        + ["--trainee", "甲", "--replies", "-", "--seed", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdout.readline()  # the title
    proc.stdout.readline()  # the customer's first line
    proc.stdin.write(GOOD.splitlines()[0] + "\n")
    proc.stdin.flush()
    while not proc.stdout.readline().startswith("客户："):  # the turn is shown once it is stored
        pass
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "回复已用完" not in out + err
    assert "已中断" in err and "已保存的 1 个回合" in err and "Traceback" not in err
    code, listed, _ = run("--db", str(db), "history", "--format", "json")
    assert code == 0 and '"turns": 1' in listed and '"finished": false' in listed


@pytest.mark.parametrize(
    "argv",
    [["history"], ["report"], ["plot"], ["recommend"], ["assign", "list"], ["review", "list"]],
    ids=" ".join,
)
@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_trainee_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], blank: str
) -> None:
    play(tmp_path, "张伟")
    capsys.readouterr()
    code, out, err = run(*argv, "--trainee", blank)
    err += capsys.readouterr().err  # argparse writes its usage errors to the process's stderr
    assert code == 2
    assert "--trainee" in err and "学员姓名不能为空" in err
    assert "张伟" not in out


def test_an_unknown_trainee_is_refused_alike_by_recommend(tmp_path: Path) -> None:
    play(tmp_path, "张伟")
    results = {cmd: run(cmd, "--trainee", "无名") for cmd in ("report", "plot", "history", "recommend")}
    assert {code for code, _, _ in results.values()} == {2}
    assert len({err for _, _, err in results.values()}) == 1 and "无名" in results["recommend"][2]
    assert results["recommend"][1] == ""
    code, out, _ = run("recommend", "--trainee", "張偉")  # the same person as 张伟, as the store matches names
    assert code == 0 and "张伟" in out


def test_the_history_table_says_fangshi_like_the_csv(tmp_path: Path) -> None:
    play(tmp_path, "张伟")
    _, table, _ = run("history")
    _, csv_text, _ = run("history", "--format", "csv")
    assert "方式" in csv_text.splitlines()[0]
    assert "方式" in table and "模式" not in table

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

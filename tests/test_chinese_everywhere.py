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

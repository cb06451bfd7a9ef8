"""One bad file never stops the team (issue 14, item 1): a broken or duplicate user file is skipped with a warning."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from simulator import locations
from simulator.cli import main

BROKEN_SCENARIO = "version: 1\nid: mine\ntitle: 我的场景\ndifficulty: 1\ntags: [守时, 改约: 电话]\n"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def user_scenarios(home: Path) -> Path:
    folder = home / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "broken.yaml").write_text(BROKEN_SCENARIO, encoding="utf-8")
    shutil.copy(locations.bundled_scenarios_dir() / "late_arrival_reschedule.yaml", folder / "copy.yaml")
    return folder


def test_play_goes_on_with_a_broken_and_a_duplicate_user_scenario(isolated_home: Path, tmp_path: Path) -> None:
    user_scenarios(isolated_home)
    replies = tmp_path / "r.txt"
    replies.write_text("您好，我是中讯公司的售后工程师小王。\n", encoding="utf-8")
    code, out, err = run(
        "play", "late_arrival_reschedule", "--trainee", "甲", "--replies", str(replies), "--no-record", "--seed", "1"
    )
    assert code == 0, err
    assert "你：您好" in out
    assert "broken.yaml:5:" in err and "copy.yaml" in err and "已跳过" in err
    assert err.count("broken.yaml:5:") == 1  # said once, though the scenarios are read twice


def test_score_with_a_user_scenario_directory_that_has_a_broken_file(isolated_home: Path) -> None:
    user_scenarios(isolated_home)
    code, out, err = run("score", "--format", "json", "--scenario", "first_visit_introduction", "你好")
    assert code == 0, err
    assert "broken.yaml" in err


def test_a_broken_user_phrasebook_file_is_skipped(isolated_home: Path) -> None:
    folder = isolated_home / "phrasebook"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text("version: 1\ncategories:\n  - id: Bad-Id\n    kind: standard\n", encoding="utf-8")
    code, out, err = run("score", "--format", "json", "这个不归我管")
    assert code == 0, err
    assert "mine.yaml:3:" in err and "已跳过" in err


def test_validate_names_a_duplicate_id_as_such(isolated_home: Path) -> None:
    folder = user_scenarios(isolated_home)
    code, _, err = run("validate", str(folder / "copy.yaml"))
    assert code == 1
    assert "late_arrival_reschedule" in err and "已被" in err and "使用" in err

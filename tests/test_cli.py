"""The command line, in process and as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_score_json_follows_the_contract() -> None:
    code, out, _ = run("score", "--format", "json", "您好，这个不属于我负责", "谢谢您的配合")
    assert code == 0
    data = json.loads(out)
    assert [d["text"] for d in data] == ["您好，这个不属于我负责", "谢谢您的配合"]
    first = data[0]
    # The contract's keys, plus the 疑似 list the learned stage adds (DESIGN.md, planned additions).
    assert set(first) == {"text", "score", "prohibited", "standard", "possible", "uncredited"}
    assert first["prohibited"][0]["stage"] == "rule"
    assert first["prohibited"][0]["category"] == "not_my_job"
    assert first["standard"][0]["category"] == "greeting"
    start, end = first["prohibited"][0]["span"]
    assert first["text"][start:end] == "这个不属于我负责"


def test_score_text_shows_clause_and_suggestion() -> None:
    code, out, _ = run("score", "过保了，你不给钱我就不修")
    assert code == 0
    assert "不给钱不修" in out and "售后服务人员服务准则 2.1" in out and "建议：" in out


def test_score_reads_stdin_lines_in_order() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "score", "--format", "jsonl"],
        input="您好\n这*个*我*不*懂\n\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [d["text"] for d in lines] == ["您好", "这*个*我*不*懂", ""]
    assert lines[1]["prohibited"][0]["category"] == "dont_know"


def test_score_streams_each_line_as_it_arrives() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "score", "--format", "jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdin and proc.stdout
    try:
        proc.stdin.write("你找我们上级领导吧\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())  # answered while stdin is still open
        assert first["prohibited"][0]["category"] == "go_find_boss"
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    assert proc.returncode == 0


def test_validate_bundled_content_passes() -> None:
    code, out, err = run("validate")
    assert code == 0, err
    assert "自测用例全部通过" in out


def test_validate_reports_bad_file_with_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ncategories:\n  - id: Bad-Id\n    kind: standard\n", encoding="utf-8")
    code, _, err = run("validate", str(bad))
    assert code == 1
    assert f"{bad}:3:" in err and "categories[0].id" in err


def test_usage_error_exits_2_in_chinese() -> None:
    code, _, _ = run("score", "--format", "xml", "x")
    assert code == 2
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "nosuchcommand"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 2
    assert "错误" in proc.stderr and "无效的选项" in proc.stderr


def test_missing_phrasebook_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("score", "--phrasebook", str(tmp_path / "nope.yaml"), "您好")
    assert code == 2 and "不存在" in err


def test_schema_is_json_schema() -> None:
    code, out, _ = run("schema", "phrasebook")
    schema = json.loads(out)
    assert code == 0
    assert schema["title"].startswith("售后服务情景陪练")
    assert "categories" in schema["properties"]


def test_help_is_chinese() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "score", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0
    assert "用法：" in proc.stdout and "输出格式" in proc.stdout


@pytest.mark.skipif(not (SHARED / "eval" / "dev.yaml").exists(), reason="shared/eval/dev.yaml not present")
def test_eval_command_reports_metrics_and_meets_targets() -> None:
    code, out, _ = run("eval", str(SHARED / "eval" / "dev.yaml"), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["items"] > 0
    # The targets; a regression here means the engine got worse.
    assert report["prohibited_detection"]["precision"] >= 0.95
    assert report["prohibited_detection"]["recall"] >= 0.90
    assert report["standard_categories_micro"]["f1"] >= 0.85


def test_developer_sets_do_not_regress() -> None:
    """The thirteen developer sets of version one, judged together.

    Each set has a handful of flagged replies, so one debatable hit moves a
    set's precision by 0.1-0.3; the aggregate is the meaningful figure.
    """
    files = sorted((ROOT / "benchmarks" / "data").glob("heldout*.yaml"))
    assert len(files) >= 13
    code, out, _ = run("eval", *map(str, files), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["prohibited_detection"]["precision"] >= 0.95
    assert report["prohibited_detection"]["recall"] >= 0.90
    assert report["standard_categories_micro"]["f1"] >= 0.90


def test_user_phrasebook_directory_is_loaded(isolated_home: Path) -> None:
    folder = isolated_home / "phrasebook"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        "version: 1\ncategories:\n  - id: not_my_job\n    extend: true\n    phrases: [这块儿我们不碰]\n"
        "    examples:\n      hit: ['[这块儿我们不碰]']\n",
        encoding="utf-8",
    )
    code, out, _ = run("score", "--format", "json", "这块儿我们不碰")
    assert code == 0
    assert json.loads(out)[0]["prohibited"][0]["category"] == "not_my_job"


def test_score_with_scenario_applies_the_opening_expectations() -> None:
    code, out, _ = run("score", "--format", "json", "--scenario", "first_visit_introduction", "你好")
    assert code == 0
    [data] = json.loads(out)
    # The opening asks for a greeting and a self-introduction: half of the moment's 40 points
    # for the greeting, 15 off for the missing introduction.
    assert data["score"] == 60 + 20 - 15


def test_report_csv_for_a_trainee_without_scenario_figures(tmp_path: Path) -> None:
    replies = tmp_path / "empty.txt"
    replies.write_text("", encoding="utf-8")  # the session is opened, no turn is played
    code, _, _ = run("play", "first_visit_introduction", "--trainee", "乙", "--replies", str(replies), "--seed", "1")
    assert code == 0
    code, out, err = run("report", "--trainee", "乙", "--format", "csv")
    assert code == 0, err
    assert out.startswith("\ufeff")  # Excel's cue for UTF-8
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert rows[0][0] == "学员" and "场景" in rows[0]
    assert [row[0] for row in rows[1:]] == ["乙"]
    assert rows[1][rows[0].index("场景")] == ""


def test_abandoned_sessions_are_counted_but_never_averaged(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("周女士您好，我是安家售后的小赵，实在对不起，让您久等了。\n", encoding="utf-8")
    # One strong turn, then the trainee walks away: an unfinished session with a high running score.
    assert run("play", "late_arrival_reschedule", "--trainee", "丙", "--replies", str(good), "--seed", "1")[0] == 0
    code, out, _ = run("report", "--format", "json")
    assert code == 0
    [row] = [r for r in json.loads(out) if r["trainee"] == "丙"]
    assert row["sessions"] == 1 and row["finished"] == 0 and row["unfinished"] == 1
    assert row["average"] is None and row["best"] is None and row["trend"] is None
    assert all(s["average"] is None or s["sessions"] == 0 for s in row["scenarios"])
    code, out, _ = run("report")
    assert "未完成 1" in out


def test_exam_results_are_reported_apart(tmp_path: Path) -> None:
    replies = tmp_path / "r.txt"
    replies.write_text(
        "周女士您好，我是安家售后的小赵，实在对不起，让您久等了。\n我们改到今天下午两点，您看方便吗？\n谢谢您的谅解。\n",
        encoding="utf-8",
    )
    assert run("play", "late_arrival_reschedule", "--trainee", "戊", "--replies", str(replies), "--exam")[0] == 0
    assert run("play", "late_arrival_reschedule", "--trainee", "戊", "--replies", str(replies), "--seed", "1")[0] == 0
    code, out, _ = run("report", "--format", "json")
    [row] = [r for r in json.loads(out) if r["trainee"] == "戊"]
    assert row["exams"] == 1 and row["finished"] == 2 and row["exam_pass_rate"] in (0.0, 1.0)
    assert row["pass_mark"] == 60
    code, out, _ = run("report")
    assert "其中考试（及格线默认 60 分，场景可另定）：戊 1 次" in out
    code, out, _ = run("history", "--format", "json")
    assert sorted(r["mode"] for r in json.loads(out) if r["trainee"] == "戊") == ["exam", "practice"]


def test_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "simulator", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "售后服务情景陪练" in proc.stdout
    from simulator import __version__

    assert __version__ in proc.stdout


def test_a_broken_corpus_file_leaves_the_rules_judging(isolated_home: Path) -> None:
    folder = isolated_home / "corpus"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        "items:\n- reply: 这个我不懂\n  prohibited_matches: [no_such_category]\n  kind: weird\n", encoding="utf-8"
    )
    code, out, err = run("score", "--format", "json", "这个我不懂")
    assert code == 0
    assert "mine.yaml:4" in err and "只用话术库规则" in err
    assert json.loads(out)[0]["prohibited"][0]["category"] == "dont_know"


def test_tables_show_times_in_the_local_time_zone_and_json_keeps_utc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time
    from datetime import datetime, timedelta

    replies = tmp_path / "one.txt"
    replies.write_text("您好，我是售后工程师小王。\n", encoding="utf-8")
    assert run("play", "first_visit_introduction", "--trainee", "己", "--replies", str(replies))[0] == 0
    code, out, _ = run("history", "--trainee", "己", "--format", "json")
    started = json.loads(out)[0]["started_at"]
    assert started.endswith("+00:00")  # the contract's machine-readable time stays UTC
    utc = datetime.fromisoformat(started)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        code, out, _ = run("history", "--trainee", "己")
        assert code == 0
        assert (utc + timedelta(hours=8)).strftime("%m-%d %H:%M") in out  # Beijing time, as a lead reads it
        assert utc.strftime("%m-%d %H:%M") not in out
    finally:
        monkeypatch.undo()
        time.tzset()

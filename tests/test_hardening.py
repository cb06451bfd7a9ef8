"""Hostile input at the edges: terminal and CSV injection, bad bytes, bad paths, bad databases.

Each test reproduces an attack from the hardening issue against the real
CLI (in process or as a subprocess) and a real SQLite file or PostgreSQL
server.  The hostile strings live in ``tests/hostile/``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.dialogue import Dialogue
from simulator.matcher import Matcher
from simulator.store import StoreError, open_store
from simulator.terminal import csv_cell, printable

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = json.loads((ROOT / "tests" / "hostile" / "terminal_and_csv.json").read_text(encoding="utf-8"))
SCENARIO = "first_visit_introduction"
CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), 0x202E)]


def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv), out=out, err=err)
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def subprocess_run(*argv: str, data: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *argv],
        input=data,
        capture_output=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def hostile_db(tmp_path: Path) -> str:
    """A store in which every hostile name has played one turn with a hostile reply."""
    db = str(tmp_path / "hostile.sqlite3")
    replies = tmp_path / "replies.txt"
    for index, name in enumerate(HOSTILE["names"]):
        replies.write_text(HOSTILE["replies"][index % len(HOSTILE["replies"])] + "\n", encoding="utf-8")
        code, _, err = run("--db", db, "play", SCENARIO, f"--trainee={name}", "--replies", str(replies), "--seed", "1")
        assert code == 0, err
    return db


def _no_control(text: str) -> list[str]:
    return [repr(c) for c in CONTROL if c in text]


# -- output injection ------------------------------------------------------------------------


def test_printable_is_one_for_one_and_strips_every_control() -> None:
    sample = "".join(CONTROL) + "\n正常"
    assert len(printable(sample)) == len(sample)
    assert _no_control(printable(sample, newlines=True)) == []
    assert printable("a\nb") == "a b" and printable("a\nb", newlines=True) == "a\nb"


def test_names_and_replies_never_reach_the_terminal_raw(hostile_db: str) -> None:
    outputs = {}
    for argv in (
        ("history",),
        ("report",),
        ("transcript", "1"),
        ("transcript", "2"),
        ("plot",),
        ("report", f"--trainee={HOSTILE['names'][0]}"),
    ):
        code, out, err = run("--db", hostile_db, *argv)
        assert code == 0, (argv, err)
        outputs[argv] = out
        assert _no_control(out) == [], argv
    assert "␛[2J" in outputs[("history",)]  # visible, not executed
    assert "[bold red]富文本标记[/]" in outputs[("history",)]  # markup prints as typed
    code, out, _ = run("score", "--rules-only", HOSTILE["replies"][0])
    assert code == 0 and _no_control(out) == [] and "␛" in out


def test_csv_escapes_formulas_keeps_numbers_and_opens_in_excel(hostile_db: str) -> None:
    for argv in (("history", "--format", "csv"), ("report", "--format", "csv")):
        code, out, _ = run("--db", hostile_db, *argv)
        assert code == 0
        assert out.startswith("\ufeff"), "a UTF-8 byte-order mark for Excel"
        rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
        cells = [cell for row in rows[1:] for cell in row]
        for cell in cells:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (argv, cell)
            assert not (cell.startswith("-") and not cell.lstrip("-").replace(".", "").isdigit()), (argv, cell)
            assert _no_control(cell) == [], (argv, cell)
        assert '\'=HYPERLINK("http://evil.example","点我")' in cells
    assert csv_cell("-12") == "-12" and csv_cell("-2+3") == "'-2+3" and csv_cell(-5) == -5


# -- bytes and streams -------------------------------------------------------------------------


def test_score_jsonl_stays_valid_utf8_one_line_per_input_under_a_strict_locale() -> None:
    data = "好的，您稍等。\n".encode() + b"\xff\xfe broken \xc3\n" + "这个不属于我负责\n".encode()
    proc = subprocess_run(
        "score", "--rules-only", "--format", "jsonl", data=data, env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    lines = proc.stdout.decode("utf-8").splitlines()  # strict: raises on invalid UTF-8
    assert len(lines) == 3
    verdicts = [json.loads(line) for line in lines]
    assert "\ufffd" in verdicts[1]["text"] and verdicts[2]["prohibited"]


def test_play_refuses_unreadable_replies_without_a_traceback_or_a_session(tmp_path: Path) -> None:
    db = str(tmp_path / "p.sqlite3")
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("您好，我是小王\n".encode("gbk"))
    cases = [
        ("--replies", str(bad)),
        ("--replies", str(tmp_path)),  # a directory
        ("--replies", str(tmp_path / "missing.txt")),
    ]
    for replies in cases:
        code, _, err = run("--db", db, "play", SCENARIO, "--trainee", "甲", *replies)
        assert code == 2 and "Traceback" not in err and err.startswith("simulator：错误："), (replies, err)
    assert "UTF-8" in run("--db", db, "play", SCENARIO, "--trainee", "甲", "--replies", str(bad))[2]
    # stdin closed (`<&-`)
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "--db", db, "play", SCENARIO, "--trainee", "甲", "--replies", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=300,
        cwd=ROOT,
        preexec_fn=lambda: os.close(0),
    )
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr and "标准输入已关闭" in proc.stderr.decode()
    # invalid UTF-8 on the first line of stdin: an error, and no empty session left behind
    proc = subprocess_run("--db", db, "play", SCENARIO, "--trainee", "乙", "--replies", "-", data=b"\xff\xfe\n")
    assert proc.returncode == 1 and "UTF-8" in proc.stderr.decode() and b"Traceback" not in proc.stderr
    with open_store(db) as store:
        assert store.sessions() == []


def test_out_of_range_numbers_are_usage_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "p.sqlite3")
    replies = tmp_path / "r.txt"
    replies.write_text("您好\n", encoding="utf-8")
    proc = subprocess_run(
        "--db", db, "play", SCENARIO, "--trainee", "甲", "--replies", str(replies), "--seed", "99999999999999999999999"
    )
    assert proc.returncode == 2 and "--seed" in proc.stderr.decode() and b"Traceback" not in proc.stderr
    proc = subprocess_run("--db", db, "transcript", "100000000000000000000000")
    assert proc.returncode == 2 and "SESSION_ID" in proc.stderr.decode() and b"Traceback" not in proc.stderr


def test_a_database_path_through_a_file_is_a_chinese_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    # A command that writes tries to create the folder; one that only reads finds no database there.
    code, _, err = run("--db", str(blocker / "progress.sqlite3"), "review", "dispute", "1:1")
    assert code == 1 and "不是目录" in err and "Traceback" not in err
    code, _, err = run("--db", str(blocker / "progress.sqlite3"), "history")
    assert code == 2 and "不存在" in err and "Traceback" not in err


def test_a_5001_digit_integer_in_a_scenario_is_a_content_error(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text("version: 1\nid: long\ntitle: 长\ndifficulty: " + "9" * 5001 + "\n", encoding="utf-8")
    code, _, err = run("validate", str(path))
    assert code == 1 and f"{path}:4:13" in err and "数字太长" in err


# -- databases that are not ours, or not writable --------------------------------------------------


def test_a_foreign_sqlite_file_with_a_meta_table_is_never_changed(tmp_path: Path) -> None:
    path = tmp_path / "History"  # e.g. a browser's history file
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)")
    conn.execute("INSERT INTO meta VALUES ('version', '42')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    code, _, err = run("--db", str(path), "history")
    assert code == 1 and "属于别的程序" in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["History"]  # no -wal / -shm either


def _make_read_only(path: Path) -> bool:
    """Make ``path`` unwritable for this process (root ignores modes: use the immutable flag)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        return True
    return subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0


def test_a_read_only_database_can_be_read_but_not_written(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite3"
    replies = tmp_path / "r.txt"
    replies.write_text("何女士您好，我是安家售后的小赵。\n", encoding="utf-8")
    assert run("--db", str(db), "play", SCENARIO, "--trainee", "甲", "--replies", str(replies))[0] == 0
    if not _make_read_only(db):
        pytest.skip("cannot make a file read-only for root here (no chattr)")
    try:
        for argv in (("history",), ("report",), ("transcript", "1"), ("history", "--format", "csv")):
            code, out, err = run("--db", str(db), *argv)
            assert code == 0 and "甲" in out, (argv, err)
        code, _, err = run("--db", str(db), "play", SCENARIO, "--trainee", "乙", "--replies", str(replies))
        assert code == 1 and "只读" in err and "损坏" not in err
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(db)], capture_output=True)


def test_a_full_disk_is_reported_in_chinese(tmp_path: Path, matcher: Matcher) -> None:
    from simulator import locations
    from simulator.scenario import load_scenarios

    [scenario] = [s for s in load_scenarios([locations.bundled_scenarios_dir()]) if s.id == SCENARIO]
    with open_store(str(tmp_path / "full.sqlite3")) as store:
        pages = store.driver.execute("PRAGMA page_count")[0][0]
        store.driver.execute(f"PRAGMA max_page_count = {pages + 1}")  # SQLite's own "disk is full"
        with pytest.raises(StoreError) as caught:
            for _ in range(200):
                dialogue = Dialogue(scenario, matcher, seed=1)
                recorder = store.begin_session(trainee="甲" * 30, scenario=scenario, seed=1)
                recorder.record_turn(dialogue.reply("您好" * 400).record())
    message = str(caught.value)
    assert "磁盘已满" in message and "database or disk is full" not in message


# -- secrets and servers --------------------------------------------------------------------------


def test_a_password_in_a_database_url_is_never_printed() -> None:
    for url in (
        "postgresql://nobody@127.0.0.1:1/none?password=topsecret",
        "postgresql://nobody:topsecret@127.0.0.1:1/none",
        "mysql://nobody:topsecret@127.0.0.1/none",
    ):
        code, out, err = run("--db", url, "history")
        assert code == 1 and "topsecret" not in out + err and "***" in err, err


@pytest.mark.skipif(not os.environ.get("SIMULATOR_TEST_PG_URL"), reason="needs the PostgreSQL server .ci/run starts")
def test_postgresql_dropping_the_connection_mid_play_is_a_store_error(matcher: Matcher) -> None:
    import psycopg

    from simulator import locations
    from simulator.scenario import load_scenarios

    [scenario] = [s for s in load_scenarios([locations.bundled_scenarios_dir()]) if s.id == SCENARIO]
    url = os.environ["SIMULATOR_TEST_PG_URL"]
    with open_store(url) as store:
        dialogue = Dialogue(scenario, matcher, seed=1)
        recorder = store.begin_session(trainee="断线测试", scenario=scenario, seed=1)
        recorder.record_turn(dialogue.reply("何女士您好，我是安家售后的小赵。").record())
        [[pid]] = store.driver.execute("SELECT pg_backend_pid()")
        with psycopg.connect(url, autocommit=True) as admin:  # what a server shutdown does to the session
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError) as caught:
            recorder.record_turn(dialogue.reply("我是来修热水器的。").record())
        assert "连接中断" in str(caught.value)
    with open_store(url) as again:
        [session] = [s for s in again.sessions(trainee="断线测试")]
        assert session.turns == 1  # the confirmed turn survived


# -- reply length --------------------------------------------------------------------------------


def test_too_long_replies_are_refused_line_by_line_in_every_format() -> None:
    from simulator.judge import MAX_REPLY_CHARS

    long = "好" * (MAX_REPLY_CHARS + 1)
    stdin = f"您好\n{long}\n这个不属于我负责\n"
    code, out, _ = run("score", "--rules-only", "--format", "jsonl", stdin=stdin)
    first, refused, third = (json.loads(line) for line in out.splitlines())
    assert code == 0 and first["score"] > 0 and third["prohibited"]
    assert refused["line"] == 2 and refused["length"] == MAX_REPLY_CHARS + 1 and "最多 2000 字" in refused["error"]
    assert len(refused["text"]) < 100  # not echoed whole
    code, out, _ = run("score", "--rules-only", "--format", "json", stdin=stdin)
    assert code == 0 and [("error" in item) for item in json.loads(out)] == [False, True, False]
    code, out, err = run("score", "--rules-only", stdin=stdin)
    assert code == 0 and "第 2 行" in err and "最多 2000 字" in err and "不属于我负责" in out


def test_play_skips_a_too_long_line_and_goes_on(tmp_path: Path) -> None:
    replies = tmp_path / "r.txt"
    replies.write_text("何女士您好，我是安家售后的小赵。\n" + "好" * 2001 + "\n我来给您检查冰箱。\n", encoding="utf-8")
    code, out, _ = run(
        "play",
        SCENARIO,
        "--trainee",
        "甲",
        "--replies",
        str(replies),
        "--no-record",
        "--seed",
        "1",
        "--format",
        "jsonl",
    )
    events = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [e["event"] for e in events][:4] == ["start", "turn", "error", "turn"]
    assert events[2]["line"] == 2


def test_a_ten_megabyte_line_is_refused_without_eating_memory(tmp_path: Path) -> None:
    def peak(line_chars: int) -> tuple[str, str, int]:
        script = (
            "import io, resource, sys\n"
            "from simulator.cli import main\n"
            f"sys.stdin = io.StringIO('好' * {line_chars} + '\\n您好\\n')\n"
            "out = io.StringIO()\n"
            "code = main(['score', '--rules-only', '--format', 'jsonl'], out=out, err=io.StringIO())\n"
            "print(code, len(out.getvalue().splitlines()), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
        code, lines, peak_kb = proc.stdout.split()
        return code, lines, int(peak_kb)

    baseline = peak(1)
    huge = peak(10_000_000)  # 10 million characters, 30 MB of UTF-8
    assert huge[:2] == ("0", "2") and baseline[:2] == ("0", "2")
    # The line itself is held (as text and as read); judging it must add nothing (it took 836 MB).
    assert huge[2] - baseline[2] < 150_000, f"{(huge[2] - baseline[2]) // 1024} MB more than a short line"


def test_random_bytes_and_unicode_never_break_score() -> None:
    """1,000 random lines (random bytes, every Unicode plane, controls, huge and empty): one valid JSON line each."""
    import random

    rng = random.Random(20261127)
    lines: list[bytes] = []
    for i in range(1000):
        kind = i % 4
        if kind == 0:
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(60)))
        elif kind == 1:
            raw = "".join(
                chr(rng.choice([rng.randrange(0x20, 0xD800), rng.randrange(0xE000, 0x110000)]))
                for _ in range(rng.randrange(80))
            ).encode("utf-8")
        elif kind == 2:
            raw = "".join(
                rng.choice("您好这个不属于我负责你找领导吧\u001b\u200b\u3000 ，。!?") for _ in range(rng.randrange(120))
            ).encode()
        else:
            raw = rng.choice([b"", b"\r", "好".encode() * 2500])
        lines.append(raw.replace(b"\n", b" ").replace(b"\r", b" "))
    proc = subprocess_run("score", "--rules-only", "--format", "jsonl", data=b"\n".join(lines) + b"\n")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    out = proc.stdout.decode("utf-8").splitlines()
    assert len(out) == len(lines)
    for line in out:
        item = json.loads(line)
        assert "score" in item or "error" in item

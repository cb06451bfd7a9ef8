"""The progress store on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import locations
from simulator.cli import main
from simulator.dialogue import Dialogue
from simulator.matcher import Matcher
from simulator.progress import team_report, trend
from simulator.scenario import Scenario
from simulator.store import Store, StoreError, open_store
from simulator.store.migrations import LATEST, MIGRATIONS

ROOT = Path(__file__).resolve().parent.parent


def play(
    store: Store,
    matcher: Matcher,
    scenario: Scenario,
    trainee: str,
    replies: list[str],
    seed: int = 1,
    started_at: str | None = None,
) -> tuple[int, Dialogue]:
    dialogue = Dialogue(scenario, matcher, seed=seed)
    recorder = store.begin_session(trainee=trainee, scenario=scenario, seed=seed, started_at=started_at)
    for reply in replies:
        if dialogue.finished:
            break
        recorder.record_turn(dialogue.reply(reply).record())
    recorder.finish(dialogue.end())
    return recorder.session_id, dialogue


GOOD = "out_of_warranty_charge"


def test_schema_is_created_once_and_versioned(db_url: str) -> None:
    with open_store(db_url) as store:
        assert store.schema_version == LATEST
    with open_store(db_url) as again:  # reopening applies nothing twice
        assert again.schema_version == LATEST
        assert again.driver.execute("SELECT COUNT(*) FROM schema_version")[0][0] == len(MIGRATIONS)


def test_each_turn_is_visible_to_another_connection_as_it_is_played(
    db_url: str, matcher: Matcher, scenarios: dict
) -> None:
    scenario = scenarios[GOOD]
    dialogue = Dialogue(scenario, matcher, seed=3)
    with open_store(db_url) as writer, open_store(db_url) as reader:
        recorder = writer.begin_session(trainee="王小明", scenario=scenario, seed=3)
        recorder.record_turn(dialogue.reply("李站长您好，我是华气公司的售后工程师小王。").record())
        [row] = reader.sessions(trainee="王小明")
        assert row.turns == 1 and row.finished is False and row.score is not None
        recorder.record_turn(dialogue.reply("过保了，你不给钱我就不修。").record())
        turns = reader.turns(recorder.session_id)
        assert [t.n for t in turns] == [1, 2]
        assert turns[1].prohibited[0].category == "no_pay_no_fix"


def test_finished_session_and_history_contract(db_url: str, matcher: Matcher, scenarios: dict) -> None:
    scenario = scenarios[GOOD]
    example = scenario.examples[0]
    with open_store(db_url) as store:
        session_id, dialogue = play(store, matcher, scenario, "王小明", example.replies, seed=example.seed)
        row = store.session(session_id)
    assert row is not None and row.finished and row.outcome == "good" and row.score == dialogue.score
    data = row.to_json()
    assert {"id", "trainee", "scenario", "started_at", "finished", "outcome", "score", "turns"} <= set(data)
    assert data["turns"] == len(example.replies)


def test_reply_is_stored_exactly_as_typed(db_url: str, matcher: Matcher, scenarios: dict) -> None:
    odd = "  您好😀\t我是 華氣 公司的ｘｉａｏ王，'quote\" \\ back  "
    with open_store(db_url) as store:
        session_id, _ = play(store, matcher, scenarios[GOOD], "测试", [odd])
        [turn] = store.turns(session_id)
    assert turn.reply == odd


def test_report_figures(db_url: str, matcher: Matcher, scenarios: dict) -> None:
    scenario = scenarios[GOOD]
    good, bad = scenario.examples[0], scenario.examples[1]
    with open_store(db_url) as store:
        play(store, matcher, scenario, "甲", bad.replies, started_at="2026-11-01T09:00:00+00:00")
        play(store, matcher, scenario, "甲", good.replies, seed=good.seed, started_at="2026-11-02T09:00:00+00:00")
        play(store, matcher, scenario, "乙", bad.replies, started_at="2026-11-03T09:00:00+00:00")
        report = {r.trainee: r for r in team_report(store)}
    first, second = report["甲"], report["乙"]
    assert first.sessions == 2 and first.finished == 2
    assert first.pass_rate == 0.5
    [per_scenario] = first.scenarios
    assert per_scenario.first is not None and per_scenario.latest is not None
    assert per_scenario.lift == per_scenario.latest - per_scenario.first > 0
    assert first.trend is not None and first.trend > 0
    assert dict(second.most_broken)["no_pay_no_fix"] == 1
    assert second.prohibited_hits >= 2


def test_summaries_give_the_same_report_as_a_full_scan(db_url: str, matcher: Matcher, scenarios: dict) -> None:
    """The per-trainee summaries kept with each write equal a scan of every session, on both databases."""
    import random

    from simulator.progress import build_report
    from simulator.store import summaries

    rng = random.Random(11)
    chosen = [scenarios[k] for k in sorted(scenarios)][:5]
    with open_store(db_url) as store:
        pending = []
        for _ in range(40):
            scenario = rng.choice(chosen)
            example = rng.choice(scenario.examples)
            day = f"2026-10-{1 + rng.randrange(28):02d}T{rng.randrange(24):02d}:00:00+00:00"  # out of order
            dialogue = Dialogue(scenario, matcher, seed=example.seed)
            recorder = store.begin_session(
                trainee=rng.choice(["甲", "乙", "丙", "丁"]),
                scenario=scenario,
                seed=example.seed,
                mode=rng.choice(["practice", "exam"]),
                started_at=day,
            )
            replies = example.replies[: rng.choice([0, 1, len(example.replies)])]
            for reply in replies:
                if not dialogue.finished:
                    recorder.record_turn(dialogue.reply(reply).record())
            if not replies and rng.random() < 0.5:
                store.discard_if_empty(recorder.session_id)
            elif rng.random() < 0.3:
                pending.append((recorder, dialogue))  # finished later, after others started
            else:
                recorder.finish(dialogue.end())
                recorder.finish(dialogue.end())  # closing twice counts once
        for recorder, dialogue in pending:
            recorder.finish(dialogue.end())
        store.trainee_id("戊")  # a trainee with no session at all
        marks = {s.id: s.model.scoring.pass_mark for s in scenarios.values()}

        def reference(trainee: str | None = None) -> list:
            names = store.trainee_names()
            if trainee:
                names = {i: n for i, n in names.items() if n == trainee}
            return build_report(
                names,
                store.scenario_titles(),
                store.report_scan(trainee),
                store.category_counts(trainee),
                pass_marks=marks,
            )

        summarised = [r.to_json() for r in team_report(store)]
        assert summarised == [r.to_json() for r in reference()]
        assert [r.to_json() for r in team_report(store, "乙")] == [r.to_json() for r in reference("乙")]
        assert sum(r["unfinished"] for r in summarised) > 0 and sum(r["exams"] for r in summarised) > 0
        with store.driver.transaction():
            summaries.rebuild(store.driver)  # what migration 4 does to an existing database
        assert [r.to_json() for r in team_report(store)] == summarised


def test_trend_definition() -> None:
    assert trend([80]) is None
    assert trend([90, 70]) == 20
    assert trend([80, 80, 80, 80, 80, 40, 40, 40, 40, 40]) == 40


def test_cli_history_transcript_report(db_url: str, matcher: Matcher, scenarios: dict, tmp_path: Path) -> None:
    with open_store(db_url) as store:
        session_id, _ = play(store, matcher, scenarios[GOOD], "王小明", scenarios[GOOD].examples[1].replies)

    def run(*argv: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        assert main(["--db", db_url, *argv], out=out, err=err) == 0, err.getvalue()
        return out.getvalue()

    history = json.loads(run("history", "--format", "json", "--trainee", "王小明"))
    assert [h["id"] for h in history] == [session_id]
    assert run("history", "--format", "csv").splitlines()[0].startswith("\ufeff编号,学员,场景,开始时间")
    transcript = json.loads(run("transcript", str(session_id), "--format", "json"))
    assert transcript["session"]["id"] == session_id and transcript["turns"][0]["n"] == 1
    assert {"n", "customer", "reply", "prohibited", "standard", "mood", "score"} <= set(transcript["turns"][0])
    assert "不给钱不修" in run("transcript", str(session_id))
    report = json.loads(run("report", "--format", "json"))
    assert report[0]["trainee"] == "王小明"
    assert "王小明" in run("report", "--trainee", "王小明")
    exported = tmp_path / "chart.html"
    run("plot", "--output", str(exported))
    assert "<svg" in exported.read_text(encoding="utf-8") and "王小明" in exported.read_text(encoding="utf-8")
    assert "得分趋势" in run("plot")


def test_transcript_of_missing_session_fails_in_chinese(db_url: str) -> None:
    open_store(db_url).close()  # a store that exists (a read-only command never creates one)
    err = io.StringIO()
    assert main(["--db", db_url, "transcript", "999"], out=io.StringIO(), err=err) == 1
    assert "找不到编号为 999" in err.getvalue()


# -- losing nothing ---------------------------------------------------------------


def _start_play(db_url: str, scenario_id: str = GOOD) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator",
            "--db",
            db_url,
            "play",
            scenario_id,
            "--trainee",
            "崩溃测试",
            "--replies",
            "-",
            "--format",
            "jsonl",
            "--seed",
            "2",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_killed_mid_scenario_keeps_every_turn(db_url: str) -> None:
    proc = _start_play(db_url)
    assert proc.stdin and proc.stdout
    start = json.loads(proc.stdout.readline())
    for reply in ["李站长您好，我是华气公司的售后工程师小王。", "需要先停机断电，您看现在方便吗？"]:
        proc.stdin.write(reply + "\n")
        proc.stdin.flush()
        json.loads(proc.stdout.readline())  # the turn event arrives after the turn is committed
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with open_store(db_url) as store:
        row = store.session(start["session"])
        assert row is not None and row.finished is False and row.turns == 2
        assert [t.reply for t in store.turns(row.id)][1] == "需要先停机断电，您看现在方便吗？"


def test_ctrl_c_mid_scenario_keeps_every_turn(tmp_path: Path) -> None:
    db = str(tmp_path / "p.sqlite3")
    proc = _start_play(db)
    assert proc.stdin and proc.stdout
    start = json.loads(proc.stdout.readline())
    proc.stdin.write("李站长您好，我是华气公司的售后工程师小王。\n")
    proc.stdin.flush()
    json.loads(proc.stdout.readline())
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert proc.returncode != 0
    with open_store(db) as store:
        assert store.session(start["session"]).turns == 1


WORKER = """
import sys
from simulator import locations
from simulator.dialogue import Dialogue
from simulator.matcher import load_matcher
from simulator.scenario import load_scenarios
from simulator.store import open_store

db, who = sys.argv[1], sys.argv[2]
matcher = load_matcher([locations.bundled_phrasebook_dir()], self_test=False)
scenario = {s.id: s for s in load_scenarios([locations.bundled_scenarios_dir()])}["out_of_warranty_charge"]
with open_store(db) as store:
    for round_ in range(5):
        dialogue = Dialogue(scenario, matcher, seed=round_)
        recorder = store.begin_session(trainee=who, scenario=scenario, seed=round_)
        for reply in ["您好，我是华气公司的工程师。", "我先看看。", "设备过保了，这次维修需要收费。", "谢谢。"]:
            if dialogue.finished:
                break
            recorder.record_turn(dialogue.reply(reply).record())
        recorder.finish(dialogue.end())
print("ok")
"""


def test_several_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.sqlite3")
    open_store(db).close()  # create the schema first, as the TUI would
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db, f"学员{i}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
    with open_store(db) as store:
        sessions = store.sessions()
        assert len(sessions) == 20
        for session in sessions:
            assert len(store.turns(session.id)) == session.turns > 0


def test_concurrent_first_open_migrates_once(tmp_path: Path) -> None:
    db = str(tmp_path / "race.sqlite3")
    code = "import sys; from simulator.store import open_store; open_store(sys.argv[1]).close(); print('ok')"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, db], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with open_store(db) as store:
        assert store.driver.execute("SELECT COUNT(*) FROM schema_version")[0][0] == len(MIGRATIONS)


# -- refusing what is not ours ----------------------------------------------------------


def test_corrupt_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    garbage = os.urandom(4096)
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        open_store(str(path))
    assert "没有改动" in str(caught.value)
    assert path.read_bytes() == garbage
    err = io.StringIO()
    assert main(["--db", str(path), "history"], out=io.StringIO(), err=err) == 1
    assert "不是本程序的进度数据库" in err.getvalue() and "Traceback" not in err.getvalue()


def test_foreign_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER, amount REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        open_store(str(path))
    assert "别的程序" in str(caught.value)
    assert path.read_bytes() == before


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "new.sqlite3")
    with open_store(db) as store:
        store.driver.execute(
            "INSERT INTO schema_version (version, description, applied_at) VALUES (?, 'future', 'x')", (LATEST + 1,)
        )
    with pytest.raises(StoreError) as caught:
        open_store(db)
    assert "升级" in str(caught.value)


def test_postgres_unreachable_gets_a_chinese_error() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "无法连接 PostgreSQL" in str(caught.value) and "secret" not in str(caught.value)


def test_default_database_lives_in_the_data_dir(isolated_home: Path) -> None:
    with open_store(locations.default_database()) as store:
        assert store.schema_version == LATEST
    assert (isolated_home / "progress.sqlite3").exists()


def test_bests_by_scenario_ignores_unfinished(db_url: str, matcher: Matcher, scenarios: dict) -> None:
    from simulator.progress import bests_by_scenario

    scenario = scenarios[GOOD]
    with open_store(db_url) as store:
        play(store, matcher, scenario, "甲", scenario.examples[0].replies, seed=scenario.examples[0].seed)
        play(store, matcher, scenario, "甲", scenario.examples[0].replies[:1])  # left after one turn
        best, last = bests_by_scenario(store.sessions(trainee="甲"))[GOOD]
        finished = [s for s in store.sessions(trainee="甲") if s.finished]
    assert best == finished[0].score and last is not None


def test_one_person_is_one_trainee_whatever_the_spelling(db_url: str) -> None:
    with open_store(db_url) as store:
        first = store.trainee_id("张伟")
        assert store.trainee_id("張偉") == first
        assert store.trainee_id(" 张 伟 ") == first
        assert store.trainee_id("ＡＢＣ") == store.trainee_id("abc")
        assert store.trainees().count("张伟") == 1 and "張偉" not in store.trainees()
        assert store.canonical_name("張偉") == "张伟"
        store.trainee_id("王小明")
        assert store.similar_trainees("王晓明") == ["王小明"]
        assert store.similar_trainees("王小明") == []


_CLOSE_WHILE_READING = """
import sys, threading
from simulator.store import StoreError, open_store

url = sys.argv[1]
for attempt in range(20):
    store = open_store(url)
    go = threading.Event()

    def reader() -> None:
        go.wait()
        for _ in range(500):
            try:
                store.trainees()
            except StoreError:
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    go.set()
    store.close()
    for thread in threads:
        thread.join()
print("ok")
"""


def test_closing_while_worker_threads_read_is_not_a_crash(db_url: str) -> None:
    # The TUI closes the store on exit while its workers may still be reading: on SQLite that
    # once crashed the interpreter (a segfault inside sqlite3), losing the exit's last writes.
    with open_store(db_url) as store:
        for i in range(100):
            store.trainee_id(f"学员{i}")
    done = subprocess.run(
        [sys.executable, "-c", _CLOSE_WHILE_READING, db_url], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"

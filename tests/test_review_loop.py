"""复核与校准: disputes, the trainer's queue, marks with history, suggestions, eval --reviewed, export.

Real store (SQLite file and, in CI, PostgreSQL), real engine, the CLI in
process and as subprocesses, and the TUI driven by the pilot.
"""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import pg_database

from simulator import locations
from simulator.cli import main
from simulator.matcher import Matcher
from simulator.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "first_visit_introduction"
MISSED_REPLY = "冰箱这毛病多了去了，那谁说得准呢"  # guesses at nothing aloud, but shrugs the question off


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path):  # noqa: ANN201 - yields the URL
    if request.param == "sqlite":
        yield str(tmp_path / "review.sqlite3")
    else:
        yield from pg_database()


def played(db: str, tmp_path: Path, replies: list[str], trainee: str = "小李") -> int:
    path = tmp_path / "replies.txt"
    path.write_text("\n".join(replies) + "\n", encoding="utf-8")
    code, out, err = run(
        "--db", db, "play", SCENARIO, "--trainee", trainee, "--replies", str(path), "--seed", "1", "--format", "json"
    )
    assert code == 0, err
    return json.loads(out)["session"]["id"]


def test_dispute_heads_the_queue_and_marks_keep_their_history(db: str, tmp_path: Path) -> None:
    first = played(db, tmp_path, ["何女士您好，我是安家售后的小赵。", "好的"])
    second = played(db, tmp_path, ["何女士您好，我是安家售后的小赵。", MISSED_REPLY], trainee="小王")
    assert run("--db", db, "review", "dispute", f"{second}:2", "--comment", "这句在推脱")[0] == 0
    code, out, _ = run("--db", db, "review", "list", "--format", "json")
    queue = json.loads(out)
    assert code == 0 and queue[0]["turn"] == f"{second}:2" and queue[0]["reason"] == "学员申诉"
    assert {"turn", "session", "n", "trainee", "scenario", "priority", "reason", "detail", "reply"} <= set(queue[0])
    # a trainee cannot mark their own turn; a category must be of the right kind
    code, _, err = run("--db", db, "review", "mark", f"{second}:2", "--reviewer", "小王", "--kind", "confirmed")
    assert code == 2 and "不能复核自己" in err
    code, _, err = run(
        "--db",
        db,
        "review",
        "mark",
        f"{second}:2",
        "--reviewer",
        "王老师",
        "--kind",
        "missed",
        "--category",
        "greeting",
    )
    assert code == 2 and "不是禁用语类别" in err
    for kind in ("confirmed", "missed"):
        extra = ["--category", "dont_know", "--words", "谁说得准呢"] if kind == "missed" else []
        assert run("--db", db, "review", "mark", f"{second}:2", "--reviewer", "王老师", "--kind", kind, *extra)[0] == 0
    assert (
        run(
            "--db",
            db,
            "review",
            "mark",
            f"{second}:2",
            "--reviewer",
            "王老师",
            "--kind",
            "false_alarm",
            "--category",
            "dont_know",
        )[0]
        == 0
    )  # changed their mind: the older mark is kept, superseded
    code, out, _ = run("--db", db, "review", "show", f"{second}:2", "--format", "json")
    shown = json.loads(out)
    kinds = [(m["kind"], m["superseded_by"] is None) for m in shown["marks"]]
    assert kinds == [("confirmed", True), ("missed", False), ("false_alarm", True)]
    assert shown["disputes"][0]["comment"] == "这句在推脱" and shown["turn"]["reply"] == MISSED_REPLY
    code, out, _ = run("--db", db, "review", "list", "--format", "json")
    assert f"{second}:2" not in [q["turn"] for q in json.loads(out)]  # answered by a later mark
    assert first


def test_only_listed_trainers_may_mark(tmp_path: Path, isolated_home: Path) -> None:
    db = str(tmp_path / "p.sqlite3")
    session = played(db, tmp_path, ["您好"])
    settings = locations.settings_file()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"trainers": ["王老师"]}, ensure_ascii=False), encoding="utf-8")
    code, _, err = run("--db", db, "review", "mark", f"{session}:1", "--reviewer", "路人", "--kind", "confirmed")
    assert code == 2 and "培训师名单" in err
    assert run("--db", db, "review", "mark", f"{session}:1", "--reviewer", "王老师", "--kind", "confirmed")[0] == 0


def test_a_mark_survives_kill_9(db: str, tmp_path: Path) -> None:
    session = played(db, tmp_path, ["何女士您好，我是安家售后的小赵。"])
    script = (
        "import os, signal, sys\n"
        "from simulator.store import open_store\n"
        "store = open_store(sys.argv[1])\n"
        "store.add_mark(int(sys.argv[2]), 1, reviewer='王老师', kind='confirmed')\n"
        "print('marked', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, db, str(session)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert proc.returncode == -signal.SIGKILL and "marked" in proc.stdout
    with open_store(db) as store:
        [mark] = store.marks(session, 1)
        assert mark.reviewer == "王老师" and mark.kind == "confirmed"


def test_export_gives_a_valid_corpus_file_that_the_learned_stage_reads(tmp_path: Path) -> None:
    db = str(tmp_path / "p.sqlite3")
    session = played(db, tmp_path, ["何女士您好，我是安家售后的小赵。", MISSED_REPLY])
    assert (
        run(
            "--db",
            db,
            "review",
            "mark",
            f"{session}:2",
            "--reviewer",
            "王老师",
            "--kind",
            "missed",
            "--category",
            "dont_know",
            "--words",
            "谁说得准呢",
        )[0]
        == 0
    )
    target = locations.user_corpus_dir() / "reviewed.yaml"
    assert run("--db", db, "corpus", "export", "--output", str(target))[0] == 0
    [item] = yaml.safe_load(target.read_text(encoding="utf-8"))["items"]
    assert item["reply"] == MISSED_REPLY and "dont_know" in item["prohibited_matches"] and item["node"]
    code, out, err = run("validate", str(target))
    assert code == 0, err
    assert target.parent in locations.corpus_sources()  # the learned stage trains on it (cache keyed by content)


async def test_dispute_to_accepted_suggestion_changes_the_judgement(tmp_path: Path, engine: Matcher) -> None:
    """Trainee disputes in the debrief → the trainer's queue → a miss is marked → its suggestion is accepted →
    the same reply is judged as marked, and ``eval --reviewed`` shows the change."""
    from textual.widgets import DataTable, Input

    from simulator.tui.app import SimulatorApp
    from simulator.tui.screens.debrief import DebriefScreen
    from simulator.tui.screens.form import FormScreen
    from simulator.tui.screens.picker import PickerScreen
    from simulator.tui.screens.play import PlayScreen
    from simulator.tui.screens.review import ReviewScreen
    from simulator.tui.services import Services
    from simulator.tui.widgets import ReplyArea

    db = str(tmp_path / "tui.sqlite3")

    def make_app() -> SimulatorApp:
        services = Services(db)
        services.matcher = engine
        return SimulatorApp(services=services)

    async def wait_until(pilot, condition, tries: int = 750) -> None:  # noqa: ANN001
        for _ in range(tries):
            if condition():
                return
            await pilot.pause(0.02)
        raise AssertionError("condition not reached")

    async def login(pilot, app: SimulatorApp, name: str) -> None:  # noqa: ANN001
        await wait_until(pilot, lambda: app.services.store is not None and app.services.scenarios)
        app.screen.query_one("#name", Input).value = name
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))

    before = run("score", "--scenario", SCENARIO, "--node", "purpose", "--format", "json", MISSED_REPLY)[1]
    assert "dont_know" not in {h["category"] for h in json.loads(before)[0]["prohibited"]}

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app, "小李")
        picker = app.screen
        table = picker.query_one("#scenarios", DataTable)
        table.move_cursor(row=[s.id for s in picker.shown].index(SCENARIO))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen) and app.screen.dialogue is not None)
        play = app.screen
        for reply in [
            "何女士您好，我是安家售后的小赵。",
            MISSED_REPLY,
            "我先给您检查一下冰箱，有情况随时跟您说。",
            "谢谢您，再见。",
        ]:
            if play.finished:
                break
            count = len(play.dialogue.turns)
            play.query_one("#reply", ReplyArea).text = reply
            play.query_one("#reply", ReplyArea).focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda count=count: len(play.dialogue.turns) > count and not play.busy)
        while not play.finished:  # let the customer's remaining questions run out
            count = len(play.dialogue.turns)
            play.query_one("#reply", ReplyArea).text = "好的，我明白了，谢谢您。"
            await pilot.press("enter")
            await wait_until(pilot, lambda count=count: len(play.dialogue.turns) > count and not play.busy)
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-turn", Input).value = "2"
        app.screen.query_one("#field-comment", Input).value = "这句在推脱，没判出来"
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DebriefScreen))
        await wait_until(pilot, lambda: bool(app.services.store.disputes()))
    [session] = [s.id for s in open_store(db).sessions(trainee="小李")]

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, app, "王老师")
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.queue)
        review = app.screen
        assert review.queue[0].key == f"{session}:2" and review.queue[0].reason == "学员申诉"
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-category", Input).value = "dont_know"
        app.screen.query_one("#field-words", Input).value = "谁说得准呢"
        await pilot.press("enter", "enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and bool(app.services.store.marks()))
        [mark] = app.services.store.marks()
        assert (mark.kind, mark.category, mark.words, mark.reviewer) == ("missed", "dont_know", "谁说得准呢", "王老师")

    code, out, _ = run("--db", db, "review", "suggest", f"{session}:2")
    assert code == 0 and "谁说得准呢" in out and "没有写入任何文件" in out and "召回率" in out
    target = locations.user_phrasebook_dir() / "复核建议.yaml"
    assert not target.exists()
    code, out, _ = run("--db", db, "eval", "--reviewed", "--format", "json")
    assert json.loads(out)["now"]["per_category"]["dont_know"]["fn"] == 1
    code, out, err = run("--db", db, "review", "suggest", f"{session}:2", "--accept")
    assert code == 0 and target.exists(), err
    after = run("score", "--scenario", SCENARIO, "--node", "purpose", "--format", "json", MISSED_REPLY)[1]
    assert "dont_know" in {h["category"] for h in json.loads(after)[0]["prohibited"]}
    code, out, _ = run("--db", db, "eval", "--reviewed", "--format", "json")
    figures = json.loads(out)
    assert figures["now"]["per_category"]["dont_know"]["fn"] == 0
    assert figures["at_the_time"]["per_category"]["dont_know"]["fn"] == 1  # the stored judgement is untouched
    code, out, _ = run("--db", db, "transcript", str(session), "--rejudge", "--format", "json")
    shown = json.loads(out)
    second = shown["rejudged"][1]
    assert code == 0 and "dont_know" in second["prohibited"] and second["same"] is False
    assert shown["turns"][1]["prohibited"] == [] or "dont_know" not in {
        h["category"] for h in shown["turns"][1]["prohibited"]
    }
    with open_store(db) as store:  # the stored score is the audit record: never rewritten
        assert store.session(session).score == shown["session"]["score"]

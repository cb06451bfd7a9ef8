"""Who may see what on a shared PostgreSQL server, enforced by the server (issue 15, items 1 and 2).

Real roles on the real server that ``.ci/run`` starts: every check connects
as a trainee, a lead or a trainer account made by ``simulator admin`` and
asks the server directly (raw SQL, as an attacker would), then runs the
product itself (play, history, report, transcript, the TUI) under each role.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import require_pg
from textual.widgets import DataTable, Input, Static

from simulator.cli import main
from simulator.dialogue import Dialogue
from simulator.matcher import Matcher
from simulator.scenario import Scenario
from simulator.store import Store, StoreError, open_store

PG_URL = os.environ.get("SIMULATOR_TEST_PG_URL")
GOOD = "out_of_warranty_charge"


def _url(database: str, role: str) -> str:
    assert PG_URL
    base = PG_URL.rsplit("/", 1)[0]
    scheme, rest = base.split("://", 1)
    host = rest.rsplit("@", 1)[-1]
    return f"{scheme}://{role}@{host}/{database}"


@dataclass
class Team:
    database: str
    owner: str  # the tables' owner (the server's superuser here)
    roles: dict[str, str]  # who -> login role
    names: dict[str, str] = field(default_factory=dict)  # who -> trainee name
    sessions: dict[str, list[int]] = field(default_factory=dict)  # trainee -> finished session ids
    open_session: dict[str, int] = field(default_factory=dict)  # trainee -> an unfinished session id

    def url(self, who: str) -> str:
        return _url(self.database, self.roles[who])

    def connect(self, who: str) -> Any:
        import psycopg

        return psycopg.connect(self.url(who), autocommit=True)


def run_cli(url: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", url, *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _play(
    store: Store,
    matcher: Matcher,
    scenario: Scenario,
    trainee: str,
    replies: list[str],
    seed: int = 1,
    finish: bool = True,
) -> int:
    dialogue = Dialogue(scenario, matcher, seed=seed)
    recorder = store.begin_session(trainee=trainee, scenario=scenario, seed=seed)
    for reply in replies:
        if dialogue.finished:
            break
        recorder.record_turn(dialogue.reply(reply).record())
    if finish:
        recorder.finish(dialogue.end())
    return recorder.session_id


@pytest.fixture(scope="module")
def team(matcher: Matcher, scenarios: dict[str, Scenario]) -> Iterator[Team]:
    """A database set up by ``simulator admin`` as a lead would: two teams, a lead, a trainer, three trainees.

    Trainees 甲 and 乙 (team 一组) and 丙 (二组) each play through their own account.
    """
    require_pg()
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    database = f"sim_roles_{suffix}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    roles = {who: f"{who}_{suffix}" for who in ("a", "b", "c", "lead", "lead2", "trainer", "stray")}
    team = Team(database, PG_URL.rsplit("/", 1)[0] + "/" + database, roles)
    try:
        assert run_cli(team.owner, "admin", "init")[0] == 0
        for who, name, group in (("a", "甲", "一组"), ("b", "乙", "一组"), ("c", "丙", "二组")):
            code, out, err = run_cli(team.owner, "admin", "add-trainee", name, "--role", roles[who], "--team", group)
            assert code == 0, err
            team.names[who] = name
        assert run_cli(team.owner, "admin", "add-lead", roles["lead"], "--team", "一组")[0] == 0
        assert run_cli(team.owner, "admin", "add-lead", roles["lead2"], "--team", "二组")[0] == 0
        assert run_cli(team.owner, "admin", "add-trainer", roles["trainer"])[0] == 0
        example = scenarios[GOOD].examples[0]
        for who in ("a", "b", "c"):
            with open_store(team.url(who)) as store:
                team.sessions[who] = [
                    _play(store, matcher, scenarios[GOOD], team.names[who], example.replies, seed=example.seed),
                    _play(store, matcher, scenarios[GOOD], team.names[who], scenarios[GOOD].examples[1].replies),
                ]
                team.open_session[who] = _play(
                    store,
                    matcher,
                    scenarios[GOOD],
                    team.names[who],
                    example.replies[:2],
                    seed=example.seed,
                    finish=False,
                )
        yield team
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            for role in [*roles.values(), *(f"{database}_{kind}" for kind in ("trainee", "trainer", "lead"))]:
                admin.execute(f"DROP ROLE IF EXISTS {role}")


def _owner_scores(team: Team) -> dict[int, int]:
    import psycopg

    with psycopg.connect(team.owner, autocommit=True) as conn:
        return dict(conn.execute("SELECT id, score FROM sessions").fetchall())


def _owner_turn_scores(team: Team) -> list[tuple[int, int, int]]:
    import psycopg

    with psycopg.connect(team.owner, autocommit=True) as conn:
        return conn.execute("SELECT session_id, n, score FROM turns ORDER BY session_id, n").fetchall()


# -- the server refuses, whatever the client sends -------------------------------------------


def test_a_trainee_reads_only_their_own_turns(team: Team) -> None:
    """The bar check: connected as trainee A, B's turns are not there."""
    mine = [*team.sessions["a"], team.open_session["a"]]
    theirs = [*team.sessions["b"], team.open_session["b"], *team.sessions["c"]]
    with team.connect("a") as conn:
        assert conn.execute("SELECT * FROM turns WHERE session_id = ANY(%s)", (theirs,)).fetchall() == []
        seen = {row[0] for row in conn.execute("SELECT DISTINCT session_id FROM turns").fetchall()}
        assert seen == set(mine)
        assert {row[0] for row in conn.execute("SELECT id FROM sessions").fetchall()} == set(mine)
        assert [row[0] for row in conn.execute("SELECT name FROM trainees").fetchall()] == ["甲"]
        for table in ("session_categories", "trainee_summary", "trainee_scenarios", "trainee_categories"):
            ids = {row[0] for row in conn.execute(f"SELECT DISTINCT trainee_id FROM {table}").fetchall()}
            assert len(ids) == 1, table
        assert conn.execute("SELECT * FROM staff").fetchall() == []
    with team.connect("b") as conn:
        assert conn.execute("SELECT count(*) FROM turns WHERE session_id = ANY(%s)", (mine,)).fetchone() == (0,)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE sessions SET score = 100 WHERE id = {b}",
        "UPDATE sessions SET score = 100 WHERE id = {a}",
        "UPDATE sessions SET score = 100, passed = 1",
        "UPDATE turns SET score = 100 WHERE session_id = {a}",
        "UPDATE turns SET reply = '改过的' WHERE session_id = {a}",
        "DELETE FROM turns WHERE session_id = {a}",
        "UPDATE trainee_summary SET best = 100",
        "INSERT INTO trainee_summary (trainee_id, sessions) VALUES (999, 1)",
        "UPDATE trainee_scenarios SET best = 100",
        "UPDATE trainee_categories SET count = 0",
        "DELETE FROM session_categories",
        "UPDATE trainees SET team = '二组'",
        "INSERT INTO trainees (name, created_at) VALUES ('冒名', 'x')",
        "INSERT INTO staff (db_role, kind, team, created_at) VALUES (current_user, 'lead', '一组', 'x')",
        "UPDATE scenario_titles SET title = '改过的'",
        "TRUNCATE turns",
    ],
)
def test_a_trainee_can_never_change_a_stored_turn_a_score_or_a_figure(team: Team, sql: str) -> None:
    import psycopg

    before, turns_before = _owner_scores(team), _owner_turn_scores(team)
    statement = sql.format(a=team.sessions["a"][0], b=team.sessions["b"][0])
    with team.connect("a") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    assert _owner_scores(team) == before and _owner_turn_scores(team) == turns_before


def test_a_trainee_starts_sessions_and_records_turns_only_for_themselves(team: Team) -> None:
    import psycopg

    with psycopg.connect(team.owner, autocommit=True) as owner:
        [(b_id,)] = owner.execute("SELECT id FROM trainees WHERE name = '乙'").fetchall()
    with team.connect("a") as conn:
        [(a_id,)] = conn.execute("SELECT id FROM trainees").fetchall()
        columns = "trainee_id, scenario, scenario_title, content_version, mode, seed, started_at"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # for someone else: refused by the policy
            conn.execute(f"INSERT INTO sessions ({columns}) VALUES (%s, 'x', 'x', 'x', 'practice', 1, 'x')", (b_id,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # with a score: no right on the column
            conn.execute(
                f"INSERT INTO sessions ({columns}, score) VALUES (%s, 'x', 'x', 'x', 'practice', 1, 'x', 100)", (a_id,)
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # already finished: refused
            conn.execute(
                f"INSERT INTO sessions ({columns}, finished) VALUES (%s, 'x', 'x', 'x', 'exam', 1, 'x', 1)", (a_id,)
            )
        turn = (
            "INSERT INTO turns (session_id, n, node, customer, reply, timed_out, outcome, mood_before, mood, "
            "score, next_node, seconds, detail, created_at) VALUES (%s, 99, 'n', 'c', 'r', 0, 'met', 50, 50, "
            "100, 'n', 1, '{}', 'x')"
        )
        for other in (team.open_session["b"], team.sessions["a"][0]):  # someone else's; my own closed one
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(turn, (other,))
        with conn.transaction(force_rollback=True):  # the honest insert works (rolled back to leave no trace)
            [(new_id,)] = conn.execute(
                f"INSERT INTO sessions ({columns}) VALUES (%s, 'x', 'x', 'x', 'practice', 1, 'x') RETURNING id", (a_id,)
            ).fetchall()
            conn.execute(turn, (new_id,))


def test_a_trainee_closes_only_their_own_session_and_never_above_its_turns(team: Team) -> None:
    import psycopg

    finish = "SELECT simulator_finish_session(%s, 'x', 'resolved', 'good', %s, true)"
    with team.connect("a") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(finish, (team.open_session["b"], 10))
        [(running,)] = conn.execute("SELECT score FROM sessions WHERE id = %s", (team.open_session["a"],)).fetchall()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(finish, (team.open_session["a"], running + 1))
        # Closing a finished session again changes nothing.
        [(closed,)] = conn.execute(finish, (team.sessions["a"][0], 0)).fetchall()
        assert closed is False
    assert _owner_scores(team)[team.sessions["a"][0]] > 0


def test_a_lead_reads_their_team_and_writes_nothing(team: Team) -> None:
    import psycopg

    first_team = {*team.sessions["a"], team.open_session["a"], *team.sessions["b"], team.open_session["b"]}
    with team.connect("lead") as conn:
        assert {r[0] for r in conn.execute("SELECT DISTINCT session_id FROM turns").fetchall()} == first_team
        assert sorted(r[0] for r in conn.execute("SELECT name FROM trainees").fetchall()) == ["乙", "甲"]
        for sql in (
            "UPDATE sessions SET score = 100",
            "DELETE FROM sessions",
            "UPDATE turns SET score = 100",
            "INSERT INTO turns (session_id, n, node, customer, reply, timed_out, outcome, mood_before, mood, score, "
            f"next_node, detail, created_at) VALUES ({team.open_session['a']}, 9, 'n', 'c', 'r', 0, 'met', 1, 1, 1, "
            "'n', '{}', 'x')",
            "UPDATE trainees SET team = '一组'",
            f"SELECT simulator_finish_session({team.open_session['a']}, 'x', 'e', 'good', 0, false)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    with team.connect("lead2") as conn:
        assert {r[0] for r in conn.execute("SELECT DISTINCT session_id FROM turns").fetchall()} == {
            *team.sessions["c"],
            team.open_session["c"],
        }


def test_a_trainer_reads_every_turn_and_writes_nothing(team: Team) -> None:
    import psycopg

    with team.connect("trainer") as conn:
        assert conn.execute("SELECT count(*) FROM turns").fetchone() == (len(_owner_turn_scores(team)),)
        assert conn.execute("SELECT count(DISTINCT trainee_id) FROM sessions").fetchone() == (3,)
        for sql in ("UPDATE turns SET score = 100", "UPDATE sessions SET score = 100", "DELETE FROM sessions"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)


def test_an_account_not_registered_here_cannot_even_connect(team: Team) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {team.roles['stray']} LOGIN")
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        team.connect("stray")
    with pytest.raises(StoreError, match="无法连接"):
        open_store(team.url("stray"))


def test_admin_is_idempotent_and_says_what_it_did(team: Team) -> None:
    code, out, _ = run_cli(team.owner, "admin", "init")
    assert code == 0 and "已存在" in out and "行级安全" in out
    code, out, _ = run_cli(team.owner, "admin", "add-trainee", "甲", "--role", team.roles["a"], "--team", "一组")
    assert code == 0 and "密码不变" in out and "初始密码" not in out
    code, out, _ = run_cli(team.owner, "admin", "list", "--format", "json")
    listed = {row["role"]: row for row in json.loads(out)}
    assert listed[team.roles["a"]]["name"] == "甲" and listed[team.roles["lead"]]["kind"] == "lead"
    code, out, err = run_cli(team.url("a"), "admin", "add-trainee", "丁", "--role", "ding")
    assert code == 1 and "只有建表的管理员账号" in err
    code, out, _ = run_cli(team.url("lead"), "admin", "whoami", "--format", "json")
    assert json.loads(out) == {"kind": "lead", "role": team.roles["lead"], "name": None, "team": "一组"}
    code, _, err = run_cli(team.owner, "admin", "add-trainee", "乙", "--role", team.roles["a"])
    assert code == 1 and "已属于学员 甲" in err


# -- the product under each role: exactly the rights it needs --------------------------------


def test_the_product_works_under_a_trainee_account(team: Team, tmp_path: Path, scenarios: dict[str, Scenario]) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(scenarios[GOOD].examples[0].replies) + "\n", encoding="utf-8")
    url = team.url("a")
    code, out, err = run_cli(
        url,
        "play",
        GOOD,
        "--trainee",
        "甲",
        "--replies",
        str(replies),
        "--format",
        "json",
        "--seed",
        str(scenarios[GOOD].examples[0].seed),
    )
    assert code == 0, err
    played = json.loads(out)
    assert played["session"]["finished"] and played["session"]["trainee"] == "甲"
    history = json.loads(run_cli(url, "history", "--format", "json")[1])
    assert {h["trainee"] for h in history} == {"甲"} and played["session"]["id"] in {h["id"] for h in history}
    report = json.loads(run_cli(url, "report", "--format", "json")[1])
    assert [r["trainee"] for r in report] == ["甲"] and report[0]["best"] == played["session"]["score"]
    code, out, _ = run_cli(url, "transcript", str(played["session"]["id"]), "--format", "json")
    assert code == 0 and json.loads(out)["turns"]
    code, _, err = run_cli(url, "transcript", str(team.sessions["b"][0]))
    assert code == 1 and "找不到编号" in err
    before = len(json.loads(run_cli(team.owner, "history", "--format", "json", "--trainee", "乙")[1]))
    code, _, err = run_cli(url, "play", GOOD, "--trainee", "乙", "--replies", str(replies))
    assert code == 1 and "只能以 甲 的身份练习" in err
    assert len(json.loads(run_cli(team.owner, "history", "--format", "json", "--trainee", "乙")[1])) == before


def test_the_product_works_under_lead_and_trainer_accounts(team: Team, tmp_path: Path) -> None:
    history = json.loads(run_cli(team.url("lead"), "history", "--format", "json")[1])
    assert {h["trainee"] for h in history} == {"甲", "乙"}
    report = json.loads(run_cli(team.url("lead"), "report", "--format", "json")[1])
    assert [r["trainee"] for r in report] == ["乙", "甲"]
    code, out, _ = run_cli(team.url("lead"), "transcript", str(team.sessions["b"][0]), "--format", "json")
    assert code == 0 and json.loads(out)["turns"]
    replies = tmp_path / "r.txt"
    replies.write_text("您好\n", encoding="utf-8")
    code, _, err = run_cli(team.url("lead"), "play", GOOD, "--trainee", "甲", "--replies", str(replies))
    assert code == 1 and "只能查看记录，不能练习" in err
    report = json.loads(run_cli(team.url("trainer"), "report", "--format", "json")[1])
    assert [r["trainee"] for r in report] == ["丙", "乙", "甲"]
    code, out, _ = run_cli(team.url("trainer"), "transcript", str(team.sessions["c"][0]), "--format", "json")
    assert code == 0 and json.loads(out)["turns"]


# -- the TUI under each role ------------------------------------------------------------------

SIZE = (80, 24)


def _app(url: str, engine: Matcher) -> Any:
    from simulator.tui.app import SimulatorApp
    from simulator.tui.services import Services

    services = Services(url)
    services.matcher = engine
    return SimulatorApp(services=services)


async def _wait(pilot: Any, condition: Any, tries: int = 750) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def test_the_tui_under_a_trainee_account(team: Team, engine: Matcher, scenarios: dict[str, Scenario]) -> None:
    from simulator.tui.screens.debrief import DebriefScreen
    from simulator.tui.screens.picker import PickerScreen
    from simulator.tui.screens.play import PlayScreen
    from simulator.tui.screens.start import StartScreen
    from simulator.tui.widgets import ReplyArea

    app = _app(team.url("b"), engine)
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: app.services.store is not None and app.services.scenarios)
        name = app.screen.query_one("#name", Input)
        await _wait(pilot, lambda: name.value == "乙")  # the account says who you are
        assert "学员 乙" in str(app.screen.query_one("#status", Static).render())
        name.value = "甲"
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, StartScreen)  # may not practise as someone else
        name.value = "乙"
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        picker.query_one("#scenarios", DataTable).move_cursor(row=[s.id for s in picker.shown].index(GOOD))
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, PlayScreen) and app.screen.dialogue is not None)
        play = app.screen
        for reply in scenarios[GOOD].examples[0].replies:
            if play.dialogue.finished:
                break
            before = len(play.dialogue.turns)
            play.query_one("#reply", ReplyArea).text = reply
            play.query_one("#reply", ReplyArea).focus()
            await pilot.press("enter")
            await _wait(pilot, lambda before=before: len(play.dialogue.turns) > before and not play.busy)
        assert play.finished
        await pilot.press("f5")
        await _wait(pilot, lambda: isinstance(app.screen, DebriefScreen))
    with open_store(team.owner) as store:
        latest = store.sessions(trainee="乙")[-1]
        assert latest.finished and latest.score == play.dialogue.score


async def test_the_tui_under_a_lead_account(team: Team, engine: Matcher) -> None:
    from simulator.tui.screens.team import TeamScreen, TraineeSessionsScreen
    from simulator.tui.screens.transcript import TranscriptScreen

    app = _app(team.url("lead"), engine)
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: app.services.store is not None and app.services.scenarios)
        await _wait(pilot, lambda: "组长" in str(app.screen.query_one("#status", Static).render()))
        app.screen.query_one("#name", Input).value = "甲"
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen.query_one("#name", Input)  # still on the start screen: a lead does not practise
        app.screen.query_one("#trainees").focus()
        await pilot.press("t")
        await _wait(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.loaded)
        table = app.screen.query_one("#team", DataTable)
        assert sorted(str(table.get_row_at(i)[0]) for i in range(table.row_count)) == ["乙", "甲"]
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, TraineeSessionsScreen) and app.screen.ids)
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, TranscriptScreen))


# -- assignments under the same roles (issue 15, item 3) --------------------------------------


def test_assignments_are_protected_by_the_same_roles(team: Team) -> None:
    import psycopg

    code, out, err = run_cli(team.url("lead"), "assign", "add", GOOD, "--team", "一组", "--mode", "exam")
    assert code == 0, err
    mine = int(out.split("已布置任务 ")[1].split("：")[0])
    code, _, err = run_cli(team.url("lead"), "assign", "add", GOOD, "--team", "二组")
    assert code == 1 and "你负责的是 一组" in err
    code, _, err = run_cli(team.url("lead"), "assign", "add", GOOD, "--trainee", "丙")
    assert code == 1 and "没有学员 丙" in err
    assert run_cli(team.url("lead2"), "assign", "add", GOOD, "--trainee", "丙")[0] == 0
    for who in ("a", "trainer"):
        code, _, err = run_cli(team.url(who), "assign", "add", GOOD, "--team", "一组")
        assert code == 1 and "只有组长" in err
    with psycopg.connect(team.owner, autocommit=True) as owner:
        [(c_id,)] = owner.execute("SELECT id FROM trainees WHERE name = '丙'").fetchall()
    insert = (
        "INSERT INTO assignments (scenario, title, trainee_id, team, pass_mark, mode, created_at, created_by) "
        "VALUES ('x', 'x', %s, %s, 0, 'practice', 'x', 'x')"
    )
    with team.connect("lead") as conn:  # the server refuses what the client would not send
        for trainee_id, other_team in ((c_id, None), (None, "二组")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(insert, (trainee_id, other_team))
        assert (
            conn.execute(
                "UPDATE assignments SET pass_mark = 0 WHERE team = '二组' OR trainee_id = %s", (c_id,)
            ).rowcount
            == 0
        )
    with team.connect("a") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(insert, (None, "一组"))
    seen = {
        who: {a["id"] for a in json.loads(run_cli(team.url(who), "assign", "list", "--format", "json")[1])}
        for who in ("a", "c", "lead", "lead2", "trainer")
    }
    assert mine in seen["a"] and mine in seen["lead"] and mine in seen["trainer"]
    assert mine not in seen["c"] and mine not in seen["lead2"] and seen["c"] == seen["lead2"]
    assert seen["trainer"] == seen["lead"] | seen["lead2"]
    [row] = [
        a
        for a in json.loads(run_cli(team.url("lead"), "report", "--assignments", "--format", "json")[1])
        if a["id"] == mine
    ]
    assert {t["trainee"] for t in row["trainees"]} == {"甲", "乙"}


async def test_the_tui_assignments_under_lead_and_trainee_accounts(team: Team, engine: Matcher) -> None:
    from simulator.tui.screens.assignments import AssignmentsScreen
    from simulator.tui.screens.picker import PickerScreen
    from simulator.tui.screens.team import TeamScreen
    from simulator.tui.tasks import TasksPanel

    assert run_cli(team.url("lead"), "assign", "add", "angry_complaint_repeat_failure", "--trainee", "乙")[0] == 0
    app = _app(team.url("lead"), engine)
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: "组长" in str(app.screen.query_one("#status", Static).render()))
        app.screen.query_one("#trainees").focus()
        await pilot.press("t")
        await _wait(pilot, lambda: isinstance(app.screen, TeamScreen))
        await pilot.press("a")
        await _wait(pilot, lambda: isinstance(app.screen, AssignmentsScreen) and app.screen.loaded)
        assert app.screen.check_action("new", ()) is True  # a lead may assign
        assert all(p.assignment.team in (None, "一组") for p in app.screen.progress)
    app = _app(team.url("b"), engine)
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: app.screen.query_one("#name", Input).value == "乙")
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, PickerScreen))
        panel = app.screen.query_one(TasksPanel)
        await _wait(pilot, lambda: any(p.assignment.trainee == "乙" for p in panel.assignments))
        assert "我的任务" in str(panel.render())


# -- the review loop (migration 5) under the same roles ------------------------------------------


def test_disputes_and_review_marks_under_the_roles(team: Team) -> None:
    import psycopg

    mine, theirs = team.sessions["a"][0], team.sessions["b"][0]
    code, out, err = run_cli(team.url("a"), "review", "dispute", f"{mine}:1", "--comment", "我觉得没说错")
    assert code == 0, err
    code, _, err = run_cli(team.url("a"), "review", "dispute", f"{theirs}:1")
    assert code != 0  # someone else's turn: not even visible
    with team.connect("a") as conn:
        [(b_id,)] = (
            psycopg.connect(team.owner, autocommit=True).execute("SELECT id FROM trainees WHERE name = '乙'").fetchall()
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO disputes (session_id, n, trainee_id, comment, created_at) VALUES (%s, 1, %s, '', 'x')",
                (theirs, b_id),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO review_marks (session_id, n, reviewer, kind, created_at) "
                "VALUES (%s, 1, '甲', 'confirmed', 'x')",
                (mine,),
            )
    code, out, err = run_cli(
        team.url("trainer"), "review", "mark", f"{theirs}:1", "--reviewer", "周老师", "--kind", "confirmed"
    )
    assert code == 0, err
    code, out, err = run_cli(
        team.url("trainer"),
        "review",
        "mark",
        f"{theirs}:1",
        "--reviewer",
        "周老师",
        "--kind",
        "confirmed",
        "--comment",
        "再看一遍",
    )
    assert code == 0, err  # the second supersedes the first (an UPDATE of superseded_by only)
    for who in ("a", "lead"):
        code, _, err = run_cli(
            team.url(who), "review", "mark", f"{mine}:1", "--reviewer", "周老师", "--kind", "confirmed"
        )
        assert code == 1 and "没有权限" in err, (who, err)
    with team.connect("trainer") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE review_marks SET comment = '改过的'")
    with team.connect("a") as conn:  # a trainee sees the disputes and marks on their own turns only
        assert {r[0] for r in conn.execute("SELECT session_id FROM disputes").fetchall()} == {mine}
        assert conn.execute("SELECT count(*) FROM review_marks").fetchone() == (0,)
    with team.connect("b") as conn:
        assert conn.execute("SELECT count(*) FROM review_marks WHERE superseded_by IS NULL").fetchone() == (1,)


async def test_the_tui_under_a_trainer_account_reviews_every_trainee(team: Team, engine: Matcher) -> None:
    from simulator.tui.screens.picker import PickerScreen
    from simulator.tui.screens.review import ReviewScreen

    app = _app(team.url("trainer"), engine)
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: "复核" in str(app.screen.query_one("#status", Static).render()))
        app.screen.query_one("#name", Input).value = "周老师"
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, PickerScreen))
        app.screen.query_one("#scenarios").focus()
        await pilot.press("v")
        await _wait(pilot, lambda: isinstance(app.screen, ReviewScreen) and bool(app.screen.queue))
        assert {item.session.trainee for item in app.screen.queue} == {"甲", "乙", "丙"}

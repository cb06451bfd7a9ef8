"""Progress store: trainees, sessions and every turn, on SQLite or PostgreSQL.

Each turn is committed in its own transaction the moment it is played, so a
crash, a kill or Ctrl-C keeps every turn so far and the session shows as
unfinished.  Schema migrations run automatically and safely on open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from rapidfuzz import fuzz, process

from ..record import Dispute, Mark, SessionEnd, SessionRecord, TurnRecord
from ..text import name_key
from . import roles, summaries
from .drivers import MEMORY, Driver, PostgresDriver, SQLiteDriver, redact
from .errors import MissingDatabase, StoreError
from .migrations import APP_MARKER, LATEST, MIGRATIONS
from .roles import Identity


class ScenarioInfo(Protocol):
    """What the store keeps of a scenario (``scenario.Scenario`` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def version_hash(self) -> str: ...


__all__ = ["Identity", "Store", "StoreError", "SessionRecorder", "open_store"]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


SessionRow = SessionRecord  # the store's name for it


_SESSION_COLUMNS = (
    "s.id, t.name, s.scenario, s.scenario_title, s.mode, s.seed, s.started_at, s.ended_at, s.finished, "
    "s.ending, s.outcome, s.score, s.turns, s.content_version"
)


def _session(row: tuple[Any, ...]) -> SessionRecord:
    return SessionRecord(
        id=int(row[0]),
        trainee=row[1],
        scenario=row[2],
        scenario_title=row[3],
        mode=row[4],
        seed=int(row[5]),
        started_at=row[6],
        ended_at=row[7],
        finished=bool(row[8]),
        ending=row[9],
        outcome=row[10],
        score=None if row[11] is None else int(row[11]),
        turns=int(row[12]),
        content_version=row[13],
    )


def _turn(row: tuple[Any, ...]) -> TurnRecord:
    """A ``turns`` row (n … seconds, detail, in the order the queries select them) as its record."""
    n, node, customer, reply, timed_out, outcome, mood_before, mood, score, next_node, seconds, detail = row
    return TurnRecord.stored(
        n=n,
        node=node,
        customer=customer,
        reply=reply,
        timed_out=bool(timed_out),
        outcome=outcome,
        mood_before=mood_before,
        mood=mood,
        score=score,
        next_node=next_node,
        seconds=seconds,
        detail=json.loads(detail),
    )


class SessionRecorder:
    """Writes one session as it is played: each turn in its own transaction, then the close."""

    def __init__(self, store: Store, session: SessionRecord, trainee_id: int, scores: list[int] | None = None):
        self.driver = store.driver
        self.clock = store.clock
        self.server_figures = store.server_figures
        self.session_id = session.id
        self.trainee_id = trainee_id
        self.scenario = session.scenario
        self.mode = session.mode
        self.started_at = session.started_at
        self._scores: list[int] = list(scores or [])

    def record_turn(self, turn: TurnRecord) -> None:
        """Commit ``turn`` now, with the per-category counts and the running score."""
        counts: dict[tuple[str, str], int] = {}
        for kind, categories in (
            ("prohibited", [h.category for h in turn.prohibited]),
            ("standard", [h.category for h in turn.standard]),
            ("missed", list(turn.missed)),
        ):
            for category in dict.fromkeys(categories):
                counts[(kind, category)] = counts.get((kind, category), 0) + 1
        scores = [*self._scores, turn.score]
        mean = round(sum(scores) / len(scores))
        with self.driver.transaction():
            # On PostgreSQL the server counts the categories and keeps the running score (store/roles.py).
            self.driver.execute(
                "INSERT INTO turns (session_id, n, node, customer, reply, timed_out, outcome, mood_before, mood, "
                "score, next_node, seconds, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.session_id,
                    turn.n,
                    turn.node,
                    turn.customer,
                    turn.reply,
                    int(turn.timed_out),
                    turn.outcome,
                    turn.mood_before,
                    turn.mood,
                    turn.score,
                    turn.next_node,
                    turn.seconds,
                    json.dumps(turn.detail(), ensure_ascii=False),
                    self.clock(),
                ),
            )
            if self.server_figures:
                self._scores = scores
                return
            for (kind, category), count in counts.items():
                self.driver.execute(
                    "INSERT INTO session_categories (session_id, trainee_id, kind, category, count) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, kind, category) "
                    "DO UPDATE SET count = session_categories.count + excluded.count",
                    (self.session_id, self.trainee_id, kind, category, count),
                )
            summaries.categories_counted(self.driver, self.trainee_id, counts)
            # The running score and turn count keep an interrupted session meaningful.
            self.driver.execute(
                "UPDATE sessions SET turns = ?, score = ? WHERE id = ?", (turn.n, mean, self.session_id)
            )
        self._scores = scores  # only once committed

    def finish(self, end: SessionEnd | None) -> None:
        """Close the session; ``None`` (not finished) leaves it unfinished."""
        if end is None:
            return
        if self.server_figures:  # the server closes it and counts it (store/roles.py)
            with self.driver.transaction():
                self.driver.execute(
                    f"SELECT {roles.FINISH}(?, ?, ?, ?, ?, ?)",
                    (self.session_id, self.clock(), end.ending, end.outcome, end.score, end.passed),
                )
            return
        with self.driver.transaction():
            closed = self.driver.execute(
                "UPDATE sessions SET finished = 1, ended_at = ?, ending = ?, outcome = ?, score = ?, turns = ?, "
                "passed = ? WHERE id = ? AND finished = 0 RETURNING id",
                (self.clock(), end.ending, end.outcome, end.score, end.turns, int(end.passed), self.session_id),
            )
            if closed:  # closing twice counts once
                summaries.session_finished(
                    self.driver,
                    trainee_id=self.trainee_id,
                    session_id=self.session_id,
                    scenario=self.scenario,
                    started_at=self.started_at,
                    mode=self.mode,
                    score=end.score,
                    passed=end.passed,
                    lock=self.driver.row_lock,
                )


class Store:
    """The progress database."""

    def __init__(self, driver: Driver, clock: Callable[[], str] = utc_now):
        self.driver = driver
        self.clock = clock
        self._identity: Identity | None = None
        self._migrate()
        # On PostgreSQL the server keeps every figure derived from the records (triggers and a closing
        # function, so a trainee's account needs no UPDATE right); on SQLite the store writes them.
        self.server_figures = driver.name == "postgresql"

    # -- schema -------------------------------------------------------------

    def _migrate(self) -> None:
        driver = self.driver
        if driver.read_only:  # nothing may be written: reading works if the schema is current
            tables = driver.table_names()
            present = self._applied() if tables else set()
            if any(version not in present for version, _, _ in MIGRATIONS):
                raise StoreError("进度数据库是只读的，而它需要先升级（或新建）才能使用；请检查文件权限。")
            return
        with driver.transaction(lock=True):
            tables = driver.table_names()
            if "meta" not in tables:
                ours = {"trainees", "sessions", "turns", "session_categories", "schema_version"}
                if driver.name == "sqlite" and tables:
                    raise StoreError(
                        "这个 SQLite 文件属于别的程序（里面有其他数据表"
                        "），为保护数据没有改动它；请用 --db 指定其他路径。"
                    )
                if tables & ours:
                    raise StoreError(
                        "数据库里已有同名数据表（" + "、".join(sorted(tables & ours)) + "），但不是本程序创建的；"
                        "为保护数据没有改动它，请换一个数据库。"
                    )
                applied: set[int] = set()
            else:
                marker = driver.execute("SELECT value FROM meta WHERE key = 'app'")
                if not marker or marker[0][0] != APP_MARKER:
                    raise StoreError("这个数据库不是本程序的进度数据库，为保护数据没有改动它；请用 --db 指定其他路径。")
                applied = self._applied()
            current = max(applied, default=0)
            if current > LATEST:
                raise StoreError(f"进度数据库的版本（{current}）比本程序支持的（{LATEST}）更新，请升级本程序。")
            missing = [m for m in MIGRATIONS if m[0] not in applied]
            if missing and applied and driver.name == "postgresql" and self.identity().kind != "owner":
                raise StoreError(
                    f"进度数据库需要升级到第 {LATEST} 版，而{self.identity().describe()}没有升级的权限；"
                    "请管理员用建表的账号运行一次 simulator admin init（或任何命令）完成升级。"
                )
            schema = driver.execute("SELECT current_schema()")[0][0] if driver.name == "postgresql" else ""
            # Every migration not yet applied, in order (one written in parallel may land below the latest).
            for version, description, statements in missing:
                for statement in statements:
                    driver.execute(statement.replace("{id}", driver.id_column))
                if driver.name == "postgresql":
                    for statement in roles.postgres_migration(version, roles.quote_ident(schema)):
                        driver.execute(statement)
                if version == 1:
                    driver.execute("INSERT INTO meta (key, value) VALUES ('app', ?)", (APP_MARKER,))
                if version == 4:
                    summaries.rebuild(driver)
                driver.execute(
                    "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                    (version, description, self.clock()),
                )
        self._identity = None  # the tables (and so who owns them) may be new

    def _applied(self) -> set[int]:
        return {int(row[0]) for row in self.driver.execute("SELECT version FROM schema_version")}

    def identity(self) -> Identity:
        """Who this store is connected as (on PostgreSQL, from the connecting role; SQLite: the owner)."""
        if self._identity is None:
            if self.driver.name == "postgresql" and "sessions" not in self.driver.table_names():
                return roles.Identity("owner", role=None)  # before the first migration: whoever creates the tables
            self._identity = roles.identity(self.driver)
        return self._identity

    @property
    def schema_version(self) -> int:
        return int(self.driver.execute("SELECT MAX(version) FROM schema_version")[0][0])

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------

    def canonical_name(self, name: str) -> str:
        """The stored trainee whose name matches ``name`` on :func:`text.name_key`, else ``name``.

        张伟, 張偉 and 张 伟 are one person, shown as first typed.
        """
        name = name.strip()
        if not name or self.driver.execute("SELECT 1 FROM trainees WHERE name = ?", (name,)):
            return name
        key = name_key(name)
        for (stored,) in self.driver.execute("SELECT name FROM trainees ORDER BY id"):
            if name_key(stored) == key:
                return stored
        return name

    def similar_trainees(self, name: str, limit: int = 3) -> list[str]:
        """Existing trainees whose names are close to ``name`` but not the same person's key."""
        key = name_key(name)
        names = {stored: name_key(stored) for stored in self.trainees()}
        candidates = {stored: k for stored, k in names.items() if k != key}
        found = process.extract(key, candidates, scorer=fuzz.ratio, score_cutoff=66, limit=limit)
        return [stored for _, _, stored in found]

    def trainee_id(self, name: str) -> int:
        """The id of trainee ``name`` (matched on the normalised key), created if new."""
        name = name.strip()
        if not name:
            raise StoreError("学员姓名不能为空")
        self.check_may_play(name)
        with self.driver.transaction():
            name = self.canonical_name(name)
            rows = self.driver.execute("SELECT id FROM trainees WHERE name = ?", (name,))
            if rows:
                return int(rows[0][0])
            rows = self.driver.execute(
                "INSERT INTO trainees (name, created_at) VALUES (?, ?) RETURNING id", (name, self.clock())
            )
            return int(rows[0][0])

    def check_may_play(self, name: str) -> None:
        """Refuse, in Chinese, to record for ``name`` what this account may not record (PostgreSQL roles)."""
        who = self.identity()
        if who.kind == "trainee" and self.canonical_name(name) != who.name:
            raise StoreError(f"当前登录的是{who.describe()}，只能以 {who.name} 的身份练习。")
        if not who.can_play:
            raise StoreError(f"当前登录的是{who.describe()}：只能查看记录，不能练习。")

    def begin_session(
        self, *, trainee: str, scenario: ScenarioInfo, seed: int, mode: str = "practice", started_at: str | None = None
    ) -> SessionRecorder:
        trainee_id = self.trainee_id(trainee)
        started_at = started_at or self.clock()
        with self.driver.transaction():
            if self.server_figures:  # the server records the title and counts the session (store/roles.py)
                rows = self.driver.execute(
                    "INSERT INTO sessions (trainee_id, scenario, scenario_title, content_version, mode, seed, "
                    "started_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (trainee_id, scenario.id, scenario.title, scenario.version_hash, mode, seed, started_at),
                )
                session = self.session(int(rows[0][0]))
                assert session is not None
                return SessionRecorder(self, session, trainee_id)
            self.driver.execute(
                "INSERT INTO scenario_titles (scenario, title) VALUES (?, ?) "
                "ON CONFLICT (scenario) DO UPDATE SET title = excluded.title",
                (scenario.id, scenario.title),
            )
            rows = self.driver.execute(
                "INSERT INTO sessions (trainee_id, scenario, scenario_title, content_version, mode, seed, started_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (trainee_id, scenario.id, scenario.title, scenario.version_hash, mode, seed, started_at),
            )
            summaries.session_started(self.driver, trainee_id, started_at)
            session = self.session(int(rows[0][0]))
        assert session is not None
        return SessionRecorder(self, session, trainee_id)

    # -- reading ------------------------------------------------------------

    def trainees(self) -> list[str]:
        return [row[0] for row in self.driver.execute("SELECT name FROM trainees ORDER BY name")]

    def sessions(
        self, trainee: str | None = None, scenario: str | None = None, limit: int | None = None
    ) -> list[SessionRow]:
        """Sessions, oldest first."""
        where, params = [], []
        if trainee:
            where.append("t.name = ?")
            params.append(self.canonical_name(trainee))
        if scenario:
            where.append("s.scenario = ?")
            params.append(scenario)
        sql = f"SELECT {_SESSION_COLUMNS} FROM sessions s JOIN trainees t ON t.id = s.trainee_id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY s.started_at, s.id"
        rows = [_session(r) for r in self.driver.execute(sql, params)]
        return rows[-limit:] if limit else rows

    def unfinished_sessions(self, trainee: str) -> dict[str, SessionRow]:
        """scenario -> the trainee's latest unfinished session with at least one turn (to resume)."""
        latest: dict[str, SessionRow] = {}
        for row in self.sessions(trainee=trainee):
            if row.finished:
                latest.pop(row.scenario, None)  # finished since: nothing to resume
            elif row.turns:
                latest[row.scenario] = row
        return latest

    def discard_if_empty(self, session_id: int) -> None:
        """Remove a session that never got a turn (a play that failed before its first reply)."""
        with self.driver.transaction():
            gone = self.driver.execute(
                "DELETE FROM sessions WHERE id = ? AND NOT EXISTS (SELECT 1 FROM turns WHERE session_id = ?) "
                "RETURNING trainee_id",
                (session_id, session_id),
            )
            if gone and not self.server_figures:
                summaries.session_discarded(self.driver, int(gone[0][0]))

    def resume_session(self, session: SessionRow) -> SessionRecorder:
        """A recorder that goes on writing ``session`` (its turns so far stay as they are)."""
        scores = [t.score for t in self.turns(session.id)]
        return SessionRecorder(self, session, self.trainee_id(session.trainee), scores)

    def session(self, session_id: int) -> SessionRow | None:
        rows = self.driver.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s JOIN trainees t ON t.id = s.trainee_id WHERE s.id = ?",
            (session_id,),
        )
        return _session(rows[0]) if rows else None

    def turns(self, session_id: int) -> list[TurnRecord]:
        """A session's turns as stored, ``reply`` exactly as typed."""
        rows = self.driver.execute(
            "SELECT n, node, customer, reply, timed_out, outcome, mood_before, mood, score, next_node, seconds, "
            "detail FROM turns WHERE session_id = ? ORDER BY n",
            (session_id,),
        )
        return [_turn(row) for row in rows]

    def previous_session(self, trainee: str, scenario: str, before_id: int) -> SessionRow | None:
        """The trainee's latest earlier session of the same scenario."""
        rows = [s for s in self.sessions(trainee=trainee, scenario=scenario) if s.id != before_id and s.turns]
        earlier = [s for s in rows if s.id < before_id]
        return earlier[-1] if earlier else None

    # -- aggregates for reports (one indexed scan; figures computed in progress.py) --

    def trainee_names(self) -> dict[int, str]:
        return {int(i): n for i, n in self.driver.execute("SELECT id, name FROM trainees")}

    def scenario_titles(self) -> dict[str, str]:
        return dict(self.driver.execute("SELECT scenario, title FROM scenario_titles"))

    def report_scan(self, trainee: str | None = None) -> list[tuple[Any, ...]]:
        """(trainee_id, started_at, score, scenario, finished, outcome, mode) of every session.

        In time order per trainee.
        """
        filter_sql, params = (
            ("WHERE trainee_id = (SELECT id FROM trainees WHERE name = ?)", [self.canonical_name(trainee)])
            if trainee
            else ("", [])
        )
        return self.driver.execute(
            "SELECT trainee_id, started_at, score, scenario, finished, outcome, mode FROM sessions "
            f"{filter_sql} ORDER BY trainee_id, started_at, id",
            params,
        )

    def category_counts(self, trainee: str | None = None) -> list[tuple[int, str, str, int]]:
        """(trainee_id, kind, category, count) of broken and missed categories, summed over sessions."""
        filter_sql, params = (
            ("AND trainee_id = (SELECT id FROM trainees WHERE name = ?)", [self.canonical_name(trainee)])
            if trainee
            else ("", [])
        )
        rows = self.driver.execute(
            "SELECT trainee_id, kind, category, SUM(count) FROM session_categories "
            f"WHERE kind IN ('prohibited', 'missed') {filter_sql} GROUP BY kind, trainee_id, category",
            params,
        )
        return [(int(r[0]), r[1], r[2], int(r[3])) for r in rows]

    # -- the summaries kept with every write (store/summaries.py): a team report reads only these --

    def _trainee_filter(self, trainee: str | None, column: str) -> tuple[str, list[Any]]:
        if not trainee:
            return "", []
        return f" WHERE {column} = (SELECT id FROM trainees WHERE name = ?)", [self.canonical_name(trainee)]

    def summary_rows(self, trainee: str | None = None) -> list[tuple[Any, ...]]:
        """(trainee id, name, sessions, finished, score sum, scored, best, passed, exams, exam passes,
        last played, recent scores JSON) per trainee; a trainee without sessions has zeros."""
        where, params = self._trainee_filter(trainee, "t.id")
        return self.driver.execute(
            "SELECT t.id, t.name, COALESCE(s.sessions, 0), COALESCE(s.finished, 0), COALESCE(s.score_sum, 0), "
            "COALESCE(s.scored, 0), s.best, COALESCE(s.passed, 0), COALESCE(s.exams, 0), "
            "COALESCE(s.exam_passed, 0), s.last_played, COALESCE(s.recent, '[]') "
            f"FROM trainees t LEFT JOIN trainee_summary s ON s.trainee_id = t.id{where}",
            params,
        )

    def category_totals(self, trainee: str | None = None, top: int = 3) -> list[tuple[int, str, str, int]]:
        """(trainee id, kind, category, count): each trainee's ``top`` most broken and most missed categories,
        summed over sessions, plus one ("prohibited", "", total) row per trainee with every prohibited hit."""
        where, params = self._trainee_filter(trainee, "trainee_id")
        kinds = "kind IN ('prohibited', 'missed')"
        filtered = f"{where} AND {kinds}" if where else f" WHERE {kinds}"
        rows = self.driver.execute(
            "SELECT trainee_id, kind, category, count FROM (SELECT trainee_id, kind, category, count, "
            "ROW_NUMBER() OVER (PARTITION BY trainee_id, kind ORDER BY count DESC, category) AS rank "
            f"FROM trainee_categories{filtered}) ranked WHERE rank <= ? "
            "UNION ALL SELECT trainee_id, 'prohibited', '', SUM(count) FROM trainee_categories"
            + (f"{where} AND kind = 'prohibited'" if where else " WHERE kind = 'prohibited'")
            + " GROUP BY trainee_id",
            [*params, top, *params],
        )
        return [(int(r[0]), r[1], r[2], int(r[3])) for r in rows]

    def scenario_rows(self, trainee: str | None = None) -> list[tuple[Any, ...]]:
        """(trainee id, scenario, finished sessions, score sum, best, first score, latest score)."""
        where, params = self._trainee_filter(trainee, "trainee_id")
        return self.driver.execute(
            "SELECT trainee_id, scenario, sessions, score_sum, best, first_score, latest_score "
            f"FROM trainee_scenarios{where}",
            params,
        )

    # -- assignments (a lead's; protected by the same roles on PostgreSQL) --

    def add_assignment(
        self,
        *,
        scenario: str,
        title: str,
        trainee: str | None = None,
        team: str | None = None,
        pass_mark: int,
        mode: str,
        due: str | None,
    ) -> int:
        """Assign ``scenario`` to one trainee (who must exist) or to a team; returns the assignment's id."""
        who = self.identity()
        if not who.can_assign:
            raise StoreError(f"当前登录的是{who.describe()}：只有组长（或管理员）能布置任务。")
        if (trainee is None) == (team is None):
            raise StoreError("请指定布置给一位学员（--trainee）或一个组（--team），二者选一。")
        trainee_id = None
        if trainee is not None:
            rows = self.driver.execute("SELECT id FROM trainees WHERE name = ?", (self.canonical_name(trainee),))
            if not rows:
                raise StoreError(f"没有学员 {trainee}（或不在你负责的组里）。")
            trainee_id = int(rows[0][0])
        if team is not None and who.kind == "lead" and team != who.team:
            raise StoreError(f"你负责的是 {who.team} 组，不能给 {team} 组布置任务。")
        with self.driver.transaction():
            rows = self.driver.execute(
                "INSERT INTO assignments (scenario, title, trainee_id, team, pass_mark, mode, due, created_at, "
                "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (scenario, title, trainee_id, team, pass_mark, mode, due, self.clock(), who.role or "本机"),
            )
        return int(rows[0][0])

    def remove_assignment(self, assignment_id: int) -> bool:
        """Withdraw an assignment (the sessions played for it stay); False when there is none to withdraw."""
        who = self.identity()
        if not who.can_assign:
            raise StoreError(f"当前登录的是{who.describe()}：只有组长（或管理员）能撤销任务。")
        with self.driver.transaction():
            return bool(self.driver.execute("DELETE FROM assignments WHERE id = ? RETURNING id", (assignment_id,)))

    def assignment_rows(self, trainee: str | None = None) -> list[tuple[Any, ...]]:
        """Each visible assignment × each trainee it covers, with their finished attempts since it was set,
        best score and first pass (``assignments.build_progress`` reads them)."""
        where, params = "", []
        if trainee is not None:
            where = "WHERE t.name = ? "
            params.append(self.canonical_name(trainee))
        return self.driver.execute(
            _ASSIGNMENT_ROWS + where + "GROUP BY a.id, a.scenario, a.title, ta.name, a.team, a.pass_mark, a.mode, "
            "a.due, a.created_at, a.created_by, t.name ORDER BY a.id, t.name",
            params,
        )

    def recent_losses(self, trainee: str, sessions: int = 10) -> list[tuple[Any, ...]]:
        """(session id, started at, scenario, kind, category, turns) of the trainee's latest ``sessions``
        sessions with a turn, newest first: the categories broken or missed (``recommend.losses_from_rows``);
        a session that lost nothing has one row with kind None."""
        return self.driver.execute(
            "SELECT s.id, s.started_at, s.scenario, c.kind, c.category, c.count FROM (SELECT id, started_at, scenario "
            "FROM sessions WHERE trainee_id = (SELECT id FROM trainees WHERE name = ?) AND turns > 0 "
            "ORDER BY started_at DESC, id DESC LIMIT ?) s "
            "LEFT JOIN session_categories c ON c.session_id = s.id AND c.kind IN ('prohibited', 'missed') "
            "ORDER BY s.started_at DESC, s.id DESC, c.kind, c.category",
            (self.canonical_name(trainee), sessions),
        )

    # -- disputes and review marks (issue: 复核与校准) ---------------------------------

    def add_dispute(self, session_id: int, n: int, comment: str = "") -> Dispute:
        """Record the trainee's "我认为判错了" on turn ``n`` (committed at once)."""
        with self.driver.transaction():
            rows = self.driver.execute(
                "SELECT s.trainee_id, t.name FROM turns u JOIN sessions s ON s.id = u.session_id "
                "JOIN trainees t ON t.id = s.trainee_id WHERE u.session_id = ? AND u.n = ?",
                (session_id, n),
            )
            if not rows:
                raise StoreError(f"练习 {session_id} 没有第 {n} 回合")
            trainee_id, trainee = rows[0]
            created = self.clock()
            [[dispute_id]] = self.driver.execute(
                "INSERT INTO disputes (session_id, n, trainee_id, comment, created_at) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id",
                (session_id, n, trainee_id, comment, created),
            )
        return Dispute(int(dispute_id), session_id, n, trainee, comment, created)

    def disputes(self) -> list[Dispute]:
        rows = self.driver.execute(
            "SELECT d.id, d.session_id, d.n, t.name, d.comment, d.created_at FROM disputes d "
            "JOIN trainees t ON t.id = d.trainee_id ORDER BY d.created_at, d.id"
        )
        return [Dispute(int(r[0]), int(r[1]), int(r[2]), r[3], r[4], r[5]) for r in rows]

    def add_mark(
        self,
        session_id: int,
        n: int,
        *,
        reviewer: str,
        kind: str,
        category: str = "",
        words: str = "",
        comment: str = "",
    ) -> Mark:
        """Record a trainer's mark (committed at once); it supersedes the active mark on the same point."""
        with self.driver.transaction():
            if not self.driver.execute("SELECT 1 FROM turns WHERE session_id = ? AND n = ?", (session_id, n)):
                raise StoreError(f"练习 {session_id} 没有第 {n} 回合")
            created = self.clock()
            [[mark_id]] = self.driver.execute(
                "INSERT INTO review_marks (session_id, n, reviewer, kind, category, words, comment, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (session_id, n, reviewer, kind, category, words, comment, created),
            )
            # One active verdict per point: the category's (whichever kind), or the whole turn's "confirmed".
            self.driver.execute(
                "UPDATE review_marks SET superseded_by = ? WHERE session_id = ? AND n = ? AND id <> ? "
                "AND superseded_by IS NULL AND category = ?",
                (mark_id, session_id, n, mark_id, category),
            )
        return Mark(int(mark_id), session_id, n, reviewer, kind, category, words, comment, created)

    def marks(self, session_id: int | None = None, n: int | None = None, history: bool = False) -> list[Mark]:
        """Review marks (active ones unless ``history``), oldest first."""
        where, params = [], []
        if session_id is not None:
            where.append("session_id = ?")
            params.append(session_id)
        if n is not None:
            where.append("n = ?")
            params.append(n)
        if not history:
            where.append("superseded_by IS NULL")
        sql = (
            "SELECT id, session_id, n, reviewer, kind, category, words, comment, created_at, superseded_by "
            "FROM review_marks" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_at, id"
        )
        return [
            Mark(
                int(r[0]), int(r[1]), int(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], None if r[9] is None else int(r[9])
            )
            for r in self.driver.execute(sql, params)
        ]

    def judged_turns(self, limit: int = 5000) -> list[tuple[SessionRecord, TurnRecord]]:
        """The latest ``limit`` turns with their sessions (what a review round draws from)."""
        rows = self.driver.execute(
            f"SELECT {_SESSION_COLUMNS}, u.n, u.node, u.customer, u.reply, u.timed_out, u.outcome, u.mood_before, "
            "u.mood, u.score, u.next_node, u.seconds, u.detail FROM turns u "
            "JOIN sessions s ON s.id = u.session_id JOIN trainees t ON t.id = s.trainee_id "
            "ORDER BY u.id DESC LIMIT ?",
            (limit,),
        )
        return [(_session(row[:14]), _turn(row[14:])) for row in rows]

    def turn(self, session_id: int, n: int) -> TurnRecord | None:
        return next((t for t in self.turns(session_id) if t.n == n), None)

    def category_series(self, trainee: str, category: str) -> list[tuple[str, int, int]]:
        """(started_at, session id, count) of ``category`` per session of ``trainee``."""
        return self.driver.execute(
            "SELECT s.started_at, s.id, COALESCE(SUM(c.count), 0) F"
            "ROM sessions s JOIN trainees t ON t.id = s.trainee_id "
            "LEFT JOIN session_categories c ON c.session_id = s.id AND c.category = ? "
            "WHERE t.name = ? GROUP BY s.id, s.started_at ORDER BY s.started_at, s.id",
            (category, self.canonical_name(trainee)),
        )


_ASSIGNMENT_ROWS = (
    "SELECT a.id, a.scenario, a.title, ta.name, a.team, a.pass_mark, a.mode, a.due, a.created_at, a.created_by, "
    "t.name, COUNT(s.id), MAX(s.score), "
    "MIN(CASE WHEN s.score >= a.pass_mark AND COALESCE(s.outcome, '') <> 'bad' THEN s.ended_at END) "
    "FROM assignments a LEFT JOIN trainees ta ON ta.id = a.trainee_id "
    "LEFT JOIN trainees t ON (t.id = a.trainee_id OR (a.team IS NOT NULL AND t.team = a.team)) "
    # A session counts if it finished, started since the assignment, and (for an exam) was an exam.
    "LEFT JOIN sessions s ON s.trainee_id = t.id AND s.scenario = a.scenario AND s.finished = 1 "
    "AND s.started_at >= a.created_at AND (a.mode = 'practice' OR s.mode = 'exam') "
)


def open_store(url: str, *, create: bool = True) -> Store:
    """Open (and migrate) the store at ``url``: a SQLite path or ``postgresql://…``.

    The adapters resolve the default (``locations.default_database``) and pass it.
    ``create=False`` (commands that only read): a SQLite file that does not exist
    raises ``MissingDatabase`` and neither it nor its folder is created.
    ``:memory:`` is an empty store that lives in memory only.
    """
    target = url
    if target.startswith(("postgresql://", "postgres://")):
        return Store(PostgresDriver(target))
    if "://" in target and not target.startswith("sqlite://"):
        raise StoreError(f"不支持的数据库地址：{redact(target)}（请用 SQLite 文件路径或 postgresql://…）")
    path = Path(target.removeprefix("sqlite://")).expanduser()
    if not create and str(path) != MEMORY and not path.exists():
        raise MissingDatabase(path)
    return Store(SQLiteDriver(path))

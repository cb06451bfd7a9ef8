"""Versioned schema migrations; each runs in one transaction with its record.

``{id}`` is replaced by the driver's auto-increment primary key DDL. Add new
migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

APP_MARKER = "after-sales-simulator"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "trainees, sessions, turns, per-session category counts",
        [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE schema_version (version INTEGER PRIMARY KE"
            "Y, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
            "CREATE TABLE trainees (id {id}, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)",
            """CREATE TABLE sessions (
                id {id},
                trainee_id INTEGER NOT NULL REFERENCES trainees(id),
                scenario TEXT NOT NULL,
                scenario_title TEXT NOT NULL,
                content_version TEXT NOT NULL,
                mode TEXT NOT NULL,
                seed BIGINT NOT NULL,
                started_at TEXT NOT NULL,
                ended_at TEXT,
                finished INTEGER NOT NULL DEFAULT 0,
                ending TEXT,
                outcome TEXT,
                score INTEGER,
                turns INTEGER NOT NULL DEFAULT 0
            )""",
            "CREATE INDEX sessions_by_trainee ON sessions (trainee_id, started_at)",
            "CREATE INDEX sessions_by_scenario ON sessions (scenario, started_at)",
            """CREATE TABLE turns (
                id {id},
                session_id INTEGER NOT NULL REFERENCES sessions(id),
                n INTEGER NOT NULL,
                node TEXT NOT NULL,
                customer TEXT NOT NULL,
                reply TEXT NOT NULL,
                timed_out INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                mood_before INTEGER NOT NULL,
                mood INTEGER NOT NULL,
                score INTEGER NOT NULL,
                next_node TEXT NOT NULL,
                seconds REAL,
                detail TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (session_id, n)
            )""",
            """CREATE TABLE session_categories (
                session_id INTEGER NOT NULL REFERENCES sessions(id),
                trainee_id INTEGER NOT NULL,
                kind TEXT NOT NULL,
                category TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (session_id, kind, category)
            )""",
            "CREATE INDEX categories_by_trainee ON session_categories (trainee_id, kind, category)",
        ],
    ),
]

MIGRATIONS.append(
    (
        2,
        "covering indexes and scenario titles for team reports",
        [
            # One ordered scan of this index gives every figure of the team report.
            "CREATE INDEX sessions_report ON sessions (trainee_id, started_at, id, score, scenario, finished, outcome)",
            "CREATE INDEX categories_counts ON session_categories (kind, trainee_id, category, count)",
            "CREATE TABLE scenario_titles (scenario TEXT PRIMARY KEY, title TEXT NOT NULL)",
            "INSERT INTO scenario_titles (scenario, title) SELECT scen"
            "ario, MAX(scenario_title) FROM sessions GROUP BY scenario",
        ],
    )
)

MIGRATIONS.append(
    (
        3,
        "the report's covering index carries the mode (exam results reported apart)",
        [
            "DROP INDEX sessions_report",
            "CREATE INDEX sessions_report ON sessions (trainee_id, s"
            "tarted_at, id, score, scenario, finished, outcome, mode)",
        ],
    )
)

MIGRATIONS.append(
    (
        4,
        "per-trainee summaries kept with each turn and each close, so team reports never scan every session",
        [
            # Whether a session passed is decided when it ends, against the pass mark in force then.
            "ALTER TABLE sessions ADD COLUMN passed INTEGER",
            "UPDATE sessions SET passed = CASE WHEN finished = 1 AND score IS NOT NULL "
            "AND COALESCE(outcome, '') <> 'bad' AND score >= 60 THEN 1 ELSE 0 END",
            """CREATE TABLE trainee_summary (
                trainee_id INTEGER PRIMARY KEY REFERENCES trainees(id),
                sessions INTEGER NOT NULL DEFAULT 0,
                finished INTEGER NOT NULL DEFAULT 0,
                score_sum INTEGER NOT NULL DEFAULT 0,
                scored INTEGER NOT NULL DEFAULT 0,
                best INTEGER,
                passed INTEGER NOT NULL DEFAULT 0,
                exams INTEGER NOT NULL DEFAULT 0,
                exam_passed INTEGER NOT NULL DEFAULT 0,
                last_played TEXT,
                recent TEXT NOT NULL DEFAULT '[]'
            )""",
            """CREATE TABLE trainee_scenarios (
                trainee_id INTEGER NOT NULL REFERENCES trainees(id),
                scenario TEXT NOT NULL,
                sessions INTEGER NOT NULL,
                score_sum INTEGER NOT NULL,
                best INTEGER NOT NULL,
                first_score INTEGER NOT NULL,
                first_at TEXT NOT NULL,
                first_id INTEGER NOT NULL,
                latest_score INTEGER NOT NULL,
                latest_at TEXT NOT NULL,
                latest_id INTEGER NOT NULL,
                PRIMARY KEY (trainee_id, scenario)
            )""",
            """CREATE TABLE trainee_categories (
                trainee_id INTEGER NOT NULL REFERENCES trainees(id),
                kind TEXT NOT NULL,
                category TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (trainee_id, kind, category)
            )""",
            "INSERT INTO trainee_categories (trainee_id, kind, category, count) "
            "SELECT trainee_id, kind, category, SUM(count) FROM session_categories GROUP BY trainee_id, kind, category",
            # trainee_summary and trainee_scenarios are filled from the sessions by Store (one ordered scan).
        ],
    )
)

MIGRATIONS.append(
    (
        5,
        "trainees' disputes and trainers' review marks on judged turns (every mark kept: a new one supersedes)",
        [
            """CREATE TABLE disputes (
                id {id},
                session_id INTEGER NOT NULL REFERENCES sessions(id),
                n INTEGER NOT NULL,
                trainee_id INTEGER NOT NULL REFERENCES trainees(id),
                comment TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX disputes_by_turn ON disputes (session_id, n)",
            """CREATE TABLE review_marks (
                id {id},
                session_id INTEGER NOT NULL REFERENCES sessions(id),
                n INTEGER NOT NULL,
                reviewer TEXT NOT NULL,
                kind TEXT NOT NULL,
                category TEXT NOT NULL DEFAULT '',
                words TEXT NOT NULL DEFAULT '',
                comment TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                superseded_by INTEGER
            )""",
            "CREATE INDEX marks_by_turn ON review_marks (session_id, n)",
        ],
    )
)

MIGRATIONS.append(
    (
        6,
        "teams and database accounts: who a trainee is on a shared server (PostgreSQL: row-level security, "
        "figures kept by the server)",
        [
            # trainees.db_role: the PostgreSQL login role that *is* this trainee (identity comes from the
            # connection, never from the client); team: what a lead sees. SQLite leaves db_role empty.
            "ALTER TABLE trainees ADD COLUMN team TEXT",
            "ALTER TABLE trainees ADD COLUMN db_role TEXT",
            "CREATE UNIQUE INDEX trainees_by_role ON trainees (db_role)",
            "CREATE INDEX trainees_by_team ON trainees (team)",
            # Leads (of a team) and trainers, by login role.
            "CREATE TABLE staff (db_role TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('lead', 'trainer')), "
            "team TEXT, created_at TEXT NOT NULL)",
            # On PostgreSQL, store/roles.py adds triggers, a closing function and the policies.
        ],
    )
)

MIGRATIONS.append(
    (
        7,
        "assignments: scenarios a lead assigns to a trainee or a team, with a pass mark, a mode and a due date",
        [
            """CREATE TABLE assignments (
                id {id},
                scenario TEXT NOT NULL,
                title TEXT NOT NULL,
                trainee_id INTEGER REFERENCES trainees(id),
                team TEXT,
                pass_mark INTEGER NOT NULL CHECK (pass_mark BETWEEN 0 AND 100),
                mode TEXT NOT NULL CHECK (mode IN ('practice', 'exam')),
                due TEXT,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                CHECK ((trainee_id IS NULL) <> (team IS NULL))
            )""",
            "CREATE INDEX assignments_by_trainee ON assignments (trainee_id)",
            "CREATE INDEX assignments_by_team ON assignments (team)",
        ],
    )
)

LATEST = MIGRATIONS[-1][0]

"""Per-trainee summaries, kept in the same transaction as the writes they summarise.

A team report over a million sessions must not scan a million sessions.
Three small tables carry what it needs and are updated with each session's
start, each turn and each close (:class:`store.SessionRecorder`):

* ``trainee_summary``: counts, score sum, best, passes, exams, last played and
  the latest :data:`RECENT` finished scores (for the trend);
* ``trainee_scenarios``: per scenario, finished sessions' count, sum, best,
  first and latest score;
* ``trainee_categories``: broken, done and missed categories summed.

The figures are the same as a full scan gives (a test compares them on
SQLite and PostgreSQL); :func:`rebuild` recomputes all of them from the
sessions, which migration 4 does once.
"""

from __future__ import annotations

import json
from typing import Any

from .drivers import Driver

RECENT = 10  # finished scores kept per trainee: the trend compares the latest 5 with the 5 before


def session_started(driver: Driver, trainee_id: int, started_at: str) -> None:
    driver.execute(
        "INSERT INTO trainee_summary (trainee_id, sessions, last_played) VALUES (?, 1, ?) "
        "ON CONFLICT (trainee_id) DO UPDATE SET sessions = trainee_summary.sessions + 1, "
        "last_played = CASE WHEN trainee_summary.last_played IS NULL "
        "OR trainee_summary.last_played < excluded.last_played THEN excluded.last_played "
        "ELSE trainee_summary.last_played END",
        (trainee_id, started_at),
    )


def session_discarded(driver: Driver, trainee_id: int) -> None:
    driver.execute(
        "UPDATE trainee_summary SET sessions = sessions - 1, "
        "last_played = (SELECT MAX(started_at) FROM sessions WHERE trainee_id = ?) WHERE trainee_id = ?",
        (trainee_id, trainee_id),
    )


def categories_counted(driver: Driver, trainee_id: int, counts: dict[tuple[str, str], int]) -> None:
    for (kind, category), count in counts.items():
        driver.execute(
            "INSERT INTO trainee_categories (trainee_id, kind, category, count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (trainee_id, kind, category) DO UPDATE SET count = trainee_categories.count + excluded.count",
            (trainee_id, kind, category, count),
        )


def session_finished(
    driver: Driver,
    *,
    trainee_id: int,
    session_id: int,
    scenario: str,
    started_at: str,
    mode: str,
    score: int,
    passed: bool,
    lock: str,
) -> None:
    """Count a session that has just closed (``lock`` is the driver's row-lock clause)."""
    rows = driver.execute(f"SELECT recent FROM trainee_summary WHERE trainee_id = ?{lock}", (trainee_id,))
    recent = _with_score(json.loads(rows[0][0]) if rows else [], started_at, session_id, score)
    exam = mode == "exam"
    driver.execute(
        "UPDATE trainee_summary SET finished = finished + 1, score_sum = score_sum + ?, scored = scored + 1, "
        "best = CASE WHEN best IS NULL OR best < ? THEN ? ELSE best END, passed = passed + ?, "
        "exams = exams + ?, exam_passed = exam_passed + ?, recent = ? WHERE trainee_id = ?",
        (score, score, score, int(passed), int(exam), int(exam and passed), json.dumps(recent), trainee_id),
    )
    driver.execute(
        "INSERT INTO trainee_scenarios (trainee_id, scenario, sessions, score_sum, best, first_score, first_at, "
        "first_id, latest_score, latest_at, latest_id) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (trainee_id, scenario) DO UPDATE SET sessions = trainee_scenarios.sessions + 1, "
        "score_sum = trainee_scenarios.score_sum + excluded.score_sum, "
        "best = CASE WHEN excluded.best > trainee_scenarios.best THEN excluded.best ELSE trainee_scenarios.best END, "
        "first_score = CASE WHEN "
        + _earlier("excluded.first", "trainee_scenarios.first")
        + " THEN excluded.first_score ELSE trainee_scenarios.first_score END, "
        "first_id = CASE WHEN "
        + _earlier("excluded.first", "trainee_scenarios.first")
        + " THEN excluded.first_id ELSE trainee_scenarios.first_id END, "
        "first_at = CASE WHEN "
        + _earlier("excluded.first", "trainee_scenarios.first")
        + " THEN excluded.first_at ELSE trainee_scenarios.first_at END, "
        "latest_score = CASE WHEN "
        + _earlier("trainee_scenarios.latest", "excluded.latest")
        + " THEN excluded.latest_score ELSE trainee_scenarios.latest_score END, "
        "latest_id = CASE WHEN "
        + _earlier("trainee_scenarios.latest", "excluded.latest")
        + " THEN excluded.latest_id ELSE trainee_scenarios.latest_id END, "
        "latest_at = CASE WHEN "
        + _earlier("trainee_scenarios.latest", "excluded.latest")
        + " THEN excluded.latest_at ELSE trainee_scenarios.latest_at END",
        (trainee_id, scenario, score, score, score, started_at, session_id, score, started_at, session_id),
    )


def _earlier(a: str, b: str) -> str:
    """SQL: session ``a`` comes before session ``b`` in (started_at, id) order."""
    return f"({a}_at < {b}_at OR ({a}_at = {b}_at AND {a}_id < {b}_id))"


def _with_score(recent: list[list[Any]], started_at: str, session_id: int, score: int) -> list[list[Any]]:
    """The latest finished scores, newest first by (started_at, id), with one more."""
    merged = sorted([*recent, [started_at, session_id, score]], key=lambda r: (r[0], r[1]), reverse=True)
    return merged[:RECENT]


def rebuild(driver: Driver) -> None:
    """Recompute every summary from the sessions (migration 4; a repair if ever needed)."""
    driver.execute("DELETE FROM trainee_summary")
    driver.execute("DELETE FROM trainee_scenarios")
    summary: dict[int, dict[str, Any]] = {}
    scenarios: dict[tuple[int, str], list[Any]] = {}
    rows = driver.execute(
        "SELECT trainee_id, id, started_at, score, scenario, finished, mode, passed FROM sessions "
        "ORDER BY trainee_id, started_at, id"
    )
    for trainee_id, session_id, started_at, score, scenario, finished, mode, passed in rows:
        entry = summary.setdefault(
            trainee_id,
            {
                "sessions": 0,
                "finished": 0,
                "sum": 0,
                "scored": 0,
                "best": None,
                "passed": 0,
                "exams": 0,
                "exam_passed": 0,
                "last": None,
                "recent": [],
            },
        )
        entry["sessions"] += 1
        entry["last"] = started_at if entry["last"] is None or started_at > entry["last"] else entry["last"]
        if not finished or score is None:
            continue
        exam = mode == "exam"
        entry["finished"] += 1
        entry["sum"] += score
        entry["scored"] += 1
        entry["best"] = score if entry["best"] is None else max(entry["best"], score)
        entry["passed"] += bool(passed)
        entry["exams"] += exam
        entry["exam_passed"] += bool(exam and passed)
        entry["recent"] = _with_score(entry["recent"], started_at, session_id, score)
        per = scenarios.get((trainee_id, scenario))
        if per is None:
            scenarios[(trainee_id, scenario)] = [
                1,
                score,
                score,
                score,
                started_at,
                session_id,
                score,
                started_at,
                session_id,
            ]
        else:
            per[0] += 1
            per[1] += score
            per[2] = max(per[2], score)
            per[6:9] = [score, started_at, session_id]  # rows come in (started_at, id) order
    for trainee_id, e in summary.items():
        driver.execute(
            "INSERT INTO trainee_summary (trainee_id, sessions, finished, score_sum, scored, best, passed, exams, "
            "exam_passed, last_played, recent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                trainee_id,
                e["sessions"],
                e["finished"],
                e["sum"],
                e["scored"],
                e["best"],
                e["passed"],
                e["exams"],
                e["exam_passed"],
                e["last"],
                json.dumps(e["recent"]),
            ),
        )
    for (trainee_id, scenario), per in scenarios.items():
        driver.execute(
            "INSERT INTO trainee_scenarios (trainee_id, scenario, sessions, score_sum, best, first_score, first_at, "
            "first_id, latest_score, latest_at, latest_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (trainee_id, scenario, *per),
        )

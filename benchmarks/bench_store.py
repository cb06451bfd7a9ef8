"""Benchmark the progress store at team scale (run by hand; results go in the README).

    .venv/bin/python benchmarks/bench_store.py [--trainees 1000] [--sessions 100] [--turns 8]
        [--pg postgresql://postgres@127.0.0.1:54330/postgres] [--repeat 5]

Generates trainees × sessions × turns (bulk inserts, outside the timed part),
then times, after one warm-up call, the median of ``--repeat`` runs of:

* ``report``: the team report (every trainee's aggregates, trend, per-scenario
  first/best/latest, most broken categories), from the per-trainee summaries,
  and the same figures from a scan of every session (the baseline);
* ``history``: one trainee's sessions;
* ``report --trainee``: one trainee's report.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.progress import build_report, team_report  # noqa: E402
from simulator.store import Store, open_store, summaries  # noqa: E402

SCENARIOS = [
    "out_of_warranty_charge",
    "angry_complaint_repeat_failure",
    "unknown_fault_cause",
    "late_arrival_reschedule",
    "out_of_scope_request",
    "price_defect_questions",
    "borrow_customer_tool",
    "live_equipment_safety",
    "repair_complete_leave",
    "first_visit_introduction",
    "phone_booking_visit",
]
PROHIBITED = ["not_my_job", "dont_know", "go_find_boss", "no_pay_no_fix", "rude", "guess_cause"]
STANDARD = ["greeting", "self_intro", "apology", "empathy", "fee_explained_in_advance", "follow_up_promise"]


def generate(store: Store, trainees: int, sessions: int, turns: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    driver = store.driver
    trainee_rows = [(f"学员{i:04d}", start.isoformat()) for i in range(trainees)]
    session_rows, turn_rows, category_rows = [], [], []
    session_id = 0
    for trainee_id in range(1, trainees + 1):
        skill = rng.uniform(30, 80)
        for k in range(sessions):
            session_id += 1
            scores = [max(0, min(100, int(rng.gauss(skill + k * 0.2, 15)))) for _ in range(turns)]
            outcome = rng.choice(["good", "neutral", "bad"])
            at = (start + timedelta(hours=k * 20 + trainee_id % 17)).isoformat(timespec="seconds")
            scenario = rng.choice(SCENARIOS)
            session_rows.append(
                (
                    session_id,
                    trainee_id,
                    scenario,
                    scenario,
                    "bench",
                    "practice",
                    k,
                    at,
                    at,
                    1,
                    "end",
                    outcome,
                    sum(scores) // turns,
                    turns,
                )
            )
            counts: dict[tuple[str, str], int] = {}
            for n, score in enumerate(scores, 1):
                detail = {"prohibited": [], "standard": [], "missed": [], "score_items": [], "next_customer": ""}
                if rng.random() < 0.2:
                    category = rng.choice(PROHIBITED)
                    counts[("prohibited", category)] = counts.get(("prohibited", category), 0) + 1
                    detail["prohibited"].append({"category": category, "span": [0, 2], "matched": "这个"})
                category = rng.choice(STANDARD)
                counts[("standard", category)] = counts.get(("standard", category), 0) + 1
                if rng.random() < 0.3:
                    missed = rng.choice(STANDARD)
                    counts[("missed", missed)] = counts.get(("missed", missed), 0) + 1
                turn_rows.append(
                    (
                        session_id,
                        n,
                        "node",
                        "客户的话",
                        "学员的回复",
                        0,
                        "met",
                        50,
                        55,
                        score,
                        "next",
                        3.5,
                        json.dumps(detail, ensure_ascii=False),
                        at,
                    )
                )
            category_rows.extend((session_id, trainee_id, kind, cat, c) for (kind, cat), c in counts.items())
    if driver.name == "sqlite":
        conn = driver.conn
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO trainees (name, created_at) VALUES (?, ?)", trainee_rows)
        conn.executemany(
            "INSERT INTO sessions (id, trainee_id, scenario, scenario_title, content_version, mode, seed, "
            "started_at, ended_at, finished, ending, outcome, score, turns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            session_rows,
        )
        conn.executemany(
            "INSERT INTO turns (session_id, n, node, customer, reply, timed_out, outcome, mood_before, mood, "
            "score, next_node, seconds, detail, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            turn_rows,
        )
        conn.executemany("INSERT INTO session_categories VALUES (?,?,?,?,?)", category_rows)
        conn.executemany("INSERT INTO scenario_titles VALUES (?, ?)", [(s, s) for s in SCENARIOS])
        conn.execute("COMMIT")
        with driver.transaction():
            _summaries(driver)
        conn.execute("ANALYZE")
    else:
        conn = driver.conn
        with conn.transaction(), conn.cursor() as cur:
            # The server's own bookkeeping (store/roles.py) is computed once below, not per copied row.
            cur.execute("ALTER TABLE sessions DISABLE TRIGGER USER")
            cur.execute("ALTER TABLE turns DISABLE TRIGGER USER")
            with cur.copy("COPY trainees (name, created_at) FROM STDIN") as copy:
                for row in trainee_rows:
                    copy.write_row(row)
            with cur.copy(
                "COPY sessions (id, trainee_id, scenario, scenario_title, content_version, mode, seed, started_at, "
                "ended_at, finished, ending, outcome, score, turns) FROM STDIN"
            ) as copy:
                for row in session_rows:
                    copy.write_row(row)
            with cur.copy(
                "COPY turns (session_id, n, node, customer, reply, timed_out, outcome, mood_before, mood, score, "
                "next_node, seconds, detail, created_at) FROM STDIN"
            ) as copy:
                for row in turn_rows:
                    copy.write_row(row)
            with cur.copy("COPY session_categories FROM STDIN") as copy:
                for row in category_rows:
                    copy.write_row(row)
            cur.executemany("INSERT INTO scenario_titles VALUES (%s, %s)", [(s, s) for s in SCENARIOS])
            cur.execute("SELECT setval('sessions_id_seq', (SELECT MAX(id) FROM sessions))")
            cur.execute("ALTER TABLE sessions ENABLE TRIGGER USER")
            cur.execute("ALTER TABLE turns ENABLE TRIGGER USER")
        with driver.transaction():
            _summaries(driver)
        conn.execute("ANALYZE")


def _summaries(driver) -> None:  # noqa: ANN001
    """What the store keeps with each write, computed once for the bulk-inserted rows."""
    driver.execute(
        "UPDATE sessions SET passed = CASE WHEN finished = 1 AND score IS NOT NULL "
        "AND COALESCE(outcome, '') <> 'bad' AND score >= 60 THEN 1 ELSE 0 END"
    )
    driver.execute(
        "INSERT INTO trainee_categories (trainee_id, kind, category, count) SELECT trainee_id, kind, "
        "category, SUM(count) FROM session_categories GROUP BY trainee_id, kind, category"
    )
    summaries.rebuild(driver)


def timed(function, repeat: int) -> tuple[float, float]:  # noqa: ANN001
    function()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


def full_scan_report(store: Store) -> list:
    """The report as it was computed before the summaries: every session scanned (the baseline)."""
    return build_report(store.trainee_names(), store.scenario_titles(), store.report_scan(), store.category_counts())


def measure(label: str, store: Store, repeat: int) -> None:
    who = "学员0500"
    rows = [
        ("report (team), full scan: the baseline", lambda: full_scan_report(store)),
        ("report (team), from the summaries", lambda: team_report(store)),
        ("report (team table: no per-scenario rows)", lambda: team_report(store, scenarios=False)),
        ("history (one trainee)", lambda: store.sessions(trainee=who)),
        ("report --trainee", lambda: team_report(store, who)),
    ]
    for name, function in rows:
        median, best = timed(function, repeat)
        print(f"| {label} | {name} | {median * 1000:.0f} ms | {best * 1000:.0f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", help="PostgreSQL admin URL; a throwaway database is created and dropped")
    args = parser.parse_args()
    size = f"{args.trainees}×{args.sessions}×{args.turns}"
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"store-{args.trainees}-{args.sessions}-{args.turns}.sqlite3"
    if not path.exists():
        start = time.perf_counter()
        with open_store(str(path)) as store:
            generate(store, args.trainees, args.sessions, args.turns)
        print(f"generated {size} in SQLite in {time.perf_counter() - start:.0f} s")
    print(
        f"\n{size} = {args.trainees * args.sessions:,} sessions, {args.trainees * args.sessions * args.turns:,} turns; "
        f"median of {args.repeat} after a warm-up\n"
    )
    print("| backend | query | median | best |")
    print("|---|---|---:|---:|")
    with open_store(str(path)) as store:
        measure("SQLite", store, args.repeat)
    if args.pg:
        import psycopg

        name = "simbench_" + uuid.uuid4().hex[:8]
        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        try:
            url = args.pg.rsplit("/", 1)[0] + "/" + name
            with open_store(url) as store:
                generate(store, args.trainees, args.sessions, args.turns)
                measure("PostgreSQL", store, args.repeat)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()

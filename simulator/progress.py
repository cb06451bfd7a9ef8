"""Progress reports for team leads, computed from the store's aggregates (pure).

Definitions (shown to team leads in the README and the report's help):

* only finished sessions enter averages, best, first/latest, lift, pass rate
  and trend; unfinished (abandoned) sessions are counted separately;
* pass: a finished session whose ending is not ``bad`` and whose score is at
  least :data:`PASS_SCORE`; pass rate = passes / finished sessions;
* trend: mean of the latest :data:`TREND_WINDOW` scores minus the mean of the
  :data:`TREND_WINDOW` before them (needs at least two sessions);
* lift (per scenario): latest score minus first score.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from .record import SessionRecord, TurnRecord

PASS_SCORE = 60
TREND_WINDOW = 5


@dataclass
class ScenarioProgress:
    scenario: str
    title: str
    sessions: int
    average: float | None
    best: int | None
    first: int | None
    latest: int | None

    @property
    def lift(self) -> int | None:
        if self.first is None or self.latest is None:
            return None
        return self.latest - self.first


@dataclass
class TraineeProgress:
    trainee: str
    sessions: int
    finished: int
    average: float | None
    best: int | None
    pass_rate: float | None
    trend: float | None
    last_played: str | None
    most_broken: list[tuple[str, int]] = field(default_factory=list)
    most_missed: list[tuple[str, int]] = field(default_factory=list)
    prohibited_hits: int = 0
    scenarios: list[ScenarioProgress] = field(default_factory=list)
    exams: int = 0  # finished exam-mode sessions, reported apart from practice
    exam_pass_rate: float | None = None

    @property
    def unfinished(self) -> int:
        return self.sessions - self.finished

    @property
    def counts_text(self) -> str:
        """Finished sessions, with the unfinished ones beside them: "3（未完成 1）"."""
        return f"{self.finished}（未完成 {self.unfinished}）" if self.unfinished else str(self.finished)

    @property
    def trend_arrow(self) -> str:
        if self.trend is None:
            return "—"
        if self.trend >= 3:
            return "▲"
        if self.trend <= -3:
            return "▼"
        return "→"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["unfinished"] = self.unfinished
        data["average"] = None if self.average is None else round(self.average, 1)
        data["trend"] = None if self.trend is None else round(self.trend, 1)
        data["pass_rate"] = None if self.pass_rate is None else round(self.pass_rate, 3)
        data["exam_pass_rate"] = None if self.exam_pass_rate is None else round(self.exam_pass_rate, 3)
        data["pass_mark"] = PASS_SCORE
        data["most_broken"] = [{"category": c, "count": n} for c, n in self.most_broken]
        data["most_missed"] = [{"category": c, "count": n} for c, n in self.most_missed]
        data["scenarios"] = [
            {**asdict(s), "average": None if s.average is None else round(s.average, 1), "lift": s.lift}
            for s in self.scenarios
        ]
        return data


def trend(recent_newest_first: list[int], window: int = TREND_WINDOW) -> float | None:
    """Mean of the latest ``window`` scores minus the mean of the ``window`` before."""
    if len(recent_newest_first) < 2:
        return None
    half = min(window, len(recent_newest_first) // 2) if len(recent_newest_first) < 2 * window else window
    latest = recent_newest_first[:half]
    before = recent_newest_first[half : 2 * half]
    return sum(latest) / len(latest) - sum(before) / len(before)


def build_report(
    names: dict[int, str],
    titles: dict[str, str],
    scan: Iterable[tuple[Any, ...]],
    category_rows: Iterable[tuple[int, str, str, int]],
    top: int = 3,
    pass_marks: dict[str, int] | None = None,
) -> list[TraineeProgress]:
    """Assemble per-trainee progress in one pass over the sessions.

    Args:
        names: trainee id -> name (trainees without sessions still get a row).
        scan: (trainee_id, started_at, score, scenario, finished, outcome[, mode]),
            in time order per trainee.
        category_rows: (trainee_id, kind, category, count).
        pass_marks: scenario id -> its pass mark (a scenario's ``scoring.pass_mark``);
            :data:`PASS_SCORE` for the others.
    """
    pass_marks = pass_marks or {}
    broken: dict[int, dict[str, int]] = defaultdict(dict)
    missed: dict[int, dict[str, int]] = defaultdict(dict)
    for trainee_id, kind, category, count in category_rows:
        (broken if kind == "prohibited" else missed)[trainee_id][category] = count
    stats: dict[int, dict[str, Any]] = {}
    for row in scan:
        trainee_id, started_at, score, scenario, finished, outcome = row[:6]
        mode = row[6] if len(row) > 6 else "practice"
        entry = stats.get(trainee_id)
        if entry is None:
            entry = stats[trainee_id] = _empty_stats()
        entry["sessions"] += 1
        entry["last"] = started_at
        if finished:
            entry["finished"] += 1
            passed = outcome != "bad" and score is not None and score >= pass_marks.get(scenario, PASS_SCORE)
            entry["passed"] += passed
            if mode == "exam":
                entry["exams"] += 1
                entry["exam_passed"] += passed
        if not finished or score is None:
            continue  # an abandoned session says nothing about skill: counted, never averaged
        entry["scores"].append(score)
        per = entry["per"].get(scenario)
        if per is None:
            entry["per"][scenario] = [1, score, score, score, score]  # count, sum, best, first, latest
        else:
            per[0] += 1
            per[1] += score
            per[2] = max(per[2], score)
            per[4] = score
    out = []
    for trainee_id, name in sorted(names.items(), key=lambda item: item[1]):
        entry = stats.get(trainee_id) or _empty_stats()
        scores: list[int] = entry["scores"]
        out.append(
            TraineeProgress(
                trainee=name,
                sessions=entry["sessions"],
                finished=entry["finished"],
                average=sum(scores) / len(scores) if scores else None,
                best=max(scores) if scores else None,
                pass_rate=entry["passed"] / entry["finished"] if entry["finished"] else None,
                trend=trend(scores[::-1][: 2 * TREND_WINDOW]),
                last_played=entry["last"],
                most_broken=_top(broken[trainee_id], top),
                most_missed=_top(missed[trainee_id], top),
                prohibited_hits=sum(broken[trainee_id].values()),
                exams=entry["exams"],
                exam_pass_rate=entry["exam_passed"] / entry["exams"] if entry["exams"] else None,
                scenarios=[
                    ScenarioProgress(scenario, titles.get(scenario, scenario), c, total / c, best, first, latest)
                    for scenario, (c, total, best, first, latest) in sorted(entry["per"].items())
                ],
            )
        )
    return out


def _empty_stats() -> dict[str, Any]:
    return {
        "sessions": 0,
        "finished": 0,
        "passed": 0,
        "exams": 0,
        "exam_passed": 0,
        "scores": [],
        "last": None,
        "per": {},
    }


def _top(counts: dict[str, int], top: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


class ReportSource(Protocol):
    """What the report reads from the progress store (``store.Store`` provides it from its summaries)."""

    def canonical_name(self, name: str) -> str: ...
    def scenario_titles(self) -> dict[str, str]: ...
    def summary_rows(self, trainee: str | None = None) -> list[tuple[Any, ...]]: ...
    def category_totals(self, trainee: str | None = None, top: int = 3) -> list[tuple[int, str, str, int]]: ...
    def scenario_rows(self, trainee: str | None = None) -> list[tuple[Any, ...]]: ...


def team_report(
    store: ReportSource, trainee: str | None = None, top: int = 3, scenarios: bool = True
) -> list[TraineeProgress]:
    """Every trainee's progress (or one trainee's), read from the store's per-trainee summaries.

    The store keeps the summaries with every write, so this reads one row per
    trainee and per practised scenario however many sessions there are; the
    figures equal :func:`build_report` over a full scan (a test checks it).
    Whether a session passed was decided when it ended, against the pass mark
    in force then.
    """
    titles = store.scenario_titles()
    broken: dict[int, dict[str, int]] = defaultdict(dict)
    missed: dict[int, dict[str, int]] = defaultdict(dict)
    hits: dict[int, int] = {}
    for trainee_id, kind, category, count in store.category_totals(trainee, top):
        if not category:  # the trainee's total of prohibited hits
            hits[trainee_id] = count
            continue
        (broken if kind == "prohibited" else missed)[trainee_id][category] = count
    per: dict[int, list[ScenarioProgress]] = defaultdict(list)
    for trainee_id, scenario, count, total, best, first, latest in store.scenario_rows(trainee) if scenarios else []:
        per[trainee_id].append(
            ScenarioProgress(scenario, titles.get(scenario, scenario), count, total / count, best, first, latest)
        )
    out = []
    for row in store.summary_rows(trainee):
        trainee_id, name, sessions, finished, total, scored, best, passed, exams, exam_passed, last, recent = row
        scores = [score for _, _, score in json.loads(recent)]
        out.append(
            TraineeProgress(
                trainee=name,
                sessions=sessions,
                finished=finished,
                average=total / scored if scored else None,
                best=best,
                pass_rate=passed / finished if finished else None,
                trend=trend(scores[: 2 * TREND_WINDOW]),
                last_played=last,
                most_broken=_top(broken[trainee_id], top),
                most_missed=_top(missed[trainee_id], top),
                prohibited_hits=hits.get(trainee_id, 0),
                exams=exams,
                exam_pass_rate=exam_passed / exams if exams else None,
                scenarios=sorted(per[trainee_id], key=lambda s: s.scenario),
            )
        )
    out.sort(key=lambda r: r.trainee)  # in Python: the same order whatever the database's collation
    return out


def compare_attempts(
    previous: list[TurnRecord],
    current: list[TurnRecord],
    labels: dict[str, str],
    previous_score: int | None,
    current_score: int | None,
) -> list[str]:
    """What changed since the previous attempt at the same scenario, in Chinese.

    Prohibited hits and standard categories are compared over the whole session.
    """

    def broken(turns: list[TurnRecord]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for turn in turns:
            for category in {h.category for h in turn.prohibited}:
                counts[category] = counts.get(category, 0) + 1
        return counts

    def done(turns: list[TurnRecord]) -> set[str]:
        return {h.category for turn in turns for h in turn.standard}

    lines = []
    if previous_score is not None and current_score is not None:
        delta = current_score - previous_score
        arrow = "▲" if delta > 0 else "▼" if delta < 0 else "＝"
        lines.append(f"得分 {previous_score} → {current_score}（{arrow}{abs(delta)}）")
    before, after = broken(previous), broken(current)
    added = sum(max(0, after.get(c, 0) - before.get(c, 0)) for c in after)
    removed = sum(max(0, before.get(c, 0) - after.get(c, 0)) for c in before)
    if added:
        lines.append(
            f"新增 {added} 处禁用语：" + "、".join(labels.get(c, c) for c in after if after[c] > before.get(c, 0))
        )
    if removed:
        lines.append(
            f"少了 {removed} 处禁用语：" + "、".join(labels.get(c, c) for c in before if before[c] > after.get(c, 0))
        )
    gained, lost = done(current) - done(previous), done(previous) - done(current)
    for category in sorted(gained):
        lines.append(f"“{labels.get(category, category)}”从 ✗ 变为 ✓")
    for category in sorted(lost):
        lines.append(f"“{labels.get(category, category)}”从 ✓ 变为 ✗")
    return lines or ["与上次相比没有明显变化"]


def bests_by_scenario(sessions: Iterable[SessionRecord]) -> dict[str, tuple[int | None, str | None]]:
    """scenario -> (best score of a finished session, date last played "MM-DD")."""
    out: dict[str, tuple[int | None, str | None]] = {}
    for session in sessions:
        best, _ = out.get(session.scenario, (None, None))
        if session.finished and session.score is not None:
            best = session.score if best is None else max(best, session.score)
        out[session.scenario] = (best, session.day)
    return out

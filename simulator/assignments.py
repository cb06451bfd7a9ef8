"""Assignments: scenarios a lead sets for a trainee or a team, with a pass mark, a mode and a due date (pure).

Definitions (shown to leads in the docs):

* an assignment counts the trainee's **finished** sessions of its scenario
  started since it was assigned; an exam assignment counts exam sessions only,
  a practice one counts both modes;
* **passed**: one of those sessions scored at least the assignment's pass mark
  and did not end badly (the date is the first such session's end);
* **overdue**: not passed and the due date is before today; otherwise **due**
  (待完成).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

STATE_LABELS = {"passed": "已通过", "overdue": "已逾期", "due": "待完成"}
MODE_LABELS = {"practice": "练习", "exam": "考试"}


class AssignmentError(ValueError):
    """An assignment that cannot be made as asked (the message is Chinese)."""


def parse_due(text: str | None) -> str | None:
    """A due date as ``YYYY-MM-DD`` (None: no due date); refused in Chinese otherwise."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise AssignmentError(f"截止日期应写成 年-月-日，如 2025-06-30：{text[:20]!r}") from None


def check_pass_mark(value: int) -> int:
    if not 0 <= value <= 100:
        raise AssignmentError(f"及格线应在 0 到 100 之间：{value}")
    return value


@dataclass(frozen=True)
class Assignment:
    id: int
    scenario: str
    title: str
    trainee: str | None  # assigned to one trainee …
    team: str | None  # … or to a team
    pass_mark: int
    mode: str  # "practice" or "exam"
    due: str | None  # YYYY-MM-DD
    created_at: str
    created_by: str

    @property
    def target(self) -> str:
        return f"学员 {self.trainee}" if self.trainee else f"全组：{self.team}"

    def describe(self) -> str:
        """One line in Chinese: 超出保修期的维修收费（考试，及格 80 分，截止 2025-06-30）."""
        due = f"，截止 {self.due}" if self.due else ""
        return f"{self.title}（{MODE_LABELS.get(self.mode, self.mode)}，及格 {self.pass_mark} 分{due}）"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scenario": self.scenario,
            "title": self.title,
            "trainee": self.trainee,
            "team": self.team,
            "pass_mark": self.pass_mark,
            "mode": self.mode,
            "due": self.due,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class Standing:
    """One trainee on one assignment."""

    trainee: str
    attempts: int  # finished sessions that count
    best: int | None
    passed_at: str | None
    state: str  # passed / overdue / due

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def to_json(self) -> dict[str, Any]:
        return {
            "trainee": self.trainee,
            "state": self.state,
            "attempts": self.attempts,
            "best": self.best,
            "passed_at": self.passed_at,
        }


@dataclass
class AssignmentProgress:
    """An assignment and where each of its trainees stands."""

    assignment: Assignment
    standings: list[Standing] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for s in self.standings if s.state == state)

    @property
    def completion(self) -> float | None:
        return self.count("passed") / len(self.standings) if self.standings else None

    @property
    def summary(self) -> str:
        """通过 3/5，逾期 1."""
        text = f"通过 {self.count('passed')}/{len(self.standings)}"
        return text + (f"，逾期 {self.count('overdue')}" if self.count("overdue") else "")

    def to_json(self) -> dict[str, Any]:
        return {
            **self.assignment.to_json(),
            "assigned": len(self.standings),
            "passed": self.count("passed"),
            "overdue": self.count("overdue"),
            "due_open": self.count("due"),
            "completion": None if self.completion is None else round(self.completion, 3),
            "trainees": [s.to_json() for s in self.standings],
        }


def state_of(passed_at: str | None, due: str | None, today: str) -> str:
    if passed_at is not None:
        return "passed"
    if due is not None and due < today:
        return "overdue"
    return "due"


def build_progress(rows: Iterable[tuple[Any, ...]], today: str) -> list[AssignmentProgress]:
    """Assignments with their standings from the store's rows (``Store.assignment_rows``).

    Each row: (id, scenario, title, target trainee, team, pass mark, mode, due, created at, created by,
    trainee or None, attempts, best, passed at), ordered by id.
    """
    out: dict[int, AssignmentProgress] = {}
    for row in rows:
        (
            aid,
            scenario,
            title,
            target,
            team,
            pass_mark,
            mode,
            due,
            created_at,
            created_by,
            trainee,
            attempts,
            best,
            passed_at,
        ) = row
        progress = out.get(aid)
        if progress is None:
            assignment = Assignment(
                int(aid), scenario, title, target, team, int(pass_mark), mode, due, created_at, created_by
            )
            progress = out[aid] = AssignmentProgress(assignment)
        if trainee is not None:
            progress.standings.append(
                Standing(
                    trainee,
                    int(attempts or 0),
                    None if best is None else int(best),
                    passed_at,
                    state_of(passed_at, due, today),
                )
            )
    for progress in out.values():
        progress.standings.sort(key=lambda s: s.trainee)
    return list(out.values())


def order_for_trainee(progress: list[AssignmentProgress]) -> list[AssignmentProgress]:
    """A trainee's assignments, the most pressing first: overdue, then due (soonest first), then passed."""
    rank = {"overdue": 0, "due": 1, "passed": 2}

    def key(p: AssignmentProgress) -> tuple[int, str, int]:
        state = p.standings[0].state if p.standings else "due"
        return rank[state], p.assignment.due or "9999-12-31", p.assignment.id

    return sorted(progress, key=key)

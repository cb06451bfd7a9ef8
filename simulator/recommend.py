"""What to practise next: a trainee's weakest categories against what each scenario exercises (pure).

**Weakness.** Over the trainee's latest :data:`WINDOW` sessions (newest
first), each category lost in a session adds ``weight × DECAY**k`` (k = 0 for
the newest): a prohibited category broken weighs :data:`PROHIBITED_WEIGHT`
per turn it was broken in, a standard category missed 1 per turn it was
missed (an any-of group's members share the 1).

**Exercise.** A scenario exercises a category where one of its nodes expects
it (required 1, each of an any-of group 1/n, optional 0.5) or tempts it (a
prohibited category named by the node's ``expects.prohibited``, a
transition or a labelled bad answer: 1); summed over nodes, capped at
:data:`EXERCISE_CAP` so a long scenario does not win by length alone.

**Score** of a scenario = Σ weakness × exercise; the scenario of the newest
session counts :data:`JUST_PLAYED` of its score (something else first);
ties go to the scenario played least recently, then by id.  The reason names
the category that contributes most, in one Chinese sentence:
``你最近三次在“提前说明费用”上失分，推荐：超出保修期的维修收费``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only the type: the CLI must not load the scenario schema to build its parser
    from .scenario import Scenario

WINDOW = 10  # sessions looked at
DECAY = 0.7  # each older session counts this much of the one after it
PROHIBITED_WEIGHT = 1.5
EXERCISE_CAP = 2.0
JUST_PLAYED = 0.7
TOP = 3

NUMERALS = "零一两三四五六七八九十"


@dataclass(frozen=True)
class SessionLosses:
    """What one session lost points on: (kind, category) -> turns (kind: ``prohibited`` or ``missed``)."""

    session_id: int
    started_at: str
    scenario: str
    lost: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    scenario: str
    title: str
    category: str
    score: float
    reason: str  # why, then the scenario: "你最近一次在“征得同意”上失分，推荐：借用、挪动客户家的东西"
    why: str = ""  # the reason without the scenario: "你最近一次在“征得同意”上失分"

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "category": self.category,
            "score": round(self.score, 3),
            "reason": self.reason,
        }


def losses_from_rows(rows: Iterable[tuple[Any, ...]]) -> list[SessionLosses]:
    """``Store.recent_losses`` rows (session id, started at, scenario, kind or None, category, turns),
    newest session first, as :class:`SessionLosses`."""
    out: list[SessionLosses] = []
    for session_id, started_at, scenario, kind, category, turns in rows:
        if not out or out[-1].session_id != session_id:
            out.append(SessionLosses(int(session_id), started_at, scenario, {}))
        if kind is not None:
            out[-1].lost[(kind, category)] = int(turns)
    return out


def exercises(scenario: Scenario) -> dict[str, float]:
    """category -> how much the scenario exercises it (see the module docstring)."""
    total: dict[str, float] = {}
    for node in scenario.nodes.values():
        here: dict[str, float] = {}

        def add(category: str, weight: float, here: dict[str, float] = here) -> None:
            here[category] = max(here.get(category, 0.0), weight)

        expects = node.expects
        for category in expects.required:
            add(category, 1.0)
        for category in expects.any_of:
            add(category, 1.0 / len(expects.any_of))
        for category in expects.optional:
            add(category, 0.5)
        for category in expects.prohibited:
            add(category, 1.0)
        for transition in node.transitions:
            if transition.category:
                add(transition.category, 1.0)
        for bad in node.answers.bad:
            for category in bad.prohibited:
                add(category, 1.0)
        for category, weight in here.items():
            total[category] = total.get(category, 0.0) + weight
    return {category: min(weight, EXERCISE_CAP) for category, weight in total.items()}


def weaknesses(recent: Sequence[SessionLosses]) -> dict[str, float]:
    """category -> recency-weighted points lost on it (``recent``: newest first)."""
    out: dict[str, float] = {}
    for k, session in enumerate(recent[:WINDOW]):
        decay = DECAY**k
        for (kind, category), turns in session.lost.items():
            members = category.split("|")
            weight = (PROHIBITED_WEIGHT if kind == "prohibited" else 1.0) / len(members)
            for member in members:
                out[member] = out.get(member, 0.0) + weight * turns * decay
    return out


def _lost_in(session: SessionLosses, category: str) -> bool:
    return any(category in c.split("|") for (_, c) in session.lost)


def _count(n: int) -> str:
    return NUMERALS[n] if n < len(NUMERALS) else str(n)


def reason(recent: Sequence[SessionLosses], category: str, label: str, title: str) -> str:
    """One Chinese sentence: how recently ``category`` lost points, and the scenario recommended."""
    return f"{lost_points(recent, category, label)}，推荐：{title}"


def lost_points(recent: Sequence[SessionLosses], category: str, label: str) -> str:
    """How recently ``category`` lost points: "你最近三次在“征得同意”上失分"."""
    window = list(recent[:WINDOW])
    streak = 0
    for session in window:
        if not _lost_in(session, category):
            break
        streak += 1
    times = sum(_lost_in(s, category) for s in window)
    if streak == 1 and times == 1:
        when = "你最近一次"
    elif streak >= 2 and streak == times:
        when = f"你最近{_count(streak)}次"
    else:
        when = f"你最近 {len(window)} 次练习中有 {times} 次"
    return f"{when}在“{label}”上失分"


def grouped(recommendations: Sequence[Recommendation]) -> list[str]:
    """One line per reason, its scenarios together, in order: three scenarios for the same
    weakness read as one sentence rather than the same sentence three times."""
    titles: dict[str, list[str]] = {}
    for item in recommendations:
        titles.setdefault(item.why, []).append(item.title)
    return [f"{why}，推荐：{'、'.join(f'《{t}》' for t in names)}" for why, names in titles.items()]


def recommend(
    recent: Sequence[SessionLosses], scenarios: Iterable[Scenario], labels: dict[str, str], top: int = TOP
) -> list[Recommendation]:
    """The next scenarios to practise, best first, each with its reason; [] without any lost points."""
    weak = weaknesses(recent)
    if not weak:
        return []
    window = list(recent[:WINDOW])
    last_played: dict[str, int] = {}  # scenario -> rank of its newest session (0 = the newest)
    for k, session in enumerate(window):
        last_played.setdefault(session.scenario, k)
    ranked: list[tuple[float, int, str, Recommendation]] = []
    for scenario in scenarios:
        exercised = exercises(scenario)
        contributions = {c: weak[c] * w for c, w in exercised.items() if c in weak}
        if not contributions:
            continue
        score = sum(contributions.values())
        if window and window[0].scenario == scenario.id:
            score *= JUST_PLAYED
        category = max(contributions, key=lambda c: (contributions[c], c))
        recommendation = Recommendation(
            scenario.id,
            scenario.title,
            category,
            score,
            reason(window, category, labels.get(category, category), scenario.title),
            lost_points(window, category, labels.get(category, category)),
        )
        # Never played (or played longest ago) first on a tie: -rank sorts higher ranks first.
        ranked.append((-score, -last_played.get(scenario.id, len(window) + 1), scenario.id, recommendation))
    ranked.sort(key=lambda item: (round(item[0], 9), item[1], item[2]))
    return [item[3] for item in ranked[:top]]

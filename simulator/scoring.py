"""Scores: every point gained or lost traces to a hit or a missed expectation.

Reply score with no scenario moment (``simulator score`` without ``--scenario``),
clamped to 0..100 (a scenario turn is scored by :func:`score_moment`):

* start from :data:`BASE` (60: a reply that breaks nothing and does nothing);
* each distinct standard category used: +:data:`STANDARD_BONUS` (in a scenario,
  only the categories the node expects, and none for a repeated reply);
* in a scenario, each *required* category missed: -:data:`MISSED_REQUIRED`;
* each distinct prohibited category broken: minus its severity's
  :data:`PENALTY` (critical 60, major 40, minor 20);
* no reply before the node's time limit: -:data:`TIMEOUT_PENALTY`.

A session's score is the mean of its turn scores, minus
:data:`BAD_ENDING_PENALTY` when the conversation ends badly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BASE = 60
STANDARD_BONUS = 10
MISSED_REQUIRED = 15
PENALTY = {"critical": 60, "major": 40, "minor": 20}
BAD_ENDING_PENALTY = 10
TIMEOUT_PENALTY = 30


@dataclass(frozen=True, slots=True)
class ScoreItem:
    """One line of a score's explanation."""

    reason: str  # Simplified Chinese, shown to trainees
    delta: int
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    value: int
    items: tuple[ScoreItem, ...]


def clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def score_reply(
    standard: Iterable[tuple[str, str]],
    prohibited: Iterable[tuple[str, str, str]],
    missed_required: Iterable[tuple[str, str]] = (),
    timed_out: bool = False,
    notes: Iterable[str] = (),
) -> Score:
    """Score one reply.

    Args:
        standard: distinct (category id, label) of standard categories used.
        prohibited: distinct (category id, label, severity) broken.
        missed_required: (category id, label) the moment required but the reply lacks.
    """
    items = [ScoreItem("基础分", BASE)]
    for category, label in standard:
        items.append(ScoreItem(f"做到：{label}", STANDARD_BONUS, category))
    for category, label in missed_required:
        items.append(ScoreItem(f"未做到：{label}", -MISSED_REQUIRED, category))
    for category, label, severity in prohibited:
        items.append(ScoreItem(f"禁用语：{label}", -PENALTY.get(severity, PENALTY["major"]), category))
    if timed_out:
        items.append(ScoreItem("超时未回复", -TIMEOUT_PENALTY))
    items.extend(ScoreItem(note, 0) for note in notes)
    return Score(clamp(sum(i.delta for i in items)), tuple(items))


MOMENT_SHARE = 40  # what meeting all of a node's demands adds to BASE
OPTIONAL_BONUS = 5  # each welcome (optional) category done besides
PASS_MARK = 60  # a finished session passes at this score unless it ends badly


@dataclass(frozen=True, slots=True)
class ScoringRule:
    """How a scenario scores a turn (a scenario's ``scoring:`` block; defaults are the shipped rule)."""

    pass_mark: int = PASS_MARK
    demands: int = MOMENT_SHARE  # meeting all of a node's demands, split evenly
    optional: int = OPTIONAL_BONUS  # each optional category done
    missed: int = MISSED_REQUIRED  # each demand missed
    critical: int = PENALTY["critical"]
    major: int = PENALTY["major"]
    minor: int = PENALTY["minor"]
    bad_ending: int = BAD_ENDING_PENALTY

    def penalty(self, severity: str) -> int:
        return {"critical": self.critical, "major": self.major, "minor": self.minor}.get(severity, self.major)


DEFAULT_RULE = ScoringRule()


def score_moment(
    met: Iterable[tuple[str, str]],
    missed: Iterable[tuple[str, str]],
    optional_done: Iterable[tuple[str, str]],
    optional_count: int,
    prohibited: Iterable[tuple[str, str, str]],
    timed_out: bool = False,
    notes: Iterable[str] = (),
    rule: ScoringRule = DEFAULT_RULE,
) -> Score:
    """Score one reply at a scenario node that expects something.

    Meeting every demand of the node (each required category, and the any-of
    group as one) is worth :data:`MOMENT_SHARE` on top of :data:`BASE`, split
    evenly; each missed demand costs :data:`MISSED_REQUIRED`.  A node with no
    demands spreads the share over its optional categories; otherwise each
    optional category done adds :data:`OPTIONAL_BONUS`.  So a clean reply that
    does what the moment asks scores 100, and politeness the moment did not
    ask for adds nothing.
    """
    met, missed, optional_done = list(met), list(missed), list(optional_done)
    items = [ScoreItem("基础分", BASE)]
    demands = len(met) + len(missed)
    if demands:
        shares = _split(rule.demands, demands)
        for (category, label), share in zip(met, shares, strict=False):
            items.append(ScoreItem(f"做到：{label}", share, category))
        for category, label in missed:
            items.append(ScoreItem(f"未做到：{label}", -rule.missed, category))
        for category, label in optional_done:
            items.append(ScoreItem(f"加分：{label}", rule.optional, category))
    elif optional_count:
        for (category, label), share in zip(optional_done, _split(rule.demands, optional_count), strict=False):
            items.append(ScoreItem(f"做到：{label}", share, category))
    for category, label, severity in prohibited:
        items.append(ScoreItem(f"禁用语：{label}", -rule.penalty(severity), category))
    if timed_out:
        items.append(ScoreItem("超时未回复", -TIMEOUT_PENALTY))
    items.extend(ScoreItem(note, 0) for note in notes)
    return Score(clamp(sum(i.delta for i in items)), tuple(items))


def _split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` integer shares that add up to it."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def session_score(turn_scores: Sequence[int], bad_ending: bool = False, rule: ScoringRule = DEFAULT_RULE) -> int:
    """Mean of the turn scores, less the bad-ending penalty."""
    if not turn_scores:
        return 0
    mean = sum(turn_scores) / len(turn_scores)
    return clamp(mean - (rule.bad_ending if bad_ending else 0))

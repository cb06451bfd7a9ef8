"""The typed record of a played turn: what the store keeps and every view reads.

A turn is played as a :class:`dialogue.Turn` (with its live ``Judgement``);
:meth:`dialogue.Turn.record` flattens it once into plain, typed values, the store
writes and reads back exactly this record, and the TUI, the CLI presenters
and the progress figures all read it.  ``to_json`` is the ``transcript`` and
``play --format jsonl`` contract (DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .hits import hit_json

if TYPE_CHECKING:  # only for type hints: the record needs nothing from the engine but the JSON shape
    from .hits import Hit

# A finished session's outcome (the ending's), as every view names it; here rather than in the
# scenario schema so that the review commands need no pydantic.
OUTCOME_LABELS = {"good": "圆满", "neutral": "一般", "bad": "失败"}


@dataclass(frozen=True, slots=True)
class HitRecord:
    """One phrase found in a reply, as stored."""

    category: str
    kind: str  # "prohibited" or "standard"
    matched: str
    span: tuple[int, int]  # code-point indices into the reply as typed, end exclusive
    phrase_id: str = ""
    similarity: int = 0
    severity: str | None = None
    source: str | None = None  # the norm clause a prohibited hit breaks
    suggestion: str | None = None  # what to say instead
    stage: str = "rule"  # "rule" (phrasebook) or "learned" (second stage)
    confidence: float | None = None
    nearest: str | None = None

    @classmethod
    def of(cls, hit: Hit) -> HitRecord:
        return cls(
            category=hit.category,
            kind=hit.kind,
            matched=hit.matched,
            span=(hit.span[0], hit.span[1]),
            phrase_id=hit.phrase_id,
            similarity=hit.similarity,
            severity=hit.severity,
            source=hit.source if hit.kind == "prohibited" else None,
            suggestion=hit.suggestion,
            stage=hit.stage,
            confidence=hit.confidence,
            nearest=hit.nearest,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any], kind: str) -> HitRecord:
        """Read a stored hit; rows written by older versions lack the newer keys."""
        span = data.get("span") or (0, 0)
        return cls(
            category=str(data.get("category", "")),
            kind=str(data.get("kind") or kind),
            matched=str(data.get("matched", "")),
            span=(int(span[0]), int(span[1])),
            phrase_id=str(data.get("phrase_id", "")),
            similarity=int(data.get("similarity") or 0),
            severity=data.get("severity"),
            source=data.get("source"),
            suggestion=data.get("suggestion"),
            stage=str(data.get("stage") or "rule"),
            confidence=data.get("confidence"),
            nearest=data.get("nearest"),
        )

    def to_json(self) -> dict[str, Any]:
        """The hit as in the CLI contract (DESIGN.md)."""
        return hit_json(self)


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One line of a turn's score explanation."""

    reason: str
    delta: int
    category: str | None = None


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One played turn, as stored and as every view shows it."""

    n: int
    node: str
    customer: str  # the line the trainee answered
    reply: str  # exactly as typed ("" for a timeout)
    timed_out: bool
    outcome: str  # prohibited / met / partial / missed / timeout
    mood_before: int
    mood: int  # after this turn
    score: int
    next_node: str  # a node id or an ending id
    next_customer: str | None  # the customer's next line, or the ending's last line
    seconds: float | None = None
    prohibited: tuple[HitRecord, ...] = ()
    standard: tuple[HitRecord, ...] = ()
    possible: tuple[HitRecord, ...] = ()  # 疑似: learned hits below the counting threshold
    uncredited: tuple[HitRecord, ...] = ()  # standard phrases this moment did not ask for, or repeated
    missed: tuple[str, ...] = ()  # required categories not done; an any-of group joined by "|"
    score_lines: tuple[ScoreLine, ...] = ()
    repeated: bool = False

    @property
    def hits(self) -> tuple[HitRecord, ...]:
        """Counted hits: standard, then prohibited (drawn over them)."""
        return self.standard + self.prohibited

    @property
    def mood_delta(self) -> int:
        return self.mood - self.mood_before

    def detail(self) -> dict[str, Any]:
        """What the store keeps beside the turn's columns (a JSON object)."""
        return {
            "prohibited": [h.to_json() for h in self.prohibited],
            "standard": [h.to_json() for h in self.standard],
            "possible": [h.to_json() | {"kind": h.kind} for h in self.possible],
            "uncredited": [h.to_json() for h in self.uncredited],
            "missed": list(self.missed),
            "score_items": [{"reason": s.reason, "delta": s.delta, "category": s.category} for s in self.score_lines],
            "next_customer": self.next_customer,
            "repeated": self.repeated,
        }

    @classmethod
    def stored(
        cls,
        *,
        n: int,
        node: str,
        customer: str,
        reply: str,
        timed_out: bool,
        outcome: str,
        mood_before: int,
        mood: int,
        score: int,
        next_node: str,
        seconds: float | None,
        detail: dict[str, Any],
    ) -> TurnRecord:
        """The record from a store row (its columns plus the ``detail`` object)."""

        def hits(key: str, kind: str) -> tuple[HitRecord, ...]:
            return tuple(HitRecord.from_json(h, kind) for h in detail.get(key) or [])

        return cls(
            n=int(n),
            node=node,
            customer=customer,
            reply=reply,
            timed_out=bool(timed_out),
            outcome=outcome,
            mood_before=int(mood_before),
            mood=int(mood),
            score=int(score),
            next_node=next_node,
            next_customer=detail.get("next_customer"),
            seconds=None if seconds is None else float(seconds),
            prohibited=hits("prohibited", "prohibited"),
            standard=hits("standard", "standard"),
            possible=hits("possible", "prohibited"),
            uncredited=hits("uncredited", "standard"),
            missed=tuple(str(m) for m in detail.get("missed") or []),
            score_lines=tuple(
                ScoreLine(str(s.get("reason", "")), int(s.get("delta") or 0), s.get("category"))
                for s in detail.get("score_items") or []
            ),
            repeated=bool(detail.get("repeated", False)),
        )

    def to_json(self) -> dict[str, Any]:
        """As in the ``transcript --format json`` and ``play --format jsonl`` contracts, plus extra fields."""
        return {
            "n": self.n,
            "node": self.node,
            "customer": self.customer,
            "reply": self.reply,
            "timed_out": self.timed_out,
            "prohibited": [h.to_json() for h in self.prohibited],
            "standard": [h.to_json() for h in self.standard],
            "possible": [h.to_json() | {"kind": h.kind} for h in self.possible],
            "uncredited": [h.to_json() for h in self.uncredited],
            "repeated": self.repeated,
            "missed": list(self.missed),
            "outcome": self.outcome,
            "mood_before": self.mood_before,
            "mood": self.mood,
            "mood_delta": self.mood_delta,
            "score": self.score,
            "score_items": [{"reason": s.reason, "delta": s.delta, "category": s.category} for s in self.score_lines],
            "next_node": self.next_node,
            "next_customer": self.next_customer,
            "seconds": self.seconds,
        }


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One stored practice session (a ``history`` row)."""

    id: int
    trainee: str
    scenario: str
    scenario_title: str
    mode: str  # "practice" or "exam"
    seed: int
    started_at: str  # ISO 8601, UTC
    ended_at: str | None
    finished: bool
    ending: str | None
    outcome: str | None
    score: int | None
    turns: int
    content_version: str

    @property
    def when(self) -> str:
        """``MM-DD HH:MM``: the start time as tables show it."""
        return short_time(self.started_at)

    @property
    def mode_label(self) -> str:
        """考试 or 练习, as every view names the mode."""
        return "考试" if self.mode == "exam" else "练习"

    @property
    def result_label(self) -> str:
        """The outcome's name (圆满 / 一般 / 失败), or 未完成 for a session that did not end."""
        if not self.finished or not self.outcome:
            return "未完成"
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def day(self) -> str:
        """``MM-DD``: the start date as charts show it (local time)."""
        return short_day(self.started_at)

    def to_json(self) -> dict[str, Any]:
        """As in the ``history --format json`` contract, plus a few extra fields."""
        return {
            "id": self.id,
            "trainee": self.trainee,
            "scenario": self.scenario,
            "started_at": self.started_at,
            "finished": self.finished,
            "outcome": self.outcome,
            "score": self.score,
            "turns": self.turns,
            "scenario_title": self.scenario_title,
            "mode": self.mode,
            "ending": self.ending,
            "ended_at": self.ended_at,
            "seed": self.seed,
            "content_version": self.content_version,
        }


MARK_KINDS = {
    "confirmed": "判得对",
    "false_alarm": "误报（这个禁用语判错了）",
    "missed": "漏判（应判为这个禁用语）",
    "wrong_credit": "常用语给错了",
    "missing_credit": "常用语漏给了",
}


@dataclass(frozen=True, slots=True)
class Mark:
    """A trainer's verdict on one judged turn; a later mark on the same point supersedes it."""

    id: int
    session_id: int
    n: int
    reviewer: str
    kind: str  # one of MARK_KINDS
    category: str  # "" for "confirmed"
    words: str  # for "missed": the words that break the rule (optional)
    comment: str
    created_at: str
    superseded_by: int | None = None

    @property
    def active(self) -> bool:
        return self.superseded_by is None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session": self.session_id,
            "turn": self.n,
            "reviewer": self.reviewer,
            "kind": self.kind,
            "category": self.category or None,
            "words": self.words or None,
            "comment": self.comment,
            "created_at": self.created_at,
            "superseded_by": self.superseded_by,
        }


@dataclass(frozen=True, slots=True)
class Dispute:
    """A trainee's "我认为判错了" on one of their turns."""

    id: int
    session_id: int
    n: int
    trainee: str
    comment: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session": self.session_id,
            "turn": self.n,
            "trainee": self.trainee,
            "comment": self.comment,
            "created_at": self.created_at,
        }


def local_time(iso: str) -> datetime | None:
    """A stored time (ISO 8601, UTC) in this machine's time zone; ``None`` if it does not parse."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone()


def short_time(iso: str) -> str:
    """``2026-11-27T16:21:33+00:00`` → ``11-28 00:21`` in Beijing: what every screen and table shows."""
    moment = local_time(iso)
    return moment.strftime("%m-%d %H:%M") if moment else iso[5:16].replace("T", " ")


def short_day(iso: str) -> str:
    """``MM-DD`` of a stored time, in this machine's time zone."""
    moment = local_time(iso)
    return moment.strftime("%m-%d") if moment else iso[5:10]


def local_date(iso: str) -> str:
    """``YYYY-MM-DD`` of a stored time, in this machine's time zone."""
    moment = local_time(iso)
    return moment.strftime("%Y-%m-%d") if moment else iso[:10]


@dataclass(frozen=True, slots=True)
class SessionEnd:
    """How a finished session ended, as the store closes it."""

    ending: str
    outcome: str
    score: int
    turns: int
    passed: bool  # not a bad ending and at least the scenario's pass mark, as judged when it ended


def missed_names(turn: TurnRecord, labels: dict[str, str]) -> list[str]:
    """What the turn failed to do, in words (an any-of group reads 甲或乙)."""
    return ["或".join(labels.get(c, c) for c in item.split("|")) for item in turn.missed]


@dataclass(frozen=True, slots=True)
class Highlight:
    """A stretch of a reply and how to show it: plain, standard (green) or prohibited (red)."""

    text: str
    kind: str | None = None


def highlighted(text: str, hits: tuple[Any, ...] | list[Any]) -> list[Highlight]:
    """``text`` cut into stretches by the hits' spans; a prohibited hit wins where they overlap.

    ``hits`` are anything with ``kind`` and ``span`` (live ``Hit`` or stored
    :class:`HitRecord`), so the play screen, the debrief, the transcript and
    the ``score`` command all mark a reply the same way.
    """
    marks: list[str | None] = [None] * len(text)
    for rank in ("standard", "prohibited"):
        for hit in hits:
            if hit.kind != rank:
                continue
            start, end = max(0, hit.span[0]), min(len(text), hit.span[1])
            for i in range(start, end):
                marks[i] = rank
    out: list[Highlight] = []
    start = 0
    for end in range(1, len(text) + 1):
        if end == len(text) or marks[end] != marks[start]:
            out.append(Highlight(text[start:end], marks[start]))
            start = end
    return out


__all__ = [
    "MARK_KINDS",
    "Dispute",
    "Highlight",
    "HitRecord",
    "Mark",
    "ScoreLine",
    "SessionEnd",
    "SessionRecord",
    "TurnRecord",
    "highlighted",
    "missed_names",
    "local_date",
    "local_time",
    "short_day",
    "short_time",
]

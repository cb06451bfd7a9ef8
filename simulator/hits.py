"""What the matcher reports: a :class:`Hit` on the original text, and the unit-range candidates before it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class _HitFields(Protocol):
    """What the JSON of a hit is made of: a :class:`Hit`, or a stored ``record.HitRecord``."""

    @property
    def category(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def phrase_id(self) -> str: ...
    @property
    def matched(self) -> str: ...
    @property
    def span(self) -> tuple[int, int]: ...
    @property
    def similarity(self) -> int: ...
    @property
    def severity(self) -> str | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def suggestion(self) -> str | None: ...
    @property
    def stage(self) -> str: ...
    @property
    def confidence(self) -> float | None: ...
    @property
    def nearest(self) -> str | None: ...


def hit_json(hit: _HitFields) -> dict[str, Any]:
    """A hit as in the CLI contract (DESIGN.md): the one shape every command and export writes."""
    out: dict[str, Any] = {
        "category": hit.category,
        "phrase_id": hit.phrase_id,
        "matched": hit.matched,
        "span": [hit.span[0], hit.span[1]],
        "similarity": hit.similarity,
    }
    if hit.kind == "prohibited":
        out["severity"] = hit.severity
        out["source"] = hit.source
        out["suggestion"] = hit.suggestion
    out["stage"] = hit.stage
    if hit.stage == "learned":
        out["confidence"] = hit.confidence
        out["nearest"] = hit.nearest
    return out


@dataclass(frozen=True, slots=True)
class Hit:
    """One phrase or pattern found in a reply."""

    category: str
    kind: str
    label: str
    phrase_id: str
    matched: str
    span: tuple[int, int]
    similarity: int
    severity: str | None
    source: str
    suggestion: str | None
    stage: str = "rule"  # "rule" (phrasebook) or "learned" (second stage)
    confidence: float | None = None  # learned hits: the model's confidence
    nearest: str | None = None  # learned hits: the labelled example most like the matched text

    def to_json(self) -> dict[str, Any]:
        """The hit as in the CLI contract (DESIGN.md)."""
        return hit_json(self)


@dataclass(slots=True)
class Candidate:
    """A hit before context rules, as a range of normalised units (see :mod:`simulator.text`)."""

    category: str
    phrase_id: str
    first: int  # unit range [first, end)
    end: int
    similarity: int

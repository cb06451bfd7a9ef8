"""What the matcher reports: a :class:`Hit` on the original text, and the unit-range candidates before it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
        out: dict[str, Any] = {
            "category": self.category,
            "phrase_id": self.phrase_id,
            "matched": self.matched,
            "span": [self.span[0], self.span[1]],
            "similarity": self.similarity,
        }
        if self.kind == "prohibited":
            out["severity"] = self.severity
            out["source"] = self.source
            out["suggestion"] = self.suggestion
        out["stage"] = self.stage
        if self.stage == "learned":
            out["confidence"] = self.confidence
            out["nearest"] = self.nearest
        return out


@dataclass(slots=True)
class Candidate:
    """A hit before context rules, as a range of normalised units (see :mod:`simulator.text`)."""

    category: str
    phrase_id: str
    first: int  # unit range [first, end)
    end: int
    similarity: int

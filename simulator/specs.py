"""A phrasebook as the matcher uses it: plain data, no pydantic.

:mod:`simulator.phrasebook` validates the YAML files with pydantic and merges
them into these classes.  Keeping pydantic out of them lets a compiled
phrasebook come back from the user cache (:func:`simulator.matcher.load_matcher`)
without importing pydantic, and lets the review commands and the renderer use
the labels without the schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from .moment import Moment

Kind = Literal["standard", "prohibited"]
Severity = Literal["critical", "major", "minor"]

SEVERITY_LABELS = {"critical": "严重", "major": "较重", "minor": "轻微"}
KIND_LABELS = {"standard": "常用语", "prohibited": "禁用语"}

Where = tuple[str, int, int]  # file, line, column


class PatternShape(Protocol):
    """What compiling a pattern reads (a :class:`PatternSpec` or the schema's ``Pattern``)."""

    @property
    def sequence(self) -> list[str | list[str]] | tuple[str | tuple[str, ...], ...]: ...

    @property
    def max_gap(self) -> int: ...

    @property
    def within_clause(self) -> bool: ...

    @property
    def gaps(self) -> list[int] | tuple[int, ...] | None: ...


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The norm a category comes from."""

    document: str
    clause: str

    def __str__(self) -> str:
        return f"{self.document} {self.clause}"


@dataclass(frozen=True, slots=True)
class PatternSpec:
    """Ordered keywords with gaps (the schema's ``Pattern``, validated)."""

    sequence: tuple[str | tuple[str, ...], ...]
    max_gap: int = 4
    within_clause: bool = False
    gaps: tuple[int, ...] | None = None
    if_expected: tuple[str, ...] = ()
    unless_expected: tuple[str, ...] = ()
    if_customer: tuple[str, ...] = ()
    id: str | None = None

    def applies(self, moment: Moment) -> bool:
        """Whether this pattern is active at ``moment``."""
        expected = moment.expected
        if self.if_expected and not expected & set(self.if_expected):
            return False
        if self.unless_expected and expected & set(self.unless_expected):
            return False
        return not self.if_customer or any(word in moment.customer for word in self.if_customer)

    @property
    def conditional(self) -> bool:
        return bool(self.if_expected or self.unless_expected or self.if_customer)


@dataclass(frozen=True, slots=True)
class NegationTerms:
    """How negation is recognised around a hit (NegEx-style term sets)."""

    cues: tuple[str, ...] = ()
    pseudo: tuple[str, ...] = ()
    window: int = 3


@dataclass
class CategorySpec:
    """A category after merging every file that defines or extends it."""

    id: str
    label: str
    kind: Kind
    severity: Severity | None
    source: SourceRef | None
    description: str
    suggestion: str | None
    negatable: bool
    remedied_by: list[str]
    shadows: list[str] = field(default_factory=list)
    learned_requires: list[str] = field(default_factory=list)
    phrases: list[tuple[str, str, Where]] = field(default_factory=list)  # (id, text, where)
    patterns: list[tuple[str, PatternSpec, Where]] = field(default_factory=list)
    exceptions: list[tuple[str | PatternSpec, Where]] = field(default_factory=list)
    hit_examples: list[tuple[str, Where]] = field(default_factory=list)
    clean_examples: list[tuple[str, Where]] = field(default_factory=list)

    @property
    def source_text(self) -> str:
        return str(self.source) if self.source else ""


@dataclass
class Phrasebook:
    """All loaded categories, in file order, plus the negation terms."""

    categories: dict[str, CategorySpec]
    negation: NegationTerms
    files: list[str]
    lexicon: dict[str, list[str]] = field(default_factory=dict)

    def labels(self) -> dict[str, str]:
        """Category id -> Chinese label."""
        return {c.id: c.label for c in self.categories.values()}

    def kinds(self) -> dict[str, str]:
        """Category id -> "standard" or "prohibited" (what scenario checks need)."""
        return {c.id: c.kind for c in self.categories.values()}

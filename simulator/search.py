"""Finding scenarios by what a trainee types: titles, aliases, tags, summaries, loosely.

A trainee types a few characters of what they remember (超保 for 超出保修期,
投诉, 电话预约): every typed word must be found in some field, either as
typed or with gaps (its characters in order, close together).  Titles count
most, then aliases and tags, then the summary and goal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Protocol, TypeVar


class Searchable(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def aliases(self) -> list[str]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def summary(self) -> str: ...
    @property
    def goal(self) -> str: ...


S = TypeVar("S", bound=Searchable)

# How much a match in each field counts.
_TITLE, _ALIAS, _TAG, _PROSE = 8.0, 6.0, 5.0, 2.0


def fold(text: str) -> str:
    """Full-width to half-width, lower case, no spaces: what typing and the content are compared as."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def gapped_span(term: str, text: str) -> int | None:
    """The length of the shortest stretch of ``text`` holding ``term``'s characters in order, or None."""
    if not term:
        return 0
    best: int | None = None
    start = text.find(term[0])
    while start != -1:
        position = start
        for char in term[1:]:
            position = text.find(char, position + 1)
            if position == -1:
                return best
        span = position - start + 1
        best = span if best is None else min(best, span)
        start = text.find(term[0], start + 1)
    return best


def _term_score(term: str, fields: Sequence[tuple[str, float]]) -> float:
    best = 0.0
    for text, weight in fields:
        if term in text:
            best = max(best, weight * (2.0 if text == term else 1.5 if text.startswith(term) else 1.0))
            continue
        span = gapped_span(term, text)
        # With gaps, the characters must stay close: 超保 in 超出保修期, not 超 … 保 a sentence apart.
        if span is not None and len(term) > 1 and span <= 2 * len(term) + 1:
            best = max(best, weight * 0.6 * len(term) / span)
    return best


def score(query: str, scenario: Searchable) -> float:
    """How well ``query`` finds ``scenario`` (0: not at all); every word of the query must be found."""
    terms = [fold(word) for word in query.split() if fold(word)]
    if not terms:
        return 1.0
    fields = [(fold(scenario.title), _TITLE), (fold(scenario.id), _TAG)]
    fields += [(fold(alias), _ALIAS) for alias in scenario.aliases]
    fields += [(fold(tag), _TAG) for tag in scenario.tags]
    fields += [(fold(scenario.summary), _PROSE), (fold(scenario.goal), _PROSE)]
    total = 0.0
    for term in terms:
        found = _term_score(term, fields)
        if not found:
            return 0.0
        total += found
    return total


def find(query: str, scenarios: Sequence[S]) -> list[S]:
    """The scenarios ``query`` finds, best first (ties keep the given order)."""
    if not query.strip():
        return list(scenarios)
    scored = [(score(query, s), index, s) for index, s in enumerate(scenarios)]
    return [s for value, _, s in sorted((item for item in scored if item[0] > 0), key=lambda t: (-t[0], t[1]))]

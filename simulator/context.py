"""Context rules: what cancels a candidate hit around it.

* **Exceptions**: a hit overlapping one of its category's exceptions (a
  wording or a pattern the trainer marked as fine) is dropped.
* **Negation** (NegEx-style): a hit preceded in its clause by a negation cue
  (jieba tokens, pseudo-negations such as 不好意思 removed first) is dropped
  for negatable categories (我没法保证给您回电 is no follow-up promise).
* **Best per place**: of overlapping hits of one category the best is kept.
* **Remedies**: a prohibited hit is dropped when the same reply also does one
  of the standard categories that remedy it, in or after its words (a helpful
  hand-off after 不归我管).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from .errors import Problem
from .hits import Candidate
from .moment import NO_MOMENT, Moment
from .patterns import compile_pattern
from .phrasebook import CategorySpec, Pattern
from .phrasebook import Negation as NegationTerms
from .text import NormText, normalize_phrase, segment, warm_up_jieba


class Exceptions:
    """Each category's exceptions: exact wordings and patterns."""

    def __init__(self) -> None:
        self._exact: dict[str, list[str]] = defaultdict(list)
        self._patterns: dict[str, list[tuple[re.Pattern[str], Pattern]]] = defaultdict(list)

    def add(
        self,
        category: str,
        exception: str | Pattern,
        where: tuple[str, int, int],
        lexicon: dict[str, list[str]],
        problems: list[Problem],
    ) -> None:
        if isinstance(exception, str):
            chars, _ = normalize_phrase(exception)
            if len(chars) < 2:
                problems.append(Problem(*where, f"{category}.exceptions", f"例外“{exception}”太短"))
                return
            self._exact[category].append(chars)
        else:
            self._patterns[category].append(
                (compile_pattern(exception, problems, where, f"{category}.exceptions", lexicon), exception)
            )

    def drop(
        self, norm: NormText, views: list[tuple[str, list[int]]], candidates: list[Candidate], moment: Moment = NO_MOMENT
    ) -> list[Candidate]:
        """``candidates`` less those overlapping an exception of their category."""
        if not candidates:
            return candidates
        spans: dict[str, list[tuple[int, int]]] = {}
        for category in {c.category for c in candidates}:
            found: list[tuple[int, int]] = []
            for chars in self._exact.get(category, ()):
                at = norm.chars.find(chars)
                while at >= 0:
                    found.append((at, at + len(chars)))
                    at = norm.chars.find(chars, at + 1)
            for regex, spec in self._patterns.get(category, ()):
                if spec.conditional and not spec.applies(moment):
                    continue
                for view, units in views:
                    for match in regex.finditer(view):
                        inside = [u for u in units[match.start() : match.end()] if u >= 0]
                        if inside:
                            found.append((inside[0], inside[-1] + 1))
            spans[category] = found
        return [
            c
            for c in candidates
            if not any(start < c.end and c.first < end for start, end in spans.get(c.category, ()))
        ]


class Negation:
    """Negation cues before a hit, NegEx-style, on jieba tokens."""

    def __init__(self, terms: NegationTerms, categories: dict[str, CategorySpec], jieba_words: Iterable[str]):
        self._categories = categories
        self.cues = frozenset(normalize_phrase(c)[0] for c in terms.cues)
        pseudo = sorted({normalize_phrase(p)[0] for p in terms.pseudo if normalize_phrase(p)[0]}, key=len, reverse=True)
        self._pseudo = re.compile("|".join(map(re.escape, pseudo))) if pseudo else None
        self._window = terms.window
        # Every phrasebook word goes into jieba's dictionary before any segmentation.
        self._jieba_words = sorted(set(jieba_words) | self.cues)
        self._jieba_loaded = False

    def warm_up(self) -> None:
        """Load jieba with the phrasebook's words (about 0.7 s, once)."""
        if not self._jieba_loaded:
            warm_up_jieba(self._jieba_words)
            self._jieba_loaded = True

    def negated(self, norm: NormText, candidate: Candidate) -> bool:
        """Whether a negation cue precedes ``candidate`` in its clause (negatable categories only)."""
        if not self._categories[candidate.category].negatable or not self.cues:
            return False
        clause_begin = candidate.first
        while clause_begin > 0 and norm.clause_of[clause_begin - 1] == norm.clause_of[candidate.first]:
            clause_begin -= 1
        prefix = norm.chars[clause_begin : candidate.first]
        if not prefix:
            return False
        if self._pseudo is not None:
            prefix = self._pseudo.split(prefix)[-1]
            if not prefix:
                return False
        if not self._jieba_loaded:
            self.warm_up()
        tokens = segment(prefix)[-self._window :]
        return any(token in self.cues for token in tokens)


def best_per_place(candidates: list[Candidate]) -> list[Candidate]:
    """Within a category keep the best of overlapping hits."""
    ranked = sorted(candidates, key=lambda c: (-c.similarity, -(c.end - c.first), c.first))
    kept: list[Candidate] = []
    for candidate in ranked:
        if any(
            k.category == candidate.category and k.first < candidate.end and candidate.first < k.end for k in kept
        ):
            continue
        kept.append(candidate)
    return kept


def drop_remedied(
    candidates: list[Candidate], categories: dict[str, CategorySpec], remedies: dict[str, set[str]]
) -> list[Candidate]:
    """Prohibited candidates less those a standard candidate remedies.

    A remedy counts only where it answers the prohibited words: in them or
    after them ("不归我管，我帮您联系负责的同事"), not a hand-off about
    another matter earlier in the reply.
    """
    standard = [c for c in candidates if categories[c.category].kind == "standard"]
    return [
        c
        for c in candidates
        if categories[c.category].kind == "standard"
        or not any(s.category in remedies.get(c.category, ()) and s.end > c.first for s in standard)
    ]

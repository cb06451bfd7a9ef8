"""Context rules: what cancels a candidate hit around it.

* **Exceptions**: a hit overlapping one of its category's exceptions (a
  wording or a pattern the trainer marked as fine) is dropped.
* **Negation** (NegEx-style): a hit preceded in its clause by a negation cue
  (jieba's segmentation, pseudo-negations such as 不好意思 removed first) is dropped
  for negatable categories (我没法保证给您回电 is no follow-up promise).
* **Best per place**: of overlapping hits of one category the best is kept.
* **Remedies**: a prohibited hit is dropped when the same reply also does one
  of the standard categories that remedy it, in or after its words (a helpful
  hand-off after 不归我管).
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable
from itertools import accumulate

from .errors import Problem
from .hits import Candidate
from .moment import NO_MOMENT, Moment
from .pattern_engine import CompiledPattern
from .patterns import compile_pattern
from .segmenter import Cuts, load_segmenter
from .specs import CategorySpec, NegationTerms, PatternSpec
from .text import NormText, normalize_phrase


class Intervals:
    """Fixed unit ranges ``[first, end)`` answering "does any overlap this range?" in O(log n).

    Sorted by start with a running maximum of ends: some range overlaps
    ``[first, end)`` exactly when one starting before ``end`` reaches past ``first``.
    """

    __slots__ = ("_firsts", "_reach")

    def __init__(self, ranges: Iterable[tuple[int, int]]):
        ordered = sorted(ranges)
        self._firsts = [first for first, _ in ordered]
        self._reach = list(accumulate((end for _, end in ordered), max))

    def overlaps(self, first: int, end: int) -> bool:
        before = bisect_left(self._firsts, end)
        return before > 0 and self._reach[before - 1] > first


class Exceptions:
    """Each category's exceptions: exact wordings and patterns."""

    def __init__(self) -> None:
        self._exact: dict[str, list[str]] = defaultdict(list)
        self._patterns: dict[str, list[tuple[CompiledPattern, PatternSpec]]] = defaultdict(list)

    def add(
        self,
        category: str,
        exception: str | PatternSpec,
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
        self,
        norm: NormText,
        views: list[tuple[str, list[int]]],
        candidates: list[Candidate],
        moment: Moment = NO_MOMENT,
    ) -> list[Candidate]:
        """``candidates`` less those overlapping an exception of their category."""
        if not candidates:
            return candidates
        spans: dict[str, Intervals] = {}
        # Views are one per sentence: an exception pattern matters only in the
        # sentences its category's candidates reach into (a long reply has hundreds).
        sentence_starts = [begin for begin, _ in norm.sentences]
        reached: dict[str, set[int]] = defaultdict(set)
        for c in candidates:
            if c.category in self._patterns:
                first = bisect_right(sentence_starts, c.first) - 1
                reached[c.category].update(range(max(first, 0), bisect_left(sentence_starts, c.end)))
        for category in {c.category for c in candidates}:
            found: list[tuple[int, int]] = []
            for chars in self._exact.get(category, ()):
                at = norm.chars.find(chars)
                while at >= 0:
                    found.append((at, at + len(chars)))
                    at = norm.chars.find(chars, at + 1)
            for compiled, spec in self._patterns.get(category, ()):
                if spec.conditional and not spec.applies(moment):
                    continue
                for index in sorted(reached[category]):
                    view, units = views[index]
                    for match in compiled.finditer(view):
                        inside = [u for u in units[match.start : match.end] if u >= 0]
                        if inside:
                            found.append((inside[0], inside[-1] + 1))
            spans[category] = Intervals(found)
        return [c for c in candidates if not spans[c.category].overlaps(c.first, c.end)]


class Negation:
    """Negation cues before a hit, NegEx-style, on words as jieba cuts them (:mod:`simulator.segmenter`)."""

    def __init__(self, terms: NegationTerms, categories: dict[str, CategorySpec], jieba_words: Iterable[str]):
        self._categories = categories
        self.cues = frozenset(normalize_phrase(c)[0] for c in terms.cues)
        cues = sorted((c for c in self.cues if c), key=len, reverse=True)
        self._cue_words = re.compile("|".join(map(re.escape, cues))) if cues else None
        pseudo = sorted({normalize_phrase(p)[0] for p in terms.pseudo if normalize_phrase(p)[0]}, key=len, reverse=True)
        self._pseudo = re.compile("|".join(map(re.escape, pseudo))) if pseudo else None
        self._pseudo_reach = max(map(len, pseudo), default=1) - 1
        self._window = terms.window
        # Units segmented before a hit: room for ``window`` tokens and for the
        # segmenter to settle on the same word boundaries as over the whole clause.
        self.look_back = 8 * terms.window + 8
        # Every phrasebook word is in the segmenter's dictionary.
        self._jieba_words = sorted(set(jieba_words) | self.cues)
        # Loaded on first use; anything with jieba's ``cut(text) -> words`` may stand in (tests put jieba itself).
        self.segmenter: Cuts | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        # The segmenter's dictionary has its own cache; a compiled phrasebook does not carry it.
        state = dict(self.__dict__)
        state["segmenter"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def words(self) -> list[str]:
        """The words the segmenter's dictionary must hold: the phrasebook's and the cues."""
        return self._jieba_words

    def warm_up(self) -> Cuts:
        """The segmenter with the phrasebook's words (from the user cache: a few milliseconds)."""
        segmenter = self.segmenter
        if segmenter is None:
            with self._lock:
                segmenter = self.segmenter
                if segmenter is None:
                    segmenter = self.segmenter = load_segmenter(self._jieba_words)
        return segmenter

    def negated(self, norm: NormText, candidate: Candidate) -> bool:
        """Whether a negation cue precedes ``candidate`` in its clause (negatable categories only).

        Only the last ``look_back`` units of the clause before the hit are
        segmented (the cue window is a few tokens), so the cost per hit does not
        grow with the clause: an unpunctuated reply of 16k characters with
        thousands of hits used to segment the whole clause prefix for each.
        """
        if not self._categories[candidate.category].negatable or not self.cues:
            return False
        first = candidate.first
        clause_begin = norm.clause_start(first)
        begin = max(clause_begin, first - self.look_back)
        start = begin
        if self._pseudo is not None:
            # Look from the last pseudo-negation on (不好意思，明天给您回电), one
            # that reaches into the window from its left included.
            region = norm.chars[max(clause_begin, begin - self._pseudo_reach) : first]
            start = max(begin, first - len(self._pseudo.split(region)[-1]))
        if start >= first or self._cue_words is None or not self._cue_words.search(norm.chars, start, first):
            return False  # no cue's characters before the hit: no token can be a cue, no need to segment
        tokens = (self.segmenter or self.warm_up()).cut(norm.chars[start:first])
        if start == begin > clause_begin:
            # The window was cut inside the clause, maybe inside a word (毫不 cut to 不):
            # its first token is no cue.
            tokens = tokens[1:]
        return any(token in self.cues for token in tokens[-self._window :])


def best_per_place(candidates: list[Candidate]) -> list[Candidate]:
    """Within a category keep the best of overlapping hits.

    Candidates are taken best first (similarity, then length, then position);
    one is kept unless it overlaps a kept one of its category.  Kept ranges of
    a category never overlap each other, so sorted by start their ends are
    sorted too, and the only kept range that can overlap ``[first, end)`` is
    the last one starting before ``end``: one bisection per candidate.
    """
    ranked = sorted(candidates, key=lambda c: (-c.similarity, -(c.end - c.first), c.first))
    kept: list[Candidate] = []
    starts: dict[str, list[int]] = defaultdict(list)
    ends: dict[str, dict[int, int]] = defaultdict(dict)
    for candidate in ranked:
        firsts = starts[candidate.category]
        before = bisect_left(firsts, candidate.end)
        if before and ends[candidate.category][firsts[before - 1]] > candidate.first:
            continue
        insort(firsts, candidate.first)
        ends[candidate.category][candidate.first] = candidate.end
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
    reach: dict[str, int] = {}  # standard category -> the furthest end of its candidates
    for c in candidates:
        if categories[c.category].kind == "standard":
            reach[c.category] = max(reach.get(c.category, 0), c.end)
    return [
        c
        for c in candidates
        if categories[c.category].kind == "standard"
        or not any(reach.get(remedy, 0) > c.first for remedy in remedies.get(c.category, ()))
    ]

"""Fuzzy phrase matching: a sound-bigram index picks the phrases that could occur, rapidfuzz aligns them.

A phrase is scored only where enough of its sound bigrams occur in the reply
(a prefilter), then aligned with rapidfuzz ``partial_ratio_alignment`` on the
sound channel and refined with Levenshtein distances.  The cost of a match is
the mean of the character and the sound edit distances, so a homophone typo
costs half an edit and a wrong character a whole one.  The allowed cost grows
with phrase length (:func:`budget_for`); phrases of three characters or fewer
must match exactly.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .hits import Candidate
from .text import NormText


def budget_for(length: int) -> float:
    """The largest match cost allowed for a phrase of ``length`` units.

    One substituted character costs 1, a homophone typo 0.5.  Short needles
    inflate fuzzy scores (您好 vs 您稍等 = 66.7), so up to 3 units must match
    exactly and 4-5 units only tolerate one homophone.
    """
    if length <= 3:
        return 0.0
    if length <= 5:
        return 0.5
    if length <= 9:
        return 1.0
    if length <= 14:
        return 1.5
    return 2.0


@dataclass(slots=True)
class Phrase:
    category: str
    phrase_id: str
    text: str
    chars: str
    sounds: str
    budget: float
    need: int  # bigrams that must occur in the text for the phrase to be scored
    bigrams: list[tuple[str, int]]


class PhraseIndex:
    """The phrasebook's phrases with their sound-bigram inverted index."""

    def __init__(self) -> None:
        self.phrases: list[Phrase] = []
        self._index: dict[str, list[tuple[int, int]]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self.phrases)

    def add(self, category: str, phrase_id: str, text: str, chars: str, sounds: str) -> None:
        budget = budget_for(len(chars))
        bigrams = [(sounds[i : i + 2], i) for i in range(len(sounds) - 1)]
        # Each edit in the sound channel can break at most two bigrams.
        need = max(1, len(bigrams) - 2 * int(budget))
        index = len(self.phrases)
        self.phrases.append(Phrase(category, phrase_id, text, chars, sounds, budget, need, bigrams))
        for offset, (bigram, _) in enumerate(bigrams):
            self._index[bigram].append((index, offset))

    def candidates(self, norm: NormText) -> list[Candidate]:
        """Every phrase found in ``norm``, one candidate per group of nearby anchors."""
        sounds, chars = norm.sounds, norm.chars
        positions: dict[str, list[int]] = defaultdict(list)
        for i in range(len(sounds) - 1):
            positions[sounds[i : i + 2]].append(i)
        counts: dict[int, int] = defaultdict(int)
        index = self._index
        for bigram in positions:
            for phrase_index, _ in index.get(bigram, ()):
                counts[phrase_index] += 1
        out: list[Candidate] = []
        for phrase_index, count in counts.items():
            phrase = self.phrases[phrase_index]
            if count < phrase.need:
                continue
            # Anchor: where the phrase would start if that bigram occurrence were its own.
            votes = Counter(q - offset for bigram, offset in phrase.bigrams for q in positions.get(bigram, ()))
            anchors = sorted(votes)
            n = len(phrase.chars)
            edits = int(phrase.budget)
            slack = edits + 1
            group_start = anchors[0]
            previous = anchors[0]
            ends: list[int | None] = [*anchors[1:], None]
            for anchor in ends:
                if anchor is not None and anchor - previous <= n:
                    previous = anchor
                    continue
                low = max(0, group_start - slack)
                high = min(len(chars), previous + n + slack)
                if _enough_votes(anchors, votes, low - edits, high + edits, 2 * edits + 1, phrase.need):
                    found = _align(phrase, chars, sounds, low, high)
                    if found:
                        out.append(found)
                if anchor is not None:
                    group_start = previous = anchor
        return out


def _enough_votes(anchors: list[int], votes: Counter[int], low: int, high: int, width: int, need: int) -> bool:
    """Whether some ``width`` consecutive anchors in ``[low, high)`` gather ``need`` votes.

    A necessary condition for an alignment in the window: a match with ``e``
    sound edits keeps all but ``2e`` of the phrase's bigrams (``need`` of them),
    and those vote for anchors at most ``e`` apart from where the match starts.
    Skipping windows that fail it changes no result; a long reply, where nearly
    every phrase passes the whole-reply bigram count, mostly has such windows.
    """
    first = bisect_left(anchors, low)
    last = bisect_left(anchors, high, first)
    total, tail = 0, first
    for at in range(first, last):
        total += votes[anchors[at]]
        while anchors[at] - anchors[tail] >= width:
            total -= votes[anchors[tail]]
            tail += 1
        if total >= need:
            return True
    return False


def _align(phrase: Phrase, chars: str, sounds: str, low: int, high: int) -> Candidate | None:
    n = len(phrase.chars)
    if phrase.budget == 0:
        at = chars.find(phrase.chars, low, high)
        if at < 0:
            return None
        return Candidate(phrase.category, phrase.phrase_id, at, at + n, 100)
    window = sounds[low:high]
    cutoff = 100.0 * (1.0 - phrase.budget / n) - 0.01
    alignment = fuzz.partial_ratio_alignment(phrase.sounds, window, score_cutoff=max(0.0, cutoff - 15))
    if alignment is None:
        return None
    start0 = low + alignment.dest_start
    end0 = low + alignment.dest_end
    reach = int(phrase.budget) + 1
    best: tuple[float, int, int, int] | None = None
    for start in range(max(low, start0 - 1), min(high, start0 + 2)):
        for end in range(max(start + 2, end0 - reach), min(high, end0 + reach) + 1):
            char_cost = Levenshtein.distance(phrase.chars, chars[start:end])
            sound_cost = Levenshtein.distance(phrase.sounds, sounds[start:end])
            cost = (char_cost + sound_cost) / 2
            key = (cost, abs((end - start) - n), start, end)
            if best is None or key < best:
                best = key
    if best is None or best[0] > phrase.budget:
        return None
    cost, _, start, end = best
    # A fuzzy hit must begin and end on the phrase's own sounds: otherwise
    # the alignment has swallowed a neighbouring character.
    if sounds[start] != phrase.sounds[0] and sounds[end - 1] != phrase.sounds[-1]:
        return None
    similarity = round(100 * (1 - cost / n))
    return Candidate(phrase.category, phrase.phrase_id, start, end, similarity)

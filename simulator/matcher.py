"""The compiled phrasebook: find standard and prohibited phrases in a reply.

How a reply is matched (see ENGINE-NOTES.md for the measurements behind it);
each step lives in its own module:

1. :func:`simulator.text.normalize` gives parallel char and sound channels with
   an offset map, so every hit has a span on the original text.
2. **Phrases** (:mod:`simulator.phrases`): a sound-bigram inverted index picks
   the phrases that could occur, rapidfuzz aligns them; the allowed cost grows
   with phrase length, phrases of three characters or fewer match exactly.
3. **Patterns** (:mod:`simulator.patterns`): ordered keywords with a maximum
   gap, compiled to regular expressions over one sentence at a time, on the
   char channel and (multi-keyword patterns) on the sound channel.
4. **Context** (:mod:`simulator.context`): exceptions, negation, the best hit
   per place, remedies.
5. **Self-test** (:mod:`simulator.selftest`): loading runs every category's
   own examples.

This module assembles them: :class:`Matcher` compiles a phrasebook and scans a
reply into :class:`~simulator.hits.Hit` objects; :func:`load_matcher` loads,
compiles and self-tests phrasebook files.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from .context import Exceptions, Intervals, Negation, best_per_place, drop_remedied
from .errors import ContentError, Problem
from .hits import Candidate, Hit
from .moment import NO_MOMENT, Moment
from .patterns import PatternSet, compile_pattern, expand_words, sentence_views
from .phrases import PhraseIndex, budget_for
from .selftest import example_failures, split_example
from .specs import CategorySpec, Phrasebook
from .text import NormText, normalize, normalize_phrase

if TYPE_CHECKING:
    from .learned import LearnedStage

# Names other modules import from here.
__all__ = ["Hit", "Matcher", "budget_for", "compile_pattern", "expand_words", "load_matcher", "split_example"]


class Matcher:
    """A phrasebook compiled for fast, explainable matching."""

    def __init__(self, book: Phrasebook):
        self.book = book
        self.categories: dict[str, CategorySpec] = book.categories
        problems: list[Problem] = []
        self._phrases = PhraseIndex()
        self._patterns = PatternSet()
        self._exceptions = Exceptions()
        jieba_words: set[str] = set()

        for spec in book.categories.values():
            for phrase_id, text, where in spec.phrases:
                chars, sounds = normalize_phrase(text)
                if len(chars) < 2:
                    problems.append(Problem(*where, f"{spec.id}.phrases", f"短语“{text}”去掉标点后不足 2 个字"))
                    continue
                self._phrases.add(spec.id, phrase_id, text, chars, sounds)
                if len(chars) <= 6:
                    jieba_words.add(chars)
            for pattern_id, pattern, where in spec.patterns:
                self._patterns.add(spec.id, pattern_id, pattern, where, book.lexicon, problems, f"{spec.id}.patterns")
                for element in pattern.sequence:
                    for word in expand_words(
                        [element] if isinstance(element, str) else list(element), book.lexicon, [], where, ""
                    ):
                        jieba_words.add(normalize_phrase(word)[0])
            for exception, where in spec.exceptions:
                self._exceptions.add(spec.id, exception, where, book.lexicon, problems)
        self._negation = Negation(book.negation, self.categories, jieba_words)
        self._remedies = {spec.id: set(spec.remedied_by) for spec in book.categories.values() if spec.remedied_by}
        self._patterns.build_index()
        self.learned: LearnedStage | None = None  # the second stage, attached by engine.attach_learned
        self._required_words: dict[str, tuple[str, ...]] = {}  # learned_requires, normalised on first use
        if problems:
            raise ContentError(problems)

    def __getstate__(self) -> dict[str, object]:
        # What the user cache keeps: the compiled rules, never a learned stage (it has its own cache).
        state = dict(self.__dict__)
        state["learned"] = None
        return state

    @property
    def negation(self) -> Negation:
        """What cancels a negated hit: its cues, the words its segmenter knows, the segmenter."""
        return self._negation

    @property
    def phrase_count(self) -> int:
        return len(self._phrases)

    @property
    def pattern_count(self) -> int:
        return len(self._patterns)

    def warm_up(self) -> None:
        """Load the negation window's segmenter (its dictionary comes from the user cache; built there once, ~1.5 s)."""
        self._negation.warm_up()

    # -- match ---------------------------------------------------------------

    def scan(self, text: str, moment: Moment = NO_MOMENT, norm: NormText | None = None) -> list[Hit]:
        """All hits in ``text``, standard and prohibited, ordered by position.

        ``moment`` is the scenario node the reply answers; patterns limited to
        some moments (``if_expected`` …) run only there.
        """
        norm = norm or normalize(text)
        if not norm.chars:
            return []
        views = sentence_views(norm)
        candidates = self._phrases.candidates(norm) + self._patterns.candidates(views, moment)
        sound_hits = self._patterns.sound_candidates(norm, moment)
        if sound_hits:  # only where the char channel found nothing of that category there
            found: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for c in candidates:
                found[c.category].append((c.first, c.end))
            by_category = {category: Intervals(ranges) for category, ranges in found.items()}
            candidates += [
                c
                for c in sound_hits
                if c.category not in by_category or not by_category[c.category].overlaps(c.first, c.end)
            ]
        candidates = self._exceptions.drop(norm, views, candidates, moment)
        candidates = [c for c in candidates if not self._negation.negated(norm, c)]
        candidates = best_per_place(candidates)
        kept = drop_remedied(candidates, self.categories, self._remedies)
        hits = [self._to_hit(norm, c) for c in kept]
        hits.sort(key=lambda h: (h.span[0], h.span[1], h.category))
        return hits

    def required_words(self, category: str) -> tuple[str, ...]:
        """The category's ``learned_requires`` words, normalised like replies."""
        cached = self._required_words.get(category)
        if cached is None:
            words = self.categories[category].learned_requires
            cached = tuple(w for w in (normalize_phrase(x)[0] for x in words) if w)
            self._required_words[category] = cached
        return cached

    def excepted(self, norm: NormText, category: str, span: tuple[int, int], moment: Moment = NO_MOMENT) -> bool:
        """Whether one of ``category``'s exceptions occurs within the original-text ``span``.

        The learned stage's hits pass through this, so the wordings a trainer
        has marked as fine (找领导也没用, 先不用付钱) stay fine whatever the model says.
        """
        views = sentence_views(norm)
        first, end = norm.units_within(*span)
        if first >= end:
            return False
        probe = Candidate(category, "", first, end, 0)
        return not self._exceptions.drop(norm, views, [probe], moment)

    def _to_hit(self, norm: NormText, candidate: Candidate) -> Hit:
        spec = self.categories[candidate.category]
        start, end = norm.span(candidate.first, candidate.end)
        return Hit(
            category=spec.id,
            kind=spec.kind,
            label=spec.label,
            phrase_id=candidate.phrase_id,
            matched=norm.original[start:end],
            span=(start, end),
            similarity=candidate.similarity,
            severity=spec.severity,
            source=spec.source_text,
            suggestion=spec.suggestion,
        )

    def self_test(self) -> list[Problem]:
        """Run every category's own examples; return the failures."""
        return example_failures(self.categories.values(), self.scan)


COMPILED_FORMAT = 1  # bump when what a compiled phrasebook holds changes without its modules' bytes changing
# The modules whose code builds or makes up a compiled phrasebook, or decides what its examples hit:
# a change to any of them compiles (and self-tests) again.
_ENGINE_MODULES = (
    "matcher.py",
    "patterns.py",
    "pattern_engine.py",
    "phrases.py",
    "context.py",
    "hits.py",
    "text.py",
    "specs.py",
    "phrasebook.py",
    "selftest.py",
    "moment.py",
    "yamlfile.py",
    "segmenter.py",
)


def compiled_key(files: list[Path]) -> str:
    """What a compiled phrasebook depends on: the files, the engine's code, the normalisation tables, Python."""
    import sys

    from .cache import digest, source_stamp
    from .contentfiles import fingerprint
    from .text import tables_key

    return digest(
        [
            f"compiled v{COMPILED_FORMAT}",
            sys.version,
            source_stamp(__file__, _ENGINE_MODULES),
            tables_key(),
            *fingerprint(files),
        ]
    )


def _read_compiled(key: str) -> tuple[Matcher, bool] | None:
    """A compiled phrasebook and whether it passed its self-test, from the user cache (None if absent or unreadable)."""
    import pickle

    from .cache import path_for, read

    payload = read(path_for("phrasebook", key))
    if payload is None:
        return None
    try:
        tested, matcher = pickle.loads(payload)
    except Exception:  # an unreadable cache (another version's classes, a damaged file) is rebuilt
        return None
    if not isinstance(matcher, Matcher) or not isinstance(tested, bool):
        return None
    return matcher, tested


def _write_compiled(key: str, matcher: Matcher, tested: bool) -> None:
    import pickle

    from .cache import path_for, write

    try:
        payload = pickle.dumps((tested, matcher), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    write(path_for("phrasebook", key), payload)


def load_matcher(paths: list[Path], *, self_test: bool = True) -> Matcher:
    """Load phrasebook files, compile them and run their own examples.

    The compiled phrasebook is kept in the user cache, keyed by the files'
    bytes and the engine's code (:func:`compiled_key`), with whether it passed
    its self-test: a later start reads it back (tens of milliseconds, and no
    YAML parser or pydantic) instead of parsing, validating and compiling.

    Raises:
        ContentError: schema problems, bad patterns, or failing examples.
    """
    from .contentfiles import yaml_files

    files = yaml_files(paths)
    key = compiled_key(files) if files else None
    found = _read_compiled(key) if key else None
    if found is not None:
        matcher, tested = found
        changed = False
    else:
        from .phrasebook import load_phrasebook

        matcher, tested = Matcher(load_phrasebook(paths)), False
        changed = True
    if self_test and not tested:
        failures = matcher.self_test()
        if failures:
            raise ContentError(failures)
        tested = changed = True
    if changed and key:
        _write_compiled(key, matcher, tested)
    return matcher

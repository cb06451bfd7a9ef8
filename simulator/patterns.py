"""The pattern DSL: ordered keywords with a maximum gap, compiled and run over sentence views.

A pattern (:class:`simulator.specs.PatternSpec`) is a sequence of keyword
elements, each a word or a list of alternatives (``@name`` expands a lexicon
entry, ``#`` is a number), with ``^``/``$`` for the start and the end of a
clause.  It runs over one sentence's char channel with ``|`` between its
clauses (:func:`sentence_views`): a gap may cross a comma unless
``within_clause``, never a sentence end.  It compiles to a regular expression
and to a program of :mod:`simulator.pattern_engine`, which runs it in time
linear in the text whatever a trainer writes (the regex is used where its
backtracking is provably cheap).  Multi-keyword patterns
also run over the sound channel, so input-method homophones still match.

:class:`PatternSet` holds a phrasebook's patterns and runs only those whose
most selective keyword occurs in the reply (a first-unit index finds them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from .errors import Problem
from .hits import Candidate
from .moment import NO_MOMENT, Moment
from .pattern_engine import (
    NUMBER_CHARS,
    CompiledPattern,
    Keyword,
    PatternMatch,
    Program,
    Scan,
    regex_match,
)
from .specs import PatternShape, PatternSpec
from .text import NormText, normalize_phrase, sound_of

# Sentence-final particles allowed between the last keyword and a ``$`` anchor.
_PARTICLES = "啊呀呢哦吧了嘛的哈啦么哇喔"
_NUMBER = f"[{NUMBER_CHARS}]+"
_NEVER_REGEX = re.compile("(?!)")
# A pattern that never matches (a one-keyword pattern on the sound channel).
# Views longer than this are searched only around trigger words (see ``_around``).
LONG_VIEW = 256
NEVER = CompiledPattern(Program((Keyword(),), (), False, False, 0, False, frozenset()), _NEVER_REGEX)


def _keyword_words(
    words: list[str], problems: list[Problem], where: tuple[str, int, int], field: str, channel: int = 0
) -> tuple[str, ...]:
    """The keyword's words normalised for ``channel``, longest first (the order alternatives are tried in)."""
    normalised = []
    for word in words:
        chars = normalize_phrase(word)[channel]
        if channel == 1 and len(chars) < 2:
            continue  # one syllable has too many homophones (报/包, 事/是) to match by sound
        if not chars:
            problems.append(Problem(*where, field, f"关键词“{word}”去掉标点后为空"))
            continue
        normalised.append(chars)
    return tuple(sorted(set(normalised), key=len, reverse=True))


def _keyword_regex(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in words) + ")" if words else "(?!)"


def expand_words(
    words: list[str], lexicon: dict[str, list[str]], problems: list[Problem], where: tuple[str, int, int], field: str
) -> list[str]:
    """Replace ``@name`` entries by the words of that lexicon entry."""
    out: list[str] = []
    for word in words:
        if word.startswith("@") and len(word) > 1:
            entry = lexicon.get(word[1:])
            if entry is None:
                problems.append(Problem(*where, field, f"词表 {word} 未定义（请在 lexicon 中定义）"))
                continue
            out.extend(entry)
        else:
            out.append(word)
    return out


def compile_pattern(
    pattern: PatternShape,
    problems: list[Problem],
    where: tuple[str, int, int],
    field: str,
    lexicon: dict[str, list[str]] | None = None,
    channel: int = 0,
) -> CompiledPattern:
    """Compile ordered keywords to run over one sentence view of the char channel.

    ``channel=1`` compiles the same pattern over the sound channel, so an
    input-method homophone (找我们领倒, 不给钱就不休) still matches; a
    pattern with a number (``#``) has no sound form and never matches there.
    The result runs in time linear in the text whatever the pattern
    (:mod:`simulator.pattern_engine`).
    """

    def gap_size(index: int | None) -> int:
        return pattern.gaps[index] if pattern.gaps is not None and index is not None else pattern.max_gap

    def gap(index: int | None) -> str:
        # Greedy gaps: the reported span reaches the farthest keyword in range.
        size = gap_size(index)
        return f"[^|]{{0,{size}}}" if pattern.within_clause else f".{{0,{size}}}"

    parts: list[str] = []
    keywords = [e for e in pattern.sequence if e not in ("^", "$")]
    compiled: list[Keyword] = []
    start_anchor = end_anchor = False
    particles = _PARTICLES if channel == 0 else "".join(sorted({sound_of(c) for c in _PARTICLES}))
    seen_keywords = 0
    for position, element in enumerate(pattern.sequence):
        if element == "^":
            if position != 0:
                problems.append(Problem(*where, field, "“^”只能放在模式开头"))
            parts.append(r"(?:^|(?<=\|))")
            start_anchor = True
            continue
        if element == "$":
            if position != len(pattern.sequence) - 1:
                problems.append(Problem(*where, field, "“$”只能放在模式末尾"))
            parts.append(f"[{re.escape(particles)}]{{0,2}}(?=\\||$)")
            end_anchor = True
            continue
        element_words = [element] if isinstance(element, str) else list(element)
        words = expand_words(element_words, lexicon or {}, problems, where, field)
        if words == ["#"]:
            body = _NUMBER if channel == 0 else "(?!)"
            compiled.append(Keyword(number=True) if channel == 0 else Keyword())
        else:
            alternatives = _keyword_words(words, problems, where, field, channel)
            body = _keyword_regex(alternatives)
            compiled.append(Keyword(alternatives))
        if parts:  # after ^ too: the keyword may sit a few units into the clause
            parts.append(gap(seen_keywords - 1 if seen_keywords else None))
        seen_keywords += 1
        name = []
        if seen_keywords == 1:
            name.append("first")
        if seen_keywords == len(keywords):
            name.append("last")
        if name == ["first", "last"]:
            body = f"(?P<only>{body})"
        elif name:
            body = f"(?P<{name[0]}>{body})"
        parts.append(body)
    program = Program(
        keywords=tuple(compiled),
        gaps=tuple(gap_size(i) for i in range(len(compiled) - 1)),
        within_clause=pattern.within_clause,
        start_anchor=start_anchor,
        lead_gap=gap_size(None),
        end_anchor=end_anchor,
        particles=frozenset(particles),
    )
    try:
        regex = re.compile("".join(parts))
    except re.error as exc:  # pragma: no cover - escaped keywords cannot fail
        problems.append(Problem(*where, field, f"模式无法编译：{exc}"))
        regex = _NEVER_REGEX
    if regex is _NEVER_REGEX:  # pragma: no cover - see above
        return NEVER
    return CompiledPattern(program, regex)


class LazyPattern:
    """A sound-channel pattern to compile on first use (most never run on a given reply)."""

    __slots__ = ("lexicon", "pattern", "where")

    def __init__(self, pattern: PatternSpec, where: tuple[str, int, int], lexicon: dict[str, list[str]]):
        self.pattern, self.where, self.lexicon = pattern, where, lexicon

    def compile(self) -> CompiledPattern:
        return compile_pattern(self.pattern, [], self.where, "", self.lexicon, channel=1)


def _matches(compiled: CompiledPattern, view: str, triggers: list[int] | None = None) -> Iterator[PatternMatch]:
    """``compiled.finditer(view)``, the common regex case inlined (this runs per pattern and sentence).

    ``triggers``: where the pattern's trigger words start in a long view (sorted);
    then the regex searches only around them (see :func:`_around`).
    """
    regex = compiled.backtrack
    if regex is None:
        return compiled.finditer(view)
    if triggers is not None and compiled.span is not None:
        return map(regex_match, _around(regex, view, triggers, compiled.span))
    found = regex.search(view)
    if found is None:  # most (pattern, sentence) pairs: no iterator built
        return iter(())
    return map(regex_match, regex.finditer(view, found.start()))


def _where(at: dict[str, list[int]] | None, triggers: tuple[str, ...] | None) -> list[int] | None:
    """Where a pattern's trigger words start in a long view (None: a short view, or no trigger)."""
    if at is None or triggers is None:
        return None
    return sorted(position for word in triggers for position in at.get(word, ()))


def _around(regex: re.Pattern[str], view: str, triggers: list[int], span: int) -> Iterator[re.Match[str]]:
    """``regex.finditer(view)``, searching only the stretches that can hold a match.

    Every match holds a trigger word and is at most ``span`` long, so it lies
    within ``span`` of a trigger.  Triggers closer than ``2 * span`` form one
    stretch, searched with ``endpos`` one past its reach: no match can end
    there (a ``$`` would otherwise take ``endpos`` for the end of the view),
    and a match found is one of the whole view's, found in the same order.  A
    long unpunctuated reply, where nearly every pattern is live somewhere, so
    costs each pattern the stretches around its triggers, not the whole reply.
    """
    position, index, count = 0, 0, len(triggers)
    while index < count:
        low = high = triggers[index]
        index += 1
        while index < count and triggers[index] - high <= 2 * span:
            high = triggers[index]
            index += 1
        for found in regex.finditer(view, max(position, low - span), min(len(view), high + span + 1)):
            yield found
            position = found.end()


def trigger_words(pattern: PatternShape, lexicon: dict[str, list[str]], channel: int = 0) -> tuple[str, ...] | None:
    """The normalised words of the pattern's most selective keyword element.

    Every keyword element must occur for the pattern to match, so the text
    has to contain one of the chosen element's words; checking that is much
    cheaper than running the regex.  The element whose shortest word is
    longest is chosen (不归/不属于 rather than 我/我们), then the one with fewer
    words.  ``None``: no usable element (a number), so the pattern always runs.
    """
    best: tuple[tuple[int, int], tuple[str, ...]] | None = None
    for element in pattern.sequence:
        if element in ("^", "$"):
            continue
        words = expand_words([element] if isinstance(element, str) else list(element), lexicon, [], ("", 0, 0), "")
        if words == ["#"]:
            continue
        normalised = tuple(w for w in (normalize_phrase(word)[channel] for word in words) if w)
        if channel == 1:  # one syllable never matches by sound (see _keyword_regex)
            if any(len(w) < 2 for w in normalised):
                normalised = tuple(w for w in normalised if len(w) >= 2)
                if not normalised:
                    return ()  # this element can never match by sound: nor can the pattern
        if not normalised:
            continue
        rank = (min(len(w) for w in normalised), -len(normalised))
        if best is None or rank > best[0]:
            best = (rank, normalised)
    return best[1] if best else None


def sentence_views(norm: NormText, channel: str | None = None) -> list[tuple[str, list[int]]]:
    """Each sentence's char channel (or ``channel``) with ``|`` between its clauses, built once per text.

    Patterns run over these strings: a gap may cross a comma but never a
    sentence end, and ``^``/``$`` anchor at clause edges.  The list maps
    each string position back to its unit (``-1`` for a ``|``).
    """
    key = ("views", channel is not None)
    cached = norm.memo.get(key)
    if cached is None:
        cached = norm.memo[key] = _build_sentence_views(norm, channel)
    return cached


def _build_sentence_views(norm: NormText, channel: str | None = None) -> list[tuple[str, list[int]]]:
    text = norm.chars if channel is None else channel
    views = []
    for begin, end in norm.sentences:
        pieces: list[str] = []
        units: list[int] = []
        for unit in range(begin, end):
            if unit > begin and norm.clause_of[unit] != norm.clause_of[unit - 1]:
                pieces.append("|")
                units.append(-1)
            pieces.append(text[unit])
            units.append(unit)
        views.append(("".join(pieces), units))
    return views


class PatternSet:
    """A phrasebook's patterns, compiled, with the index that picks the ones worth running on a text."""

    def __init__(self) -> None:
        self.patterns: list[tuple[str, str, CompiledPattern]] = []  # (category, pattern id, compiled)
        self.specs: list[PatternSpec] = []
        # The same patterns over the sound channel (homophone typos), with their triggers.
        self._sound_patterns: list[LazyPattern | CompiledPattern] = []
        self._sound_triggers: list[tuple[str, ...] | None] = []
        # Words one of which must occur for a pattern to match (None: always try).
        self._triggers: list[tuple[str, ...] | None] = []
        self._conditional: list[bool] = []
        self._always: set[int] = set()
        self._by_first: dict[str, list[tuple[str, set[int]]]] = {}
        self._by_first_sound: dict[str, list[tuple[str, set[int]]]] = {}

    def __len__(self) -> int:
        return len(self.patterns)

    def add(
        self,
        category: str,
        pattern_id: str,
        pattern: PatternSpec,
        where: tuple[str, int, int],
        lexicon: dict[str, list[str]],
        problems: list[Problem],
        field: str,
    ) -> None:
        regex = compile_pattern(pattern, problems, where, field, lexicon)
        self.patterns.append((category, pattern_id, regex))
        self.specs.append(pattern)
        self._triggers.append(trigger_words(pattern, lexicon))
        # One-keyword patterns are phrase-like: by sound alone they would
        # confuse 机检 with 计件; only multi-keyword patterns match by sound.
        keywords = [e for e in pattern.sequence if e not in ("^", "$")]
        self._sound_patterns.append(LazyPattern(pattern, where, lexicon) if len(keywords) >= 2 else NEVER)
        self._sound_triggers.append(trigger_words(pattern, lexicon, channel=1))

    def build_index(self) -> None:
        """First unit -> (trigger word, pattern indexes), and the always-run patterns, per channel."""
        self._conditional = [p.conditional for p in self.specs]
        self._always = set()
        for triggers_list, target, always in (
            (self._triggers, "_by_first", self._always),
            (self._sound_triggers, "_by_first_sound", None),
        ):
            # Keyed by a word's first unit (one-unit words) or first two units,
            # so each position of a reply looks at a handful of words at most.
            by_first: dict[str, dict[str, set[int]]] = defaultdict(dict)
            for index, triggers in enumerate(triggers_list):
                if triggers is None:
                    if always is not None:
                        always.add(index)
                    continue
                for word in triggers:
                    by_first[word[:2]].setdefault(word, set()).add(index)
            setattr(self, target, {first: list(words.items()) for first, words in by_first.items()})

    def _live_indexes(
        self, text: str, by_first: dict[str, list[tuple[str, set[int]]]], at: dict[str, list[int]] | None = None
    ) -> set[int]:
        """The patterns whose most selective keyword (see :func:`trigger_words`) occurs in ``text``.

        A pattern can only match where one of that keyword's words occurs;
        looking those up by first unit is far cheaper than running every regex.
        ``at``, when given, receives where each trigger word starts.
        """
        live: set[int] = set()
        last = len(text) - 1
        for position in range(len(text)):
            # One-unit words are keyed by their unit, longer ones by their first two.
            keys = (text[position], text[position : position + 2]) if position < last else (text[position],)
            for key in keys:
                words = by_first.get(key)
                if words:
                    for word, indexes in words:
                        if len(word) <= 2 or text.startswith(word, position):
                            live |= indexes
                            if at is not None:
                                at.setdefault(word, []).append(position)
        return live

    def _per_view(
        self,
        views: list[tuple[str, list[int]]],
        by_first: dict[str, list[tuple[str, set[int]]]],
        always: set[int],
        moment: Moment,
    ) -> Iterator[tuple[str, list[int], list[int], dict[str, list[int]] | None]]:
        """Each view with the patterns worth running over it, in phrasebook order,
        and in a long view where each trigger word starts.

        Looked up per sentence, not per reply: a match lies within one sentence,
        so its trigger word does too, and a long reply (where nearly every
        pattern is live somewhere) runs each pattern only over the sentences that
        hold its trigger.
        """
        applies: dict[int, bool] = {}
        conditional, specs = self._conditional, self.specs
        for view, units in views:
            at: dict[str, list[int]] | None = {} if len(view) > LONG_VIEW else None
            live = self._live_indexes(view, by_first, at)
            if always:
                live |= always
            indexes = []
            for index in sorted(live):
                if conditional[index]:
                    if index not in applies:
                        applies[index] = specs[index].applies(moment)
                    if not applies[index]:
                        continue
                indexes.append(index)
            if indexes:
                yield view, units, indexes, at

    def sound_candidates(self, norm: NormText, moment: Moment) -> list[Candidate]:
        """Pattern hits on the sound channel (homophone typos), similarity 90."""
        out: list[Candidate] = []
        sound = self._sound_patterns
        views = sentence_views(norm, norm.sounds)
        for view, units, live, at in self._per_view(views, self._by_first_sound, set(), moment):
            for index in live:
                category, pattern_id, _ = self.patterns[index]
                compiled = sound[index]
                if isinstance(compiled, LazyPattern):
                    compiled = sound[index] = compiled.compile()
                for match in _matches(compiled, view, _where(at, self._sound_triggers[index])):
                    first, last = match.first, match.last
                    if last > first:
                        out.append(Candidate(category, pattern_id, units[first], units[last - 1] + 1, 90))
        return out

    def candidates(self, views: list[tuple[str, list[int]]], moment: Moment = NO_MOMENT) -> list[Candidate]:
        """Pattern hits on the char channel, similarity 100."""
        out: list[Candidate] = []
        for view, units, live, at in self._per_view(views, self._by_first, self._always, moment):
            for index in live:
                category, pattern_id, compiled = self.patterns[index]
                scan: Scan | None = None
                for match in _matches(compiled, view, _where(at, self._triggers[index])):
                    first, last = match.first, match.last
                    # The leftmost match may start its first keyword a clause
                    # early (the 你 of 您好 before ，你找…领导); then keep the
                    # start in the last clause that still ends on the same keyword.
                    if "|" in view[first:last]:
                        scan = scan or compiled.scan(view)
                        for later in range(view.rindex("|", first, last) + 1, last):
                            tighter = scan.match(later)
                            if tighter is not None and tighter.last == last:
                                first = tighter.first
                                break
                    if last > first:
                        out.append(Candidate(category, pattern_id, units[first], units[last - 1] + 1, 100))
        return out

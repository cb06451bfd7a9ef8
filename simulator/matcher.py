"""The compiled phrasebook: find standard and prohibited phrases in a reply.

How a reply is matched (see ENGINE-NOTES.md for the measurements behind it):

1. :func:`simulator.text.normalize` gives parallel char and sound channels with
   an offset map, so every hit has a span on the original text.
2. **Phrases** are found by a sound-bigram inverted index (a prefilter: a
   phrase is scored only where enough of its bigrams occur), then aligned with
   rapidfuzz ``partial_ratio_alignment`` on the sound channel and refined with
   Levenshtein distances.  The cost of a match is the mean of the character and
   the sound edit distances, so a homophone typo costs half an edit and a wrong
   character a whole one.  The allowed cost grows with phrase length; phrases
   of three characters or fewer must match exactly.
3. **Patterns** (ordered keywords with a maximum gap) are regular expressions
   over the char channel of one clause at a time.
4. **Context**: a hit overlapping one of its category's exceptions is dropped;
   a hit preceded in its clause by a negation cue (jieba tokens, NegEx-style,
   pseudo-negations such as 不好意思 removed first) is dropped for negatable
   categories; a prohibited hit is dropped when the same reply also does one of
   the standard categories that remedy it (a helpful hand-off after 不归我管).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .errors import ContentError, Problem
from .moment import NO_MOMENT, Moment

if TYPE_CHECKING:
    from .learned import LearnedStage
from .phrasebook import CategorySpec, Pattern, Phrasebook, load_phrasebook
from .text import NormText, normalize, normalize_phrase, segment, sound_of, warm_up_jieba

# Sentence-final particles allowed between the last keyword and a ``$`` anchor.
_PARTICLES = "啊呀呢哦吧了嘛的哈啦么哇喔"
_EXAMPLE_MARK = re.compile(r"\[([^\[\]]+)\]")


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
class _Phrase:
    category: str
    phrase_id: str
    text: str
    chars: str
    sounds: str
    budget: float
    need: int  # bigrams that must occur in the text for the phrase to be scored
    bigrams: list[tuple[str, int]]


@dataclass(slots=True)
class _Candidate:
    category: str
    phrase_id: str
    first: int  # unit range [first, end)
    end: int
    similarity: int


def _keyword_regex(
    words: list[str], problems: list[Problem], where: tuple[str, int, int], field: str, channel: int = 0
) -> str:
    normalised = []
    for word in words:
        chars = normalize_phrase(word)[channel]
        if channel == 1 and len(chars) < 2:
            continue  # one syllable has too many homophones (报/包, 事/是) to match by sound
        if not chars:
            problems.append(Problem(*where, field, f"关键词“{word}”去掉标点后为空"))
            continue
        normalised.append(chars)
    normalised = sorted(set(normalised), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in normalised) + ")" if normalised else "(?!)"


_NUMBER = "[0-9零〇一二两三四五六七八九十百千万]+"


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
    pattern: Pattern,
    problems: list[Problem],
    where: tuple[str, int, int],
    field: str,
    lexicon: dict[str, list[str]] | None = None,
    channel: int = 0,
) -> re.Pattern[str]:
    """Compile ordered keywords into a regex over one sentence's char channel.

    ``channel=1`` compiles the same pattern over the sound channel, so an
    input-method homophone (找我们领倒, 不给钱就不休) still matches; a
    pattern with a number (``#``) has no sound form and never matches there.
    """

    def gap(index: int | None) -> str:
        # Greedy gaps: the reported span reaches the farthest keyword in range.
        size = pattern.gaps[index] if pattern.gaps is not None and index is not None else pattern.max_gap
        return f"[^|]{{0,{size}}}" if pattern.within_clause else f".{{0,{size}}}"

    parts: list[str] = []
    keywords = [e for e in pattern.sequence if e not in ("^", "$")]
    seen_keywords = 0
    for position, element in enumerate(pattern.sequence):
        if element == "^":
            if position != 0:
                problems.append(Problem(*where, field, "“^”只能放在模式开头"))
            parts.append(r"(?:^|(?<=\|))")
            continue
        if element == "$":
            if position != len(pattern.sequence) - 1:
                problems.append(Problem(*where, field, "“$”只能放在模式末尾"))
            particles = _PARTICLES if channel == 0 else "".join(sorted({sound_of(c) for c in _PARTICLES}))
            parts.append(f"[{re.escape(particles)}]{{0,2}}(?=\\||$)")
            continue
        words = expand_words([element] if isinstance(element, str) else list(element), lexicon or {}, problems, where, field)
        if words == ["#"]:
            body = _NUMBER if channel == 0 else "(?!)"
        else:
            body = _keyword_regex(words, problems, where, field, channel)
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
    try:
        return re.compile("".join(parts))
    except re.error as exc:  # pragma: no cover - escaped keywords cannot fail
        problems.append(Problem(*where, field, f"模式无法编译：{exc}"))
        return re.compile("(?!)")


_NEVER = re.compile("(?!)")


class _LazyPattern:
    """A sound-channel pattern compiled on first use (most never run on a given reply)."""

    __slots__ = ("_args", "_regex")

    def __init__(self, pattern: Pattern, where: tuple[str, int, int], lexicon: dict[str, list[str]]):
        self._args = (pattern, where, lexicon)
        self._regex: re.Pattern[str] | None = None

    def finditer(self, text: str):  # noqa: ANN201 - same as re.Pattern.finditer
        if self._regex is None:
            pattern, where, lexicon = self._args
            self._regex = compile_pattern(pattern, [], where, "", lexicon, channel=1)
        return self._regex.finditer(text)


def _pattern_span(match: re.Match[str]) -> tuple[int, int]:
    groups = match.groupdict()
    if groups.get("only") is not None:
        return match.span("only")
    return match.start("first"), match.end("last")


def split_example(example: str) -> tuple[str, tuple[int, int] | None]:
    """``'您好，[这个不属于我负责]'`` -> (plain text, span of the bracketed part)."""
    found = _EXAMPLE_MARK.search(example)
    if not found:
        return example, None
    plain = example[: found.start()] + found.group(1) + example[found.end() :]
    return plain, (found.start(), found.start() + len(found.group(1)))


class Matcher:
    """A phrasebook compiled for fast, explainable matching."""

    def __init__(self, book: Phrasebook):
        self.book = book
        self.categories: dict[str, CategorySpec] = book.categories
        problems: list[Problem] = []
        self._phrases: list[_Phrase] = []
        self._index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._patterns: list[tuple[str, str, re.Pattern[str]]] = []
        self._pattern_specs: list[Pattern] = []
        # The same patterns over the sound channel (homophone typos), with their triggers.
        self._sound_patterns: list[_LazyPattern | re.Pattern[str]] = []
        self._sound_triggers: list[tuple[str, ...] | None] = []
        # Words one of which must occur for a pattern to match (None: always try).
        self._pattern_triggers: list[tuple[str, ...] | None] = []
        self._exact_exceptions: dict[str, list[str]] = defaultdict(list)
        self._pattern_exceptions: dict[str, list[tuple[re.Pattern[str], Pattern]]] = defaultdict(list)
        jieba_words: set[str] = set()

        for spec in book.categories.values():
            for phrase_id, text, where in spec.phrases:
                chars, sounds = normalize_phrase(text)
                if len(chars) < 2:
                    problems.append(Problem(*where, f"{spec.id}.phrases", f"短语“{text}”去掉标点后不足 2 个字"))
                    continue
                self._add_phrase(spec.id, phrase_id, text, chars, sounds)
                if len(chars) <= 6:
                    jieba_words.add(chars)
            for pattern_id, pattern, where in spec.patterns:
                regex = compile_pattern(pattern, problems, where, f"{spec.id}.patterns", book.lexicon)
                self._patterns.append((spec.id, pattern_id, regex))
                self._pattern_specs.append(pattern)
                self._pattern_triggers.append(self._trigger_words(pattern, book.lexicon))
                # One-keyword patterns are phrase-like: by sound alone they would
                # confuse 机检 with 计件; only multi-keyword patterns match by sound.
                keywords = [e for e in pattern.sequence if e not in ("^", "$")]
                self._sound_patterns.append(
                    _LazyPattern(pattern, where, book.lexicon) if len(keywords) >= 2 else _NEVER
                )
                self._sound_triggers.append(self._trigger_words(pattern, book.lexicon, channel=1))
                for element in pattern.sequence:
                    for word in expand_words(
                        [element] if isinstance(element, str) else element, book.lexicon, [], where, ""
                    ):
                        jieba_words.add(normalize_phrase(word)[0])
            for exception, where in spec.exceptions:
                if isinstance(exception, str):
                    chars, _ = normalize_phrase(exception)
                    if len(chars) < 2:
                        problems.append(Problem(*where, f"{spec.id}.exceptions", f"例外“{exception}”太短"))
                        continue
                    self._exact_exceptions[spec.id].append(chars)
                else:
                    self._pattern_exceptions[spec.id].append(
                        (compile_pattern(exception, problems, where, f"{spec.id}.exceptions", book.lexicon), exception)
                    )
        negation = book.negation
        self._cues = frozenset(normalize_phrase(c)[0] for c in negation.cues)
        pseudo = sorted({normalize_phrase(p)[0] for p in negation.pseudo if normalize_phrase(p)[0]}, key=len, reverse=True)
        self._pseudo = re.compile("|".join(map(re.escape, pseudo))) if pseudo else None
        self._window = negation.window
        self._remedies = {spec.id: set(spec.remedied_by) for spec in book.categories.values() if spec.remedied_by}
        self._build_trigger_index()
        self._conditional = [p.conditional for p in self._pattern_specs]
        self._jieba_words = sorted(jieba_words | self._cues)
        self._jieba_loaded = False
        self.learned: LearnedStage | None = None  # the second stage, attached by engine.attach_learned
        self._required_words: dict[str, tuple[str, ...]] = {}  # learned_requires, normalised on first use
        if problems:
            raise ContentError(problems)

    # -- compile -------------------------------------------------------------

    def _add_phrase(self, category: str, phrase_id: str, text: str, chars: str, sounds: str) -> None:
        budget = budget_for(len(chars))
        bigrams = [(sounds[i : i + 2], i) for i in range(len(sounds) - 1)]
        # Each edit in the sound channel can break at most two bigrams.
        need = max(1, len(bigrams) - 2 * int(budget))
        index = len(self._phrases)
        self._phrases.append(_Phrase(category, phrase_id, text, chars, sounds, budget, need, bigrams))
        for offset, (bigram, _) in enumerate(bigrams):
            self._index[bigram].append((index, offset))

    @staticmethod
    def _trigger_words(pattern: Pattern, lexicon: dict[str, list[str]], channel: int = 0) -> tuple[str, ...] | None:
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

    @property
    def phrase_count(self) -> int:
        return len(self._phrases)

    @property
    def pattern_count(self) -> int:
        return len(self._patterns)

    def warm_up(self) -> None:
        """Load jieba with the phrasebook's words (about 0.7 s, once)."""
        if not self._jieba_loaded:
            warm_up_jieba(self._jieba_words)
            self._jieba_loaded = True

    # -- match ---------------------------------------------------------------

    def scan(self, text: str, moment: Moment = NO_MOMENT, norm: NormText | None = None) -> list[Hit]:
        """All hits in ``text``, standard and prohibited, ordered by position.

        ``moment`` is the scenario node the reply answers; patterns limited to
        some moments (``if_expected`` …) run only there.
        """
        norm = norm or normalize(text)
        if not norm.chars:
            return []
        views = self._sentence_views(norm)
        candidates = self._phrase_candidates(norm) + self._pattern_candidates(views, norm.chars, moment)
        sound_hits = self._sound_pattern_candidates(norm, moment)
        if sound_hits:  # only where the char channel found nothing of that category there
            candidates += [
                c
                for c in sound_hits
                if not any(k.category == c.category and k.first < c.end and c.first < k.end for k in candidates)
            ]
        candidates = self._drop_exceptions(norm, views, candidates, moment)
        candidates = [c for c in candidates if not self._is_negated(norm, c)]
        candidates = self._best_per_place(candidates)
        # A remedy counts only where it answers the prohibited words: in them or
        # after them ("不归我管，我帮您联系负责的同事"), not a hand-off about
        # another matter earlier in the reply.
        standard = [c for c in candidates if self.categories[c.category].kind == "standard"]
        kept = [
            c
            for c in candidates
            if self.categories[c.category].kind == "standard"
            or not any(s.category in self._remedies.get(c.category, ()) and s.end > c.first for s in standard)
        ]
        hits = [self._to_hit(norm, c) for c in kept]
        hits.sort(key=lambda h: (h.span[0], h.span[1], h.category))
        return hits

    def _phrase_candidates(self, norm: NormText) -> list[_Candidate]:
        sounds, chars = norm.sounds, norm.chars
        positions: dict[str, list[int]] = defaultdict(list)
        for i in range(len(sounds) - 1):
            positions[sounds[i : i + 2]].append(i)
        counts: dict[int, int] = defaultdict(int)
        index = self._index
        for bigram in positions:
            for phrase_index, _ in index.get(bigram, ()):
                counts[phrase_index] += 1
        out: list[_Candidate] = []
        for phrase_index, count in counts.items():
            phrase = self._phrases[phrase_index]
            if count < phrase.need:
                continue
            anchors = sorted(
                {q - offset for bigram, offset in phrase.bigrams for q in positions.get(bigram, ())}
            )
            n = len(phrase.chars)
            slack = int(phrase.budget) + 1
            group_start = anchors[0]
            previous = anchors[0]
            for anchor in anchors[1:] + [None]:  # type: ignore[list-item]
                if anchor is not None and anchor - previous <= n:
                    previous = anchor
                    continue
                low = max(0, group_start - slack)
                high = min(len(chars), previous + n + slack)
                found = self._align(phrase, chars, sounds, low, high)
                if found:
                    out.append(found)
                if anchor is not None:
                    group_start = previous = anchor
        return out

    def _align(self, phrase: _Phrase, chars: str, sounds: str, low: int, high: int) -> _Candidate | None:
        n = len(phrase.chars)
        if phrase.budget == 0:
            at = chars.find(phrase.chars, low, high)
            if at < 0:
                return None
            return _Candidate(phrase.category, phrase.phrase_id, at, at + n, 100)
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
        return _Candidate(phrase.category, phrase.phrase_id, start, end, similarity)

    def _build_trigger_index(self) -> None:
        """First unit -> (trigger word, pattern indexes), and the always-run patterns, per channel."""
        self._always: set[int] = set()
        self._by_first: dict[str, list[tuple[str, set[int]]]] = {}
        self._by_first_sound: dict[str, list[tuple[str, set[int]]]] = {}
        for triggers_list, target, always in (
            (self._pattern_triggers, "_by_first", self._always),
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

    def _live_indexes(self, text: str, by_first: dict[str, list[tuple[str, set[int]]]], moment: Moment) -> list[int]:
        """The patterns whose first keyword occurs in ``text``, in phrasebook order.

        A pattern can only match where one of its first keyword's words occurs;
        looking those up by first unit is far cheaper than running every regex.
        """
        live: set[int] = set()
        for position in range(len(text)):
            for key in (text[position], text[position : position + 2]):
                words = by_first.get(key)
                if words:
                    for word, indexes in words:
                        if len(word) <= 2 or text.startswith(word, position):
                            live |= indexes
        conditional, specs = self._conditional, self._pattern_specs
        return [i for i in sorted(live) if not conditional[i] or specs[i].applies(moment)]

    def _live_patterns(self, chars: str, moment: Moment = NO_MOMENT) -> list[tuple[str, str, re.Pattern[str]]]:
        indexes = set(self._live_indexes(chars, self._by_first, moment))
        specs = self._pattern_specs
        indexes |= {i for i in self._always if not self._conditional[i] or specs[i].applies(moment)}
        return [self._patterns[i] for i in sorted(indexes)]

    @staticmethod
    def _sentence_views(norm: NormText, channel: str | None = None) -> list[tuple[str, list[int]]]:
        key = ("views", channel is not None)
        cached = norm.memo.get(key)
        if cached is None:
            cached = norm.memo[key] = Matcher._build_sentence_views(norm, channel)
        return cached

    @staticmethod
    def _build_sentence_views(norm: NormText, channel: str | None = None) -> list[tuple[str, list[int]]]:
        """Each sentence's char channel with ``|`` between its clauses.

        Patterns run over these strings: a gap may cross a comma but never a
        sentence end, and ``^``/``$`` anchor at clause edges.  The list maps
        each string position back to its unit (``-1`` for a ``|``).
        """
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

    def _sound_pattern_candidates(self, norm: NormText, moment: Moment) -> list[_Candidate]:
        """Pattern hits on the sound channel (homophone typos), similarity 90."""
        live = self._live_indexes(norm.sounds, self._by_first_sound, moment)
        if not live:
            return []
        out: list[_Candidate] = []
        for view, units in self._sentence_views(norm, norm.sounds):
            for index in live:
                category, pattern_id, _ = self._patterns[index]
                for match in self._sound_patterns[index].finditer(view):
                    first, last = _pattern_span(match)
                    if last > first:
                        out.append(_Candidate(category, pattern_id, units[first], units[last - 1] + 1, 90))
        return out

    def _pattern_candidates(
        self, views: list[tuple[str, list[int]]], chars: str, moment: Moment = NO_MOMENT
    ) -> list[_Candidate]:
        out: list[_Candidate] = []
        live = self._live_patterns(chars, moment)
        if not live:
            return out
        for view, units in views:
            for category, pattern_id, regex in live:
                for match in regex.finditer(view):
                    first, last = _pattern_span(match)
                    # The leftmost match may start its first keyword a clause
                    # early (the 你 of 您好 before ，你找…领导); then keep the
                    # start in the last clause that still ends on the same keyword.
                    if "|" in view[first:last]:
                        for later in range(view.rindex("|", first, last) + 1, last):
                            tighter = regex.match(view, later)
                            if tighter is not None and _pattern_span(tighter)[1] == last:
                                first = _pattern_span(tighter)[0]
                                break
                    if last > first:
                        out.append(_Candidate(category, pattern_id, units[first], units[last - 1] + 1, 100))
        return out

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
        views = self._sentence_views(norm)
        units = [u for u in range(len(norm.chars)) if span[0] <= norm.starts[u] and norm.ends[u] <= span[1]]
        if not units:
            return False
        probe = _Candidate(category, "", units[0], units[-1] + 1, 0)
        return not self._drop_exceptions(norm, views, [probe], moment)

    def _drop_exceptions(
        self, norm: NormText, views: list[tuple[str, list[int]]], candidates: list[_Candidate], moment: Moment = NO_MOMENT
    ) -> list[_Candidate]:
        if not candidates:
            return candidates
        spans: dict[str, list[tuple[int, int]]] = {}
        for category in {c.category for c in candidates}:
            found: list[tuple[int, int]] = []
            for chars in self._exact_exceptions.get(category, ()):
                at = norm.chars.find(chars)
                while at >= 0:
                    found.append((at, at + len(chars)))
                    at = norm.chars.find(chars, at + 1)
            for regex, spec in self._pattern_exceptions.get(category, ()):
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

    def _is_negated(self, norm: NormText, candidate: _Candidate) -> bool:
        if not self.categories[candidate.category].negatable or not self._cues:
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
        return any(token in self._cues for token in tokens)

    @staticmethod
    def _best_per_place(candidates: list[_Candidate]) -> list[_Candidate]:
        """Within a category keep the best of overlapping hits."""
        ranked = sorted(candidates, key=lambda c: (-c.similarity, -(c.end - c.first), c.first))
        kept: list[_Candidate] = []
        for candidate in ranked:
            if any(
                k.category == candidate.category and k.first < candidate.end and candidate.first < k.end for k in kept
            ):
                continue
            kept.append(candidate)
        return kept

    def _to_hit(self, norm: NormText, candidate: _Candidate) -> Hit:
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

    # -- self test -----------------------------------------------------------

    def self_test(self) -> list[Problem]:
        """Run every category's own examples; return the failures."""
        problems: list[Problem] = []
        for spec in self.categories.values():
            for example, where in spec.hit_examples:
                plain, expected = split_example(example)
                hits = [h for h in self.scan(plain) if h.category == spec.id]
                if expected is None:
                    problems.append(Problem(*where, f"{spec.id}.examples.hit", "命中用例必须用 [ ] 标出应命中的文字"))
                elif not any(h.span == expected for h in hits):
                    got = "、".join(f"“{h.matched}”" for h in hits) or "无"
                    want = plain[expected[0] : expected[1]]
                    problems.append(
                        Problem(*where, f"{spec.id}.examples.hit", f"应命中“{want}”，实际命中：{got}")
                    )
            for example, where in spec.clean_examples:
                hits = [h for h in self.scan(example) if h.category == spec.id]
                if hits:
                    got = "、".join(f"“{h.matched}”（{h.phrase_id}）" for h in hits)
                    problems.append(Problem(*where, f"{spec.id}.examples.clean", f"不应命中本类别，但命中了 {got}"))
        return problems


def load_matcher(paths: list[Path], *, self_test: bool = True) -> Matcher:
    """Load phrasebook files, compile them and run their own examples.

    Raises:
        ContentError: schema problems, bad patterns, or failing examples.
    """
    matcher = Matcher(load_phrasebook(paths))
    if self_test and not _self_test_passed_before(matcher):
        failures = matcher.self_test()
        if failures:
            raise ContentError(failures)
        _remember_self_test(matcher)
    return matcher


def _self_test_key(matcher: Matcher) -> str:
    """The phrasebook files' bytes and the matching code: what a self-test result depends on."""
    import hashlib

    digest = hashlib.sha256()
    for name in [*matcher.book.files, __file__, str(Path(__file__).with_name("text.py"))]:
        try:
            digest.update(Path(name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:24]


def _self_test_marker(matcher: Matcher) -> Path:
    from .learned import cache_dir

    return cache_dir() / f"selftest-{_self_test_key(matcher)}.ok"


def _self_test_passed_before(matcher: Matcher) -> bool:
    """Whether exactly these phrasebook files already passed their own examples (0.7 s saved per start)."""
    try:
        return _self_test_marker(matcher).exists()
    except OSError:
        return False


def _remember_self_test(matcher: Matcher) -> None:
    try:
        marker = _self_test_marker(matcher)
        marker.parent.mkdir(parents=True, exist_ok=True)
        for old in marker.parent.glob("selftest-*.ok"):
            old.unlink(missing_ok=True)
        marker.touch()
    except OSError:
        pass  # the cache is a convenience

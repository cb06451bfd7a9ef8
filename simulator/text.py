"""Text normalisation for matching Chinese service phrases, keeping offsets.

A reply is turned into *units*: one normalised character each, with the span of
original text it came from.  Two parallel channels are built:

``chars``
    NFKC (full-width to half-width), lower case, traditional to simplified,
    a few equivalences (您/你, 的/得/地 ...), with spaces, punctuation, symbols
    and zero-width or control characters dropped and runs of a repeated
    character collapsed to two.  ``这*个*我*不*懂`` and ``這個我不懂！！`` both become ``这个我不懂``.

``sounds``
    the same units mapped to their toneless pinyin syllable, one private-use
    code point per syllable, so that input-method homophones compare equal
    (上机领导 / 上级领导).  A run of Latin letters that spells pinyin
    (``bu``, ``ｆｕ``) becomes one unit per syllable, so ``这个bu属于`` lines up
    with ``这个不属于``.

Clause terminators (，。！？；：, newlines and their ASCII forms) are dropped
from the channels but recorded, so patterns and negation windows never reach
across a clause.  Every unit keeps ``starts[i]``/``ends[i]`` in the original
string, so any unit range maps back to a span where ``text[start:end]`` is what
the trainee actually typed.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

SENTENCE_TERMINATORS = frozenset("。．.！!？?；;\n\r…")
CLAUSE_TERMINATORS = SENTENCE_TERMINATORS | frozenset("，,：:、")
# Characters folded together after traditional -> simplified conversion.  The
# pairs are the ones trainees mix up freely; both sides of a match are folded.
EQUIVALENTS = str.maketrans({"您": "你", "得": "的", "地": "的", "帐": "账", "妳": "你", "祢": "你"})
_SOUND_BASE = 0xF0000  # Supplementary Private Use Area A: never typed by people.
_MAX_SYLLABLE = 6  # the longest pinyin syllable ("zhuang", "chuang") has 6 letters


TABLES_FORMAT = 1  # bump when what the tables hold (or how they are derived) changes


@lru_cache(maxsize=1)
def tables_key() -> str:
    """What the tables are derived from: their format and both packages' versions and data files."""
    from .cache import digest, package_stamp

    zhconv = package_stamp("zhconv", "zhcdict.json")
    return digest([f"tables v{TABLES_FORMAT}", zhconv, package_stamp("pypinyin", "pinyin_dict.py")])


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[int, str]]:
    """The traditional -> simplified and pinyin tables, from the user cache.

    Deriving them means importing zhconv (which imports pkg_resources) and
    ``pypinyin.pinyin_dict`` (which imports the whole of pypinyin): about
    0.6 s and 80 MB.  Saved with marshal they load in a few milliseconds; the
    cache is keyed by both packages' versions and data files.
    """
    import marshal

    from .cache import cached

    def loads(payload: bytes) -> tuple[dict[int, str], dict[int, str]]:
        t2s, pinyin = marshal.loads(payload)
        if not (isinstance(t2s, dict) and isinstance(pinyin, dict) and pinyin):
            raise ValueError("not the normalisation tables")
        return t2s, pinyin

    return cached("tables", tables_key(), _build_tables, lambda tables: marshal.dumps(tables), loads)


def _build_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Single-character traditional -> simplified (zhconv) and code point -> toneless pinyin of its first reading."""
    from pypinyin.pinyin_dict import pinyin_dict
    from zhconv import zhconv

    t2s: dict[int, str] = {}
    for trad, simp in zhconv.getdict("zh-hans").items():
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            t2s[ord(trad)] = simp
    syllables: dict[str, str] = {}  # one string object per syllable: marshal stores it once
    pinyin: dict[int, str] = {}
    for code, readings in pinyin_dict.items():
        syllable = _strip_tone(readings.split(",", 1)[0])
        pinyin[code] = syllables.setdefault(syllable, syllable)
    return t2s, pinyin


def _t2s_table() -> dict[int, str]:
    """Single-character traditional -> simplified table from zhconv's dictionary."""
    return _tables()[0]


def _pinyin_table() -> dict[int, str]:
    """Code point -> toneless pinyin of its first reading."""
    return _tables()[1]


def _strip_tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    return frozenset(_pinyin_table().values())


@lru_cache(maxsize=1)
def _sound_codes() -> dict[str, str]:
    """Syllable -> code point, the same in every process (the learned stage's
    cached features include sound codes, so they must not depend on the order
    in which a process first met each syllable)."""
    return {syllable: chr(_SOUND_BASE + i) for i, syllable in enumerate(sorted(_syllables()))}


def _sound_code(syllable: str) -> str:
    code = _sound_codes().get(syllable)
    if code is None:  # not a syllable of the table: keep it apart, deterministically
        code = chr(_SOUND_BASE + 0x8000 + (sum(map(ord, syllable)) % 0x7000))
    return code


@lru_cache(maxsize=65536)
def sound_of(char: str) -> str:
    """The sound-channel unit for one normalised character."""
    syllable = _pinyin_table().get(ord(char))
    if syllable is None:
        return char
    return _sound_code(syllable)


def split_pinyin(run: str) -> list[str] | None:
    """Split a run of lower-case letters into pinyin syllables, or None.

    Prefers the segmentation with the fewest syllables (``xian`` stays one
    syllable rather than ``xi`` + ``an``).
    """
    syllables = _syllables()
    n = len(run)
    if n == 0 or n > 24:
        return None
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - _MAX_SYLLABLE), end):
            head = best[start]
            piece = run[start:end]
            if head is not None and piece in syllables:
                candidate = head + [piece]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[n]


def _is_noise(char: str) -> bool:
    category = unicodedata.category(char)
    # P*: punctuation, S*: symbols, Z*: separators, C*: control/format/unassigned.
    return category[0] in "PSZC"


def fold_char(char: str) -> str:
    """Normalise one character (already NFKC'd) for the char channel."""
    lowered = char.lower()
    if len(lowered) != 1:
        lowered = char
    simplified = _t2s_table().get(ord(lowered), lowered)
    return simplified.translate(EQUIVALENTS)


@dataclass(frozen=True, slots=True)
class NormText:
    """A normalised text with an offset map back to the original."""

    original: str
    chars: str
    sounds: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    clause_of: tuple[int, ...]
    clauses: tuple[tuple[int, int], ...]  # unit ranges [start, end) of each clause
    sentences: tuple[tuple[int, int], ...]  # unit ranges of each sentence (。！？；)
    # Derived views the matcher builds once per text (sentence views per channel).
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.chars)

    def span(self, first_unit: int, end_unit: int) -> tuple[int, int]:
        """Original-text span covering units ``[first_unit, end_unit)``."""
        return self.starts[first_unit], self.ends[end_unit - 1]

    def clause_start(self, unit: int) -> int:
        """The first unit of ``unit``'s clause (clause ids count up from 0, one per clause)."""
        return self.clauses[self.clause_of[unit]][0]

    def units_within(self, start: int, end: int) -> tuple[int, int]:
        """The unit range ``[first, last)`` of the units lying wholly inside original span ``[start, end)``.

        ``starts`` and ``ends`` never go backwards, so those units are one run,
        found by bisection (empty when ``first >= last``).
        """
        return bisect_left(self.starts, start), bisect_right(self.ends, end)


_UNIT, _LATIN, _NOISE, _CLAUSE_END, _SENTENCE_END = range(5)


@lru_cache(maxsize=32768)
def _char_plan(raw: str) -> tuple[tuple[int, str, str], ...]:
    """What one original character becomes: (kind, folded char, sound) per NFKC piece.

    Cached: text is mostly the same few thousand characters, and a dict hit is
    far cheaper than NFKC, the tables and the category lookups every time.
    """
    pieces = (raw,) if raw in CLAUSE_TERMINATORS else unicodedata.normalize("NFKC", raw)
    plan = []
    for piece in pieces:
        if piece in SENTENCE_TERMINATORS:
            plan.append((_SENTENCE_END, "", ""))
        elif piece in CLAUSE_TERMINATORS:
            plan.append((_CLAUSE_END, "", ""))
        elif _is_noise(piece):
            plan.append((_NOISE, "", ""))
        else:
            folded = fold_char(piece)
            if "a" <= folded <= "z":
                plan.append((_LATIN, folded, ""))
            else:
                plan.append((_UNIT, folded, sound_of(folded)))
    return tuple(plan)


def normalize(text: str) -> NormText:
    """Normalise ``text`` into parallel char/sound channels with offsets.

    Never raises for any ``str``.
    """
    chars: list[str] = []
    sounds: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    clause_of: list[int] = []
    clause = 0
    clause_has_units = False
    sentence_breaks: set[int] = set()  # unit indexes that start a new sentence
    latin: list[tuple[str, int]] = []  # pending run of (letter, original index)

    def flush_latin() -> None:
        if not latin:
            return
        run = "".join(c for c, _ in latin)
        parts = split_pinyin(run) if len(run) <= 24 else None
        if parts:
            pos = 0
            for part in parts:
                first_idx = latin[pos][1]
                last_idx = latin[pos + len(part) - 1][1]
                code = _sound_code(part)
                _append(code, code, first_idx, last_idx + 1)
                pos += len(part)
        else:
            for letter, idx in latin:
                _append(letter, letter, idx, idx + 1)
        latin.clear()

    def _append(char: str, sound: str, start: int, end: int) -> None:
        nonlocal clause_has_units
        if len(chars) >= 2 and chars[-1] == char == chars[-2] and clause_of[-1] == clause == clause_of[-2]:
            # Collapse runs of three or more into two: 不不不 -> 不不, while
            # reduplicated words (谢谢, 看看) stay as they are.
            ends[-1] = end
            return
        chars.append(char)
        sounds.append(sound)
        starts.append(start)
        ends.append(end)
        clause_of.append(clause)
        clause_has_units = True

    for index, raw in enumerate(text):
        for kind, folded, sound in _char_plan(raw):
            if kind == _UNIT:
                flush_latin()
                _append(folded, sound, index, index + 1)
            elif kind == _LATIN:
                latin.append((folded, index))
            elif kind != _NOISE:
                flush_latin()
                if clause_has_units:
                    clause += 1
                    clause_has_units = False
                if kind == _SENTENCE_END:
                    sentence_breaks.add(len(chars))
    flush_latin()

    clauses: list[tuple[int, int]] = []
    begin = 0
    for i in range(1, len(clause_of) + 1):
        if i == len(clause_of) or clause_of[i] != clause_of[i - 1]:
            clauses.append((begin, i))
            begin = i
    sentences: list[tuple[int, int]] = []
    begin = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or i in sentence_breaks:
            if i > begin:
                sentences.append((begin, i))
            begin = i
    return NormText(
        original=text,
        chars="".join(chars),
        sounds="".join(sounds),
        starts=tuple(starts),
        ends=tuple(ends),
        clause_of=tuple(clause_of),
        clauses=tuple(clauses),
        sentences=tuple(sentences),
    )


def name_key(name: str) -> str:
    """The key trainee names are matched on: NFKC (full-width ＡＢＣ = ABC), traditional to
    simplified (張偉 = 张伟), no spaces (张 伟 = 张伟), case folded.  Names are shown as first typed."""
    text = unicodedata.normalize("NFKC", name)
    text = text.translate(_t2s_table())
    return "".join(ch for ch in text if not ch.isspace()).casefold()


@lru_cache(maxsize=65536)
def normalize_phrase(text: str) -> tuple[str, str]:
    """The (chars, sounds) channels of a phrasebook phrase or keyword."""
    norm = normalize(text)
    return norm.chars, norm.sounds

"""Word segmentation for the negation window: jieba's algorithm and dictionary, loaded by the character.

The matcher segments a few characters before a hit to see whether a negation
cue (没法, 不能 …) is one of the last words there.  It used jieba, whose
dictionary costs every process 0.7 s of CPU and 80 MB whether or not jieba's
own cache file exists.  This module gives exactly what
``jieba.lcut(text, HMM=False)`` gives after ``jieba.add_word(w)`` for each
phrasebook word, at a fraction of the cost:

* :class:`Segmenter` runs jieba 0.42.1's algorithm for that call line for line:
  the same block splitting, the prefix DAG, the maximum-probability route
  (ties to the longer word) and the grouping of single Latin letters and digits;
* its dictionary is jieba's own ``dict.txt``, read as jieba reads it, but kept
  in the user cache split by first character (:class:`BaseDictionary`): the
  words starting at a position are all in that character's bucket, so a text
  needs only the buckets of its own characters.  A reply loads a few dozen
  small buckets (milliseconds); nothing is trimmed, so no judgement can differ
  from the full dictionary's;
* the phrasebook's words go in as ``jieba.add_word`` puts them (the frequency
  it suggests from the dictionary as it stands, the total growing with each
  word), computed once per word list and cached (:func:`load_segmenter`).

``tests/test_segmenter.py`` checks all of it against jieba itself.
"""

from __future__ import annotations

import marshal
import re
import struct
import threading
import zlib
from collections.abc import Iterable
from math import log
from pathlib import Path
from typing import Protocol

FORMAT = 1  # bump when the files' layout or what they hold changes

# jieba 0.42.1's patterns for its default (accurate) mode.
_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+)", re.U)
_SKIP = re.compile("(\r\n|\\s)", re.U)
_ENG = re.compile("[a-zA-Z0-9]", re.U)

_MAGIC = b"SIMWORDS1\n"
_HEAD = struct.Struct("<Q16s")  # header length, its sha256 prefix


def dictionary_file() -> Path:
    """jieba's ``dict.txt``, found without importing jieba (the import alone costs 0.15 s and 20 MB)."""
    from importlib.util import find_spec

    spec = find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("jieba is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def read_dictionary(path: Path) -> tuple[dict[str, int], int]:
    """``dict.txt`` as jieba's ``gen_pfdict`` reads it: word -> frequency, every prefix at 0, and the total."""
    freq: dict[str, int] = {}
    total = 0
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.strip().decode("utf-8")
            word, count = line.split(" ")[:2]
            value = int(count)
            freq[word] = value
            total += value
            for end in range(1, len(word) + 1):
                freq.setdefault(word[:end], 0)
    return freq, total


class Cuts(Protocol):
    """What the negation window needs: ``jieba.lcut(text, HMM=False)``."""

    def cut(self, sentence: str) -> list[str]: ...


class BaseDictionary:
    """jieba's dictionary from a cache file of per-first-character buckets, each read on first use."""

    def __init__(self, path: Path, key: str = ""):
        self.path = path
        self.key = key  # what the file was built from (jieba's version and dictionary file)
        self.freq: dict[str, int] = {}  # the buckets read so far, merged
        self._loaded: set[str] = set()
        self._everything = False  # the whole dictionary is in ``freq`` (after a corrupt bucket)
        self._lock = threading.Lock()
        with path.open("rb") as handle:
            if handle.read(len(_MAGIC)) != _MAGIC:
                raise ValueError("not a dictionary file")
            size, check = _HEAD.unpack(handle.read(_HEAD.size))
            header = handle.read(size)
            import hashlib

            if len(header) != size or hashlib.sha256(header).digest()[:16] != check:
                raise ValueError("corrupt dictionary header")
            fmt, total, index = marshal.loads(header)
            if fmt != FORMAT or not isinstance(index, dict) or not isinstance(total, int):
                raise ValueError("dictionary of another format")
            self.total: int = total
            self._index: dict[str, tuple[int, int, int]] = index
            self._data_start = len(_MAGIC) + _HEAD.size + size

    def ensure(self, chars: Iterable[str]) -> None:
        """Read the buckets of ``chars`` not read yet (thread-safe)."""
        if self._everything:
            return
        missing = set(chars) - self._loaded
        if not missing:
            return
        with self._lock:
            missing -= self._loaded
            if not missing or self._everything:
                return
            wanted = sorted((self._index[c] for c in missing if c in self._index), key=lambda entry: entry[0])
            try:
                buckets = self._read(wanted)
            except (OSError, ValueError, EOFError, TypeError):
                self._recover()
                return
            for bucket in buckets:
                self.freq.update(bucket)
            self._loaded |= missing  # only once their words are in: other threads read without the lock

    def _read(self, wanted: list[tuple[int, int, int]]) -> list[dict[str, int]]:
        buckets = []
        if wanted:
            with self.path.open("rb") as handle:
                for offset, length, crc in wanted:
                    handle.seek(self._data_start + offset)
                    blob = handle.read(length)
                    if len(blob) != length or zlib.crc32(blob) != crc:
                        raise ValueError("corrupt dictionary bucket")
                    bucket = marshal.loads(blob)
                    if not isinstance(bucket, dict):
                        raise ValueError("corrupt dictionary bucket")
                    buckets.append(bucket)
        return buckets

    def _recover(self) -> None:
        """A bucket did not check out (the file was damaged or replaced): read jieba's file whole, drop ours."""
        freq, _ = read_dictionary(dictionary_file())
        self.freq.update(freq)
        self._everything = True
        try:
            self.path.unlink()  # the next process writes it again
        except OSError:
            pass


def write_base(path: Path, freq: dict[str, int], total: int) -> None:
    """Write ``freq`` as per-first-character buckets (atomically)."""
    import hashlib
    import os
    import tempfile

    buckets: dict[str, dict[str, int]] = {}
    for word, value in freq.items():
        buckets.setdefault(word[0], {})[word] = value
    index: dict[str, tuple[int, int, int]] = {}
    blobs = []
    offset = 0
    for char in sorted(buckets):
        blob = marshal.dumps(buckets[char])
        index[char] = (offset, len(blob), zlib.crc32(blob))
        blobs.append(blob)
        offset += len(blob)
    header = marshal.dumps((FORMAT, total, index))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + _HEAD.pack(len(header), hashlib.sha256(header).digest()[:16]) + header)
            handle.writelines(blobs)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _MemoryDictionary(BaseDictionary):
    """The whole dictionary in memory: where the cache cannot be written."""

    def __init__(self, freq: dict[str, int], total: int, key: str):
        self.path = Path()
        self.key = key
        self.freq = freq
        self.total = total
        self._loaded = set()
        self._everything = True
        self._lock = threading.Lock()


_bases: dict[str, BaseDictionary] = {}
_bases_lock = threading.Lock()


def base_dictionary() -> BaseDictionary:
    """jieba's dictionary for this jieba install, from the user cache (written there on first use, ~1 s)."""
    from .cache import cache_dir, digest, package_stamp, prune, source_stamp

    key = digest([f"base v{FORMAT}", package_stamp("jieba", "dict.txt"), source_stamp(__file__, ["segmenter.py"])])
    with _bases_lock:
        base = _bases.get(key)
        if base is not None:
            return base
        path = cache_dir() / f"jieba-{key}.bin"
        try:
            base = BaseDictionary(path, key)
        except (OSError, ValueError, EOFError, TypeError):
            freq, total = read_dictionary(dictionary_file())
            try:
                write_base(path, freq, total)
                prune(path, keep=2)
                base = BaseDictionary(path, key)
            except (OSError, ValueError, EOFError, TypeError):
                base = _MemoryDictionary(freq, total, key)
        _bases[key] = base
        return base


class Segmenter:
    """``jieba.lcut(text, HMM=False)`` over a base dictionary plus added words (``overlay`` wins)."""

    def __init__(self, base: BaseDictionary, overlay: dict[str, int] | None = None, total: int | None = None):
        self.base = base
        self.overlay: dict[str, int] = overlay if overlay is not None else {}
        self.total = total if total is not None else base.total
        self.logtotal = log(self.total)

    def _get(self, fragment: str, default: int) -> int:
        overlay = self.overlay
        if fragment in overlay:
            return overlay[fragment]
        return self.base.freq.get(fragment, default)

    def cut(self, sentence: str) -> list[str]:
        out: list[str] = []
        self.base.ensure(sentence)
        for block in _HAN.split(sentence):
            if not block:
                continue
            if _HAN.match(block):
                self._cut_block(block, out)
            else:
                for piece in _SKIP.split(block):
                    if _SKIP.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)
        return out

    def _cut_block(self, sentence: str, out: list[str]) -> None:
        overlay, base = self.overlay, self.base.freq
        n = len(sentence)
        # The DAG: each start's possible word ends (jieba's get_DAG).
        dag: list[list[int]] = []
        for k in range(n):
            ends = []
            i = k
            fragment = sentence[k]
            while i < n:
                if fragment in overlay:
                    value = overlay[fragment]
                elif fragment in base:
                    value = base[fragment]
                else:
                    break
                if value:
                    ends.append(i)
                i += 1
                fragment = sentence[k : i + 1]
            if not ends:
                ends.append(k)
            dag.append(ends)
        # The best route from the end (jieba's calc: ties go to the longer word).
        logtotal = self.logtotal
        get = self._get
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for idx in range(n - 1, -1, -1):
            route[idx] = max(
                (log(get(sentence[idx : x + 1], 0) or 1) - logtotal + route[x + 1][0], x) for x in dag[idx]
            )
        x = 0
        buf = ""
        while x < n:
            y = route[x][1] + 1
            word = sentence[x:y]
            if _ENG.match(word) and len(word) == 1:
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)

    def add_word(self, word: str) -> None:
        """``jieba.add_word(word)``: the frequency ``suggest_freq`` gives, the total grows, prefixes go in at 0."""
        ftotal = float(self.total)
        freq: float = 1
        for piece in self.cut(word):
            freq *= self._get(piece, 1) / ftotal
        value = max(int(freq * self.total) + 1, self._get(word, 1))
        self.overlay[word] = value
        self.total += value
        self.logtotal = log(self.total)
        for end in range(1, len(word) + 1):
            prefix = word[:end]
            if prefix not in self.overlay and prefix not in self.base.freq:
                self.overlay[prefix] = 0


def build_overlay(base: BaseDictionary, words: Iterable[str]) -> tuple[dict[str, int], int]:
    """What ``jieba.add_word`` puts in for ``words`` (in that order; one-character words left out), and the total."""
    segmenter = Segmenter(base)
    for word in words:
        if len(word) >= 2:
            segmenter.add_word(word)
    return segmenter.overlay, segmenter.total


def load_segmenter(words: Iterable[str]) -> Segmenter:
    """The segmenter for a phrasebook's ``words`` (added in sorted order): jieba's dictionary and them, cached."""
    from .cache import cached, digest

    ordered = sorted(set(words))
    base = base_dictionary()
    key = digest([f"words v{FORMAT}", base.key, "\n".join(ordered)])

    def loads(payload: bytes) -> tuple[dict[str, int], int]:
        overlay, total = marshal.loads(payload)
        if not isinstance(overlay, dict) or not isinstance(total, int) or total < base.total:
            raise ValueError("not a word overlay")
        return overlay, total

    def build() -> tuple[dict[str, int], int]:
        # A private copy of the base: the buckets the build reads (every phrasebook character) are dropped after.
        scratch = base if isinstance(base, _MemoryDictionary) else BaseDictionary(base.path, base.key)
        return build_overlay(scratch, ordered)

    overlay, total = cached("words", key, build, marshal.dumps, loads)
    return Segmenter(base, overlay, total)

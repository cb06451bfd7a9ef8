"""The learned second stage: what the phrasebook's rules do not spell out.

A linear model per category over character n-grams of the normalised text
(the char channel, so 繁体, full-width and 您/你 are already folded) plus sound
bigrams (so IME homophones share features).  It is trained from labelled
replies: the corpus ``train`` split, every phrasebook example and every
scenario node's ``answers``.  Thresholds are set on the corpus ``dev`` split:
a learned hit *counts* only at a confidence that kept precision at or above
``TARGET_PRECISION`` there; between ``POSSIBLE`` and that it is shown as 疑似
(no points).  Every learned hit names the labelled example nearest to it.

Training needs scikit-learn and takes a few seconds, so the result is cached
as plain arrays keyed by a hash of everything it was trained from.  Loading
it needs no numpy (the arrays stay bytes, the rest is marshal); numpy is
imported when a reply first has text enough for the model to score, and the
arrays become numpy arrays then, without a copy.
"""

from __future__ import annotations

import hashlib
import marshal
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .cache import cache_dir as cache_dir  # re-exported: where the learned stage is kept
from .cache import read, write
from .text import NormText, normalize

FORMAT_VERSION = 12
ANY = "_any"  # pseudo-category: the reply does some prohibited thing (which one is the best category's guess)
TARGET_PRECISION = 0.95
POSSIBLE = 0.5  # lowest confidence shown as 疑似
MIN_COUNT = 0.7  # no learned hit counts below this confidence, whatever dev says
MIN_SUPPORT = 6  # a threshold needs at least this many dev hits to be trusted
NEAREST_FEATURES = 24  # query features used to find the nearest labelled example
MIN_UNITS = 4  # shortest stretch of text the model judges
WINDOW = 24  # units per window on long unpunctuated stretches
STEP = 12


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text for training or calibration.

    ``positive``/``negative`` list the categories the text is known to do or
    not to do; categories in neither are unknown for this text and skipped.
    """

    text: str
    positive: frozenset[str]
    negative: frozenset[str]
    origin: str = ""


@dataclass(slots=True)
class LearnedHit:
    category: str
    confidence: float
    span: tuple[int, int]  # in the original text
    counted: bool
    explain: Callable[[], tuple[str, str]] = field(repr=False, compare=False)
    _nearest: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    def _resolve(self) -> tuple[str, str]:
        # Finding the nearest example costs more than the verdict; only hits that are shown pay it.
        if self._nearest is None:
            self._nearest = self.explain()
        return self._nearest

    @property
    def nearest(self) -> str:
        """The labelled example most like the matched text."""
        return self._resolve()[0]

    @property
    def nearest_origin(self) -> str:
        return self._resolve()[1]


def _sound_bigrams(sounds: str) -> list[str]:
    return ["~" + sounds[i : i + 2] for i in range(len(sounds) - 1)]


def features(chars: str, sounds: str) -> list[str]:
    """Char 1-3-grams (with edge marks) and sound bigrams of one unit of text."""
    padded = "^" + chars + "$"
    out = list(chars)
    out += [padded[i : i + 2] for i in range(len(padded) - 1)]
    out += [padded[i : i + 3] for i in range(len(padded) - 2)]
    out += _sound_bigrams(sounds)
    return out


def units(norm: NormText) -> list[tuple[int, int]]:
    """The unit ranges the model looks at: sentences, long stretches in windows, the whole reply."""
    out: list[tuple[int, int]] = []
    for begin, end in norm.sentences:
        if end - begin <= WINDOW + STEP:
            out.append((begin, end))
            continue
        start = begin
        while start < end:
            out.append((start, min(end, start + WINDOW)))
            if start + WINDOW >= end:
                break
            start += STEP
    whole = (0, len(norm.chars))
    if whole not in out and len(norm.chars) <= 400:
        out.append(whole)
    return out


def content_key(parts: Iterable[bytes]) -> str:
    """A cache key over everything a stage is built from (file contents, the format)."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:24]


def _array(data: object, dtype: str, shape: tuple[int, ...] | None = None) -> Any:
    """``data`` as a numpy array: raw bytes from the cache become one without a copy (read-only)."""
    import numpy as np

    if isinstance(data, bytes | bytearray | memoryview):
        array = np.frombuffer(data, dtype=dtype)
        return array.reshape(shape) if shape is not None else array
    return data


@dataclass
class Prototypes:
    """The labelled examples a learned hit is explained by, indexed for a fast nearest search.

    Stored by feature (compressed sparse columns): ``ptr[f]:ptr[f+1]`` slices
    ``ids``/``values`` to the examples having feature ``f``.  The arrays are
    numpy arrays, or the bytes of one (int64, int32, float32) until first used.
    """

    texts: list[str]
    origins: list[str]
    by_category: dict[str, object]  # category -> numpy array of example ids (or a list of them until first used)
    ptr: object
    ids: object
    values: object

    def _arrays(self) -> None:
        import numpy as np

        self.ptr = _array(self.ptr, "<i8")
        self.ids = _array(self.ids, "<i4")
        self.values = _array(self.values, "<f4")
        self.by_category = {
            c: v if isinstance(v, np.ndarray) else np.asarray(v, dtype=np.int32) for c, v in self.by_category.items()
        }

    @classmethod
    def build(
        cls,
        vectors: list[dict[int, float]],
        size: int,
        texts: list[str],
        origins: list[str],
        by_category: dict[str, list[int]],
    ) -> Prototypes:
        import numpy as np

        columns: list[list[tuple[int, float]]] = [[] for _ in range(size)]
        for example, vec in enumerate(vectors):
            for feature, value in vec.items():
                columns[feature].append((example, value))
        ptr = np.zeros(size + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(c) for c in columns])
        ids = np.fromiter((e for c in columns for e, _ in c), dtype=np.int32, count=int(ptr[-1]))
        values = np.fromiter((v for c in columns for _, v in c), dtype=np.float32, count=int(ptr[-1]))
        return cls(texts, origins, {c: np.asarray(v, dtype=np.int32) for c, v in by_category.items()}, ptr, ids, values)

    def similarities(self, vec: dict[int, float]) -> object:
        """Dot products with every example over the query's strongest features.

        The top features (the rarest, by tf-idf weight) decide which example
        is nearest; common ones (的, 了) have long posting lists and add little.
        """
        import numpy as np

        self._arrays()
        sims = np.zeros(len(self.texts), dtype=np.float32)
        ptr, ids, values = self.ptr, self.ids, self.values
        strongest = sorted(vec.items(), key=lambda kv: -kv[1])[:NEAREST_FEATURES]
        for feature, weight in strongest:
            a, b = ptr[feature], ptr[feature + 1]  # type: ignore[index]
            if b > a:  # an example appears once per feature, so plain fancy indexing adds correctly
                sims[ids[a:b]] += values[a:b] * weight  # type: ignore[index]
        return sims

    def nearest(self, category: str, sims: object) -> tuple[str, str]:
        self._arrays()
        members = self.by_category.get(category)
        if members is None or not len(members):  # type: ignore[arg-type]
            return "", ""
        best = int(members[int(sims[members].argmax())])  # type: ignore[index]
        return self.texts[best], self.origins[best]


@dataclass
class LearnedStage:
    """A trained model as plain arrays, ready to judge."""

    categories: list[str]
    vocabulary: dict[str, int]
    idf: object  # numpy array (or its float32 bytes, from the cache)
    weights: object  # numpy array, vocabulary x categories (or its float32 bytes, from the cache)
    bias: list[float]
    thresholds: dict[str, float]
    prototypes: Prototypes | None = None
    key: str = ""
    prohibited: list[str] = field(default_factory=list)  # which categories the ANY model stands for

    # -- vectors -------------------------------------------------------------

    def vector(self, chars: str, sounds: str) -> dict[int, float]:
        """The unit's tf-idf vector, as sklearn's TfidfVectorizer(sublinear_tf=True) makes it."""
        get = self.vocabulary.get
        return self._weigh(Counter(get(feature) for feature in features(chars, sounds)))

    def _weigh(self, counts: Counter) -> dict[int, float]:
        """Sublinear tf times idf, l2-normalised; ``None`` (an unknown n-gram) is dropped."""
        counts.pop(None, None)
        idf = self._idf_list
        vec = {k: (1.0 + math.log(c)) * idf[k] if c > 1 else idf[k] for k, c in counts.items()}
        scale = 1.0 / (math.sqrt(math.fsum(v * v for v in vec.values())) or 1.0)
        return {k: v * scale for k, v in vec.items()}

    @property
    def _idf_list(self) -> list[float]:
        cached = self.__dict__.get("_idf_cache")
        if cached is None:
            idf = self.idf
            if isinstance(idf, bytes | bytearray | memoryview):
                from array import array

                values = array("f")
                values.frombytes(idf)
                cached = values.tolist()  # the same doubles as float() of each numpy float32
            else:
                cached = [float(x) for x in idf]  # type: ignore[attr-defined]
            self.__dict__["_idf_cache"] = cached
        return cached

    @property
    def _weight_matrix(self) -> Any:
        weights = self.weights
        if isinstance(weights, bytes | bytearray | memoryview):
            weights = self.weights = _array(weights, "<f4", (len(self.vocabulary), len(self.categories)))
        return weights

    def batch_probabilities(self, vectors: list[dict[int, float]]) -> list[list[float]]:
        """Each vector's confidence per category (sigmoid of the linear models), in one pass over the weights."""
        if not vectors:
            return []
        import numpy as np  # here, not at load: a reply too short for the model never needs numpy

        sizes = [len(v) for v in vectors]
        indexes = np.array([k for v in vectors for k in v], dtype=np.int64)
        values = np.array([x for v in vectors for x in v.values()], dtype=np.float32)
        contributions = self._weight_matrix[indexes] * values[:, None]
        scores = np.zeros((len(vectors), len(self.categories)), dtype=np.float64)
        starts = np.cumsum([0, *sizes[:-1]])
        nonempty = [i for i, size in enumerate(sizes) if size]
        if nonempty:
            sums = np.add.reduceat(contributions, starts[nonempty], axis=0)
            scores[nonempty] = sums
        scores += np.asarray(self.bias)
        return (1.0 / (1.0 + np.exp(-scores))).tolist()

    def unit_vectors(self, norm: NormText, ranges: list[tuple[int, int]]) -> list[dict[int, float]]:
        """``vector()`` of each unit range, sharing the lookups of interior n-grams between units.

        Units overlap (sentences, windows, the whole reply); the n-grams inside a
        unit are the same whichever unit holds them, only the edge-marked ones
        (``^`` / ``$``) differ.  Same result as ``vector(chars[b:e], sounds[b:e])``.
        """
        chars, sounds = norm.chars, norm.sounds
        n = len(chars)
        get = self.vocabulary.get
        uni = [get(c) for c in chars]
        bi = [get(chars[i : i + 2]) for i in range(n - 1)]
        tri = [get(chars[i : i + 3]) for i in range(n - 2)]
        snd = [get("~" + sounds[i : i + 2]) for i in range(n - 1)]
        out = []
        for b, e in ranges:
            ids = [*uni[b:e], *bi[b : e - 1], *tri[b : e - 2], *snd[b : e - 1]]
            ids += [
                get("^" + chars[b]),
                get(chars[e - 1] + "$"),
                get("^" + chars[b : b + 2]) if e - b >= 2 else get("^" + chars[b] + "$"),
                get(chars[e - 2 : e] + "$") if e - b >= 2 else None,
            ]
            out.append(self._weigh(Counter(ids)))  # counted in C
        return out

    def scores(self, norm: NormText) -> dict[str, tuple[float, tuple[int, int], dict[int, float]]]:
        """Best confidence per category over the reply's units, with the unit range and its vector."""
        best: dict[str, tuple[float, tuple[int, int], dict[int, float]]] = {}
        # A few characters give the model nothing to go on (你好 is no self-introduction).
        ranges = [(b, e) for b, e in units(norm) if e - b >= MIN_UNITS]
        vectors = self.unit_vectors(norm, ranges)
        for (begin, end), vec, probs in zip(ranges, vectors, self.batch_probabilities(vectors), strict=False):
            for category, p in zip(self.categories, probs, strict=False):
                if category not in best or p > best[category][0]:
                    best[category] = (p, (begin, end), vec)
        return best

    def judge(self, text: str, norm: NormText | None = None, skip: Iterable[str] = ()) -> list[LearnedHit]:
        """Learned hits at or above ``POSSIBLE``; ``counted`` when at or above the category's threshold.

        ``skip``: categories already found (by the rules); no hit is made for them.
        """
        skip = set(skip)
        norm = norm or normalize(text)
        if not norm.chars:
            return []
        scores = self.scores(norm)
        similarities: dict[int, object] = {}

        def nearest(category: str, vec: dict[int, float]) -> tuple[str, str]:
            if self.prototypes is None:
                return "", ""
            if id(vec) not in similarities:
                similarities[id(vec)] = self.prototypes.similarities(vec)
            return self.prototypes.nearest(category, similarities[id(vec)])

        out = []
        for category, (p, (begin, end), vec) in scores.items():
            if p < POSSIBLE or category == ANY or category in skip:
                continue
            threshold = self.thresholds.get(category, 2.0)
            out.append(
                LearnedHit(
                    category, round(p, 3), norm.span(begin, end), p >= threshold, partial(nearest, category, vec)
                )
            )
        # The pooled model sees every prohibited example, so it is surer than
        # any one category's model; when it is sure and no category model is,
        # the likeliest category is named.
        if (
            ANY in scores
            and self.prohibited
            and not skip & set(self.prohibited)
            and not any(h.counted and h.category in self.prohibited for h in out)
        ):
            p, _, _ = scores[ANY]
            if p >= self.thresholds.get(ANY, 2.0):
                best = max(self.prohibited, key=lambda c: scores[c][0] if c in scores else 0.0)
                # Name a category only when its own model leans that way too.
                if best in scores and scores[best][0] >= POSSIBLE:
                    _, (begin, end), vec = scores[best]
                    out = [h for h in out if h.category != best]
                    out.append(LearnedHit(best, round(p, 3), norm.span(begin, end), True, partial(nearest, best, vec)))
        return out

    # -- cache ---------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the stage to ``path`` (atomically, with a checksum: see :mod:`simulator.cache`)."""
        import numpy as np

        protos = self.prototypes
        if protos is not None:
            protos._arrays()
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        data = {
            "format": FORMAT_VERSION,
            "key": self.key,
            "categories": self.categories,
            "bias": [float(b) for b in self.bias],
            "thresholds": self.thresholds,
            "prohibited": self.prohibited,
            "words": words,
            "weights": np.ascontiguousarray(self._weight_matrix, dtype="<f4").tobytes(),
            "idf": np.ascontiguousarray(self.idf, dtype="<f4").tobytes(),
            "texts": protos.texts if protos else [],
            "origins": protos.origins if protos else [],
            "by_category": {c: [int(i) for i in v] for c, v in protos.by_category.items()} if protos else {},  # type: ignore[attr-defined]
            "ptr": np.ascontiguousarray(protos.ptr, dtype="<i8").tobytes() if protos else b"",
            "ids": np.ascontiguousarray(protos.ids, dtype="<i4").tobytes() if protos else b"",
            "values": np.ascontiguousarray(protos.values, dtype="<f4").tobytes() if protos else b"",
        }
        write(path, marshal.dumps(data))

    @classmethod
    def load(cls, path: Path, key: str) -> LearnedStage | None:
        """The stage cached at ``path`` for ``key``; None if absent, stale, of another format or damaged."""
        payload = read(path)
        if payload is None:
            return None
        try:
            data = marshal.loads(payload)
            if data.get("format") != FORMAT_VERSION or data.get("key") != key:
                return None
            words, categories = data["words"], data["categories"]
            if len(data["weights"]) != 4 * len(words) * len(categories) or len(data["idf"]) != 4 * len(words):
                return None
            protos = Prototypes(
                data["texts"], data["origins"], dict(data["by_category"]), data["ptr"], data["ids"], data["values"]
            )
            return cls(
                categories=categories,
                vocabulary=dict(zip(words, range(len(words)), strict=False)),
                idf=data["idf"],
                weights=data["weights"],
                bias=data["bias"],
                thresholds=data["thresholds"],
                prototypes=protos,
                key=key,
                prohibited=data.get("prohibited", []),
            )
        except (ValueError, EOFError, TypeError, KeyError, AttributeError):
            return None


def with_any(examples: list[Example], prohibited: set[str]) -> list[Example]:
    """Add the pooled ANY label: positive with any prohibited category, negative with none possible."""
    out = []
    for e in examples:
        if e.positive & prohibited:
            out.append(Example(e.text, e.positive | {ANY}, e.negative, e.origin))
        elif prohibited <= e.negative:
            out.append(Example(e.text, e.positive, e.negative | {ANY}, e.origin))
        else:
            out.append(e)
    return out


def train(
    examples: list[Example],
    categories: list[str],
    calibration: list[Example] | None = None,
    *,
    key: str = "",
    prohibited: list[str] | None = None,
    known: list[set[str]] | None = None,
) -> LearnedStage:
    """Fit one logistic regression per category; set thresholds on ``calibration``."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    norms = [normalize(e.text) for e in examples]
    docs = [features(n.chars, n.sounds) for n in norms]
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True, min_df=2, norm="l2")
    matrix = vectorizer.fit_transform(docs)
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    idf = [float(x) for x in vectorizer.idf_]
    weights = np.zeros((len(vocabulary), len(categories)), dtype=np.float32)
    bias = [-10.0] * len(categories)
    trained: list[str] = []
    for column, category in enumerate(categories):
        rows = [i for i, e in enumerate(examples) if category in e.positive or category in e.negative]
        labels = [1 if category in examples[i].positive else 0 for i in rows]
        if sum(labels) < 5 or len(labels) - sum(labels) < 5:
            continue
        model = LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=0)
        model.fit(matrix[rows], labels)
        weights[:, column] = model.coef_[0]
        bias[column] = float(model.intercept_[0])
        trained.append(category)
    stage = LearnedStage(
        categories,
        vocabulary,
        np.asarray(idf, dtype=np.float32),
        weights,
        bias,
        thresholds={},
        key=key,
        prohibited=list(prohibited or []),
    )
    vectors: list[Any] = []
    texts: list[str] = []
    origins: list[Any] = []
    by_category: dict[str, list[int]] = {}
    for example, norm in zip(examples, norms, strict=False):
        wanted = [c for c in example.positive if c in trained]
        if not wanted:
            continue
        for category in wanted:
            by_category.setdefault(category, []).append(len(texts))
        vectors.append(stage.vector(norm.chars, norm.sounds))
        texts.append(example.text)
        origins.append(example.origin)
    stage.prototypes = Prototypes.build(vectors, len(vocabulary), texts, origins, by_category)
    stage.thresholds = calibrate(stage, calibration or [], trained, known)
    return stage


def calibrate(
    stage: LearnedStage, examples: list[Example], categories: list[str], known: list[set[str]] | None = None
) -> dict[str, float]:
    """Per category, the lowest confidence whose hits kept precision >= TARGET_PRECISION.

    For prohibited categories (and ANY) only the hits the stage *adds* count:
    ``known[i]`` lists the categories the rules already find in
    ``examples[i]``, and a learned hit there changes nothing.  A wrongly added
    prohibited hit costs a trainee points, so that is the precision to keep.
    """
    scored = []
    prohibited = set(stage.prohibited)
    for index, example in enumerate(examples):
        best = stage.scores(normalize(example.text))
        found = known[index] if known is not None else set()
        scored.append((example, {c: v[0] for c, v in best.items()}, found))
    thresholds: dict[str, float] = {}
    grid = [round(MIN_COUNT + i * 0.02, 2) for i in range(int((0.99 - MIN_COUNT) / 0.02) + 1)]
    for category in categories:
        pairs = [
            (probs.get(category, 0.0), category in ex.positive)
            for ex, probs, found in scored
            if (category in ex.positive or category in ex.negative)
            and not (category in prohibited and category in found)
            and not (category == ANY and found & prohibited)
        ]
        chosen = None
        for t in grid:
            predicted = [right for p, right in pairs if p >= t]
            if len(predicted) < MIN_SUPPORT:
                break
            wrong = len(predicted) - sum(predicted)
            if (len(predicted) - wrong) / len(predicted) >= TARGET_PRECISION and wrong <= max(1, len(predicted) // 20):
                chosen = t
                break
        if chosen is not None and category != ANY:
            thresholds[category] = chosen
    if ANY in categories and known is not None:
        any_threshold = _calibrate_any(scored, thresholds, prohibited, grid)
        if any_threshold is not None:
            thresholds[ANY] = any_threshold
    return thresholds


def _calibrate_any(
    scored: list[tuple[Example, dict[str, float], set[str]]],
    thresholds: dict[str, float],
    prohibited: set[str],
    grid: list[float],
) -> float | None:
    """The lowest ANY threshold at which the whole engine's flags stay precise.

    A reply is flagged by a rule, by a category model over its threshold, or by
    the pooled model over ``t``; the engine's reply-level precision on the
    calibration set must stay at or above TARGET_PRECISION + 0.015 (a margin
    for new text), with at least MIN_SUPPORT replies flagged by the pooled
    model alone.
    """
    rows = []
    for example, probs, found in scored:
        if ANY not in example.positive and ANY not in example.negative:
            continue
        by_rest = bool(found & prohibited) or any(probs.get(c, 0.0) >= thresholds.get(c, 2.0) for c in prohibited)
        leaning = max((probs.get(c, 0.0) for c in prohibited), default=0.0) >= POSSIBLE
        rows.append((by_rest, probs.get(ANY, 0.0) if leaning else 0.0, ANY in example.positive))
    for t in grid:
        flagged = [(rest, right) for rest, p, right in rows if rest or p >= t]
        alone = sum(1 for rest, p, _ in rows if not rest and p >= t)
        if alone < MIN_SUPPORT:
            return None
        if flagged and sum(right for _, right in flagged) / len(flagged) >= TARGET_PRECISION + 0.015:
            return t
    return None


def cached_path(key: str, cache: Path | None = None) -> Path:
    return (cache or cache_dir()) / f"learned-{key}.bin"


def load_or_train(key: str, build: Callable[[], LearnedStage], cache: Path | None = None) -> LearnedStage:
    """The stage for ``key``: from the cache, or built (trained), cached and the stale ones removed."""
    path = cached_path(key, cache)
    stage = LearnedStage.load(path, key) if path.exists() else None
    if stage is None:
        stage = build()
        stage.key = key
        stage.save(path)  # a read-only cache only costs the next start a retrain
        try:
            for old in [*path.parent.glob("learned-*.npz"), *path.parent.glob("learned-*.bin")]:
                if old != path and old.stat().st_mtime < path.stat().st_mtime - 60:
                    old.unlink(missing_ok=True)
        except OSError:
            pass
    return stage

"""Judge one reply: hits, score and what to say instead."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .matcher import Hit, Matcher
from .moment import NO_MOMENT, Moment
from .scoring import Score, score_moment, score_reply
from .text import normalize

# The longest reply judge() accepts, in characters as typed.  A trainee's turn is
# a few sentences (the longest of the 4,187 corpus replies has 130 characters); scoring
# time grows linearly with length (benchmarks/bench_long_replies.py), and 2,000
# keeps the worst reply within tens of milliseconds.  Adapters (CLI, TUI) catch
# ReplyTooLong and show its message; the internal ``scan`` has no limit.
MAX_REPLY_CHARS = 2000


class ReplyTooLong(ValueError):
    """A reply longer than ``MAX_REPLY_CHARS``; ``str()`` is the message for the trainee (Chinese)."""

    def __init__(self, length: int, limit: int = MAX_REPLY_CHARS):
        self.length = length
        self.limit = limit
        super().__init__(f"回复太长（{length} 字），每条回复最多 {limit} 字，请分几次说")


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on one reply."""

    text: str
    prohibited: tuple[Hit, ...]
    standard: tuple[Hit, ...]
    score: Score
    missed: tuple[str, ...] = field(default=())  # required categories the reply lacks
    missed_any: tuple[str, ...] = field(default=())  # the any-of group, when none of it was done
    missed_labels: tuple[str, ...] = field(default=())  # the same, for people
    possible: tuple[Hit, ...] = field(default=())  # 疑似: learned hits below the counting threshold, no points
    uncredited: tuple[Hit, ...] = field(default=())  # standard phrases this moment does not ask for, or repeated
    repeated: bool = False  # nearly the same as an earlier reply of the session

    @property
    def prohibited_categories(self) -> list[str]:
        return list(dict.fromkeys(h.category for h in self.prohibited))

    @property
    def standard_categories(self) -> list[str]:
        return list(dict.fromkeys(h.category for h in self.standard))

    def to_json(self) -> dict[str, Any]:
        """As in the ``score --format json|jsonl`` contract."""
        return {
            "text": self.text,
            "score": self.score.value,
            "prohibited": [h.to_json() for h in self.prohibited],
            "standard": [h.to_json() for h in self.standard],
            "possible": [h.to_json() | {"kind": h.kind} for h in self.possible],
            "uncredited": [h.to_json() for h in self.uncredited],
        }


def judge(
    matcher: Matcher,
    text: str,
    *,
    required: Iterable[str] = (),
    extra_prohibited: Iterable[str] = (),
    any_of: Iterable[str] = (),
    timed_out: bool = False,
    moment: Moment | None = None,
    repeated: bool = False,
) -> Judgement:
    """Judge ``text``.

    Args:
        required: standard categories this moment requires (missing ones cost points).
        extra_prohibited: standard categories that count as prohibited at this
            moment (a scenario node may forbid, say, ``fee_explained_in_advance``
            before the diagnosis). Unknown ids are ignored here; scenario
            validation reports them.
        any_of: standard categories of which the reply must do at least one.
        timed_out: the trainee did not answer in time (costs TIMEOUT_PENALTY).
        moment: the scenario node the reply answers; when given, its
            expectations are used for the three arguments above.
        repeated: the reply is nearly identical to one the trainee already
            gave in this session: its standard phrases earn nothing.

    Only the standard categories the moment expects (required, any_of,
    optional) earn credit; one all-purpose reply stuffed with every polite
    phrase must not outscore answering the moment.  With no expectations
    (plain ``simulator score``) every standard category counts.

    Raises:
        ReplyTooLong: ``text`` has more than ``MAX_REPLY_CHARS`` characters.
    """
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyTooLong(len(text))
    if moment is not None:
        required, extra_prohibited, any_of = moment.required, moment.prohibited, moment.any_of
    else:
        moment = Moment(required=tuple(required), any_of=tuple(any_of), prohibited=tuple(extra_prohibited))
    hits, possible = scan(matcher, text, moment)
    extra = set(extra_prohibited)
    prohibited = tuple(h for h in hits if h.kind == "prohibited" or h.category in extra)
    found_standard = tuple(h for h in hits if h.kind == "standard" and h.category not in extra)
    expected = moment.expected
    standard = tuple(h for h in found_standard if not repeated and (not expected or h.category in expected))
    uncredited = tuple(h for h in found_standard if h not in standard)
    categories = matcher.categories
    used = {h.category for h in standard}
    missed = tuple(c for c in dict.fromkeys(required) if c not in used and c in categories)
    group = tuple(c for c in dict.fromkeys(any_of) if c in categories)
    missed_any = group if group and not used & set(group) else ()
    missed_items = [(c, categories[c].label) for c in missed]
    if missed_any:
        missed_items.append(("|".join(missed_any), "以下之一：" + "、".join(categories[c].label for c in missed_any)))
    broken = [
        (c, categories[c].label, categories[c].severity or "major")
        for c in dict.fromkeys(h.category for h in prohibited)
    ]
    notes = ["与你之前的回复几乎相同：常用语不再计分"] if repeated else []
    if expected:
        demanded = [c for c in dict.fromkeys(required) if c in categories]
        met = [(c, categories[c].label) for c in demanded if c in used]
        if group and not missed_any:
            done = next(c for c in group if c in used)
            met.append((done, categories[done].label))
        optional = [
            c for c in dict.fromkeys(moment.optional) if c in categories and c not in demanded and c not in group
        ]
        score = score_moment(
            met=met,
            missed=missed_items,
            optional_done=[(c, categories[c].label) for c in optional if c in used],
            optional_count=len(optional),
            prohibited=broken,
            timed_out=timed_out,
            notes=notes,
            rule=moment.rule,
        )
    else:
        score = score_reply(
            standard=[(c, categories[c].label) for c in dict.fromkeys(h.category for h in standard)],
            prohibited=broken,
            missed_required=missed_items,
            timed_out=timed_out,
            notes=notes,
        )
    return Judgement(
        text=text,
        prohibited=prohibited,
        standard=standard,
        score=score,
        missed=missed,
        missed_any=missed_any,
        missed_labels=tuple(label for _, label in missed_items),
        possible=possible,
        uncredited=uncredited,
        repeated=repeated,
    )


_QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’", '"': '"', "《": "》"}


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of text inside quotation marks (the marks excluded)."""
    spans = []
    i = 0
    while i < len(text):
        close = _QUOTES.get(text[i])
        if close is not None:
            end = text.find(close, i + 1)
            if end > i + 1:
                spans.append((i + 1, end))
                i = end
        i += 1
    return spans


def _inside(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    """Whether most of ``inner`` lies within ``outer``."""
    overlap = min(inner[1], outer[1]) - max(inner[0], outer[0])
    return overlap > 0 and overlap * 2 >= inner[1] - inner[0]


class _Spans:
    """Spans sorted by start, asked which of them a span lies in (a long reply has thousands of hits)."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]
        self.longest = max((end - start for start, end in self.spans), default=0)

    def contains(self, inner: tuple[int, int]) -> bool:
        """Whether one span contains ``inner`` wholly (the spans do not overlap each other)."""
        at = bisect_right(self.starts, inner[0]) - 1
        return at >= 0 and inner[1] <= self.spans[at][1]

    def mostly_covers(self, inner: tuple[int, int]) -> bool:
        """Whether most of ``inner`` lies within one span: only spans starting less than
        the longest span's length before ``inner`` can reach it."""
        at = bisect_left(self.starts, inner[1]) - 1
        while at >= 0 and self.starts[at] > inner[0] - self.longest:
            if _inside(inner, self.spans[at]):
                return True
            at -= 1
        return False


def scan(matcher: Matcher, text: str, moment: Moment = NO_MOMENT) -> tuple[list[Hit], tuple[Hit, ...]]:
    """Rule hits plus counted learned hits, and the 疑似 (possible) ones.

    Text inside a prohibited hit never earns a standard credit (放心 inside
    “放心，我保证明天修好” is part of the promise, not reassurance).  A learned
    hit is added only for a category the rules did not find; a prohibited one
    is dropped when the reply also does a standard category that remedies it,
    as for rule hits.
    """
    norm = normalize(text)
    hits = matcher.scan(text, moment, norm)
    stage = getattr(matcher, "learned", None)
    possible: list[Hit] = []
    if stage is not None and norm.chars:
        found = {h.category for h in hits}
        learned = [lh for lh in stage.judge(text, norm, skip=found) if lh.category in matcher.categories]
        remedies = [(h.category, h.span) for h in hits if h.kind == "standard"]
        remedies += [
            (lh.category, lh.span)
            for lh in learned
            if lh.counted and matcher.categories[lh.category].kind == "standard"
        ]
        for lh in learned:
            spec = matcher.categories[lh.category]
            if matcher.excepted(norm, lh.category, lh.span, moment):
                continue
            if spec.learned_requires and not any(
                word in normalize(text[lh.span[0] : lh.span[1]]).chars for word in matcher.required_words(spec.id)
            ):
                continue  # e.g. a refusal with no negative word in it is no refusal
            if spec.kind == "prohibited" and any(
                category in spec.remedied_by and span[1] > lh.span[0] for category, span in remedies
            ):
                continue
            hit = Hit(
                category=spec.id,
                kind=spec.kind,
                label=spec.label,
                phrase_id=f"learned/{spec.id}",
                matched=text[lh.span[0] : lh.span[1]],
                span=lh.span,
                similarity=round(lh.confidence * 100),
                severity=spec.severity,
                source=spec.source_text,
                suggestion=spec.suggestion,
                stage="learned",
                confidence=lh.confidence,
                # 疑似 standard hits are never shown to a trainee: no need to explain them.
                nearest=lh.nearest if lh.counted or spec.kind == "prohibited" else None,
            )
            (hits if lh.counted else possible).append(hit)
    quoted = quoted_spans(text)
    if quoted:  # the customer's words quoted back are not the trainee's own
        quotes = _Spans(quoted)  # one after another, never overlapping
        hits = [h for h in hits if h.kind != "prohibited" or not quotes.contains(h.span)]
        possible = [h for h in possible if h.kind != "prohibited" or not quotes.contains(h.span)]
    blocking = [h.span for h in hits if h.kind == "prohibited" and h.stage == "rule"]
    if blocking:
        blocks = _Spans(blocking)
        hits = [h for h in hits if h.kind == "prohibited" or not blocks.mostly_covers(h.span)]
    shadowing = [h for h in hits if h.kind == "prohibited" and matcher.categories[h.category].shadows]
    if shadowing:  # 您放心 beside a rash promise is part of the promise, not reassurance
        sentences = [norm.span(begin, end) for begin, end in norm.sentences]
        sentence_starts = [start for start, _ in sentences]

        def sentence_of(span: tuple[int, int]) -> int:
            at = bisect_right(sentence_starts, span[0]) - 1  # sentences follow one another
            return at if at >= 0 and span[0] < sentences[at][1] else -1

        shadowed = {
            (sentence_of(h.span), category) for h in shadowing for category in matcher.categories[h.category].shadows
        }
        hits = [h for h in hits if h.kind == "prohibited" or (sentence_of(h.span), h.category) not in shadowed]
    hits.sort(key=lambda h: (h.span[0], h.span[1], h.category))
    possible.sort(key=lambda h: (h.span[0], h.span[1], h.category))
    return hits, tuple(possible)

"""Judge one reply: hits, score and what to say instead."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .matcher import Hit, Matcher
from .scoring import Score, score_reply


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
        }


def judge(
    matcher: Matcher,
    text: str,
    *,
    required: Iterable[str] = (),
    extra_prohibited: Iterable[str] = (),
    any_of: Iterable[str] = (),
    timed_out: bool = False,
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
    """
    hits = matcher.scan(text)
    extra = set(extra_prohibited)
    prohibited = tuple(h for h in hits if h.kind == "prohibited" or h.category in extra)
    standard = tuple(h for h in hits if h.kind == "standard" and h.category not in extra)
    categories = matcher.categories
    used = {h.category for h in standard}
    missed = tuple(c for c in dict.fromkeys(required) if c not in used and c in categories)
    group = tuple(c for c in dict.fromkeys(any_of) if c in categories)
    missed_any = group if group and not used & set(group) else ()
    missed_items = [(c, categories[c].label) for c in missed]
    if missed_any:
        missed_items.append(("|".join(missed_any), "以下之一：" + "、".join(categories[c].label for c in missed_any)))
    score = score_reply(
        standard=[(c, categories[c].label) for c in dict.fromkeys(h.category for h in standard)],
        prohibited=[
            (c, categories[c].label, categories[c].severity or "major")
            for c in dict.fromkeys(h.category for h in prohibited)
        ],
        missed_required=missed_items,
        timed_out=timed_out,
    )
    return Judgement(
        text=text,
        prohibited=prohibited,
        standard=standard,
        score=score,
        missed=missed,
        missed_any=missed_any,
        missed_labels=tuple(label for _, label in missed_items),
    )

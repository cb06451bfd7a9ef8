"""复核与校准: trainers correct the engine's judgements, and the corrections teach it (pure).

* :func:`review_queue` orders judged turns by where a trainer's time helps
  most: disputed turns, then learned-stage hits near their threshold and 疑似
  hits, then turns where the customer's mood fell sharply with no prohibited
  hit, then a small stable random sample of ordinary turns (which measures
  precision).
* :func:`labelled` turns a reviewed turn and its marks into a labelled item
  (the ``corpus/*.yaml`` shape): what ``eval --reviewed`` measures and
  ``corpus export`` writes.
* :func:`suggestion` proposes the phrasebook change a mark calls for: an
  ``exceptions`` entry for a false alarm, a phrase for a miss.  Nothing is
  written here; the CLI shows it with its effect and writes it only when the
  trainer accepts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .record import Dispute, Mark, SessionRecord, TurnRecord

SAMPLE_PER_MILLE = 50  # ordinary turns drawn into the queue: 5 %, the same ones every time
MOOD_DROP = 15  # a fall this steep with no prohibited hit deserves a look
NEAR = 0.15  # a learned hit whose confidence is this close to the 0.5 line is uncertain

REASONS = {
    0: "学员申诉",
    1: "模型把握不大或疑似",
    2: "客户情绪骤降却没判禁用语",
    3: "随机抽查",
}


@dataclass(frozen=True, slots=True)
class QueueItem:
    session: SessionRecord
    turn: TurnRecord
    priority: int  # 0 first; see REASONS
    detail: str  # why, in Chinese

    @property
    def key(self) -> str:
        return f"{self.session.id}:{self.turn.n}"

    @property
    def reason(self) -> str:
        return REASONS[self.priority]

    def to_json(self) -> dict[str, Any]:
        return {
            "turn": self.key,
            "session": self.session.id,
            "n": self.turn.n,
            "trainee": self.session.trainee,
            "scenario": self.session.scenario,
            "started_at": self.session.started_at,
            "priority": self.priority,
            "reason": self.reason,
            "detail": self.detail,
            "reply": self.turn.reply,
            "prohibited": sorted({h.category for h in self.turn.prohibited}),
            "standard": sorted({h.category for h in self.turn.standard}),
        }


def _sampled(session_id: int, n: int) -> bool:
    digest = hashlib.sha256(f"{session_id}:{n}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 1000 < SAMPLE_PER_MILLE


def review_queue(
    turns: Iterable[tuple[SessionRecord, TurnRecord]],
    disputed: dict[tuple[int, int], str],
    reviewed: set[tuple[int, int]],
) -> list[QueueItem]:
    """Judged turns worth a trainer's look, most useful first.

    Args:
        disputed: (session, turn) -> the trainee's comment; a disputed turn
            heads the queue even when it was reviewed before the dispute.
        reviewed: (session, turn) already marked (left out unless disputed).
    """
    queue = []
    for session, turn in turns:
        key = (session.id, turn.n)
        if turn.timed_out:
            continue
        if key in disputed:
            queue.append(QueueItem(session, turn, 0, disputed[key] or "（没有说明）"))
            continue
        if key in reviewed:
            continue
        uncertain = [h for h in turn.prohibited if h.stage == "learned" and abs((h.confidence or 0) - 0.5) < NEAR]
        if uncertain or turn.possible:
            hit = (uncertain or list(turn.possible))[0]
            queue.append(QueueItem(session, turn, 1, f"{hit.category}「{hit.matched}」"))
        elif turn.mood_delta <= -MOOD_DROP and not turn.prohibited:
            queue.append(QueueItem(session, turn, 2, f"情绪 {turn.mood_before} → {turn.mood}"))
        elif _sampled(session.id, turn.n):
            queue.append(QueueItem(session, turn, 3, ""))
    queue.sort(key=lambda q: (q.priority, q.session.started_at, q.session.id, q.turn.n))
    return queue


def queue_from(
    turns: Iterable[tuple[SessionRecord, TurnRecord]], disputes: Iterable[Dispute], marks: Iterable[Mark]
) -> list[QueueItem]:
    """The review queue from the store's turns, disputes and marks.

    A dispute raised after the turn's last mark is open (it heads the queue);
    one the trainer has answered since is settled.
    """
    last_mark: dict[tuple[int, int], str] = {}
    for mark in marks:
        key = (mark.session_id, mark.n)
        last_mark[key] = max(last_mark.get(key, ""), mark.created_at)
    open_disputes: dict[tuple[int, int], str] = {}
    for dispute in disputes:
        key = (dispute.session_id, dispute.n)
        if key not in last_mark or dispute.created_at > last_mark[key]:
            open_disputes[key] = dispute.comment
    return review_queue(turns, open_disputes, set(last_mark))


def labelled(session: SessionRecord, turn: TurnRecord, marks: Iterable[Mark]) -> dict[str, Any]:
    """The turn as a labelled item (corpus shape), the engine's verdict corrected by the active marks."""
    prohibited = {h.category for h in turn.prohibited}
    standard = {h.category for h in turn.standard}
    notes = []
    for mark in marks:
        if not mark.active:
            continue
        if mark.kind == "false_alarm":
            prohibited.discard(mark.category)
        elif mark.kind == "missed":
            prohibited.add(mark.category)
        elif mark.kind == "wrong_credit":
            standard.discard(mark.category)
        elif mark.kind == "missing_credit":
            standard.add(mark.category)
        notes.append(
            f"{mark.reviewer}：{mark.kind} {mark.category}".strip() + (f"（{mark.comment}）" if mark.comment else "")
        )
    item: dict[str, Any] = {
        "id": f"reviewed-{session.id}-{turn.n}",
        "reply": turn.reply,
        "prohibited": bool(prohibited),
        "prohibited_matches": sorted(prohibited),
        "standard": sorted(standard),
        "scenario": session.scenario,
        "node": turn.node,
        "customer": turn.customer,
    }
    if notes:
        item["note"] = "复核：" + "；".join(notes)
    return item


def judged_as(turn: TurnRecord) -> tuple[set[str], set[str]]:
    """(prohibited, standard) categories the engine gave the turn when it was played."""
    return {h.category for h in turn.prohibited}, {h.category for h in turn.standard}


def corpus_yaml(items: list[dict[str, Any]], name: str = "reviewed") -> str:
    """A ``corpus/*.yaml`` file of reviewed turns (``simulator validate`` accepts it)."""
    document = {
        "name": name,
        "description": "复核过的练习回合：引擎当时的判定经培训师纠正后的标注。",
        "items": items,
    }
    import yaml  # here: every command imports this module (through the CLI parser)

    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed phrasebook change: one category entry with ``extend: true``."""

    category: str
    kind: str  # "exception" (a false alarm) or "phrase" (a miss)
    text: str  # the exception or the phrase
    example: str  # the reply it is taken from, for the entry's own examples

    def entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.category, "extend": True}
        if self.kind == "exception":
            entry["exceptions"] = [self.text]
            entry["examples"] = {"clean": [self.example]}
        else:
            entry["phrases"] = [self.text]
            start = self.example.find(self.text)
            marked = self.example[:start] + "[" + self.text + "]" + self.example[start + len(self.text) :]
            entry["examples"] = {"hit": [marked if start >= 0 else f"[{self.text}]"]}
        return entry

    def describe(self) -> str:
        if self.kind == "exception":
            return f"把「{self.text}」加为类别 {self.category} 的例外（这样说不算违规）"
        return f"把「{self.text}」加为类别 {self.category} 的说法（这样说算违规）"


def suggestion(mark: Mark, turn: TurnRecord) -> Suggestion | None:
    """The phrasebook change a mark calls for, or None (a confirmation, a credit fix, a miss without words)."""
    if mark.kind == "false_alarm":
        hit = next((h for h in turn.prohibited if h.category == mark.category), None)
        if hit is None or hit.stage != "rule":
            return None  # a learned hit is corrected by exporting the marks to the corpus, not by a rule
        return Suggestion(mark.category, "exception", hit.matched, turn.reply)
    if mark.kind == "missed" and mark.words and 2 <= len(mark.words) <= 40:
        return Suggestion(mark.category, "phrase", mark.words, turn.reply)
    return None


def phrasebook_yaml(existing: dict[str, Any] | None, suggestions: list[Suggestion]) -> str:
    """The user's suggestions file with ``suggestions`` merged in (one entry per category)."""
    document = existing or {"version": 1, "categories": []}
    categories: list[dict[str, Any]] = document.setdefault("categories", [])
    for item in suggestions:
        entry = next((c for c in categories if c.get("id") == item.category), None)
        new = item.entry()
        if entry is None:
            categories.append(new)
            continue
        for key in ("phrases", "exceptions"):
            if key in new:
                entry[key] = list(dict.fromkeys([*entry.get(key, []), *new[key]]))
        examples = entry.setdefault("examples", {})
        for key, values in new.get("examples", {}).items():
            examples[key] = list(dict.fromkeys([*examples.get(key, []), *values]))
    import yaml  # here: every command imports this module (through the CLI parser)

    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)

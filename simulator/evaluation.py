"""Measure the judging engine against a labelled set (such as shared/eval/dev.yaml).

The set is a measure, never content: nothing here feeds the phrasebook.

Metrics:

* prohibited detection, per reply: a reply is *flagged* when any prohibited
  category hits; precision and recall against the ``prohibited`` label;
* per category: precision/recall/F1, where labels in ``*_optional`` are
  neither required nor penalised;
* standard categories: micro precision/recall/F1 over (reply, category) pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import KIND_LABELS, load_corpus_file
from .judge import scan
from .matcher import Matcher
from .moment import NO_MOMENT


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Miss:
    """One item where the engine and the label disagree."""

    id: str
    reply: str
    missing: list[str]
    extra: list[str]


@dataclass
class Report:
    items: int = 0
    flagged: Counts = field(default_factory=Counts)
    prohibited_micro: Counts = field(default_factory=Counts)
    standard_micro: Counts = field(default_factory=Counts)
    per_category: dict[str, Counts] = field(default_factory=dict)
    per_kind: dict[str, dict[str, Counts]] = field(default_factory=dict)  # kind -> flagged / standard
    confusions: dict[tuple[str, str], int] = field(default_factory=dict)  # (wanted, found instead) -> count
    misses: list[Miss] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "prohibited_detection": self.flagged.as_dict(),
            "prohibited_categories_micro": self.prohibited_micro.as_dict(),
            "standard_categories_micro": self.standard_micro.as_dict(),
            "per_category": {k: v.as_dict() for k, v in sorted(self.per_category.items())},
            "per_kind": {
                kind: {name: counts.as_dict() for name, counts in parts.items()}
                for kind, parts in sorted(self.per_kind.items())
            },
            "confusions": [
                {"label": want, "found": got, "count": n}
                for (want, got), n in sorted(self.confusions.items(), key=lambda kv: -kv[1])
            ],
            "misses": [m.__dict__ for m in self.misses],
        }


def load_items(path: Path) -> list[dict[str, Any]]:
    """The items of a labelled set as plain dicts (corpus item shape, checked)."""

    out = []
    for entry in load_corpus_file(path):
        item = entry.item.model_dump(exclude_none=True)
        item.setdefault("id", entry.key)
        out.append(item)
    return out


def _labels(item: dict[str, Any], key: str) -> set[str]:
    value = item.get(key) or []
    return {str(v) for v in value} if isinstance(value, list) else set()


def evaluate(
    matcher: Matcher | None,
    items: Iterable[dict[str, Any]],
    scenarios: dict[str, Any] | None = None,
    judged: Callable[[dict[str, Any]], tuple[set[str], set[str]]] | None = None,
) -> Report:
    """Judge every item (in its scenario moment when it names one) and compare with its labels.

    ``judged`` gives an item's (prohibited, standard) categories instead of
    judging it now: how reviewed turns were judged when they were played.
    """

    report = Report()
    for item in items:
        report.items += 1
        if judged is not None:
            found_p, found_s = judged(item)
        else:
            assert matcher is not None
            moment = NO_MOMENT
            scenario = (scenarios or {}).get(item.get("scenario") or "")
            if scenario is not None and item.get("node") in scenario.nodes:
                moment = scenario.moment(item["node"], item.get("customer") or "")
            hits, _ = scan(matcher, item["reply"], moment)
            found_p = {h.category for h in hits if h.kind == "prohibited"}
            found_s = {h.category for h in hits if h.kind == "standard"}
        want_p, optional_p = _labels(item, "prohibited_matches"), _labels(item, "prohibited_optional")
        want_s, optional_s = _labels(item, "standard"), _labels(item, "standard_optional")
        is_prohibited = bool(item.get("prohibited", bool(want_p)))
        kind = str(item.get("kind") or "unspecified")
        parts = report.per_kind.setdefault(kind, {"flagged": Counts(), "standard": Counts()})
        for counts in (report.flagged, parts["flagged"]):
            if found_p and is_prohibited:
                counts.tp += 1
            elif found_p:
                counts.fp += 1
            elif is_prohibited:
                counts.fn += 1
        for found, want, optional, micros in (
            (found_p, want_p, optional_p, (report.prohibited_micro,)),
            (found_s, want_s, optional_s, (report.standard_micro, parts["standard"])),
        ):
            for category in found | want:
                counts = report.per_category.setdefault(category, Counts())
                if category in found and category in want:
                    counts.tp += 1
                    for micro in micros:
                        micro.tp += 1
                elif category in found and category not in optional:
                    counts.fp += 1
                    for micro in micros:
                        micro.fp += 1
                elif category in want and category not in found:
                    counts.fn += 1
                    for micro in micros:
                        micro.fn += 1
        for wanted in want_p - found_p:
            for got in (found_p - want_p - optional_p) or {"—"}:
                report.confusions[(wanted, got)] = report.confusions.get((wanted, got), 0) + 1
        missing = sorted((want_p - found_p) | (want_s - found_s))
        extra = sorted((found_p - want_p - optional_p) | (found_s - want_s - optional_s))
        if missing or extra or bool(found_p) != is_prohibited:
            report.misses.append(Miss(str(item.get("id", report.items)), item["reply"], missing, extra))
    return report


def report_text(report: Report, labels: dict[str, str]) -> str:
    """A table for people, in Chinese."""
    lines = [f"评测条目：{report.items}"]

    def row(name: str, counts: Counts) -> str:
        return (
            f"{name}  精确率 {counts.precision:.3f}  召回率 {counts.recall:.3f}  F1 {counts.f1:.3f}"
            f"  （TP {counts.tp} / FP {counts.fp} / FN {counts.fn}）"
        )

    lines.append(row("禁用语检出（按回复）", report.flagged))
    lines.append(row("禁用语类别（微平均）", report.prohibited_micro))
    lines.append(row("常用语类别（微平均）", report.standard_micro))
    lines.append("")
    lines.append("各类别：")
    for category, counts in sorted(report.per_category.items()):
        lines.append("  " + row(f"{labels.get(category, category)}（{category}）", counts))
    if report.per_kind:
        lines.append("")
        lines.append("各写法（禁用语按回复检出；常用语微平均）：")
        for kind, parts in sorted(report.per_kind.items()):
            flagged, standard = parts["flagged"], parts["standard"]
            lines.append(
                f"  {KIND_LABELS.get(kind, kind)}（{kind}）  禁用语 精确率 {flagged.precision:.3f} 召回率 {flagged.recall:.3f}"
                f"（TP {flagged.tp} / FP {flagged.fp} / FN {flagged.fn}）  常用语 F1 {standard.f1:.3f}"
            )
    if report.confusions:
        lines.append("")
        lines.append("漏检的禁用语被判成了（标注 → 实际）：")
        for (want, got), n in sorted(report.confusions.items(), key=lambda kv: -kv[1])[:15]:
            lines.append(f"  {labels.get(want, want)} → {labels.get(got, '未检出') if got != '—' else '未检出'}：{n}")
    if report.misses:
        lines.append("")
        lines.append("不一致的条目：")
        for miss in report.misses:
            detail = []
            if miss.missing:
                detail.append("漏检 " + "、".join(miss.missing))
            if miss.extra:
                detail.append("误报 " + "、".join(miss.extra))
            lines.append(f"  {miss.id}：{miss.reply}  → {'；'.join(detail) or '禁用语判断不一致'}")
    return "\n".join(lines)

"""The customer's mood: a 0–100 scale and the word for each band."""

from __future__ import annotations

MOOD_LABELS = [(20, "暴怒"), (40, "恼火"), (60, "不满"), (80, "平静"), (101, "满意")]


def mood_label(mood: int) -> str:
    for limit, label in MOOD_LABELS:
        if mood < limit:
            return label
    return MOOD_LABELS[-1][1]

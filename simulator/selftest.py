"""A phrasebook tests itself: every category's ``examples.hit`` must hit, its ``examples.clean`` must not.

A pass is remembered with the compiled phrasebook in the user cache (keyed by
the phrasebook files and the matching code, see :func:`simulator.matcher.load_matcher`),
so later starts skip the run (0.7 s saved per start).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .errors import Problem
from .hits import Hit
from .specs import CategorySpec

_EXAMPLE_MARK = re.compile(r"\[([^\[\]]+)\]")


def split_example(example: str) -> tuple[str, tuple[int, int] | None]:
    """``'您好，[这个不属于我负责]'`` -> (plain text, span of the bracketed part)."""
    found = _EXAMPLE_MARK.search(example)
    if not found:
        return example, None
    plain = example[: found.start()] + found.group(1) + example[found.end() :]
    return plain, (found.start(), found.start() + len(found.group(1)))


def example_failures(categories: Iterable[CategorySpec], scan: Callable[[str], list[Hit]]) -> list[Problem]:
    """Run every category's own examples through ``scan``; return the failures."""
    problems: list[Problem] = []
    for spec in categories:
        for example, where in spec.hit_examples:
            plain, expected = split_example(example)
            hits = [h for h in scan(plain) if h.category == spec.id]
            if expected is None:
                problems.append(Problem(*where, f"{spec.id}.examples.hit", "命中用例必须用 [ ] 标出应命中的文字"))
            elif not any(h.span == expected for h in hits):
                got = "、".join(f"“{h.matched}”" for h in hits) or "无"
                want = plain[expected[0] : expected[1]]
                problems.append(Problem(*where, f"{spec.id}.examples.hit", f"应命中“{want}”，实际命中：{got}"))
        for example, where in spec.clean_examples:
            hits = [h for h in scan(example) if h.category == spec.id]
            if hits:
                got = "、".join(f"“{h.matched}”（{h.phrase_id}）" for h in hits)
                problems.append(Problem(*where, f"{spec.id}.examples.clean", f"不应命中本类别，但命中了 {got}"))
    return problems

"""A phrasebook tests itself: every category's ``examples.hit`` must hit, its ``examples.clean`` must not.

A pass is remembered by the bytes of the phrasebook files and of the matching
code, so later starts skip the run (0.7 s saved per start).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import Problem
from .hits import Hit
from .phrasebook import CategorySpec

_EXAMPLE_MARK = re.compile(r"\[([^\[\]]+)\]")
# The modules whose code decides what an example hits: a change to any of them re-runs the self-test.
_ENGINE_MODULES = ("matcher.py", "patterns.py", "pattern_engine.py", "phrases.py", "context.py", "hits.py", "text.py")


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


def _key(files: Iterable[str]) -> str:
    """The phrasebook files' bytes and the matching code: what a self-test result depends on."""
    import hashlib

    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in [*files, *(str(here / module) for module in _ENGINE_MODULES)]:
        try:
            digest.update(Path(name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:24]


def _marker(files: Iterable[str]) -> Path:
    # Deferred as before the split: matching alone needs nothing of the learned stage.
    from .learned import cache_dir

    return cache_dir() / f"selftest-{_key(files)}.ok"


def passed_before(files: Iterable[str]) -> bool:
    """Whether exactly these phrasebook files already passed their own examples (0.7 s saved per start)."""
    try:
        return _marker(files).exists()
    except OSError:
        return False


def remember_pass(files: Iterable[str]) -> None:
    """Note that these phrasebook files passed (a convenience: failures to write are ignored)."""
    try:
        marker = _marker(files)
        marker.parent.mkdir(parents=True, exist_ok=True)
        for old in marker.parent.glob("selftest-*.ok"):
            old.unlink(missing_ok=True)
        marker.touch()
    except OSError:
        pass  # the cache is a convenience

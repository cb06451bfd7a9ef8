"""Content from several sources, where one bad file never stops the rest.

The product loads the bundled phrasebook and scenarios, then the trainers'
own files (their data directory, ``--phrasebook`` / ``--scenarios``).  A
trainer's file that does not load (a YAML slip, a typo in a category, an id
that is already taken) is left out with its problems, which the CLI prints
on stderr and the TUI shows in a banner; everything else keeps working.
Only a broken *bundled* phrasebook is fatal: there would be nothing to judge with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ContentError, Problem

if TYPE_CHECKING:
    from .matcher import Matcher
    from .scenario import Scenario


def _key(name: str | Path) -> Path:
    try:
        return Path(name).resolve()
    except OSError:
        return Path(name)


def load_matcher_skipping(bundled: Sequence[Path], extra: Sequence[Path]) -> tuple[Matcher, list[Problem]]:
    """The phrasebook compiled from ``bundled`` and every file of ``extra`` that loads with it.

    Returns the matcher and the problems of the files left out.  A file is left
    out when the problems name it; when they name only bundled files (a
    trainer's file breaking a bundled category, say), the extra files are added
    one at a time and each one that breaks the load is left out.

    Raises:
        ContentError: the bundled phrasebook alone does not load.
    """
    from .contentfiles import yaml_files  # the listing alone: no YAML parser, no pydantic
    from .matcher import load_matcher

    base = yaml_files(list(bundled))
    candidates = [f for f in yaml_files(list(extra)) if _key(f) not in {_key(b) for b in base}]
    if not candidates:
        return load_matcher(base), []
    skipped: list[Problem] = []
    try:
        return load_matcher(base + candidates), []
    except ContentError as exc:
        named = {_key(p.file) for p in exc.problems}
        bad = [f for f in candidates if _key(f) in named]
        if bad and all(_key(p.file) in {_key(f) for f in bad} for p in exc.problems):
            kept = [f for f in candidates if f not in bad]
            try:
                return load_matcher(base + kept), list(exc.problems)
            except ContentError:
                pass  # the rest breaks too, in another way: add them one at a time below
    matcher = load_matcher(base)  # the bundled phrasebook alone must load
    kept = []
    for file in candidates:
        try:
            matcher = load_matcher(base + kept + [file])
        except ContentError as exc:
            mine = [p for p in exc.problems if _key(p.file) == _key(file)]
            skipped.extend(mine or [Problem(str(file), 0, 0, "", _blamed(exc.problems))])
            continue
        kept.append(file)
    return matcher, skipped


def _blamed(problems: list[Problem]) -> str:
    """A file that breaks others' content: say what it broke."""
    first = problems[0]
    return f"加载这个文件后其他内容出错：{first}" + (f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else "")


def load_scenarios_skipping(
    paths: Iterable[Path], categories: dict[str, str] | None = None
) -> tuple[list[Scenario], list[Problem]]:
    """Every scenario file that loads (the first of an id wins), and the problems of the rest."""
    from .scenario import load_each

    return load_each(paths, categories)


def by_file(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    """Problems grouped by the file they are in, in order."""
    out: dict[str, list[Problem]] = {}
    for problem in problems:
        out.setdefault(problem.file, []).append(problem)
    return out

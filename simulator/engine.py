"""Assemble the judging engine: the compiled phrasebook plus the learned stage.

The learned stage is trained from three kinds of labelled text, all content a
trainer can read and change: the corpus ``train`` split, the phrasebook's own
examples and the scenarios' node answers.  The corpus ``dev`` split sets its
thresholds; ``test`` is never used here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .contentfiles import scenario_files, yaml_files
from .learned import (
    ANY,
    Example,
    LearnedStage,
    content_key,
    load_or_train,
    train,
    with_any,
)
from .matcher import Matcher, split_example

if TYPE_CHECKING:
    from .corpus import Labelled


def corpus_examples(items: Iterable[Labelled], kinds: dict[str, str], split: str) -> list[Example]:
    """Corpus items of one split as examples: labels positive, the rest negative, optional ones unknown."""
    prohibited = {c for c, k in kinds.items() if k == "prohibited"}
    standard = {c for c, k in kinds.items() if k == "standard"}
    out = []
    for entry in items:
        item = entry.item
        if item.split != split:
            continue
        positive = set(item.prohibited_matches) | set(item.standard)
        unknown = set(item.prohibited_optional) | set(item.standard_optional)
        if item.is_prohibited and not item.prohibited_matches:
            unknown |= prohibited  # flagged, but which category is not said
        negative = (prohibited | standard) - positive - unknown
        out.append(Example(item.reply, frozenset(positive & set(kinds)), frozenset(negative), entry.key))
    return out


def phrasebook_examples(matcher: Matcher) -> list[Example]:
    """Each category's own hit examples (positive) and clean examples (negative)."""
    out = []
    for spec in matcher.categories.values():
        for example, where in spec.hit_examples:
            plain, _ = split_example(example)
            out.append(Example(plain, frozenset({spec.id}), frozenset(), f"{Path(where[0]).name}:{where[1]}"))
        for example, where in spec.clean_examples:
            out.append(Example(example, frozenset(), frozenset({spec.id}), f"{Path(where[0]).name}:{where[1]}"))
    return out


def scenario_examples(scenarios: Iterable[object], kinds: dict[str, str]) -> list[Example]:
    """Node answers: good ones do no prohibited category, bad ones do the listed ones."""
    prohibited = frozenset(c for c, k in kinds.items() if k == "prohibited")
    out = []
    for scenario in scenarios:
        for node_id, node in scenario.nodes.items():  # type: ignore[attr-defined]
            origin = f"{scenario.id}.{node_id}"  # type: ignore[attr-defined]
            for good in node.answers.good:
                out.append(Example(good, frozenset(), prohibited, origin))
            for bad in node.answers.bad:
                out.append(Example(bad.reply, frozenset(bad.prohibited) & prohibited, frozenset(), origin))
    return out


def _inputs(
    matcher: Matcher, corpus_dirs: list[Path], scenarios: Iterable[object]
) -> tuple[list[Example], list[Example], list[str]]:
    from .corpus import load_corpus  # training only: the corpus schema needs pydantic

    kinds = matcher.book.kinds()
    prohibited = {c for c, k in kinds.items() if k == "prohibited"}
    items = load_corpus([p for p in corpus_dirs if p.exists()])
    train = corpus_examples(items, kinds, "train") + phrasebook_examples(matcher) + scenario_examples(scenarios, kinds)
    dev = corpus_examples(items, kinds, "dev")
    return with_any(train, prohibited), with_any(dev, prohibited), [*sorted(kinds), ANY]


def content_parts(matcher: Matcher, corpus_dirs: list[Path], scenario_paths: Iterable[Path]) -> list[bytes]:
    """The bytes the learned stage depends on: phrasebook, corpus and scenario files."""
    files = [Path(name) for name in matcher.book.files]
    files += yaml_files([p for p in corpus_dirs if p.exists()])
    files += scenario_paths
    parts = []
    for file in files:
        try:
            parts.append(file.name.encode() + b"\0" + file.read_bytes())
        except OSError:
            parts.append(str(file).encode())
    return parts


def build_learned(
    matcher: Matcher,
    corpus_dirs: list[Path],
    scenarios: Iterable[object] = (),
    cache: Path | None = None,
    on_training: Callable[[], None] | None = None,
    *,
    scenario_sources: list[Path] | None = None,
) -> LearnedStage:
    """The learned stage for this content: from the cache (keyed by the files' bytes) or trained.

    The scenarios are given loaded (``scenarios``) or by where they are
    (``scenario_sources``): then they are parsed only if the stage must be
    trained, and a scenario file with a problem raises ContentError only then
    (a cached stage was trained from files that loaded).
    ``on_training`` is called just before a (slow, ~5 s) training, so a caller can say so.
    """
    loaded: list[object] | None = None
    if scenario_sources is None:
        loaded = list(scenarios)
        paths = [Path(getattr(s, "file")) for s in loaded]  # noqa: B009 - scenarios are typed as object here
    else:
        paths = scenario_files(scenario_sources)

    def build() -> LearnedStage:
        if on_training is not None:
            on_training()
        examples_from: list[object]
        if loaded is None:
            # A trainer's scenario that does not load teaches nothing, and stops nothing (the CLI says why).
            from .sources import load_scenarios_skipping

            examples_from = list(load_scenarios_skipping(scenario_sources or [], matcher.book.kinds())[0])
        else:
            examples_from = loaded
        train_set, dev, categories = _inputs(matcher, corpus_dirs, examples_from)
        prohibited = sorted(c for c, k in matcher.book.kinds().items() if k == "prohibited")
        matcher.warm_up()
        known = [{h.category for h in matcher.scan(e.text)} for e in dev]
        return train(train_set, categories, dev, prohibited=prohibited, known=known)

    return load_or_train(content_key(content_parts(matcher, corpus_dirs, paths)), build, cache)


def attach_learned(
    matcher: Matcher,
    corpus_dirs: list[Path],
    scenarios: Iterable[object] = (),
    on_training: Callable[[], None] | None = None,
    *,
    scenario_sources: list[Path] | None = None,
) -> Matcher:
    """Give ``matcher`` its learned stage (trained or from the cache); a matcher with no corpus stays rule-only.

    Scenarios as in :func:`build_learned`: loaded, or by ``scenario_sources``.
    """
    if any(p.exists() for p in corpus_dirs):
        matcher.learned = build_learned(
            matcher, corpus_dirs, scenarios, on_training=on_training, scenario_sources=scenario_sources
        )
    return matcher

"""The negation window's segmenter is jieba, exactly: the same words, so the same judgements (issue 12, item 1).

The product no longer imports jieba: :mod:`simulator.segmenter` runs jieba's
algorithm over jieba's own dictionary, read from the user cache one first
character at a time, with the phrasebook's words added as ``jieba.add_word``
adds them.  These tests hold it to the real jieba (full dictionary, the same
words added) on every labelled text the repository has and on random text.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import locations
from simulator.judge import scan
from simulator.matcher import Matcher
from simulator.scenario import load_scenarios
from simulator.segmenter import base_dictionary, dictionary_file, load_segmenter, read_dictionary
from simulator.text import normalize

ROOT = Path(__file__).resolve().parent.parent


class JiebaCut:
    """The real jieba, in the segmenter's place."""

    def __init__(self, tokenizer: Any):
        self.tokenizer = tokenizer
        self.calls = 0

    def cut(self, sentence: str) -> list[str]:
        self.calls += 1
        return self.tokenizer.lcut(sentence, HMM=False)


@pytest.fixture(scope="module")
def jieba_tokenizer(matcher: Matcher) -> Any:
    """jieba with its full dictionary and the bundled phrasebook's words, added as the engine used to add them."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in matcher.negation.words:
        if len(word) >= 2:
            tokenizer.add_word(word)
    return tokenizer


@pytest.fixture(scope="module")
def labelled(matcher: Matcher) -> list[tuple[str, str, Any]]:
    """(origin, text, moment) of every labelled text: corpus, benchmark sets, ../shared/eval, examples, answers."""
    spec = importlib.util.spec_from_file_location("snapshot_hits", ROOT / "benchmarks" / "snapshot_hits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.texts(matcher, load_scenarios(locations.scenario_sources()))


def test_the_dictionary_is_jiebas_and_the_added_words_get_jiebas_frequencies(
    matcher: Matcher, jieba_tokenizer: Any
) -> None:
    segmenter = load_segmenter(matcher.negation.words)
    assert segmenter.total == jieba_tokenizer.total
    added = {w for w in matcher.negation.words if len(w) >= 2}
    assert added and all(segmenter.overlay[w] == jieba_tokenizer.FREQ[w] for w in added)
    freq, total = read_dictionary(dictionary_file())
    assert total + sum(segmenter.overlay[w] for w in added) == jieba_tokenizer.total
    assert all(jieba_tokenizer.FREQ[w] == value for w, value in freq.items() if w not in added)
    assert base_dictionary().total == total


def test_every_labelled_text_is_cut_as_jieba_cuts_it(
    matcher: Matcher, jieba_tokenizer: Any, labelled: list[tuple[str, str, Any]]
) -> None:
    segmenter = load_segmenter(matcher.negation.words)
    texts = {text for _, text, _ in labelled} | {normalize(text).chars for _, text, _ in labelled}
    assert len(texts) > 8000
    differ = [t for t in sorted(texts) if segmenter.cut(t) != jieba_tokenizer.lcut(t, HMM=False)]
    assert differ == []


# Common characters of the phrasebook, Latin letters and digits (jieba groups single ones),
# the punctuation its block pattern keeps (+#&._%-), spaces, newlines and sound-channel code points.
_ALPHABET = st.sampled_from(
    list("我们不能没法您好这个归管售后保修期检查费用问题厂家领导负责办法维修一下就是")
    + list("abzAZ019+#&._%- \n\r，。？")
    + ["\U000f0001", "\U000f0123"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_random_text_is_cut_as_jieba_cuts_it(matcher: Matcher, jieba_tokenizer: Any, text: str) -> None:
    assert load_segmenter(matcher.negation.words).cut(text) == jieba_tokenizer.lcut(text, HMM=False)


def _rule_hits(matcher: Matcher, text: str, moment: Any) -> list[tuple[object, ...]]:
    return [(h.category, h.span, h.phrase_id, h.similarity) for h in matcher.scan(text, moment)]


def test_every_labelled_text_is_judged_as_with_jiebas_full_dictionary(
    matcher: Matcher, engine: Matcher, jieba_tokenizer: Any, labelled: list[tuple[str, str, Any]]
) -> None:
    """Same hits (category, span, phrase, similarity) on every labelled text; the whole engine (stage too) on a part.

    The learned stage never segments and its only input from the rules is their
    hits, so identical rule hits are identical engine hits; the engine is checked
    directly on the texts whose rule hits went through a negation check.
    """
    ours = [_rule_hits(matcher, text, moment) for _, text, moment in labelled]
    theirs = []
    checked: list[int] = []  # the texts whose hits went through a negation check
    real = matcher.negation.segmenter
    try:
        jieba = matcher.negation.segmenter = JiebaCut(jieba_tokenizer)
        for index, (_, text, moment) in enumerate(labelled):
            before = jieba.calls
            theirs.append(_rule_hits(matcher, text, moment))
            if jieba.calls > before:
                checked.append(index)
    finally:
        matcher.negation.segmenter = real
    assert len(ours) == len(labelled) > 8000
    assert [i for i in range(len(ours)) if ours[i] != theirs[i]] == []
    # Texts segmented at all: the negation check cuts only where a cue's characters precede a hit.
    assert len(checked) > 150

    def engine_hits() -> list[list[tuple[object, ...]]]:
        out = []
        for index in checked:
            _, text, moment = labelled[index]
            hits, possible = scan(engine, text, moment)
            out.append([(h.category, h.span, h.stage, h.confidence) for h in (*hits, *possible)])
        return out

    ours_engine = engine_hits()
    real = engine.negation.segmenter
    try:
        engine.negation.segmenter = JiebaCut(jieba_tokenizer)
        theirs_engine = engine_hits()
    finally:
        engine.negation.segmenter = real
    assert ours_engine == theirs_engine

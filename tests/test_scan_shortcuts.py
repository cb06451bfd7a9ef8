"""The shortcuts that keep scanning linear change no hit (issue 11, item 1 and 4).

Each is a necessary condition checked before costly work, so turning it off
must give the same hits: phrase windows without enough bigram votes are not
aligned; patterns run only over sentences holding their trigger words, and in a
long sentence only around them; negation is segmented only where a cue's
characters occur.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import context, locations, patterns, phrases
from simulator.corpus import load_corpus
from simulator.matcher import Matcher


@lru_cache(maxsize=1)
def replies() -> list[str]:
    return sorted(entry.item.reply for entry in load_corpus([locations.bundled_corpus_dir()]))


@st.composite
def long_replies(draw: st.DrawFn) -> str:
    picks = draw(st.lists(st.sampled_from(replies()), min_size=1, max_size=12))
    text = "".join(picks)
    if draw(st.booleans()):  # one long clause, as typed without punctuation
        text = re.sub(r"[\s，。！？；：、,.!?;:]", "", text)
    return text


def hits(matcher: Matcher, text: str) -> list[dict]:
    return [h.to_json() for h in matcher.scan(text)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=long_replies())
def test_shortcuts_change_no_hit(matcher: Matcher, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = hits(matcher, text)
    with monkeypatch.context() as m:
        m.setattr(phrases, "_enough_votes", lambda *args: True)
        m.setattr(patterns, "LONG_VIEW", 10**9)
        every = lambda self, text, by_first, at=None: set(range(len(self.patterns)))  # noqa: E731
        m.setattr(patterns.PatternSet, "_live_indexes", every)
        m.setattr(matcher._negation, "_cue_words", re.compile(""))  # every window "holds a cue": always segment
        slow = hits(matcher, text)
    assert fast == slow
    with monkeypatch.context() as m:
        m.setattr(patterns, "LONG_VIEW", 0)  # every sentence searched only around trigger words
        assert hits(matcher, text) == fast


def test_the_long_sentence_search_is_used(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = patterns._around

    def spy(regex, view, triggers, span):  # type: ignore[no-untyped-def]
        calls.append(len(view))
        return real(regex, view, triggers, span)

    monkeypatch.setattr(patterns, "_around", spy)
    matcher.scan("这个不属于我负责" + "设备运行正常" * 100)
    assert calls and min(calls) > patterns.LONG_VIEW
    assert context  # the module whose negation shortcut the first test turns off

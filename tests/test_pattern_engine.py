"""The linear-time pattern engine gives exactly the matches of the backtracking regex (issue 11, item 3)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.pattern_engine import PatternMatch, regex_match
from simulator.patterns import compile_pattern
from simulator.phrasebook import Pattern

# A tiny alphabet so that keywords, digits, particles and clause marks collide often.
ALPHABET = "我你不能好的了吧啊二3"
words = st.text(alphabet="我你不能好的了二", min_size=1, max_size=3)
element = st.one_of(words, st.lists(words, min_size=1, max_size=3), st.just("#"))


@st.composite
def patterns(draw: st.DrawFn) -> Pattern:
    keywords = draw(st.lists(element, min_size=1, max_size=4))
    sequence: list[str | list[str]] = []
    if draw(st.booleans()):
        sequence.append("^")
    sequence += keywords
    if draw(st.booleans()):
        sequence.append("$")
    size = len(keywords) - 1
    gaps = draw(st.one_of(st.none(), st.lists(st.integers(0, 5), min_size=size, max_size=size)))
    return Pattern(sequence=sequence, max_gap=draw(st.integers(0, 5)), within_clause=draw(st.booleans()), gaps=gaps)


views = st.lists(st.text(alphabet=ALPHABET, max_size=12), min_size=1, max_size=4).map("|".join)


@settings(
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", "1500")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(pattern=patterns(), view=views, channel=st.sampled_from([0, 1]))
def test_linear_engine_finds_what_the_regex_finds(pattern: Pattern, view: str, channel: int) -> None:
    problems: list = []
    compiled = compile_pattern(pattern, problems, ("t.yaml", 1, 1), "p", {}, channel=channel)
    assert not problems
    if channel == 1:  # the sound channel: views of sound units
        from simulator.text import normalize_phrase

        view = "|".join(normalize_phrase(part)[1] for part in view.split("|"))
    linear = compiled.program.scan(view)
    expected = [regex_match(m) for m in compiled.regex.finditer(view)]
    assert list(linear.finditer()) == expected
    for position in range(len(view) + 1):
        found = compiled.regex.match(view, position)
        assert linear.match(position) == (regex_match(found) if found else None), position


def test_many_keywords_with_wide_gaps_take_the_linear_engine() -> None:
    many = Pattern(sequence=[["好", "的"]] * 7 + ["查"], max_gap=20)
    compiled = compile_pattern(many, [], ("t.yaml", 1, 1), "p", {})
    assert compiled.linear
    view = "查" + "好的" * 100
    assert list(compiled.finditer(view)) == []
    assert list(compiled.finditer(view + "查")) == [PatternMatch(54, 202, 54, 202)]


def test_the_shipped_kind_of_pattern_keeps_the_regex() -> None:
    few = Pattern(sequence=[["我", "我们"], ["不", "没法"], "负责"], max_gap=6)
    assert not compile_pattern(few, [], ("t.yaml", 1, 1), "p", {}).linear

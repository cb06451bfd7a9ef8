"""Property tests: the matcher never raises, and every span slices the original."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.matcher import Matcher
from simulator.text import normalize

PHRASE_PIECES = [
    "这个不属于我负责",
    "你找我们上级领导吧",
    "您好",
    "不给钱",
    "我不懂",
    "谢谢",
    "上机",
    "ｂｕ",
    "fu",
    "！",
    " ",
    "*",
]

# Mixed scripts: CJK, full-width forms, Latin, emoji, controls, combining marks, surrogates excluded.
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=300,
)
chinese_like = st.lists(
    st.one_of(
        st.sampled_from(PHRASE_PIECES),
        st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=5),
        st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), max_size=3),
        st.sampled_from(["😀", "\u200b", "\x00", "\n", "\u0301", "㈠", "ﬁ", "Ⅻ"]),
    ),
    max_size=30,
).map("".join)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=st.one_of(any_text, chinese_like))
def test_scan_never_raises_and_spans_slice_original(matcher: Matcher, text: str) -> None:
    for hit in matcher.scan(text):
        start, end = hit.span
        assert 0 <= start < end <= len(text)
        assert text[start:end] == hit.matched
        assert 0 <= hit.similarity <= 100


@SETTINGS
@given(text=st.one_of(any_text, chinese_like))
def test_normalize_offsets_are_monotonic(text: str) -> None:
    norm = normalize(text)
    assert len(norm.chars) == len(norm.sounds) == len(norm.starts) == len(norm.ends)
    previous_start = previous_end = 0
    # One original character may expand to several units (NFKC: ﬀ -> f f),
    # so units may share a start, but never go backwards.
    for start, end in zip(norm.starts, norm.ends, strict=False):
        assert previous_start <= start < end <= len(text)
        assert previous_end <= end
        previous_start, previous_end = start, end
    for unit in range(len(norm.chars)):
        begin, end = norm.clauses[norm.clause_of[unit]]
        assert begin <= unit < end and norm.clause_start(unit) == begin


@SETTINGS
@given(text=chinese_like, data=st.data())
def test_units_within_a_span_are_found_by_bisection(text: str, data: st.DataObject) -> None:
    norm = normalize(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    inside = [u for u in range(len(norm.chars)) if start <= norm.starts[u] and norm.ends[u] <= end]
    first, last = norm.units_within(start, end)
    assert list(range(first, last)) == inside


def test_empty_and_huge_inputs(matcher: Matcher) -> None:
    assert matcher.scan("") == []
    assert matcher.scan("！！！   ") == []
    huge = ("您好，这个不属于我负责。" + "设备运行正常" * 20) * 700  # about 100k characters
    assert len(huge) > 90_000
    hits = matcher.scan(huge)
    assert sum(h.category == "not_my_job" for h in hits) == 700
    for hit in hits[:50]:
        assert huge[hit.span[0] : hit.span[1]] == hit.matched

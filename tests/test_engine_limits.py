"""The engine's limits (issue 11): long replies scan in linear time, trainer patterns cannot
backtrack, judge() refuses replies over MAX_REPLY_CHARS.

Speed itself is measured in benchmarks/bench_long_replies.py; these tests check
structure (how much text the segmenter is given) and, in a subprocess, bounds that the
old code missed by orders of magnitude.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.context import best_per_place
from simulator.hits import Candidate
from simulator.judge import scan
from simulator.matcher import Matcher

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
        check=False,
    )


# -- item 1: negation look-back and best hit per place -------------------------------------


def test_negation_segments_only_a_bounded_window_before_a_hit(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.segmenter import Segmenter

    lengths: list[int] = []
    real = Segmenter.cut

    def spy(self: Segmenter, text: str) -> list[str]:
        lengths.append(len(text))
        return real(self, text)

    monkeypatch.setattr(Segmenter, "cut", spy)
    text = "您好我是售后师傅" * 125  # 1,000 characters, one clause, 250 hits
    hits = matcher.scan(text)
    assert len(hits) >= 150
    assert max(lengths, default=0) <= 64, max(lengths)
    assert sum(lengths) <= 64 * len(hits)


@pytest.mark.parametrize("filler", ["设备运行正常", "您好我是售后师傅"])
def test_negation_still_seen_at_the_end_of_a_long_clause(matcher: Matcher, filler: str) -> None:
    negated = filler * 300 + "我没法保证给您回电"
    plain = filler * 300 + "我保证今天给您回电"
    assert "follow_up_promise" not in {h.category for h in matcher.scan(negated)}
    assert "follow_up_promise" in {h.category for h in matcher.scan(plain)}
    pseudo = filler * 300 + "不好意思明天上午给您回电"
    assert "follow_up_promise" in {h.category for h in matcher.scan(pseudo)}


def test_a_long_repeated_phrase_scans_in_bounded_time() -> None:
    # 100 s before issue 11; well under a second now (benchmarks/bench_long_replies.py).
    proc = run_python(
        """
        from simulator import locations
        from simulator.matcher import load_matcher
        matcher = load_matcher([locations.bundled_phrasebook_dir()])
        matcher.warm_up()
        hits = matcher.scan("您好我是售后师傅" * 2000)
        print(len(hits))
        """,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 2000


def _pairwise_best_per_place(candidates: list[Candidate]) -> list[Candidate]:
    """The definition: rank, then keep each candidate that overlaps no kept one of its category."""
    ranked = sorted(candidates, key=lambda c: (-c.similarity, -(c.end - c.first), c.first))
    kept: list[Candidate] = []
    for c in ranked:
        if not any(k.category == c.category and k.first < c.end and c.first < k.end for k in kept):
            kept.append(c)
    return kept


candidate = st.builds(
    lambda category, first, length, similarity: Candidate(category, f"{category}/x", first, first + length, similarity),
    st.sampled_from(["a", "b", "c"]),
    st.integers(0, 60),
    st.integers(1, 12),
    st.integers(80, 100),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(candidate, max_size=40))
def test_best_per_place_keeps_what_the_pairwise_definition_keeps(candidates: list[Candidate]) -> None:
    def key(c: Candidate) -> tuple[str, int, int, int]:
        return (c.category, c.first, c.end, c.similarity)

    assert sorted(map(key, best_per_place(candidates))) == sorted(map(key, _pairwise_best_per_place(candidates)))


# -- item 3: trainer patterns run in linear time ---------------------------------------------

BACKTRACKER = """\
version: 1
categories:
  - id: chatter
    label: 闲聊
    kind: standard
    patterns:
      - sequence: [[好, 的], [好, 的], [好, 的], [好, 的], [好, 的], [好, 的], [好, 的], 查]
        max_gap: 20
    examples:
      hit: ["[好的好的好的好的查]一下"]
      clean: ["查一下，好的好的好的好的好的好的好的好的好的好的好的好的好的好的好的好的好的好的好的好的"]
"""


def test_a_pattern_with_many_keywords_and_wide_gaps_cannot_backtrack(tmp_path: Path) -> None:
    # Python's backtracking regex took minutes here (21^7 ways to place the gaps at each start).
    path = tmp_path / "chatter.yaml"
    path.write_text(BACKTRACKER, encoding="utf-8")
    proc = run_python(
        f"""
        from pathlib import Path
        from simulator import locations
        from simulator.matcher import load_matcher
        matcher = load_matcher([locations.bundled_phrasebook_dir(), Path({str(path)!r})])  # runs the examples
        reply = "查" + "好的" * 100
        assert not [h for h in matcher.scan(reply) if h.category == "chatter"]
        assert [h for h in matcher.scan(reply + "查") if h.category == "chatter"]
        print("ok")
        """,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


# -- item 2: the reply length limit ------------------------------------------------------------


def test_judge_refuses_a_reply_over_the_limit(matcher: Matcher) -> None:
    from simulator.judge import MAX_REPLY_CHARS, ReplyTooLong, judge

    assert MAX_REPLY_CHARS == 2000
    reply = "您好，我是售后工程师，这个不属于我负责。"
    at_limit = (reply * 200)[:MAX_REPLY_CHARS]
    assert judge(matcher, at_limit).prohibited
    with pytest.raises(ReplyTooLong) as caught:
        judge(matcher, at_limit + "好")
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.length, error.limit) == (MAX_REPLY_CHARS + 1, MAX_REPLY_CHARS)
    assert str(error) == "回复太长（2001 字），每条回复最多 2000 字，请分几次说"


def test_the_internal_scan_has_no_length_limit(matcher: Matcher) -> None:
    hits, _ = scan(matcher, "这个不属于我负责。" * 500)
    assert sum(h.category == "not_my_job" for h in hits) == 500

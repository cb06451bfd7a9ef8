"""The matcher on the cases the norms and the issue name, and the phrasebook's coverage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.judge import judge
from simulator.matcher import Matcher, budget_for

DESIGN_PROHIBITED = {
    "dont_know",
    "not_my_job",
    "go_find_boss",
    "no_pay_no_fix",
    "rude",
    "blame_customer",
    "guess_cause",
    "discuss_defect",
    "discuss_pay_price",
    "flat_refusal",
    "rash_promise",
}
DESIGN_STANDARD = {
    "greeting",
    "self_intro",
    "apology",
    "empathy",
    "fee_explained_in_advance",
    "warranty_basis",
    "will_escalate_to_support",
    "follow_up_promise",
    "explain_repair",
    "ask_permission",
    "thanks",
    "farewell",
    "reschedule",
    "collect_contact",
    "refer_colleague",
}


def categories(matcher: Matcher, text: str, kind: str | None = None) -> set[str]:
    return {h.category for h in matcher.scan(text) if kind is None or h.kind == kind}


def test_every_design_category_is_shipped(matcher: Matcher) -> None:
    shipped = {c.id: c.kind for c in matcher.categories.values()}
    assert DESIGN_PROHIBITED <= {k for k, v in shipped.items() if v == "prohibited"}
    assert DESIGN_STANDARD <= {k for k, v in shipped.items() if v == "standard"}


def test_every_category_carries_hit_and_clean_examples(matcher: Matcher) -> None:
    lacking = [c.id for c in matcher.categories.values() if not c.hit_examples or not c.clean_examples]
    assert lacking == []


def test_every_prohibited_category_names_its_clause_and_a_suggestion(matcher: Matcher) -> None:
    for spec in matcher.categories.values():
        if spec.kind == "prohibited":
            assert spec.source and spec.source.clause and spec.source.document
            assert spec.suggestion and spec.severity in ("critical", "major", "minor")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("這個不屬於我負責", "這個不屬於我負責"),
        ("这 个 不 属 于 我 负 责", "这 个 不 属 于 我 负 责"),
        ("这个不属于我负责！！", "这个不属于我负责"),
        ("这个ｂｕ属于我负责", "这个ｂｕ属于我负责"),
    ],
)
def test_evasions_hit_not_my_job_with_span_on_original(matcher: Matcher, text: str, expected: str) -> None:
    hits = [h for h in matcher.scan(text) if h.category == "not_my_job"]
    assert hits, text
    start, end = hits[0].span
    assert text[start:end] == expected == hits[0].matched


def test_homophone_typo_hits_go_find_boss(matcher: Matcher) -> None:
    hit = next(h for h in matcher.scan("你找我们上机领导吧") if h.category == "go_find_boss")
    assert "上机领导" in hit.matched


@pytest.mark.parametrize(
    "text, category",
    [
        ("这个问题不属于常见故障，我马上联系技术支持", "not_my_job"),
        ("您不用担心费用，保修期内不收钱", "no_pay_no_fix"),
        ("我不懂的地方会先请教公司专家再答复您", "dont_know"),
        ("没关系，您着急我能理解", "not_my_job"),
        ("对不起，能借用您的梯子用一下吗？", "apology"),
    ],
)
def test_professional_replies_with_similar_words_do_not_fire(matcher: Matcher, text: str, category: str) -> None:
    assert category not in categories(matcher, text)


def test_negated_standard_phrase_does_not_count(matcher: Matcher) -> None:
    assert "follow_up_promise" not in categories(matcher, "我没法保证给您回电")
    assert "follow_up_promise" in categories(matcher, "我保证今天给您回电")


def test_pseudo_negation_does_not_cancel(matcher: Matcher) -> None:
    assert "follow_up_promise" in categories(matcher, "不好意思，明天上午给您回电")


def test_helpful_hand_off_remedies_not_my_job(matcher: Matcher) -> None:
    bare = "这不是我们负责的。"
    helped = "这不是我们负责的，我已经帮您联系了负责的同事，他下午给您打电话。"
    assert "not_my_job" in categories(matcher, bare)
    assert "not_my_job" not in categories(matcher, helped)
    assert {"refer_colleague", "follow_up_promise"} <= categories(matcher, helped)


def test_polite_wrapper_does_not_cancel_prohibited_core(matcher: Matcher) -> None:
    found = categories(matcher, "您好，这个不属于我fu责哦")
    assert {"greeting", "not_my_job"} <= found


def test_short_phrases_match_exactly_only() -> None:
    assert budget_for(2) == budget_for(3) == 0
    assert 0 < budget_for(8) < budget_for(16)


def test_short_phrase_does_not_fuzzy_match(matcher: Matcher) -> None:
    assert "greeting" not in categories(matcher, "您稍等")


def test_hit_reports_the_contract_fields(matcher: Matcher) -> None:
    verdict = judge(matcher, "过保了，你不给钱我就不修。")
    data = verdict.to_json()
    hit = next(h for h in data["prohibited"] if h["category"] == "no_pay_no_fix")
    assert set(hit) == {
        "category",
        "phrase_id",
        "matched",
        "span",
        "similarity",
        "severity",
        "source",
        "suggestion",
        "stage",
    }
    assert verdict.text[hit["span"][0] : hit["span"][1]] == hit["matched"]
    assert hit["severity"] == "critical" and "2.1" in hit["source"]
    assert data["score"] < 60


def test_score_rewards_standard_and_punishes_prohibited(matcher: Matcher) -> None:
    good = judge(matcher, "王站长您好，我是海川公司的售后工程师，非常抱歉让您久等了。").score.value
    neutral = judge(matcher, "我看一下。").score.value
    bad = judge(matcher, "这个不属于我负责。").score.value
    assert good > neutral > bad


def test_score_items_explain_the_score(matcher: Matcher) -> None:
    verdict = judge(matcher, "您好，你找我们上级领导吧")
    total = sum(i.delta for i in verdict.score.items)
    assert verdict.score.value == max(0, min(100, total))
    assert total == 60 + 10 - 40  # base, greeting, go_find_boss (major)
    assert any(i.category == "go_find_boss" and i.delta < 0 for i in verdict.score.items)


def test_phrases_are_short_expressions_not_passages() -> None:
    root = Path(__file__).resolve().parent.parent / "phrasebook"
    for path in root.glob("*.yaml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for phrase in re.findall(r"text: (\S+)", line):
                assert len(phrase) <= 40, phrase

"""Judgement v2: corpus, moments, the learned stage and the scoring rules around it."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest

from simulator import locations
from simulator.cli import main
from simulator.corpus import SPLITS, check_labels, load_corpus, load_corpus_file, split_of
from simulator.engine import corpus_examples
from simulator.errors import ContentError
from simulator.judge import judge, scan
from simulator.learned import ANY, Example, LearnedStage, cached_path, load_or_train, train
from simulator.matcher import Matcher, load_matcher
from simulator.moment import Moment
from simulator.scenario import load_scenarios


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


# -- the corpus -----------------------------------------------------------------


def test_split_is_stable_and_roughly_60_20_20() -> None:
    replies = [f"第{i}条回复：您好，我是售后工程师" for i in range(3000)]
    splits = [split_of(r) for r in replies]
    assert splits == [split_of(r) for r in replies]
    assert split_of("  这个我不懂 ") == split_of("这个我不懂")
    shares = {s: splits.count(s) / len(splits) for s in SPLITS}
    assert 0.55 < shares["train"] < 0.65 and 0.15 < shares["dev"] < 0.25 and 0.15 < shares["test"] < 0.25


def test_bundled_corpus_is_valid_and_covers_every_category(matcher: Matcher) -> None:
    items = load_corpus([locations.bundled_corpus_dir()])
    kinds = matcher.book.kinds()
    nodes = {s.id: set(s.nodes) for s in load_scenarios([locations.bundled_scenarios_dir()])}
    assert check_labels(items, kinds, nodes) == []
    assert len(items) >= 2500
    for category, kind in kinds.items():
        field = "prohibited_matches" if kind == "prohibited" else "standard"
        positives = sum(category in getattr(e.item, field) for e in items)
        assert positives >= (80 if kind == "prohibited" else 60), (category, positives)
    fine = sum(e.item.kind in ("trap", "clean") for e in items)
    assert fine >= 700
    # Every node of every shipped scenario is answered, well and badly.
    for scenario_id, node_ids in nodes.items():
        for node_id in node_ids:
            answers = [e.item for e in items if e.item.scenario == scenario_id and e.item.node == node_id]
            assert any(not a.is_prohibited for a in answers), (scenario_id, node_id)
            assert any(a.is_prohibited for a in answers), (scenario_id, node_id)


def test_corpus_errors_name_file_line_and_field(tmp_path: Path, matcher: Matcher) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        textwrap.dedent(
            """\
            items:
            - id: a
              reply: 这个我不懂
              prohibited_matches: [dont_know]
            - id: b
              reply: 您好
              standard: [greting]
              kind: clean
            - id: c
              reply: 好的
              kind: weird
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        load_corpus_file(bad)
    assert "bad.yaml:11" in str(caught.value.problems[0]) and "kind" in str(caught.value.problems[0])
    bad.write_text(bad.read_text(encoding="utf-8").replace("kind: weird", "kind: clean"), encoding="utf-8")
    problems = check_labels(load_corpus_file(bad), matcher.book.kinds())
    assert len(problems) == 1 and problems[0].line == 5 and "greting" in problems[0].message
    code, _, err = run("validate", str(bad))
    assert code == 1 and "greting" in err and "bad.yaml:5" in err


def test_corpus_examples_keep_optional_labels_unknown(matcher: Matcher, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    reply = next(f"您好，这事不归我管{i}" for i in range(100) if split_of(f"您好，这事不归我管{i}") == "train")
    path.write_text(
        f"items:\n- reply: {reply}\n  prohibited_matches: [not_my_jo"
        "b]\n  prohibited_optional: [rude]\n  standard: [greeting]\n",
        encoding="utf-8",
    )
    [example] = corpus_examples(load_corpus([path]), matcher.book.kinds(), "train")
    assert example.positive == {"not_my_job", "greeting"}
    assert "rude" not in example.negative and "dont_know" in example.negative and "apology" in example.negative


# -- the learned stage ------------------------------------------------------------


def _toy_examples() -> tuple[list[Example], list[Example]]:
    bad = ["爱修不修", "你爱修不修吧", "爱等不等", "你爱要不要", "不爱听就算了", "爱信不信", "你爱咋咋地", "爱用不用"]
    good = [
        "您好，我马上检查",
        "请您稍等一下",
        "谢谢您的配合",
        "我先看看线路",
        "麻烦您开一下门",
        "我们现在开始",
        "这边已经修好了",
        "您看这样可以吗",
    ]

    def ex(text: str, positive: bool) -> Example:
        return Example(text, frozenset({"rude"} if positive else ()), frozenset(() if positive else {"rude"}), "toy")

    examples = [ex(t, True) for t in bad] + [ex(t, False) for t in good]
    calibration = [
        ex("你爱修不修", True),
        ex("爱换不换吧", True),
        ex("爱买不买", True),
        ex("请您稍等", False),
        ex("我来检查", False),
    ]
    return examples, calibration


def test_learned_stage_trains_calibrates_and_explains(tmp_path: Path) -> None:
    examples, calibration = _toy_examples()
    stage = train(examples, ["rude"], calibration)
    [hit] = [h for h in stage.judge("您好，你爱修不修吧") if h.category == "rude"]
    assert hit.nearest in {e.text for e in examples if "rude" in e.positive}
    assert hit.span[1] == len("您好，你爱修不修吧") and hit.confidence > 0.5
    assert not [h for h in stage.judge("谢谢您的配合，我马上检查") if h.category == "rude" and h.counted]
    # Cached by key: the second load trains nothing and judges the same.
    built: list[str] = []

    def build(name: str):
        def make() -> LearnedStage:
            built.append(name)
            return train(examples, ["rude"], calibration)

        return make

    first = load_or_train("k1", build("k1"), tmp_path)
    again = load_or_train("k1", build("again"), tmp_path)
    assert built == ["k1"]
    assert [h.confidence for h in again.judge("你爱修不修")] == [h.confidence for h in first.judge("你爱修不修")]
    assert [h.nearest for h in again.judge("你爱修不修")] == [h.nearest for h in first.judge("你爱修不修")]
    # A different key (other content) is never served from a stale file.
    assert LearnedStage.load(cached_path("k1", tmp_path), "k2") is None
    load_or_train("k2", build("k2"), tmp_path)
    assert built == ["k1", "k2"]


def test_learned_hits_count_only_above_the_dev_threshold(engine: Matcher) -> None:
    stage = engine.learned
    assert stage is not None
    for category, threshold in stage.thresholds.items():
        assert 0.7 <= threshold <= 0.99, (category, threshold)
    text = "这事吧我估摸着你们也不会满意，反正就这样了，你们看着办"
    hits, possible = scan(engine, text)
    learned = [h for h in [*hits, *possible] if h.stage == "learned"]
    assert learned
    for hit in learned:
        # Counted when the category's model, or the pooled any-prohibited model, is sure enough.
        sure = hit.confidence >= min(stage.thresholds.get(hit.category, 2.0), stage.thresholds.get(ANY, 2.0))
        assert (hit in hits) == sure, hit
        assert hit.nearest


def test_learned_hits_follow_the_contract_shape(engine: Matcher) -> None:
    data = judge(engine, "您好，这型号的机器毛病多，大家都知道的").to_json()
    for hit in data["prohibited"] + data["standard"] + data["possible"]:
        assert hit["stage"] in ("rule", "learned")
        if hit["stage"] == "learned":
            assert 0 <= hit["confidence"] <= 1
            # Every hit a trainee sees is explained; 疑似 standard hits are not shown.
            shown = hit in data["prohibited"] + data["standard"] or hit.get("kind") == "prohibited"
            assert isinstance(hit["nearest"], str) if shown else hit["nearest"] is None
        start, end = hit["span"]
        assert data["text"][start:end] == hit["matched"]


# -- scoring rules --------------------------------------------------------------


def test_text_inside_a_prohibited_hit_earns_no_standard_credit(matcher: Matcher) -> None:
    verdict = judge(matcher, "放心，我保证今天给您换台新的")
    assert "rash_promise" in {h.category for h in verdict.prohibited}
    for hit in verdict.standard:
        assert not any(p.span[0] <= hit.span[0] and hit.span[1] <= p.span[1] for p in verdict.prohibited)
    assert not {"explain_repair", "empathy"} & {h.category for h in verdict.standard}


def test_rash_promises_are_never_credited_as_standard_phrases(matcher: Matcher) -> None:
    for reply in ("没问题，我保证今天给您换台新的", "放心，肯定给您换", "您放心，包您明天就能用"):
        verdict = judge(matcher, reply)
        assert "rash_promise" in {h.category for h in verdict.prohibited}, reply
        assert not {"explain_repair", "empathy", "follow_up_promise"} & {h.category for h in verdict.standard}, reply


def test_a_greeting_before_a_prohibited_clause_keeps_its_credit(matcher: Matcher) -> None:
    verdict = judge(matcher, "您好，你找我们上级领导吧")
    assert [h.category for h in verdict.standard] == ["greeting"]
    assert verdict.text[slice(*verdict.prohibited[0].span)].startswith("你找")


# -- moments --------------------------------------------------------------------


def test_patterns_limited_to_moments(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(
        textwrap.dedent(
            """\
            version: 1
            categories:
              - id: price_talk
                label: 谈价格
                kind: prohibited
                severity: minor
                source: {document: 规范, clause: "1"}
                suggestion: 价格请问销售。
                patterns:
                  - sequence: ["#", 块]
                    unless_expected: [fee_explained]
                  - sequence: [便宜]
                    if_customer: [新款]
              - id: fee_explained
                label: 说明费用
                kind: standard
                phrases: [需要收费]
            """
        ),
        encoding="utf-8",
    )
    m = load_matcher([book])
    fee_node = Moment(required=("fee_explained",), customer="这次要多少钱？")
    new_model = Moment(customer="你们那个新款多少钱？")
    assert {h.category for h in m.scan("一共三百块")} == {"price_talk"}
    assert {h.category for h in m.scan("一共三百块", fee_node)} == set()
    assert {h.category for h in m.scan("那个便宜")} == set()
    assert {h.category for h in m.scan("那个便宜", new_model)} == {"price_talk"}


def test_score_in_a_node_uses_its_moment() -> None:
    code, out, _ = run(
        "score", "--scenario", "out_of_warranty_charge", "--node", "fee_question", "--format", "json", "您好"
    )
    assert code == 0
    [data] = json.loads(out)
    # The fee node requires a fee explanation and the warranty basis: a bare greeting misses both,
    # and a greeting is not what this moment asks for, so it earns nothing either.
    assert data["score"] == 60 - 15 - 15
    assert [h["category"] for h in data["uncredited"]] == ["greeting"]
    code, out_text, _ = run("score", "--scenario", "out_of_warranty_charge", "--node", "fee_question", "您好")
    assert "未做到" in out_text and "说明" in out_text
    code, _, err = run("score", "--scenario", "out_of_warranty_charge", "--node", "nowhere", "您好")
    assert code == 2 and "nowhere" in err
    code, _, err = run("score", "--node", "fee_question", "您好")
    assert code == 2 and "--scenario" in err


def test_promised_waiver_reaches_the_promise_trouble_branch(engine: Matcher) -> None:
    from simulator import locations
    from simulator.dialogue import Dialogue
    from simulator.scenario import load_scenarios

    [scenario] = [s for s in load_scenarios([locations.bundled_scenarios_dir()]) if s.id == "out_of_warranty_charge"]
    dialogue = Dialogue(scenario, engine, seed=1)
    dialogue.reply("李站长您好，我是华气公司的售后工程师小王，让您久等了。")
    dialogue.reply("检查前需要先停机断电，大概二十分钟，您看现在方便吗？")
    dialogue.reply(scenario.nodes["fee_question"].model_answer)
    assert dialogue.node_id == "price_pushback"
    turn = dialogue.reply("行，那这次就不收您钱了。")
    assert "rash_promise" in {h.category for h in turn.judgement.prohibited}
    assert dialogue.node_id == "promise_trouble"


# -- eval -----------------------------------------------------------------------


def test_eval_reports_kinds_confusions_and_splits(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            items:
            - {id: a, reply: 这个我不懂, prohibited_matches: [dont_know], kind: stock}
            - {id: b, reply: 您好，我是售后工程师小王, standard: [greeting, self_intro], kind: clean}
            - {id: c, reply: 不好意思，让您久等了, standard: [apology], kind: trap}
            """
        ),
        encoding="utf-8",
    )
    code, out, _ = run("eval", str(path), "--format", "json", "--rules-only")
    assert code == 0
    data = json.loads(out)
    assert data["items"] == 3
    assert set(data["per_kind"]) == {"stock", "clean", "trap"}
    assert data["per_kind"]["stock"]["flagged"]["tp"] == 1
    code, out, _ = run("eval", str(path), "--format", "json", "--rules-only", "--split", split_of("这个我不懂"))
    assert json.loads(out)["items"] >= 1
    code, out, _ = run("eval", str(path), "--rules-only")
    assert "各写法" in out


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("argv", "standard_f1"),
    [
        ([str(p) for p in sorted((ROOT / "benchmarks" / "data" / "v2").glob("*.yaml"))], 0.88),
        # First contact gave 0.880 exactly; one point of slack for float differences across platforms.
        ([str(ROOT / "corpus"), "--split", "test"], 0.87),
    ],
    ids=["fresh-batches", "corpus-test-split"],
)
def test_first_contact_sets_stay_at_the_targets(argv: list[str], standard_f1: float) -> None:
    """The issue's targets, on the sets first scored blind (README, Accuracy): a drop is a regression."""
    code, out, _ = run("eval", *argv, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["items"] >= 800
    assert report["prohibited_detection"]["precision"] >= 0.95
    assert report["prohibited_detection"]["recall"] >= 0.85
    assert report["standard_categories_micro"]["f1"] >= standard_f1
    for kind, parts in report["per_kind"].items():
        if parts["flagged"]["tp"] + parts["flagged"]["fn"] >= 10:
            assert parts["flagged"]["recall"] >= 0.70, kind

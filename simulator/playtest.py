"""Replay a scenario's example playthroughs, and explore it with random walks."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .dialogue import Dialogue
from .judge import judge
from .matcher import Matcher, split_example
from .scenario import TIMEOUT_REPLY, Playthrough, Scenario


@dataclass
class CheckResult:
    scenario: str
    name: str
    passed: bool
    difference: str = ""  # the first difference, in Chinese
    score: int | None = None
    path: list[str] | None = None
    ending: str | None = None


def run_playthrough(scenario: Scenario, matcher: Matcher, example: Playthrough) -> CheckResult:
    """Play ``example`` and compare with what it expects; stop at the first difference."""
    dialogue = Dialogue(scenario, matcher, seed=example.seed)
    expect = example.expect
    for index, reply in enumerate(example.replies):
        if dialogue.finished:
            return CheckResult(
                scenario.id,
                example.name,
                False,
                f"第 {index} 回合后对话已结束（{dialogue.ending_id}）"
                f"，还剩 {len(example.replies) - index} 句回复没用上",
            )
        turn = dialogue.timeout() if reply == TIMEOUT_REPLY else dialogue.reply(reply)
        n = index + 1
        if expect.path is not None:
            if index >= len(expect.path):
                return _fail(
                    scenario,
                    example,
                    dialogue,
                    f"第 {n} 回合：预期路径只有 {len(expect.path)} 个节点，实际还在 {turn.node}",
                )
            if turn.node != expect.path[index]:
                return _fail(
                    scenario, example, dialogue, f"第 {n} 回合：预期在节点 {expect.path[index]}，实际在 {turn.node}"
                )
        if expect.prohibited is not None and index < len(expect.prohibited):
            want = sorted(set(expect.prohibited[index]))
            got = sorted({h.category for h in turn.judgement.prohibited})
            if want != got:
                return _fail(
                    scenario,
                    example,
                    dialogue,
                    f"第 {n} 回合：预期禁用语 {want or '无'}，实际 {got or '无'}（回复：{reply}）",
                )
        if expect.standard is not None and index < len(expect.standard):
            want_s = set(expect.standard[index])
            got_s = {h.category for h in turn.judgement.standard}
            if not want_s <= got_s:
                return _fail(
                    scenario, example, dialogue, f"第 {n} 回合：缺少常用语 {sorted(want_s - got_s)}（回复：{reply}）"
                )
    if expect.path is not None and len(dialogue.path) != len(expect.path):
        return _fail(
            scenario,
            example,
            dialogue,
            f"预期经过 {len(expect.path)} 个节点，实际 {len(dialogue.path)} 个：{' → '.join(dialogue.path)}",
        )
    if expect.ending is not None and dialogue.ending_id != expect.ending:
        return _fail(
            scenario, example, dialogue, f"预期结局 {expect.ending}，实际 {dialogue.ending_id or '对话未结束'}"
        )
    if expect.score_min is not None and dialogue.score < expect.score_min:
        return _fail(scenario, example, dialogue, f"预期得分不低于 {expect.score_min}，实际 {dialogue.score}")
    if expect.score_max is not None and dialogue.score > expect.score_max:
        return _fail(scenario, example, dialogue, f"预期得分不高于 {expect.score_max}，实际 {dialogue.score}")
    return CheckResult(scenario.id, example.name, True, "", dialogue.score, dialogue.path, dialogue.ending_id)


def _fail(scenario: Scenario, example: Playthrough, dialogue: Dialogue, difference: str) -> CheckResult:
    return CheckResult(scenario.id, example.name, False, difference, dialogue.score, dialogue.path, dialogue.ending_id)


def check_answers(scenario: Scenario, matcher: Matcher) -> list[CheckResult]:
    """Judge every node's labelled answers in their moment: good ones must be clean, bad ones caught."""
    results = []
    for node_id, node in scenario.nodes.items():
        moment = scenario.moment(node_id)
        for index, good in enumerate(node.answers.good):
            verdict = judge(matcher, good, moment=moment)
            got = sorted({h.category for h in verdict.prohibited})
            name = f"{node_id} 好回答 {index + 1}"
            difference = f"不应命中禁用语，实际命中 {got}（回答：{good}）" if got else ""
            results.append(CheckResult(scenario.id, name, not got, difference))
        for index, bad in enumerate(node.answers.bad):
            verdict = judge(matcher, bad.reply, moment=moment)
            caught = {h.category for h in verdict.prohibited}
            wanted = set(bad.prohibited)
            name = f"{node_id} 坏回答 {index + 1}"
            difference = (
                ""
                if wanted & caught
                else f"应检出 {sorted(wanted)}，实际 {sorted(caught) or '无'}（回答：{bad.reply}）"
            )
            results.append(CheckResult(scenario.id, name, bool(wanted & caught), difference))
    return results


def reply_pool(scenario: Scenario, matcher: Matcher) -> list[str]:
    """Replies for random walks: model answers and the phrasebook's own examples."""
    pool = [node.model_answer for node in scenario.nodes.values()]
    for node in scenario.nodes.values():
        pool.extend(node.answers.good)
        pool.extend(bad.reply for bad in node.answers.bad)
    for spec in matcher.categories.values():
        pool.extend(split_example(text)[0] for text, _ in spec.hit_examples)
        pool.extend(text for text, _ in spec.clean_examples)
    pool.extend(["", TIMEOUT_REPLY])
    return pool


def explore(scenario: Scenario, matcher: Matcher, walks: int, seed: int = 0) -> list[CheckResult]:
    """Random walks through ``scenario``; a failure is an engine error or a dead end."""
    rng = random.Random(seed)
    pool = reply_pool(scenario, matcher)
    model_answers = {node_id: node.model_answer for node_id, node in scenario.nodes.items()}
    failures: list[CheckResult] = []
    for walk in range(walks):
        dialogue = Dialogue(scenario, matcher, seed=rng.randrange(1 << 30))
        limit = scenario.max_turns + 1
        try:
            for _ in range(limit):
                if dialogue.finished:
                    break
                # Half the time answer well, so deep nodes are reached too.
                reply = model_answers[dialogue.node_id] if rng.random() < 0.5 else rng.choice(pool)
                if reply == TIMEOUT_REPLY:
                    dialogue.timeout()
                else:
                    dialogue.reply(reply)
        except Exception as exc:  # noqa: BLE001 - any engine failure is the finding
            failures.append(
                CheckResult(
                    scenario.id,
                    f"随机对练 #{walk + 1}",
                    False,
                    f"引擎出错：{type(exc).__name__}: {exc}",
                    path=dialogue.path,
                )
            )
            continue
        if not dialogue.finished:
            failures.append(
                CheckResult(
                    scenario.id,
                    f"随机对练 #{walk + 1}",
                    False,
                    f"{limit} 回合后仍未结束：{' → '.join(dialogue.path)}",
                    path=dialogue.path,
                )
            )
    return failures

"""What a scenario's graph allows: score ranges, the best path, and model answers that earn it.

Pure functions over a loaded :class:`scenario.Scenario`; the debrief, the
picker, ``validate`` and ``test`` use them.
"""

from __future__ import annotations

from .errors import Problem
from .judge import judge
from .matcher import Matcher
from .scenario import Scenario
from .scenario_schema import Node
from .scoring import BASE, DEFAULT_RULE, ScoringRule, clamp


def node_score_range(node: Node, rule: ScoringRule = DEFAULT_RULE) -> tuple[int, int]:
    """The lowest and highest turn score a reply can get at ``node`` (see scoring.score_moment).

    The best is doing what the moment asks, cleanly (a node asking nothing credits any phrase).
    """
    demands = len(set(node.expects.required)) + bool(node.expects.any_of)
    return clamp(BASE - rule.missed * demands - rule.critical), 100


def score_range(scenario: Scenario) -> tuple[int, int]:
    """Lowest and highest session score over the paths through the graph.

    Uses each node's best and worst reply, walks simple paths up to
    ``max_turns`` turns, and applies the bad-ending penalty.
    """
    s = scenario.model
    lowest, highest = 100, 0
    stack: list[tuple[str, list[int], list[int], frozenset[str]]] = [(s.start, [], [], frozenset())]
    explored = 0
    while stack and explored < 20_000:
        explored += 1
        node_id, best, worst, visited = stack.pop()
        if node_id in s.endings:
            bad = s.endings[node_id].outcome == "bad"
            if best:
                penalty = s.scoring.bad_ending if bad else 0
                highest = max(highest, clamp(sum(best) / len(best) - penalty))
                lowest = min(lowest, clamp(sum(worst) / len(worst) - penalty))
            continue
        node = s.nodes[node_id]
        if len(best) >= s.max_turns or node_id in visited:
            continue
        low, high = node_score_range(node, s.scoring.rule())
        for target in {t.goto for t in node.transitions}:
            stack.append((target, best + [high], worst + [low], visited | {node_id}))
    return (lowest if lowest <= highest else 0), highest


def path_max_score(scenario: Scenario, nodes: list[str], ending_id: str | None) -> int:
    """The highest session score the path taken could have earned (every node's best reply)."""
    if not nodes:
        return 0
    mean = sum(node_score_range(scenario.model.nodes[n], scenario.model.scoring.rule())[1] for n in nodes) / len(nodes)
    bad = ending_id is not None and scenario.model.endings[ending_id].outcome == "bad"
    return clamp(mean - (scenario.model.scoring.bad_ending if bad else 0))


def check_model_answers(scenario: Scenario, matcher: Matcher) -> list[Problem]:
    """Every node's model answer must do what its node asks and break no rule.

    A trainee who copies the model answer must earn the node's full score;
    otherwise nobody can say why a flawless run does not score at the top.
    """
    problems = []
    for node_id, node in scenario.model.nodes.items():
        verdict = judge(matcher, node.model_answer, moment=scenario.moment(node_id))
        where = scenario.where("nodes", node_id, "model_answer")
        if verdict.prohibited:
            hits = "、".join(f"“{h.matched}”（{h.label}）" for h in verdict.prohibited)
            problems.append(Problem(*where, f"nodes.{node_id}.model_answer", f"标准回答命中了禁用语：{hits}"))
        if verdict.missed_labels:
            problems.append(
                Problem(
                    *where,
                    f"nodes.{node_id}.model_answer",
                    "标准回答没有做到本节点的要求：" + "、".join(verdict.missed_labels),
                )
            )
    return problems


def best_path(scenario: Scenario) -> list[str]:
    """The path of maximum reachable score among those ending at the best ending.

    Walks simple paths (as :func:`score_range` does) with each node's best
    reply; prefers a good ending over a neutral one over a bad one, then the
    higher session score, then the shorter path.  The ending is last.
    """
    s = scenario.model
    rank = {"good": 2, "neutral": 1, "bad": 0}
    best: tuple[int, float, int, list[str]] | None = None
    stack: list[tuple[str, list[int], list[str]]] = [(s.start, [], [])]
    explored = 0
    while stack and explored < 20_000:
        explored += 1
        node_id, scores, path = stack.pop()
        if node_id in s.endings:
            if scores:
                ending = s.endings[node_id]
                mean = sum(scores) / len(scores) - (s.scoring.bad_ending if ending.outcome == "bad" else 0)
                key = (rank[ending.outcome], round(mean, 6), -len(path), [*path, node_id])
                if best is None or key[:3] > best[:3]:
                    best = key
            continue
        if len(path) >= s.max_turns or node_id in path:
            continue
        node = s.nodes[node_id]
        for target, score in sorted(_transition_scores(node, s.scoring.rule()).items()):
            stack.append((target, [*scores, score], [*path, node_id]))
    return best[3] if best else [s.start]


def _transition_scores(node: Node, rule: ScoringRule = DEFAULT_RULE) -> dict[str, int]:
    """For each target of ``node``, the best turn score of a reply that takes that transition.

    Meeting the expectations (or a transition that takes anything) allows the
    node's best reply; missing them, breaking a rule or timing out does not.
    """
    low, high = node_score_range(node, rule)
    demands = len(set(node.expects.required)) + bool(node.expects.any_of)
    by_when = {
        "met": high,
        "always": high,
        "mood_above": high,
        "partial": (high + clamp(BASE - rule.missed * demands)) // 2,
        "missed": clamp(BASE - rule.missed * demands + rule.optional * len(set(node.expects.optional))),
        "prohibited": low,
        "timeout": low,
    }
    by_when["mood_below"] = by_when["missed"]  # the customer's mood has collapsed: not the best path
    out: dict[str, int] = {}
    for transition in node.transitions:
        score = by_when.get(transition.when, low)
        out[transition.goto] = max(out.get(transition.goto, 0), score)
    return out


def step_label(scenario: Scenario, step: str) -> str:
    """A Chinese name for a node or an ending, for paths shown to people."""
    if step in scenario.model.endings:
        return "结局：" + scenario.model.endings[step].title
    node = scenario.model.nodes.get(step)
    if node is None:
        return step
    if node.title:
        return node.title
    line = node.customer[0]
    return line if len(line) <= 10 else line[:9] + "…"

"""Loaded scenarios: a scenario file parsed, checked as a graph, and ready to play.

The file format is in :mod:`scenario_schema`; score ranges and the best
path are in :mod:`scenario_scores`.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .contentfiles import scenario_files as scenario_files  # re-exported: listing them needs no YAML parser
from .errors import ContentError, Problem
from .moment import Moment
from .scenario_schema import (
    OUTCOME_LABELS,
    WHEN_LABELS,
    DefaultMood,
    Ending,
    Node,
    Persona,
    Playthrough,
    ScenarioFile,
    Transition,
)
from .yamlfile import Positions, load_yaml, position_of, read_text, validate_model

TIMEOUT_REPLY = "<超时>"

__all__ = [
    "OUTCOME_LABELS",
    "TIMEOUT_REPLY",
    "Ending",
    "Node",
    "Persona",
    "Playthrough",
    "Scenario",
    "ScenarioFile",
    "Transition",
    "check_graph",
    "duplicate_id",
    "load_each",
    "load_scenarios",
    "parse_scenario",
    "scenario_files",
]


@dataclass
class Scenario:
    """A loaded scenario with where it came from."""

    model: ScenarioFile
    file: str
    positions: Positions
    version_hash: str = ""  # of the file's text: which version of the content a session played

    # The fields every caller reads, typed (the rest: ``scenario.model``).
    @property
    def id(self) -> str:
        return self.model.id

    @property
    def title(self) -> str:
        return self.model.title

    @property
    def start(self) -> str:
        return self.model.start

    @property
    def nodes(self) -> dict[str, Node]:
        return self.model.nodes

    @property
    def endings(self) -> dict[str, Ending]:
        return self.model.endings

    @property
    def examples(self) -> list[Playthrough]:
        return self.model.examples

    @property
    def persona(self) -> Persona:
        return self.model.persona

    @property
    def goal(self) -> str:
        return self.model.goal

    @property
    def max_turns(self) -> int:
        return self.model.max_turns

    @property
    def mood(self) -> DefaultMood:
        return self.model.mood

    @property
    def difficulty(self) -> int:
        return self.model.difficulty

    @property
    def tags(self) -> list[str]:
        return self.model.tags

    @property
    def aliases(self) -> list[str]:
        return self.model.aliases

    @property
    def summary(self) -> str:
        return self.model.summary

    def where(self, *loc: object) -> tuple[str, int, int]:
        """(file, line, column) of the value at ``loc`` (or of its deepest known parent)."""
        line, column = position_of(self.positions, loc)
        return (self.file, line, column)

    def moment(self, node_id: str, customer: str = "") -> Moment:
        """The judging moment of one node (what the customer said, what is expected)."""
        node = self.model.nodes[node_id]
        return Moment(
            scenario=self.model.id,
            node=node_id,
            customer=customer or node.customer[0],
            required=tuple(node.expects.required),
            any_of=tuple(node.expects.any_of),
            optional=tuple(node.expects.optional),
            prohibited=tuple(node.expects.prohibited),
            rule=self.model.scoring.rule(),
        )

    @property
    def max_turns_ending(self) -> str:
        if self.model.on_max_turns:
            return self.model.on_max_turns
        bad = [k for k, e in self.model.endings.items() if e.outcome == "bad"]
        return bad[0] if bad else next(iter(self.model.endings))


def parse_scenario(path: Path) -> Scenario:
    name = str(path)
    text = read_text(path)
    data, positions = load_yaml(text, name)
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    return Scenario(validate_model(ScenarioFile, data, positions, name), name, positions, digest)


def check_graph(scenario: Scenario, categories: dict[str, str] | None) -> list[Problem]:
    """Unknown ids, unreachable nodes, nodes with no way out, no reachable ending.

    Args:
        categories: category id -> kind, to check expectation ids (None skips it).
    """
    s = scenario.model
    problems: list[Problem] = []
    targets = set(s.nodes) | set(s.endings)
    for clash in set(s.nodes) & set(s.endings):
        problems.append(Problem(*scenario.where("endings", clash), f"endings.{clash}", "结局 id 与节点 id 重复"))
    if s.start not in s.nodes:
        problems.append(Problem(*scenario.where("start"), "start", f"开场节点 {s.start} 不存在"))
    if s.on_max_turns and s.on_max_turns not in s.endings:
        problems.append(Problem(*scenario.where("on_max_turns"), "on_max_turns", f"结局 {s.on_max_turns} 不存在"))
    for node_id, node in s.nodes.items():
        for ti, transition in enumerate(node.transitions):
            if transition.goto not in targets:
                problems.append(
                    Problem(
                        *scenario.where("nodes", node_id, "transitions", ti, "goto"),
                        f"nodes.{node_id}.transitions[{ti}].goto",
                        f"跳转目标 {transition.goto} 既不是节点也不是结局",
                    )
                )
            if categories is not None and transition.category and transition.category not in categories:
                problems.append(
                    Problem(
                        *scenario.where("nodes", node_id, "transitions", ti, "category"),
                        f"nodes.{node_id}.transitions[{ti}].category",
                        f"话术库中没有类别 {transition.category}",
                    )
                )
        if categories is not None:
            for field_name in ("required", "any_of", "optional", "prohibited"):
                for ci, category in enumerate(getattr(node.expects, field_name)):
                    kind = categories.get(category)
                    if kind is None:
                        message = f"话术库中没有类别 {category}"
                    elif field_name != "prohibited" and kind != "standard":
                        message = f"{category} 是禁用语，不能写在 {field_name} 里"
                    else:
                        continue
                    problems.append(
                        Problem(
                            *scenario.where("nodes", node_id, "expects", field_name, ci),
                            f"nodes.{node_id}.expects.{field_name}[{ci}]",
                            message,
                        )
                    )
            for bi, bad in enumerate(node.answers.bad):
                for ci, category in enumerate(bad.prohibited):
                    if categories.get(category) is None:
                        problems.append(
                            Problem(
                                *scenario.where("nodes", node_id, "answers", "bad", bi, "prohibited", ci),
                                f"nodes.{node_id}.answers.bad[{bi}].prohibited[{ci}]",
                                f"话术库中没有类别 {category}",
                            )
                        )
        covered = {t.when for t in node.transitions}
        if "always" not in covered:
            lacking = [w for w in ("prohibited", "met", "partial", "missed") if w not in covered]
            # ``partial`` cannot happen without two or more required categories.
            if "partial" in lacking and len(node.expects.required) + bool(node.expects.any_of) < 2:
                lacking.remove("partial")
            if node.timeout and "timeout" not in covered:
                lacking.append("timeout")
            if lacking:
                problems.append(
                    Problem(
                        *scenario.where("nodes", node_id, "transitions"),
                        f"nodes.{node_id}.transitions",
                        "没有覆盖这些情况："
                        + "、".join(WHEN_LABELS[w] for w in lacking)
                        + "（可加一条 when: always 兜底）",
                    )
                )
        if all(t.goto == node_id for t in node.transitions):
            problems.append(
                Problem(*scenario.where("nodes", node_id), f"nodes.{node_id}", "所有跳转都回到本节点，对话无法继续")
            )
    if problems:
        return problems
    # Reachability from the start, and an ending reachable from every node.
    reachable = _reachable(s, s.start)
    for node_id in s.nodes:
        if node_id not in reachable:
            problems.append(
                Problem(*scenario.where("nodes", node_id), f"nodes.{node_id}", "从开场节点无法到达这个节点")
            )
        elif not any(t in s.endings for t in _reachable(s, node_id)):
            problems.append(
                Problem(*scenario.where("nodes", node_id), f"nodes.{node_id}", "从这个节点无法到达任何结局")
            )
    for ending_id in s.endings:
        if ending_id not in reachable and ending_id != scenario.max_turns_ending:
            problems.append(
                Problem(*scenario.where("endings", ending_id), f"endings.{ending_id}", "没有任何跳转通向这个结局")
            )
    if not any(e.outcome == "good" for e in s.endings.values()):
        problems.append(Problem(*scenario.where("endings"), "endings", "至少需要一个 outcome: good 的结局"))
    return problems


def _reachable(s: ScenarioFile, start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        node = s.nodes.get(current)
        if node is None:
            continue
        for transition in node.transitions:
            if transition.goto not in seen:
                seen.add(transition.goto)
                queue.append(transition.goto)
    return seen


def duplicate_id(scenario: Scenario, other: str) -> Problem:
    """The problem of a scenario whose id the file ``other`` already has."""
    return Problem(*scenario.where("id"), "id", f"场景 id {scenario.id} 已被 {other} 使用，请换一个 id")


def load_each(
    paths: Iterable[Path], categories: dict[str, str] | None = None, taken: dict[str, str] | None = None
) -> tuple[list[Scenario], list[Problem]]:
    """Load and check each scenario file on its own: the good ones, and the problems of the rest.

    A file whose id is already taken (by an earlier file, or in ``taken``: id -> file) is
    left out with a problem naming the file that has it; the first one wins.
    """
    problems: list[Problem] = []
    loaded: list[Scenario] = []
    seen: dict[str, str] = dict(taken or {})
    for path in scenario_files(paths):
        try:
            scenario = parse_scenario(path)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        graph = check_graph(scenario, categories)
        if graph:
            problems.extend(graph)
            continue
        if scenario.id in seen:
            problems.append(duplicate_id(scenario, seen[scenario.id]))
            continue
        seen[scenario.id] = scenario.file
        loaded.append(scenario)
    return loaded, problems


def load_scenarios(paths: Iterable[Path], categories: dict[str, str] | None = None) -> list[Scenario]:
    """Load and check scenario files; raise ContentError with every problem."""
    loaded, problems = load_each(paths, categories)
    if problems:
        raise ContentError(problems)
    return loaded

"""Scenario content: the schema of ``scenarios/*.yaml``, loading, graph checks.

A scenario is a small state machine written by trainers: nodes where the
customer says something (several variants), what the node expects of the
trainee's reply, and transitions chosen by what the reply did.  Endings close
the conversation with an outcome.  Example playthroughs travel with the
scenario and ``simulator test`` runs them.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TextIO

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import ContentError, Problem
from .moment import Moment
from .scoring import BASE, DEFAULT_RULE, ScoringRule, clamp
from .yamlfile import Positions, load_yaml, read_text, validate_model

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$", description="小写字母、数字与下划线")]
Outcome = Literal["good", "neutral", "bad"]
When = Literal["prohibited", "met", "partial", "missed", "timeout", "mood_below", "mood_above", "always"]
Severity = Literal["critical", "major", "minor"]

OUTCOME_LABELS = {"good": "圆满", "neutral": "一般", "bad": "失败"}
WHEN_LABELS = {
    "prohibited": "说了禁用语",
    "met": "做到全部要求",
    "partial": "做到部分要求",
    "missed": "没做到要求",
    "timeout": "超时未回复",
    "mood_below": "客户情绪低于阈值",
    "mood_above": "客户情绪高于阈值",
    "always": "其他情况",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Persona(_Strict):
    name: str = Field(min_length=1, description="客户称呼，如“李站长”")
    role: str = Field(default="", description="身份，如“加气站站长”")
    description: str = Field(default="", description="背景：设备、经历、脾气")


class Expectations(_Strict):
    """What the trainee's reply should do at this moment."""

    required: list[Identifier] = Field(default_factory=list, description="必须做到的常用语类别")
    any_of: list[Identifier] = Field(default_factory=list, description="至少做到其中一个的常用语类别（算作一项要求）")
    optional: list[Identifier] = Field(default_factory=list, description="做到更好的常用语类别")
    prohibited: list[Identifier] = Field(
        default_factory=list, description="此刻额外禁止的类别（可以是常用语，如诊断前就谈费用）"
    )


class MoodChange(_Strict):
    """Mood change by what the reply did (overrides the scenario default)."""

    met: int | None = Field(default=None, ge=-100, le=100)
    partial: int | None = Field(default=None, ge=-100, le=100)
    missed: int | None = Field(default=None, ge=-100, le=100)
    prohibited: int | None = Field(default=None, ge=-100, le=100)
    timeout: int | None = Field(default=None, ge=-100, le=100)


class Transition(_Strict):
    """Where the conversation goes when the reply did something."""

    when: When = Field(description="条件：prohibited / met / partial / missed / timeout / mood_below / mood_above / always")
    goto: Identifier = Field(description="下一个节点或结局的 id")
    severity: list[Severity] | None = Field(default=None, description="when: prohibited 时只看这些严重程度")
    category: Identifier | None = Field(default=None, description="when: prohibited 时只看这个类别")
    value: int | None = Field(default=None, ge=0, le=100, description="when: mood_below / mood_above 的阈值")

    @model_validator(mode="after")
    def _check(self) -> Transition:
        if self.when in ("mood_below", "mood_above") and self.value is None:
            raise ValueError(f"when: {self.when} 需要 value（0–100 的情绪阈值）")
        if self.when != "prohibited" and (self.severity or self.category):
            raise ValueError("severity 和 category 只能用于 when: prohibited")
        return self


class BadAnswer(_Strict):
    reply: str = Field(min_length=1, max_length=2000, description="一条不合格的回答")
    prohibited: list[Identifier] = Field(min_length=1, description="它触犯的禁用语类别（至少一个）")


class Answers(_Strict):
    """Labelled answers to this node: ``simulator test`` checks them and the learned stage learns from them."""

    good: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        default_factory=list, description="合格的回答：不得命中任何禁用语"
    )
    bad: list[BadAnswer] = Field(default_factory=list, description="不合格的回答，各自注明触犯的禁用语类别")


class Node(_Strict):
    """One moment of the conversation."""

    title: str = Field(default="", max_length=20, description="节点的中文名（复盘时显示路径用），如“追问费用”")
    customer: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1, description="客户这句话的几种说法（随机选一种）")
    expects: Expectations = Field(default_factory=Expectations)
    model_answer: str = Field(min_length=1, description="标准回答：提示与复盘时展示")
    hint: str = Field(default="", description="给学员的提示（练习模式）")
    timeout: int | None = Field(default=None, ge=10, le=600, description="回复时限（秒）；超时按 when: timeout 处理")
    mood: MoodChange = Field(default_factory=MoodChange)
    answers: Answers = Field(default_factory=Answers, description="本节点的示例好回答与坏回答")
    transitions: list[Transition] = Field(min_length=1, description="按顺序检查，第一个满足的生效")


class Ending(_Strict):
    outcome: Outcome = Field(description="good 圆满 / neutral 一般 / bad 失败")
    title: str = Field(min_length=1, description="结局标题")
    customer: str = Field(default="", description="客户的最后一句话")
    debrief: str = Field(default="", description="复盘时给学员的说明")


class ExpectedRun(_Strict):
    path: list[Identifier] | None = Field(default=None, description="依次经过的节点（不含结局）")
    ending: Identifier | None = Field(default=None, description="应到达的结局")
    prohibited: list[list[Identifier]] | None = Field(default=None, description="每回合应命中的禁用语类别")
    standard: list[list[Identifier]] | None = Field(default=None, description="每回合至少应命中的常用语类别")
    score_min: int | None = Field(default=None, ge=0, le=100)
    score_max: int | None = Field(default=None, ge=0, le=100)


class Playthrough(_Strict):
    """An example run that ``simulator test`` replays."""

    name: str = Field(min_length=1)
    seed: int = 1
    replies: list[str] = Field(min_length=1, description="学员每回合的回复；写 <超时> 表示这回合没有回复")
    expect: ExpectedRun


class ScoringBlock(_Strict):
    """A scenario's own scoring rule; every field defaults to the shipped rule."""

    pass_mark: int = Field(default=60, ge=0, le=100, description="及格线：完成、结局不是失败且不低于此分算通过")
    demands: int = Field(default=40, ge=0, le=100, description="做到本节点全部要求（required 与 any_of）共加多少分")
    optional: int = Field(default=5, ge=0, le=40, description="每做到一个 optional 类别加多少分")
    missed: int = Field(default=15, ge=0, le=100, description="每缺一项要求扣多少分")
    critical: int = Field(default=60, ge=0, le=100, description="严重禁用语扣分")
    major: int = Field(default=40, ge=0, le=100, description="较重禁用语扣分")
    minor: int = Field(default=20, ge=0, le=100, description="轻微禁用语扣分")
    bad_ending: int = Field(default=10, ge=0, le=100, description="结局失败时整场再扣多少分")

    def rule(self) -> ScoringRule:
        return ScoringRule(**self.model_dump())


class DefaultMood(_Strict):
    start: int = Field(default=50, ge=0, le=100, description="开场时客户情绪（0 暴怒 — 100 满意）")
    met: int = 15
    partial: int = 5
    missed: int = -10
    timeout: int = -15
    critical: int = -35
    major: int = -25
    minor: int = -10


class ScenarioFile(_Strict):
    """The top level of a scenario file."""

    version: Literal[1] = 1
    id: Identifier
    title: str = Field(min_length=1, max_length=40)
    difficulty: int = Field(ge=1, le=3, description="难度 1–3")
    tags: list[str] = Field(default_factory=list)
    summary: str = Field(default="", description="场景简介（选择场景时显示）")
    goal: str = Field(default="", description="本场景的练习目标（选择场景时显示）")
    source: str = Field(default="", description="依据的规范条款")
    persona: Persona
    mood: DefaultMood = Field(default_factory=DefaultMood)
    scoring: ScoringBlock = Field(default_factory=ScoringBlock, description="本场景的计分规则（可选，缺省为产品默认规则）")
    max_turns: int = Field(default=12, ge=1, le=50, description="最多回合数，超过按 on_max_turns 结束")
    on_max_turns: Identifier | None = Field(default=None, description="回合用完时进入的结局（默认第一个 bad 结局）")
    start: Identifier
    nodes: dict[Identifier, Node] = Field(min_length=1)
    endings: dict[Identifier, Ending] = Field(min_length=1)
    examples: list[Playthrough] = Field(default_factory=list, description="示范对练，simulator test 会逐条回放")


TIMEOUT_REPLY = "<超时>"


@dataclass
class Scenario:
    """A loaded scenario with where it came from."""

    model: ScenarioFile
    file: str
    positions: Positions
    version_hash: str = ""  # of the file's text: which version of the content a session played

    def __getattr__(self, name: str):  # noqa: ANN204 - delegate fields to the model
        return getattr(self.model, name)

    def where(self, *loc: object) -> tuple[str, int, int]:
        for cut in range(len(loc), -1, -1):
            found = self.positions.get(tuple(loc[:cut]))
            if found:
                return (self.file, found[0], found[1])
        return (self.file, 0, 0)

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


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                out.append(file)
    return out


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
                        "没有覆盖这些情况：" + "、".join(WHEN_LABELS[w] for w in lacking) + "（可加一条 when: always 兜底）",
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
            problems.append(Problem(*scenario.where("nodes", node_id), f"nodes.{node_id}", "从开场节点无法到达这个节点"))
        elif not any(t in s.endings for t in _reachable(s, node_id)):
            problems.append(Problem(*scenario.where("nodes", node_id), f"nodes.{node_id}", "从这个节点无法到达任何结局"))
    for ending_id in s.endings:
        if ending_id not in reachable and ending_id != scenario.max_turns_ending:
            problems.append(Problem(*scenario.where("endings", ending_id), f"endings.{ending_id}", "没有任何跳转通向这个结局"))
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


def load_scenarios(paths: Iterable[Path], categories: dict[str, str] | None = None) -> list[Scenario]:
    """Load and check scenario files; raise ContentError with every problem."""
    problems: list[Problem] = []
    loaded: list[Scenario] = []
    seen: dict[str, str] = {}
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
            problems.append(Problem(*scenario.where("id"), "id", f"场景 id {scenario.id} 与 {seen[scenario.id]} 重复"))
            continue
        seen[scenario.id] = scenario.file
        loaded.append(scenario)
    if problems:
        raise ContentError(problems)
    return loaded


def find_scenario(scenario_id: str, extra: list[Path] | None = None) -> Scenario:
    """Load the bundled (and user, and extra) scenarios and return one by id."""
    from . import locations

    for scenario in load_scenarios(locations.scenario_sources(extra)):
        if scenario.id == scenario_id:
            return scenario
    raise ContentError([Problem("", 0, 0, "", f"找不到场景 {scenario_id}（可用 simulator validate 查看已有场景）")])


def validate_scenario_files(paths: list[Path], matcher, out: TextIO, err: TextIO) -> bool:  # noqa: ANN001
    """Validate scenario files against the matcher's categories; print a summary."""
    categories = matcher.book.kinds()
    ok = True
    for path in paths:
        try:
            [scenario] = load_scenarios([path], categories)
        except ContentError as exc:
            ok = False
            for problem in exc.problems:
                err.write(f"✗ {problem}\n")
            continue
        problems = check_model_answers(scenario, matcher)
        if problems:
            ok = False
            for problem in problems:
                err.write(f"✗ {problem}\n")
            continue
        low, high = score_range(scenario)
        out.write(
            f"✓ {path}：场景「{scenario.title}」有效，{len(scenario.nodes)} 个节点、{len(scenario.endings)} 个结局、"
            f"{len(scenario.examples)} 个示范对练；得分范围 {low}–{high}\n"
        )
    return ok


def path_max_score(scenario: Scenario, nodes: list[str], ending_id: str | None) -> int:
    """The highest session score the path taken could have earned (every node's best reply)."""
    if not nodes:
        return 0
    mean = sum(node_score_range(scenario.model.nodes[n], scenario.model.scoring.rule())[1] for n in nodes) / len(nodes)
    bad = ending_id is not None and scenario.model.endings[ending_id].outcome == "bad"
    return clamp(mean - (scenario.model.scoring.bad_ending if bad else 0))


def check_model_answers(scenario: Scenario, matcher) -> list[Problem]:  # noqa: ANN001
    """Every node's model answer must do what its node asks and break no rule.

    A trainee who copies the model answer must earn the node's full score;
    otherwise nobody can say why a flawless run does not score at the top.
    """
    from .judge import judge

    problems = []
    for node_id, node in scenario.model.nodes.items():
        verdict = judge(matcher, node.model_answer, moment=scenario.moment(node_id))
        where = scenario.where("nodes", node_id, "model_answer")
        if verdict.prohibited:
            hits = "、".join(f"“{h.matched}”（{h.label}）" for h in verdict.prohibited)
            problems.append(Problem(*where, f"nodes.{node_id}.model_answer", f"标准回答命中了禁用语：{hits}"))
        if verdict.missed_labels:
            problems.append(
                Problem(*where, f"nodes.{node_id}.model_answer", "标准回答没有做到本节点的要求：" + "、".join(verdict.missed_labels))
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

"""The schema of ``scenarios/*.yaml`` (pydantic models; ``simulator schema scenario`` prints it).

A scenario is a small state machine written by trainers: nodes where the
customer says something (several variants), what the node expects of the
trainee's reply, and transitions chosen by what the reply did.  Endings close
the conversation with an outcome.  Example playthroughs travel with the
scenario and ``simulator test`` runs them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .record import OUTCOME_LABELS as OUTCOME_LABELS  # re-exported (defined where the views find it)
from .scoring import ScoringRule
from .yamlfile import Severity, StrictModel

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$", description="小写字母、数字与下划线")]
Outcome = Literal["good", "neutral", "bad"]
When = Literal["prohibited", "met", "partial", "missed", "timeout", "mood_below", "mood_above", "always"]

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


class Persona(StrictModel):
    name: str = Field(min_length=1, description="客户称呼，如“李站长”")
    role: str = Field(default="", description="身份，如“加气站站长”")
    description: str = Field(default="", description="背景：设备、经历、脾气")


class Expectations(StrictModel):
    """What the trainee's reply should do at this moment."""

    required: list[Identifier] = Field(default_factory=list, description="必须做到的常用语类别")
    any_of: list[Identifier] = Field(default_factory=list, description="至少做到其中一个的常用语类别（算作一项要求）")
    optional: list[Identifier] = Field(default_factory=list, description="做到更好的常用语类别")
    prohibited: list[Identifier] = Field(
        default_factory=list, description="此刻额外禁止的类别（可以是常用语，如诊断前就谈费用）"
    )


class MoodChange(StrictModel):
    """Mood change by what the reply did (overrides the scenario default)."""

    met: int | None = Field(default=None, ge=-100, le=100)
    partial: int | None = Field(default=None, ge=-100, le=100)
    missed: int | None = Field(default=None, ge=-100, le=100)
    prohibited: int | None = Field(default=None, ge=-100, le=100)
    timeout: int | None = Field(default=None, ge=-100, le=100)


class Transition(StrictModel):
    """Where the conversation goes when the reply did something."""

    when: When = Field(
        description="条件：prohibited / met / partial / missed / timeout / mood_below / mood_above / always"
    )
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


class BadAnswer(StrictModel):
    reply: str = Field(min_length=1, max_length=2000, description="一条不合格的回答")
    prohibited: list[Identifier] = Field(min_length=1, description="它触犯的禁用语类别（至少一个）")


class Answers(StrictModel):
    """Labelled answers to this node: ``simulator test`` checks them and the learned stage learns from them."""

    good: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        default_factory=list, description="合格的回答：不得命中任何禁用语"
    )
    bad: list[BadAnswer] = Field(default_factory=list, description="不合格的回答，各自注明触犯的禁用语类别")


class Node(StrictModel):
    """One moment of the conversation."""

    title: str = Field(default="", max_length=20, description="节点的中文名（复盘时显示路径用），如“追问费用”")
    customer: list[Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, description="客户这句话的几种说法（随机选一种）"
    )
    expects: Expectations = Field(default_factory=Expectations)
    # At most what a trainee may send (judge.MAX_REPLY_CHARS): validate judges it as a reply.
    model_answer: str = Field(min_length=1, max_length=2000, description="标准回答：提示与复盘时展示")
    hint: str = Field(default="", description="给学员的提示（练习模式）")
    timeout: int | None = Field(default=None, ge=10, le=600, description="回复时限（秒）；超时按 when: timeout 处理")
    mood: MoodChange = Field(default_factory=MoodChange)
    answers: Answers = Field(default_factory=Answers, description="本节点的示例好回答与坏回答")
    transitions: list[Transition] = Field(min_length=1, description="按顺序检查，第一个满足的生效")


class Ending(StrictModel):
    outcome: Outcome = Field(description="good 圆满 / neutral 一般 / bad 失败")
    title: str = Field(min_length=1, description="结局标题")
    customer: str = Field(default="", description="客户的最后一句话")
    debrief: str = Field(default="", description="复盘时给学员的说明")


class ExpectedRun(StrictModel):
    path: list[Identifier] | None = Field(default=None, description="依次经过的节点（不含结局）")
    ending: Identifier | None = Field(default=None, description="应到达的结局")
    prohibited: list[list[Identifier]] | None = Field(default=None, description="每回合应命中的禁用语类别")
    standard: list[list[Identifier]] | None = Field(default=None, description="每回合至少应命中的常用语类别")
    score_min: int | None = Field(default=None, ge=0, le=100)
    score_max: int | None = Field(default=None, ge=0, le=100)


class Playthrough(StrictModel):
    """An example run that ``simulator test`` replays."""

    name: str = Field(min_length=1)
    seed: int = 1
    replies: list[str] = Field(min_length=1, description="学员每回合的回复；写 <超时> 表示这回合没有回复")
    expect: ExpectedRun


class ScoringBlock(StrictModel):
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


class DefaultMood(StrictModel):
    start: int = Field(default=50, ge=0, le=100, description="开场时客户情绪（0 暴怒 — 100 满意）")
    met: int = 15
    partial: int = 5
    missed: int = -10
    timeout: int = -15
    critical: int = -35
    major: int = -25
    minor: int = -10


class ScenarioFile(StrictModel):
    """The top level of a scenario file."""

    version: Literal[1] = 1
    id: Identifier
    title: str = Field(min_length=1, max_length=40)
    difficulty: int = Field(ge=1, le=3, description="难度 1–3")
    tags: list[str] = Field(default_factory=list, description="标签：显示在场景列表里，学员筛选时可以输入")
    aliases: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="别名：学员在场景列表里筛选时输入这些词也能找到本场景，如 [超保, 过保]"
    )
    summary: str = Field(default="", description="场景简介（选择场景时显示）")
    goal: str = Field(default="", description="本场景的练习目标（选择场景时显示）")
    source: str = Field(default="", description="依据的规范条款")
    persona: Persona
    mood: DefaultMood = Field(default_factory=DefaultMood)
    scoring: ScoringBlock = Field(
        default_factory=ScoringBlock, description="本场景的计分规则（可选，缺省为产品默认规则）"
    )
    max_turns: int = Field(default=12, ge=1, le=50, description="最多回合数，超过按 on_max_turns 结束")
    on_max_turns: Identifier | None = Field(default=None, description="回合用完时进入的结局（默认第一个 bad 结局）")
    start: Identifier
    nodes: dict[Identifier, Node] = Field(min_length=1)
    endings: dict[Identifier, Ending] = Field(min_length=1)
    examples: list[Playthrough] = Field(default_factory=list, description="示范对练，simulator test 会逐条回放")

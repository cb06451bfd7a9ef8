"""The labelled corpus: replies with the labels a careful trainer gives them.

``corpus/*.yaml`` is the engine's training and test data (trainers read it
too).  Each item is one reply with its prohibited and standard categories, its
*kind* (how it is written) and, when it answers a scenario moment, the scenario
and node.  ``simulator eval`` reads the same item shape from any labelled file.

Items are split into train / dev / test by a stable hash of the reply text, so
a reply keeps its split whatever file it moves to: the learned stage trains on
``train``, sets its thresholds on ``dev``, and ``test`` is only ever measured.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from .errors import ContentError, Problem
from .yamlfile import StrictModel, load_yaml, read_text, validate_model, yaml_files

Kind = Literal["stock", "paraphrase", "colloquial", "buried", "sarcasm", "typo", "unpunctuated", "trap", "clean"]
KIND_LABELS = {
    "stock": "规范原话",
    "paraphrase": "换个说法",
    "colloquial": "口语方言",
    "buried": "长句夹带",
    "sarcasm": "反问讽刺",
    "typo": "错字谐音",
    "unpunctuated": "无标点",
    "trap": "易误判",
    "clean": "正常回复",
}
SPLITS: tuple[str, ...] = ("train", "dev", "test")
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")]


class CorpusItem(StrictModel):
    """One labelled reply."""

    id: str | None = Field(default=None, description="条目 id（文件内唯一）")
    reply: str = Field(min_length=1, max_length=2000, description="学员的回复原文")
    prohibited: bool | None = Field(
        default=None, description="细心的培训师是否会判为违规；缺省时按 prohibited_matches 是否为空"
    )
    prohibited_matches: list[Identifier] = Field(default_factory=list, description="必须检出的禁用语类别")
    prohibited_optional: list[Identifier] = Field(default_factory=list, description="可检出也可不检出的禁用语类别")
    standard: list[Identifier] = Field(default_factory=list, description="必须检出的常用语类别")
    standard_optional: list[Identifier] = Field(default_factory=list, description="可检出也可不检出的常用语类别")
    kind: Kind | None = Field(
        default=None,
        description="写法：stock / paraphrase / colloquial / buried / sarcasm / typo / unpunctuated / trap / clean",
    )
    scenario: Identifier | None = Field(default=None, description="回答的是哪个场景")
    node: Identifier | None = Field(default=None, description="回答的是该场景的哪个节点")
    customer: str | None = Field(default=None, description="客户刚说的话")
    note: str | None = Field(default=None, description="说明")

    @property
    def is_prohibited(self) -> bool:
        return self.prohibited if self.prohibited is not None else bool(self.prohibited_matches)

    @property
    def split(self) -> str:
        return split_of(self.reply)


class CorpusFile(StrictModel):
    """The top level of a corpus (or any labelled) file."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    name: str = Field(default="", description="名称")
    description: str = Field(default="", description="说明")
    items: list[CorpusItem] = Field(description="条目")


@dataclass(frozen=True, slots=True)
class Labelled:
    """A corpus item with where it came from."""

    item: CorpusItem
    file: str
    line: int

    @property
    def key(self) -> str:
        return f"{Path(self.file).stem}:{self.item.id or self.line}"


def split_of(reply: str) -> str:
    """``train`` (60%), ``dev`` (20%) or ``test`` (20%), stable across runs and machines."""
    bucket = int(hashlib.sha256(reply.strip().encode("utf-8")).hexdigest()[:8], 16) % 10
    return "train" if bucket < 6 else "dev" if bucket < 8 else "test"


def load_corpus_file(path: Path) -> list[Labelled]:
    """Read and schema-check one labelled file.

    Raises:
        ContentError: bad YAML or fields, with file:line:col.
    """
    name = str(path)
    data, positions = load_yaml(read_text(path), name)
    if isinstance(data, dict) and "items" in data and isinstance(data["items"], list):
        # Older labelled sets carry bookkeeping fields the corpus does not use.
        for entry in data["items"]:
            if isinstance(entry, dict):
                for legacy in ("class", "context"):
                    entry.pop(legacy, None)
    parsed = validate_model(CorpusFile, data, positions, name)
    out = []
    ids: dict[str, int] = {}
    problems = []
    for index, item in enumerate(parsed.items):
        line = positions.get(("items", index), (0, 0))[0]
        if item.id is not None:
            if item.id in ids:
                problems.append(
                    Problem(name, line, 0, f"items[{index}].id", f"id {item.id} 与第 {ids[item.id]} 行重复")
                )
            ids[item.id] = line
        out.append(Labelled(item, name, line))
    if problems:
        raise ContentError(problems)
    return out


def load_corpus(paths: list[Path]) -> list[Labelled]:
    """Every item of every file under ``paths`` (directories: their ``*.yaml``)."""
    problems: list[Problem] = []
    items: list[Labelled] = []
    for path in yaml_files(paths):
        try:
            items.extend(load_corpus_file(path))
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return items


def check_labels(
    items: list[Labelled], kinds: dict[str, str], scenarios: dict[str, set[str]] | None = None
) -> list[Problem]:
    """Labels must be known categories of the right kind; moments must exist."""
    problems = []
    for entry in items:
        item = entry.item
        where = (entry.file, entry.line, 0)
        for field, want in (
            ("prohibited_matches", "prohibited"),
            ("prohibited_optional", "prohibited"),
            ("standard", "standard"),
            ("standard_optional", "standard"),
        ):
            for category in getattr(item, field):
                if kinds.get(category) != want:
                    kind_name = "禁用语" if want == "prohibited" else "常用语"
                    problems.append(
                        Problem(*where, f"{item.id or ''}.{field}", f"{category} 不是已定义的{kind_name}类别")
                    )
        if item.prohibited is False and item.prohibited_matches:
            problems.append(
                Problem(*where, f"{item.id or ''}.prohibited", "prohibited 为 false 却列出了 prohibited_matches")
            )
        if scenarios is not None and item.scenario is not None:
            nodes = scenarios.get(item.scenario)
            if nodes is None:
                problems.append(Problem(*where, f"{item.id or ''}.scenario", f"场景 {item.scenario} 不存在"))
            elif item.node is not None and item.node not in nodes:
                problems.append(Problem(*where, f"{item.id or ''}.node", f"场景 {item.scenario} 没有节点 {item.node}"))
    return problems

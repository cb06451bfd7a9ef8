"""Phrasebook content: the schema of ``phrasebook/*.yaml`` and loading it.

A phrasebook lists *categories* of standard phrases (服务常用语) and prohibited
phrases (服务禁用语).  Each category names the norm clause it comes from, its
phrases and their variants, ordered keyword patterns, exceptions, and its own
examples.  Loading compiles the matcher and runs every example: a phrasebook
whose own examples fail does not load (like prh's inline specs).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .errors import ContentError, Problem
from .specs import (
    KIND_LABELS,
    SEVERITY_LABELS,
    CategorySpec,
    Kind,
    NegationTerms,
    PatternSpec,
    Phrasebook,
    Severity,
    SourceRef,
)
from .yamlfile import Positions, StrictModel, load_yaml, read_text, validate_model, yaml_files

# What other modules import from here; the merged phrasebook itself is plain data (specs.py).
__all__ = [
    "KIND_LABELS",
    "SEVERITY_LABELS",
    "Category",
    "CategorySpec",
    "Negation",
    "Pattern",
    "Phrasebook",
    "PhrasebookFile",
    "load_phrasebook",
    "merge_files",
    "parse_file",
]

CategoryId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,47}$", description="类别 id：小写字母、数字与下划线")]


class Source(StrictModel):
    """The norm a category comes from."""

    document: str = Field(min_length=1, description="规范文件名，如“售后服务人员服务准则”")
    clause: str = Field(min_length=1, description="条款号，如“2.1”")

    def __str__(self) -> str:
        return f"{self.document} {self.clause}"


class PhraseEntry(StrictModel):
    """A phrase with optional variants, all reported under one id."""

    id: str | None = Field(default=None, description="短语 id；缺省时自动生成")
    text: str = Field(min_length=2, max_length=40, description="短语原文（简短说法，不要整段粘贴）")
    variants: list[Annotated[str, Field(min_length=2, max_length=40)]] = Field(
        default_factory=list, description="同义的其他说法"
    )


PatternElement = str | list[str]


class Pattern(StrictModel):
    """Ordered keywords, each a word or a list of alternatives, with a maximum gap.

    The special elements ``^`` and ``$`` stand for the start and the end of a
    clause (the end may be followed by a particle such as 啊/吧/了), ``#``
    for a number (digits or Chinese numerals: 200, 两百, 三百二十), and
    ``@name`` for any word of the phrasebook's lexicon entry ``name``.
    """

    id: str | None = Field(default=None, description="模式 id；缺省时自动生成")
    sequence: list[PatternElement] = Field(
        min_length=1, description="按顺序出现的关键词；每项可以是一个词或若干候选词的列表"
    )
    max_gap: int = Field(default=4, ge=0, le=20, description="相邻关键词之间最多隔几个字")
    within_clause: bool = Field(default=False, description="为 true 时关键词之间不能隔着逗号")
    gaps: list[Annotated[int, Field(ge=0, le=20)]] | None = Field(
        default=None, description="逐个指定相邻关键词之间的最大间隔（个数 = 关键词数 - 1），覆盖 max_gap"
    )
    if_expected: list[CategoryId] = Field(
        default_factory=list, description="只在场景节点期待这些常用语类别之一时生效（如收费节点里的金额是说明费用）"
    )
    unless_expected: list[CategoryId] = Field(
        default_factory=list, description="场景节点期待这些常用语类别之一时不生效"
    )
    if_customer: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="只在客户刚说的话里含有这些词之一时生效（如客户在问新款的价格）"
    )

    def spec(self) -> PatternSpec:
        """The validated pattern as plain data (what the matcher compiles)."""
        return PatternSpec(
            sequence=tuple(e if isinstance(e, str) else tuple(e) for e in self.sequence),
            max_gap=self.max_gap,
            within_clause=self.within_clause,
            gaps=tuple(self.gaps) if self.gaps is not None else None,
            if_expected=tuple(self.if_expected),
            unless_expected=tuple(self.unless_expected),
            if_customer=tuple(self.if_customer),
            id=self.id,
        )

    @model_validator(mode="after")
    def _check(self) -> Pattern:
        words = [w for element in self.sequence for w in ([element] if isinstance(element, str) else element)]
        if not [w for w in words if w not in ("^", "$")]:
            raise ValueError("模式至少需要一个关键词")
        if any(not w.strip() for w in words):
            raise ValueError("关键词不能为空")
        keywords = [e for e in self.sequence if e not in ("^", "$")]
        if self.gaps is not None and len(self.gaps) != len(keywords) - 1:
            raise ValueError(f"gaps 应有 {len(keywords) - 1} 项（关键词数减一），实际 {len(self.gaps)} 项")
        return self


class Examples(StrictModel):
    """The category's own tests: replies that must hit (span in [方括号]) and must not."""

    hit: list[str] = Field(default_factory=list, description="必须命中的回复，用 [ ] 标出应命中的文字")
    clean: list[str] = Field(default_factory=list, description="不得命中的回复")


class Category(StrictModel):
    """One category of standard or prohibited phrases."""

    id: CategoryId
    label: str = Field(default="", max_length=30, description="中文名称")
    kind: Kind | None = Field(default=None, description="standard（常用语）或 prohibited（禁用语）")
    severity: Severity | None = Field(default=None, description="禁用语的严重程度：critical / major / minor")
    source: Source | None = Field(default=None, description="出处：规范文件与条款号")
    description: str = Field(default="", description="给培训师看的说明")
    suggestion: str | None = Field(default=None, description="禁用语：应该怎么说")
    phrases: list[str | PhraseEntry] = Field(default_factory=list, description="短语及其变体")
    patterns: list[Pattern] = Field(default_factory=list, description="有序关键词模式")
    exceptions: list[str | Pattern] = Field(
        default_factory=list, description="看似命中但其实没问题的说法；与命中重叠时取消该命中"
    )
    remedied_by: list[CategoryId] = Field(
        default_factory=list,
        description="禁用语：同一回复里若还做到了这些常用语类别（如转介同事、承诺回复），则不算违规",
    )
    learned_requires: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="第二阶段模型判为本类别时，命中的文字里必须含有这些词之一才算（如“直接拒绝”必含否定词）",
    )
    shadows: list[CategoryId] = Field(
        default_factory=list,
        description="禁用语：同一句话里的这些常用语不得分（如随口承诺里的“您放心”不算安抚）",
    )
    negatable: bool | None = Field(
        default=None, description="命中前有否定词（没法、不能…）时是否作废；常用语默认是，禁用语默认否"
    )
    examples: Examples = Field(default_factory=Examples, description="自带测试用例")
    extend: bool = Field(default=False, description="为 true 时向已有同 id 类别追加短语、模式、例外与用例")

    @model_validator(mode="after")
    def _check(self) -> Category:
        if self.extend:
            return self
        if self.kind is None:
            raise ValueError("缺少 kind（standard 或 prohibited）")
        if not self.label:
            raise ValueError("缺少 label（中文名称）")
        if self.kind == "prohibited":
            missing = [name for name in ("severity", "source", "suggestion") if not getattr(self, name)]
            if missing:
                raise ValueError(f"禁用语类别必须填写 {'、'.join(missing)}")
        if not self.phrases and not self.patterns:
            raise ValueError("类别至少需要一条短语或一个模式")
        return self


class Negation(StrictModel):
    """How negation is recognised around a hit (NegEx-style term sets)."""

    cues: list[str] = Field(default_factory=list, description="否定词，如 没法、不能、无法")
    pseudo: list[str] = Field(default_factory=list, description="看似否定其实不是，如 不好意思、没问题")
    window: int = Field(default=3, ge=1, le=10, description="命中前向前看几个词")


LexiconName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class PhrasebookFile(StrictModel):
    """The top level of a phrasebook file."""

    version: Literal[1] = Field(description="格式版本，目前为 1")
    name: str = Field(default="", description="话术库名称")
    negation: Negation | None = None
    lexicon: dict[LexiconName, list[Annotated[str, Field(min_length=1)]]] = Field(
        default_factory=dict,
        description="词表：模式里写 @名称 即代表表中任一词（如 @self 代表 我/我们/俺）；多个文件的同名词表会合并",
    )
    categories: list[Category] = Field(default_factory=list)


def _where(positions: Positions, name: str, loc: tuple[object, ...]) -> tuple[str, int, int]:
    line, column = positions.get(loc, (0, 0))
    return (name, line, column)


def _slug(text: str) -> str:
    return re.sub(r"\s+", "", text)


def merge_files(files: list[tuple[str, PhrasebookFile, Positions]]) -> Phrasebook:
    """Merge parsed files into one phrasebook, checking cross-file rules."""
    problems: list[Problem] = []
    categories: dict[str, CategorySpec] = {}
    negation = NegationTerms()
    lexicon: dict[str, list[str]] = {}
    for name, book, positions in files:
        for lexicon_name, words in book.lexicon.items():
            known = lexicon.setdefault(lexicon_name, [])
            known.extend(w for w in words if w not in known)
        if book.negation:
            negation = NegationTerms(
                cues=negation.cues + tuple(c for c in book.negation.cues if c not in negation.cues),
                pseudo=negation.pseudo + tuple(p for p in book.negation.pseudo if p not in negation.pseudo),
                window=book.negation.window,
            )
        for ci, cat in enumerate(book.categories):
            loc = ("categories", ci)
            where = _where(positions, name, loc + ("id",))
            spec = categories.get(cat.id)
            if spec is None:
                if cat.extend:
                    problems.append(Problem(*where, f"categories[{ci}].extend", f"要扩展的类别 {cat.id} 不存在"))
                    continue
                assert cat.kind is not None
                spec = CategorySpec(
                    id=cat.id,
                    label=cat.label,
                    kind=cat.kind,
                    severity=cat.severity,
                    source=SourceRef(cat.source.document, cat.source.clause) if cat.source else None,
                    description=cat.description,
                    suggestion=cat.suggestion,
                    negatable=cat.negatable if cat.negatable is not None else cat.kind == "standard",
                    remedied_by=list(cat.remedied_by),
                    shadows=list(cat.shadows),
                    learned_requires=list(cat.learned_requires),
                )
                categories[cat.id] = spec
            elif not cat.extend:
                problems.append(
                    Problem(*where, f"categories[{ci}].id", f"类别 {cat.id} 重复定义；若要追加内容请写 extend: true")
                )
                continue
            else:
                if cat.kind and cat.kind != spec.kind:
                    problems.append(Problem(*where, f"categories[{ci}].kind", "扩展时不能改变类别的 kind"))
                spec.remedied_by += [r for r in cat.remedied_by if r not in spec.remedied_by]
                spec.shadows += [r for r in cat.shadows if r not in spec.shadows]
                spec.learned_requires += [w for w in cat.learned_requires if w not in spec.learned_requires]
            taken = {pid for pid, _, _ in spec.phrases}
            for pi, entry in enumerate(cat.phrases):
                ploc = loc + ("phrases", pi)
                if isinstance(entry, str):
                    texts, base_id = [entry], None
                else:
                    texts, base_id = [entry.text, *entry.variants], entry.id
                if len(entry if isinstance(entry, str) else entry.text) < 2:
                    problems.append(
                        Problem(
                            *_where(positions, name, ploc), f"categories[{ci}].phrases[{pi}]", "短语至少需要 2 个字"
                        )
                    )
                    continue
                phrase_id = base_id or f"{cat.id}/{_slug(texts[0])}"
                if phrase_id in taken:
                    phrase_id = f"{phrase_id}#{len(spec.phrases) + 1}"
                taken.add(phrase_id)
                for text in texts:
                    spec.phrases.append((phrase_id, text, _where(positions, name, ploc)))
            for pi, pattern in enumerate(cat.patterns):
                ploc = loc + ("patterns", pi)
                pattern_id = pattern.id or f"{cat.id}/p{len(spec.patterns) + 1}"
                spec.patterns.append((pattern_id, pattern.spec(), _where(positions, name, ploc)))
            for ei, exception in enumerate(cat.exceptions):
                rule = exception if isinstance(exception, str) else exception.spec()
                spec.exceptions.append((rule, _where(positions, name, loc + ("exceptions", ei))))
            for xi, example in enumerate(cat.examples.hit):
                spec.hit_examples.append((example, _where(positions, name, loc + ("examples", "hit", xi))))
            for xi, example in enumerate(cat.examples.clean):
                spec.clean_examples.append((example, _where(positions, name, loc + ("examples", "clean", xi))))
    for spec in categories.values():
        for shadowed in spec.shadows:
            target = categories.get(shadowed)
            if target is None or target.kind != "standard":
                problems.append(
                    Problem(
                        files[0][0] if files else "", 0, 0, f"{spec.id}.shadows", f"{shadowed} 不是已定义的常用语类别"
                    )
                )
        for remedy in spec.remedied_by:
            target = categories.get(remedy)
            if target is None or target.kind != "standard":
                problems.append(
                    Problem(
                        files[0][0] if files else "", 0, 0, f"{spec.id}.remedied_by", f"{remedy} 不是已定义的常用语类别"
                    )
                )
    if problems:
        raise ContentError(problems)
    return Phrasebook(categories=categories, negation=negation, files=[name for name, _, _ in files], lexicon=lexicon)


def parse_file(path: Path) -> tuple[str, PhrasebookFile, Positions]:
    """Read and schema-check one phrasebook file."""
    name = str(path)
    data, positions = load_yaml(read_text(path), name)
    return name, validate_model(PhrasebookFile, data, positions, name), positions


def load_phrasebook(paths: list[Path]) -> Phrasebook:
    """Load and merge phrasebook files (``matcher.load_matcher`` also self-tests them).

    Raises:
        ContentError: with every problem found, each naming file:line:col.
    """
    files = yaml_files(paths)
    if not files:
        raise ContentError([Problem(", ".join(map(str, paths)), 0, 0, "", "没有找到话术库文件（*.yaml）")])
    problems: list[Problem] = []
    parsed = []
    for path in files:
        try:
            parsed.append(parse_file(path))
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return merge_files(parsed)

"""JSON Schemas of the content formats, for trainers' editors (hover help, completion, error marks).

The models' own docstrings are developer documentation (English); a trainer
reads the schema as hover help, so every model and field gets a Chinese title
and description here.  A field with no entry below keeps its Chinese
``Field(description=...)`` and takes its title from it.
"""

from __future__ import annotations

import re
from typing import Any

KINDS = ("phrasebook", "scenario", "corpus")

TITLES = {
    "phrasebook": "售后服务情景陪练 · 话术库文件",
    "scenario": "售后服务情景陪练 · 场景文件",
    "corpus": "售后服务情景陪练 · 标注语料文件",
}

# Model name -> (title, description).
MODELS: dict[str, tuple[str, str]] = {
    "PhrasebookFile": ("话术库文件", "话术库文件的顶层：类别、词表和否定词设置。"),
    "Category": ("类别", "一类服务常用语或服务禁用语：出处、短语、模式、例外和自测用例。"),
    "Examples": ("自测用例", "本类别自带的测试：必须命中的回复（用 [ ] 标出应命中的文字）和不得命中的回复。"),
    "Negation": ("否定词设置", "命中前出现否定词时（如“我没法保证”）怎样判断：否定词、伪否定词和往前看的词数。"),
    "Pattern": (
        "模式",
        "有序关键词：按顺序出现、相邻关键词之间最多隔几个字即命中。特殊写法：^ 分句开头，$ 分句结尾，"
        "# 一个数字，@名称 词表里的任一词。",
    ),
    "PhraseEntry": ("短语", "一条短语及其同义说法，命中时都记在同一个短语下。"),
    "Source": ("出处", "这个类别依据的规范：文件名和条款号。"),
    "ScenarioFile": ("场景文件", "场景文件的顶层：场景信息、客户、节点、结局和示范对练。"),
    "Persona": ("客户", "学员面对的客户：称呼、身份和背景。"),
    "Expectations": ("要求", "这一刻学员的回复应当做到什么、不能说什么（填话术库的类别 id）。"),
    "MoodChange": ("情绪变化", "本节点按回复结果改变客户情绪的幅度，覆盖场景的默认值。"),
    "Transition": ("跳转", "回复满足条件时对话走向哪里；从上到下检查，第一条满足的生效。"),
    "BadAnswer": ("坏回答", "这一刻不合格的一条回答，以及它触犯的禁用语类别。"),
    "Answers": ("示例回答", "这一刻的好回答与坏回答：simulator test 检查它们，判别模型也从中学习。"),
    "Node": ("节点", "对话中的一刻：客户说一句话，学员回复，按结果跳转。"),
    "Ending": ("结局", "对话的结束：结果、标题、客户最后一句话和复盘说明。"),
    "ExpectedRun": ("预期结果", "示范对练应当经过的节点、到达的结局、每回合的命中和得分范围。"),
    "Playthrough": ("示范对练", "一段写好的对练，simulator test 会逐条回放并核对预期结果。"),
    "ScoringBlock": ("计分规则", "本场景自己的计分规则；每一项都可省略，省略的按产品默认值。"),
    "DefaultMood": ("情绪", "客户开场时的情绪和每种回复结果默认的情绪变化（0 暴怒 — 100 满意）。"),
    "CorpusFile": ("标注语料文件", "一组标注过的学员回复：用来训练和检验判别模型。"),
    "CorpusItem": ("条目", "一条标注过的学员回复：是否违规、必须检出哪些类别。"),
}

# Model name -> field -> title (and, after a "|", a description for fields that have none).
FIELDS: dict[str, dict[str, str]] = {
    "PhrasebookFile": {
        "version": "格式版本",
        "name": "话术库名称",
        "negation": "否定词设置|识别否定的词表（一般不用改）",
        "lexicon": "词表",
        "categories": "类别|常用语和禁用语的类别列表",
    },
    "Category": {
        "id": "类别 id",
        "label": "中文名称",
        "kind": "类型",
        "severity": "严重程度",
        "source": "出处",
        "description": "说明",
        "suggestion": "建议说法",
        "phrases": "短语",
        "patterns": "模式",
        "exceptions": "例外",
        "remedied_by": "可补救的常用语",
        "learned_requires": "模型命中须含的词",
        "shadows": "同句不得分的常用语",
        "negatable": "否定时作废",
        "examples": "自测用例",
        "extend": "扩充已有类别",
    },
    "Examples": {"hit": "必须命中", "clean": "不得命中"},
    "Negation": {"cues": "否定词", "pseudo": "伪否定词", "window": "往前看几个词"},
    "Pattern": {
        "id": "模式 id",
        "sequence": "关键词序列",
        "max_gap": "最大间隔",
        "within_clause": "限在一个分句内",
        "gaps": "逐个指定间隔",
        "if_expected": "仅当节点期待",
        "unless_expected": "节点期待时不生效",
        "if_customer": "仅当客户说了",
    },
    "PhraseEntry": {"id": "短语 id", "text": "短语", "variants": "其他说法"},
    "Source": {"document": "规范文件", "clause": "条款号"},
    "ScenarioFile": {
        "version": "格式版本|目前为 1",
        "id": "场景 id|场景编号：小写英文、数字、下划线，不能与其他场景重复",
        "title": "标题|场景标题（40 字以内），显示在场景列表里",
        "aliases": "别名",
        "difficulty": "难度",
        "tags": "标签",
        "summary": "简介",
        "goal": "练习目标",
        "source": "依据",
        "persona": "客户|学员面对的客户",
        "mood": "情绪|开场情绪和默认的情绪变化",
        "scoring": "计分规则",
        "max_turns": "最多回合数",
        "on_max_turns": "回合用完时的结局",
        "start": "开场节点|对话从哪个节点开始（节点 id）",
        "nodes": "节点|对话的每一刻，键是节点 id",
        "endings": "结局|对话的结束，键是结局 id",
        "examples": "示范对练",
    },
    "Persona": {"name": "称呼", "role": "身份", "description": "背景"},
    "Expectations": {
        "required": "必须做到",
        "any_of": "至少做到其一",
        "optional": "加分项",
        "prohibited": "此刻额外禁止",
    },
    "MoodChange": {
        "met": "做到全部要求|做到全部要求时情绪变化（-100 到 100）",
        "partial": "做到部分要求|做到部分要求时情绪变化",
        "missed": "没做到要求|没做到要求时情绪变化",
        "prohibited": "说了禁用语|说了禁用语时情绪变化",
        "timeout": "超时|超时未回复时情绪变化",
    },
    "Transition": {
        "when": "条件",
        "goto": "跳转到",
        "severity": "严重程度",
        "category": "禁用语类别",
        "value": "情绪阈值",
    },
    "BadAnswer": {"reply": "回答", "prohibited": "触犯的禁用语类别"},
    "Answers": {"good": "好回答", "bad": "坏回答"},
    "Node": {
        "title": "节点名称",
        "customer": "客户说法",
        "expects": "要求|这一刻的回复应当做到什么",
        "model_answer": "标准回答",
        "hint": "提示",
        "timeout": "回复时限（秒）",
        "mood": "情绪变化|本节点的情绪变化，覆盖场景默认值",
        "answers": "示例回答",
        "transitions": "跳转",
    },
    "Ending": {"outcome": "结果", "title": "结局标题", "customer": "客户最后一句", "debrief": "复盘说明"},
    "ExpectedRun": {
        "path": "经过的节点",
        "ending": "结局",
        "prohibited": "每回合的禁用语",
        "standard": "每回合的常用语",
        "score_min": "最低分|整场得分不低于此分",
        "score_max": "最高分|整场得分不高于此分",
    },
    "Playthrough": {
        "name": "名称|这段示范对练的名字，如“致歉并改约”",
        "seed": "随机种子|选择客户说法用的随机种子（默认 1）",
        "replies": "学员回复",
        "expect": "预期结果|回放后应当看到的结果",
    },
    "ScoringBlock": {
        "pass_mark": "及格线",
        "demands": "要求总分",
        "optional": "加分项分值",
        "missed": "缺项扣分",
        "critical": "严重禁用语扣分",
        "major": "较重禁用语扣分",
        "minor": "轻微禁用语扣分",
        "bad_ending": "失败结局扣分",
    },
    "DefaultMood": {
        "start": "开场情绪",
        "met": "做到全部要求|做到全部要求时情绪变化（默认 +15）",
        "partial": "做到部分要求|做到部分要求时情绪变化（默认 +5）",
        "missed": "没做到要求|没做到要求时情绪变化（默认 -10）",
        "timeout": "超时|超时未回复时情绪变化（默认 -15）",
        "critical": "严重禁用语|说了严重禁用语时情绪变化（默认 -35）",
        "major": "较重禁用语|说了较重禁用语时情绪变化（默认 -25）",
        "minor": "轻微禁用语|说了轻微禁用语时情绪变化（默认 -10）",
    },
    "CorpusFile": {"name": "名称", "description": "说明", "items": "条目|标注过的回复列表"},
    "CorpusItem": {
        "id": "条目 id",
        "reply": "回复原文",
        "prohibited": "是否违规",
        "prohibited_matches": "必须检出的禁用语",
        "prohibited_optional": "可检出的禁用语",
        "standard": "必须检出的常用语",
        "standard_optional": "可检出的常用语",
        "kind": "写法",
        "scenario": "场景",
        "node": "节点",
        "customer": "客户刚说的话",
        "note": "备注",
    },
}

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _model(kind: str) -> Any:
    if kind == "corpus":
        from .corpus import CorpusFile

        return CorpusFile
    if kind == "scenario":
        from .scenario_schema import ScenarioFile

        return ScenarioFile
    from .phrasebook import PhrasebookFile

    return PhrasebookFile


def _in_chinese(model_name: str, model: dict[str, Any]) -> None:
    """Give one model's schema and its fields Chinese titles and descriptions."""
    title, description = MODELS.get(model_name, (model.get("title", model_name), model.get("description", "")))
    model["title"], model["description"] = title, description
    fields = FIELDS.get(model_name, {})
    for name, field in model.get("properties", {}).items():
        given = fields.get(name, "")
        field_title, _, field_description = given.partition("|")
        current = field.get("description", "")
        if not _CHINESE.search(current):
            current = field_description or field_title or current
        field["description"] = current
        # A field with no entry above takes its title from its (Chinese) description.
        field["title"] = field_title or re.split(r"[：:，,（(；;。]", current, maxsplit=1)[0] or name


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``phrasebook``, ``scenario`` or ``corpus`` files, titles and descriptions in Chinese."""
    model = _model(kind)
    schema: dict[str, Any] = model.model_json_schema()
    _in_chinese(model.__name__, schema)
    for name, definition in schema.get("$defs", {}).items():
        _in_chinese(name, definition)
    schema["title"] = TITLES[kind]
    # Draft 7: what editors' YAML plugins (yaml-language-server) understand; the keywords used are all in it.
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return schema


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"

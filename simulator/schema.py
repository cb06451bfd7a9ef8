"""JSON Schemas of the content formats, for trainers' editors."""

from __future__ import annotations

from typing import Any


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``phrasebook``, ``scenario`` or ``corpus`` files."""
    if kind == "corpus":
        from .corpus import CorpusFile

        schema = CorpusFile.model_json_schema()
        schema["title"] = "售后服务情景陪练 · 标注语料文件"
    elif kind == "scenario":
        from .scenario import ScenarioFile

        schema = ScenarioFile.model_json_schema()
        schema["title"] = "售后服务情景陪练 · 场景文件"
    else:
        from .phrasebook import PhrasebookFile

        schema = PhrasebookFile.model_json_schema()
        schema["title"] = "售后服务情景陪练 · 话术库文件"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema

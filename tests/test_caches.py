"""What the engine keeps in the user cache (issue 12, item 1): reused, rebuilt when what it came from changes,
ignored when damaged, never needed; and the commands that need only the store never compile the phrasebook.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulator import cache, locations, phrasebook
from simulator import matcher as matcher_module
from simulator.cache import cache_dir, package_stamp, path_for, read
from simulator.contentfiles import yaml_files
from simulator.labels import category_labels
from simulator.learned import LearnedStage, cached_path, load_or_train, train
from simulator.matcher import Matcher, compiled_key, load_matcher

ROOT = Path(__file__).resolve().parent.parent

CATEGORY = """\
version: 1
categories:
  - id: sarcasm_extra
    label: 冷嘲热讽
    kind: prohibited
    severity: major
    source: {document: 售后服务人员服务准则, clause: "2.2"}
    suggestion: 我理解您的心情，我们一起看看怎么解决。
    phrases: [您可真行, 真有您的]
    examples:
      hit: ["哎呀[您可真行]。"]
      clean: ["您真行，谢谢您的配合。"]
"""


def run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env | {"PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=False,
    )


def score_json(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", "score", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env | {"PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=False,
    )


REPLIES = ["你好", "这个不归我管，你去找厂家吧", "我没法保证给您回电", "不好意思，明天上午给您回电", "這個不屬於我負責"]


# -- the compiled phrasebook ------------------------------------------------------------------


def test_a_compiled_phrasebook_is_reused_and_rebuilt_when_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[int] = []
    tested: list[int] = []
    real_load, real_test = phrasebook.load_phrasebook, Matcher.self_test
    monkeypatch.setattr(phrasebook, "load_phrasebook", lambda paths: parsed.append(1) or real_load(paths))
    monkeypatch.setattr(Matcher, "self_test", lambda self: tested.append(1) or real_test(self))
    extra = tmp_path / "extra.yaml"
    extra.write_text(CATEGORY, encoding="utf-8")
    paths = [locations.bundled_phrasebook_dir(), extra]

    first = load_matcher(paths)
    assert (len(parsed), len(tested)) == (1, 1)
    again = load_matcher(paths)  # from the cache: no parse, no self-test, same judgements
    assert (len(parsed), len(tested)) == (1, 1)
    assert again is not first
    for text in REPLIES + ["哎呀您可真行"]:
        assert again.scan(text) == first.scan(text)

    extra.write_text(CATEGORY.replace("真有您的", "真有你的"), encoding="utf-8")
    changed = load_matcher(paths)
    assert (len(parsed), len(tested)) == (2, 2)
    assert any(h.matched == "真有你的" for h in changed.scan("真有你的"))


def test_a_damaged_compiled_phrasebook_is_ignored_and_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[int] = []
    real_load = phrasebook.load_phrasebook
    monkeypatch.setattr(phrasebook, "load_phrasebook", lambda paths: parsed.append(1) or real_load(paths))
    extra = tmp_path / "extra.yaml"
    extra.write_text(CATEGORY, encoding="utf-8")
    paths = [locations.bundled_phrasebook_dir(), extra]
    reference = load_matcher(paths)
    file = path_for("phrasebook", compiled_key(yaml_files(paths)))
    assert read(file) is not None
    good = file.read_bytes()
    for damage in (good[: len(good) // 2], good[:-1] + bytes([good[-1] ^ 1]), b"", b"not a cache file"):
        file.write_bytes(damage)
        loaded = load_matcher(paths)
        assert loaded.scan("这个不归我管，您可真行") == reference.scan("这个不归我管，您可真行")
        assert read(file) is not None  # written again
    assert len(parsed) == 5


def test_the_compiled_phrasebook_key_follows_the_engine_code_and_the_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    files = yaml_files([locations.bundled_phrasebook_dir()])
    key = compiled_key(files)
    assert compiled_key(files) == key
    monkeypatch.setattr(matcher_module, "COMPILED_FORMAT", matcher_module.COMPILED_FORMAT + 1)
    assert compiled_key(files) != key
    monkeypatch.undo()
    monkeypatch.setattr("simulator.text.tables_key", lambda: "other zhconv or pypinyin")
    assert compiled_key(files) != key


# -- package versions ----------------------------------------------------------------------------


def test_a_package_stamp_changes_with_its_version_and_its_data_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    package = site / "fakepkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "data.txt").write_text("one", encoding="utf-8")
    (site / "fakepkg-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    first = package_stamp("fakepkg", "data.txt")
    assert "fakepkg:1.0:" in first and "fakepkg" not in sys.modules  # found, not imported
    (site / "fakepkg-1.0.dist-info").rename(site / "fakepkg-1.1.dist-info")
    upgraded = package_stamp("fakepkg", "data.txt")
    assert upgraded != first and "fakepkg:1.1:" in upgraded
    (package / "data.txt").write_text("two, longer", encoding="utf-8")
    assert package_stamp("fakepkg", "data.txt") != upgraded
    assert package_stamp("no_such_package_here", "x") == "no_such_package_here:missing"


# -- the learned stage ---------------------------------------------------------------------------


def test_a_damaged_learned_stage_is_ignored_and_trained_again(tmp_path: Path) -> None:
    from simulator.learned import Example

    bad = ["你爱修不修", "爱修不修随你", "不修拉倒", "你爱换不换", "爱买不买", "随便你修不修", "修不修你自己看"]
    good = ["我马上为您检查", "请您稍等", "我来帮您看看", "谢谢您的配合", "这就给您处理", "我先检查一下", "麻烦您稍等"]
    examples = [Example(t, frozenset({"rude"}), frozenset(), "t") for t in bad]
    examples += [Example(t, frozenset(), frozenset({"rude"}), "t") for t in good]
    built: list[int] = []

    def build() -> LearnedStage:
        built.append(1)
        return train(examples, ["rude"], examples)

    first = load_or_train("k", build, tmp_path)
    path = cached_path("k", tmp_path)
    good_bytes = path.read_bytes()
    for damage in (good_bytes[:100], good_bytes[:-3] + b"xyz", b"garbage"):
        path.write_bytes(damage)
        assert LearnedStage.load(path, "k") is None
        again = load_or_train("k", build, tmp_path)
        assert [h.confidence for h in again.judge("你爱修不修")] == [h.confidence for h in first.judge("你爱修不修")]
    assert len(built) == 4
    assert (
        "numpy"
        not in run(
            """
        import sys
        from pathlib import Path
        from simulator.learned import LearnedStage
        stage = LearnedStage.load(Path(sys.argv[1]), "k")
        assert stage is not None and stage.judge("好") == []  # too short to score
        print(sorted(sys.modules))
        """,
            dict(os.environ),
            str(path),
        ).stdout
    )


# -- every cache at once, in a fresh process -------------------------------------------------------


def _warm_copy(tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    """A copy of this run's cache, warmed by the whole engine, and ``score``'s JSON with it."""
    warm = tmp_path / "cache"
    env = dict(os.environ, SIMULATOR_HOME=str(tmp_path / "home"))
    first = score_json(env, *REPLIES)  # warms the shared cache of this test run
    assert first.returncode == 0, first.stderr
    shutil.copytree(cache_dir(), warm)
    env["SIMULATOR_CACHE_DIR"] = str(warm)
    return warm, env, first.stdout


def test_score_reads_every_cache_and_imports_neither_jieba_nor_the_tables_packages(tmp_path: Path) -> None:
    warm, env, expected = _warm_copy(tmp_path)
    kinds = {file.name.split("-")[0] for file in warm.iterdir()}
    assert {"tables", "jieba", "words", "phrasebook", "learned"} <= kinds
    proc = run(
        """
        import io, json, sys
        from simulator.cli import main
        out = io.StringIO()
        code = main(["score", "--format", "json", *sys.argv[1:]], out, io.StringIO())
        print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
        """,
        env,
        *REPLIES,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["code"] == 0 and result["out"] == expected
    loaded = set(result["modules"])
    assert not loaded & {"jieba", "pypinyin", "zhconv", "pkg_resources", "sklearn", "pydantic", "yaml"}


def test_damaged_caches_are_rebuilt_and_judge_the_same(tmp_path: Path) -> None:
    warm, env, expected = _warm_copy(tmp_path)
    # Every kind but the learned stage (retraining takes seconds; its damaged file is tested above).
    before = {f.name: f.read_bytes() for f in warm.iterdir() if f.suffix == ".bin" and not f.name.startswith("learned")}
    for name, data in before.items():
        truncated = name.startswith(("tables", "words"))
        damaged = data[: len(data) // 3] if truncated else data[:64] + b"\0" * 64 + data[128:]
        (warm / name).write_bytes(damaged)
    proc = score_json(env, *REPLIES)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected
    for kind in ("tables", "words", "phrasebook"):  # what score reads is written again
        assert any(read(file) is not None for file in warm.glob(f"{kind}-*.bin")), kind
    from simulator.segmenter import BaseDictionary

    assert [BaseDictionary(file) for file in warm.glob("jieba-*.bin")]
    again = score_json(env, *REPLIES)
    assert again.stdout == expected


def test_a_damaged_dictionary_bucket_falls_back_to_jiebas_file(tmp_path: Path) -> None:
    warm, env, expected = _warm_copy(tmp_path)
    [dictionary] = warm.glob("jieba-*.bin")
    data = bytearray(dictionary.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xff" * 4096  # buckets, past the checked header
    dictionary.write_bytes(bytes(data))
    proc = run(
        """
        import sys
        from simulator.segmenter import base_dictionary
        base = base_dictionary()
        base.ensure("".join(chr(c) for c in range(0x4E00, 0x9FA6)))  # every bucket: one is damaged
        print(len(base.freq))
        """,
        env,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) > 400_000  # the whole dictionary (words and their prefixes), read from jieba's file
    assert score_json(env, *REPLIES).stdout == expected


def test_an_unusable_cache_directory_only_costs_time(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "cache-is-a-file"
    not_a_directory.write_text("x", encoding="utf-8")
    env = dict(os.environ, SIMULATOR_HOME=str(tmp_path / "home"))
    expected = score_json(env, "--rules-only", *REPLIES)
    proc = score_json(env | {"SIMULATOR_CACHE_DIR": str(not_a_directory)}, "--rules-only", *REPLIES)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected.stdout


def test_cache_files_are_written_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMULATOR_CACHE_DIR", str(tmp_path))
    calls: list[int] = []
    dumps = lambda v: json.dumps(v).encode()  # noqa: E731
    value = cache.cached("demo", "k1", lambda: calls.append(1) or {"a": 1}, dumps, json.loads)
    assert value == {"a": 1} and calls == [1]
    assert cache.cached("demo", "k1", lambda: calls.append(1) or {}, lambda v: b"", json.loads) == {"a": 1}
    assert calls == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["demo-k1.bin"]  # no temporary file left
    for key in range(cache.KEEP + 3):  # old ones of a kind are dropped
        cache.cached("demo", f"n{key}", lambda: {}, lambda v: b"{}", json.loads)
    assert len(list(tmp_path.glob("demo-*.bin"))) == cache.KEEP


# -- labels without the phrasebook --------------------------------------------------------------------


def test_labels_are_the_phrasebooks(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extend = "  - id: not_my_job\n    extend: true\n    label: 另一个名字\n    phrases: [不关我事儿]\n"
    extra.write_text(CATEGORY + extend, encoding="utf-8")
    paths = [locations.bundled_phrasebook_dir(), extra]
    assert category_labels(paths) == phrasebook.load_phrasebook(paths).labels()
    assert category_labels(paths) == category_labels(paths)  # cached
    broken = tmp_path / "broken.yaml"
    broken.write_text("categories: [\n", encoding="utf-8")
    assert category_labels([locations.bundled_phrasebook_dir(), broken]) == category_labels(
        [locations.bundled_phrasebook_dir()]
    )


@pytest.mark.parametrize(
    "command",
    [["report"], ["report", "--format", "csv"], ["history"], ["transcript", "1"], ["plot", "--output", "p.svg"]],
)
def test_review_commands_never_load_the_engine(tmp_path: Path, command: list[str]) -> None:
    env = dict(os.environ, SIMULATOR_HOME=str(tmp_path / "home"))
    played = subprocess.run(
        [sys.executable, "-m", "simulator", "play", "out_of_warranty_charge", "--trainee", "王小明", "--replies", "-"],
        input="这个不归我管\n",
        capture_output=True,
        text=True,
        timeout=300,
        env=env | {"PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        check=False,
    )
    assert played.returncode == 0, played.stderr
    proc = run(
        """
        import io, json, os, sys
        os.chdir(sys.argv[1])
        from simulator.cli import main
        out = io.StringIO()
        code = main(sys.argv[2:], out, io.StringIO())
        print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
        """,
        env,
        str(tmp_path),
        *command,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["code"] == 0
    engine = {
        "simulator.matcher",
        "simulator.phrasebook",
        "simulator.engine",
        "simulator.learned",
        "simulator.segmenter",
        "simulator.judge",
        "simulator.scenario",
        "pydantic",
        "numpy",
        "jieba",
    }
    assert not engine & set(result["modules"])
    if command == ["report"]:
        assert "推诿" in result["out"]  # the category's label, not its id

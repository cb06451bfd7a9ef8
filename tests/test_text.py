"""Normalisation keeps an offset map back to the original text."""

from __future__ import annotations

import pytest

from simulator.text import normalize, split_pinyin

PLAIN = normalize("这个不属于我负责")


@pytest.mark.parametrize(
    "variant",
    [
        "這個不屬於我負責",  # traditional characters
        "这 个 不 属 于 我 负 责",  # spaces between characters
        "这个不属于我负责！！",  # trailing punctuation
        "这*个*不*属*于*我*负*责",  # noise symbols
        "这\u200b个不属于我负责",  # zero-width space
        "这个不属于我负责\u0007",  # control character
    ],
)
def test_variants_normalise_to_the_same_chars(variant: str) -> None:
    assert normalize(variant).chars == PLAIN.chars


def test_pinyin_letters_become_sound_units() -> None:
    norm = normalize("这个ｂｕ属于我负责")
    assert norm.sounds == PLAIN.sounds
    assert norm.chars != PLAIN.chars  # the letters are not the character 不
    first, end = norm.span(2, 3)
    assert norm.original[first:end] == "ｂｕ"


def test_homophone_shares_sound_but_not_char() -> None:
    right, typo = normalize("上级领导"), normalize("上机领导")
    assert right.sounds == typo.sounds
    assert right.chars != typo.chars


def test_nin_and_ni_are_equivalent() -> None:
    assert normalize("您好").chars == normalize("你好").chars


def test_runs_collapse_to_two_but_reduplication_stays() -> None:
    assert normalize("谢谢").chars == "谢谢"
    assert normalize("谢谢谢谢谢").chars == "谢谢"


def test_clauses_split_on_commas_and_sentences_on_full_stops() -> None:
    norm = normalize("您好，我是小王。今天来修空调")
    assert len(norm.clauses) == 3
    assert len(norm.sentences) == 2


def test_spans_map_back_to_original_characters() -> None:
    text = "  您  好！這*個"
    norm = normalize(text)
    for unit in range(len(norm)):
        start, end = norm.span(unit, unit + 1)
        assert text[start:end].strip()
    assert text[norm.span(0, len(norm))[0] : norm.span(0, len(norm))[1]] == "您  好！這*個"


def test_split_pinyin_prefers_fewer_syllables() -> None:
    assert split_pinyin("xian") == ["xian"]
    assert split_pinyin("bushu") == ["bu", "shu"]
    assert split_pinyin("wifi") is None


def test_sound_codes_are_the_same_in_every_process() -> None:
    """The learned stage caches sound features across processes: codes must not depend on first use."""
    import subprocess
    import sys

    script = (
        "import sys; from simulator.text import normalize; [normalize(w) for w in sys"
        ".argv[1:]]; print(normalize('领导不修').sounds.encode('unicode_escape').decode())"
    )
    first = subprocess.run(
        [sys.executable, "-c", script, "你好", "领导"], capture_output=True, text=True, check=True
    ).stdout
    second = subprocess.run(
        [sys.executable, "-c", script, "不修", "维修", "导"], capture_output=True, text=True, check=True
    ).stdout
    assert first == second and first.strip()

"""Town names in English: the table's names are the pinyin of the Chinese, kinds translated."""

import pytest

from locator.core.towns import TOWNS_EN, town_name

KINDS = {"镇": "Town", "街道": "Subdistrict"}


def split(chinese: str) -> tuple[str, str]:
    """(proper name, kind) of a town name such as 会城街道."""
    for suffix in KINDS:
        if chinese.endswith(suffix):
            return chinese[: -len(suffix)], suffix
    raise AssertionError(f"{chinese}: neither a town (镇) nor a subdistrict (街道)")


def test_each_kind_is_translated():
    for chinese, english in TOWNS_EN.items():
        name, kind = split(chinese)
        assert english.endswith(" " + KINDS[kind]), chinese


def test_each_name_is_the_pinyin_of_the_chinese():
    pypinyin = pytest.importorskip(
        "pypinyin", reason="needs pypinyin: .venv/bin/pip install pypinyin")
    for chinese, english in TOWNS_EN.items():
        name, _ = split(chinese)
        syllables = pypinyin.lazy_pinyin(name, style=pypinyin.Style.NORMAL)
        # Pinyin's apostrophe before a syllable that starts with a vowel (Da'ao).
        joined = syllables[0] + "".join(("'" if s[0] in "aoe" else "") + s for s in syllables[1:])
        assert english.rsplit(" ", 1)[0] == joined.capitalize(), chinese


def test_town_name_in_each_language():
    assert town_name("会城街道", "en") == "Huicheng Subdistrict"
    assert town_name("会城街道", "zh") == "会城街道"
    assert town_name("别处镇", "en") == "别处镇"  # not in the table: as the data has it

"""The data in Traditional Chinese: converted on the way out, cached per version, never stored."""

import threading

import pytest

from locator.core import traditional
from locator.core.records import blank_record
from locator.core.traditional import (
    VersionCache,
    converted,
    for_language,
    is_traditional,
    to_simplified,
    to_traditional,
)


def library(**changes) -> dict:
    """景堂图书馆's nursing room as the store reads it."""
    record = blank_record() | {
        "id": "NR-1", "category": "nursing_room", "name": "景堂图书馆母婴室",
        "name_en": "Jingtang Library Nursing Room", "lat": 22.52, "lon": 113.03,
        "address": "会城街道冈州大道中23号", "town": "会城街道",
        "description": "一楼东侧，设有哺乳椅和尿布台", "routes": "",
        "opening_hours": "Mo-Su 09:00-17:00"}
    return record | changes


@pytest.mark.parametrize("tag", ["zh-Hant", "zh-hant", "zh_Hant", "zh-HK", "zh-MO", "zh-TW",
                                 "zh-Hant-HK", "ZH-TW"])
def test_traditional_tags(tag):
    assert is_traditional(tag)


@pytest.mark.parametrize("tag", [None, "", "zh", "zh-CN", "zh-Hans", "zh-SG", "en", "zh-Hantx"])
def test_other_tags_keep_the_stored_text(tag):
    assert not is_traditional(tag)
    record = library()
    assert for_language(record, tag) is record


def test_the_texts_a_visitor_reads_come_converted():
    shown = for_language(library(routes="江门—珠海;会城1路"), "zh-Hant")
    assert shown["name"] == "景堂圖書館母嬰室"
    assert shown["address"] == "會城街道岡州大道中23號"
    assert shown["town"] == "會城街道"
    assert shown["description"] == "一樓東側，設有哺乳椅和尿布台"
    assert shown["routes"] == "江門—珠海;會城1路"
    assert shown["name_stored"] == "景堂图书馆母婴室"


def test_ids_codes_hours_and_english_stay_as_stored():
    record = library()
    shown = for_language(record, "zh-Hant")
    for column in ("id", "category", "name_en", "lat", "lon", "opening_hours"):
        assert shown[column] == record[column]


def test_hong_kong_forms():
    # OpenCC's s2hk: 梁啓超 (Hong Kong) rather than 梁啟超 (Taiwan).
    assert to_traditional("梁启超故居") == "梁啓超故居"
    assert to_traditional("小鸟天堂") == "小鳥天堂"


def test_never_changes_what_is_stored():
    record = library()
    before = dict(record)
    for_language(record, "zh-Hant", ("db", 1))
    assert record == before


def test_the_records_own_traditional_name_wins():
    shown = for_language(library(name_zh_hant="景堂圖書館育嬰室"), "zh-Hant")
    assert shown["name"] == "景堂圖書館育嬰室"
    assert shown["name_stored"] == "景堂图书馆母婴室"
    assert shown["address"] == "會城街道岡州大道中23號"


def test_a_blank_own_name_falls_back_to_the_conversion():
    assert converted(library(name_zh_hant="  "))["name"] == "景堂圖書館母嬰室"


@pytest.mark.parametrize("traditional_text, simplified", [
    ("景堂圖書館", "景堂图书馆"), ("長途汽車站", "长途汽车站"), ("母嬰室", "母婴室"),
    ("會城", "会城"), ("梁啓超故居", "梁启超故居"), ("梁啟超故居", "梁启超故居"),
    ("衞生間", "卫生间"), ("library", "library"), ("", "")])
def test_queries_go_back_to_simplified(traditional_text, simplified):
    assert to_simplified(traditional_text) == simplified


def test_a_version_is_converted_once():
    cache = VersionCache()
    first = cache.texts(library(), ("db", 3))
    assert cache.texts(library(), ("db", 3)) is first
    assert cache.sizes() == {("db", 3): 1}


def test_an_entry_is_used_only_for_the_texts_it_was_made_from():
    cache = VersionCache()
    cache.texts(library(), ("db", 3))
    # A caller that read a newer record but named the older version gets the new text.
    assert cache.texts(library(name="新会图书馆"), ("db", 3))["name"] == "新會圖書館"


def test_only_the_newest_versions_are_kept():
    cache = VersionCache(max_versions=2)
    for version in (1, 2, 3):
        cache.texts(library(), ("db", version))
    assert list(cache.sizes()) == [("db", 2), ("db", 3)]


def test_records_kept_per_version_are_bounded():
    cache = VersionCache(max_records=3)
    for n in range(5):
        assert cache.texts(library(id=f"NR-{n}"), ("db", 1))["name"] == "景堂圖書館母嬰室"
    assert cache.sizes() == {("db", 1): 3}


def test_no_version_no_cache():
    cache = VersionCache()
    cache.texts(library(), None)
    assert cache.sizes() == {}


def test_threads_convert_alike():
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        for_language(library(), "zh-Hant", ("threads", 1))["name"])) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["景堂圖書館母嬰室"] * 8
    traditional.CACHE.clear()

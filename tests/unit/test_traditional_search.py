"""Search in Traditional characters finds what the Simplified query finds (the search fixture)."""

import pytest

from locator import datasets
from locator.search.matching import find
from locator.store import Store

VISITOR = (22.52, 113.03)  # as in test_search_queries.py: fixture_store is the README table's

# (Traditional query, its Simplified form): the README's search table in Traditional.
PAIRS = [("景堂圖書館", "景堂图书馆"), ("長途汽車站", "长途汽车站"), ("母嬰室", "母婴室"),
         ("會城", "会城"), ("梁啓超故居", "梁启超故居"), ("梁啟超", "梁启超"),
         ("小鳥天堂", "小鸟天堂"), ("萬達母嬰室", "万达母婴室"), ("新會站", "新会站"),
         ("圖書館", "图书馆"), ("學宮", "学宫"), ("人民醫院", "人民医院"), ("汽車站", "汽车站"),
         ("公交站", "公交站"), ("去珠海", "去珠海"), ("東莞", "东莞"), ("景點", "景点")]
# (query, category or None, first facility id, how): rows for the README's search table.
EXPECTED = [
    ("景堂圖書館", None, "jingtang-library", "exact"),
    ("小鳥天堂", None, "test-bird-paradise", "exact"),
    ("梁啓超故居", None, "test-liang-qichao", "alias"),
    ("萬達母嬰室", None, "test-mall-nursing", "alias"),
    ("東莞", None, "test-coach-a", "route"),
    ("長途汽車站", "coach_stop", "test-coach-a", "category_word"),
    ("母嬰室", "nursing_room", "xinhui-peoples-hospital-nursing", "category_word"),
]


def shape(found) -> tuple:
    """What a visitor sees of a search: the category it named and the facilities, in order."""
    return (found.category[0] if found.category else None,
            [(m.record["id"], m.how) for m in found.matches])


@pytest.mark.parametrize(("traditional_query", "simplified"), PAIRS)
def test_traditional_finds_what_simplified_finds(fixture_store, traditional_query, simplified):
    expected = shape(find(fixture_store, simplified, lat=VISITOR[0], lon=VISITOR[1]))
    assert shape(find(fixture_store, traditional_query, lat=VISITOR[0], lon=VISITOR[1])) \
        == expected


@pytest.mark.parametrize(("query", "category", "first", "how"), EXPECTED)
def test_traditional_queries(fixture_store, query, category, first, how):
    found = find(fixture_store, query, lat=VISITOR[0], lon=VISITOR[1])
    assert (found.category[0] if found.category else None) == category
    assert found.matches[0].record["id"] == first
    assert found.matches[0].how == how


def test_a_stored_traditional_name_is_still_found_as_typed(tmp_path):
    store = Store(str(tmp_path / "locator.sqlite"))
    store.migrate()
    csv = ("id,category,name,lat,lon\n"
           "macau-1,landmark,澳門議事亭前地,22.52,113.03\n").encode()
    checked = datasets.check_file(store, csv, "macau.csv")
    datasets.apply_import(store, checked, "macau.csv", actor="test")
    assert [m.record["id"] for m in find(store, "議事亭").matches] == ["macau-1"]
    store.close()


def test_a_simplified_name_that_conversion_would_change_is_found_as_typed(tmp_path):
    # hk2s reads 乾 as 干: 乾务镇 must find 乾务镇 before a name that is its conversion.
    store = Store(str(tmp_path / "locator.sqlite"))
    store.migrate()
    csv = ("id,category,name,lat,lon\n"
           "qianwu,landmark,乾务镇文化站,22.52,113.03\n"
           "ganwu,landmark,干务镇文化站,22.53,113.04\n").encode()
    datasets.apply_import(store, datasets.check_file(store, csv, "a.csv"), "a.csv",
                          actor="test")
    assert [m.record["id"] for m in find(store, "乾务镇文化站").matches][:1] == ["qianwu"]
    assert find(store, "乾务镇文化站").matches[0].how == "exact"
    store.close()

"""The API in Traditional Chinese (lang=zh-Hant): texts converted on the way out, the stored name
beside them, the store unchanged, Traditional queries finding the Simplified data."""

import pytest

from locator import create_app
from locator.core import traditional
from locator.store import Store
from tests.factories import load, row

VISITOR = {"lat": "22.52", "lon": "113.03"}
HANT = {"lang": "zh-Hant"}


@pytest.fixture
def app(db_path):
    """The library's nursing room, a coach station in 会城 with routes, and a landmark."""
    load(db_path,
         row(1, name="景堂图书馆母婴室", lat="22.5210", lon="113.0310",
             address="会城仁寿路16号", town="会城街道", description="一楼东侧，设有哺乳椅"),
         row(2, category="coach_stop", name="新会长途汽车站", name_en="Xinhui Coach Station",
             lat="22.5250", lon="113.0350", address="会城新会大道中3号", town="会城街道",
             routes="江门—珠海;广州"),
         row(3, category="landmark", name="梁启超故居", name_en="Liang Qichao's Former Home",
             lat="22.4500", lon="113.0800", town="茶坑村"))
    traditional.CACHE.clear()
    return create_app({"TESTING": True, "DATABASE": db_path})


def get(client, path, **args):
    """GET `path`; the JSON body of a 200."""
    response = client.get(path, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_nearest_in_traditional(client):
    first = get(client, "/api/nearest", **VISITOR, **HANT)["results"][0]
    assert first["name"] == "景堂圖書館母嬰室"
    assert first["name_stored"] == "景堂图书馆母婴室"
    assert first["address"] == "會城仁壽路16號"
    assert first["town"] == "會城街道"
    assert first["description"] == "一樓東側，設有哺乳椅"
    assert first["name_en"] == "Nursing room 1"


def test_routes_come_converted(client):
    stop = get(client, "/api/nearest", category="coach_stop", **VISITOR, **HANT)["results"][0]
    assert stop["routes"] == "江門—珠海;廣州"
    assert stop["name"] == "新會長途汽車站"


@pytest.mark.parametrize("lang", ["zh-HK", "zh-MO", "zh-TW", "zh_hant"])
def test_other_traditional_tags(client, lang):
    first = get(client, "/api/nearest", **VISITOR, lang=lang)["results"][0]
    assert first["name"] == "景堂圖書館母嬰室"


@pytest.mark.parametrize("args", [{}, {"lang": "zh"}, {"lang": "en"}, {"lang": "zh-CN"},
                                  {"lang": "klingon"}])
def test_otherwise_the_stored_text_and_no_name_stored(client, args):
    first = get(client, "/api/nearest", **VISITOR, **args)["results"][0]
    assert first["name"] == "景堂图书馆母婴室"
    assert "name_stored" not in first


def test_the_origin_named_by_a_traditional_query(client):
    simplified = get(client, "/api/nearest", q="新会长途汽车站")["origin"]
    answer = get(client, "/api/nearest", q="新會長途汽車站", **HANT)
    assert (answer["origin"]["lat"], answer["origin"]["lon"]) == (simplified["lat"],
                                                                  simplified["lon"])
    assert answer["origin"]["label"] == "新會長途汽車站"
    assert get(client, "/api/nearest", q="會城")["origin"]["source"] == "facility"


def test_facilities_page_and_one_facility(client):
    features = get(client, "/api/facilities", **HANT)["features"]
    assert [f["properties"]["name"] for f in features] == [
        "景堂圖書館母嬰室", "新會長途汽車站", "梁啓超故居"]
    one = get(client, "/api/facilities/room-3", **HANT)["properties"]
    assert (one["name"], one["name_stored"]) == ("梁啓超故居", "梁启超故居")
    assert get(client, "/api/facilities/room-3")["properties"]["name"] == "梁启超故居"


def test_search_with_traditional_input(client):
    results = get(client, "/api/search", q="景堂圖書館", **VISITOR, **HANT)["results"]
    assert results[0]["id"] == "room-1"
    assert results[0]["name"] == "景堂圖書館母嬰室"
    assert results[0]["matched"]["text"] == "景堂圖書館母嬰室"
    plain = get(client, "/api/search", q="景堂圖書館", **VISITOR)["results"]
    assert plain[0]["name"] == "景堂图书馆母婴室"


def test_a_category_word_in_traditional(client):
    results = get(client, "/api/search", q="長途汽車站", **VISITOR, **HANT)["results"]
    assert results[0]["type"] == "category"
    assert results[0]["category"] == "coach_stop"
    assert results[1]["id"] == "room-2"
    assert get(client, "/api/search", q="母嬰室", **HANT)["results"][0]["category"] == \
        "nursing_room"


def test_the_snapshot_in_traditional(client):
    response = client.get("/api/snapshot", query_string=HANT)
    names = [f["name"] for f in response.get_json()["facilities"]]
    assert names == ["景堂圖書館母嬰室", "新會長途汽車站", "梁啓超故居"]
    plain = client.get("/api/snapshot")
    assert plain.get_json()["facilities"][0]["name"] == "景堂图书馆母婴室"
    assert response.headers["ETag"] != plain.headers["ETag"]


def test_what_is_stored_never_changes(client, db_path):
    for path in ("/api/nearest", "/api/facilities", "/api/snapshot"):
        client.get(path, query_string={**VISITOR, **HANT})
    store = Store(db_path)
    try:
        assert store.facilities.get("room-1")["name"] == "景堂图书馆母婴室"
    finally:
        store.close()


def test_conversions_are_kept_per_version(client, db_path):
    get(client, "/api/facilities", **HANT)
    assert sum(traditional.CACHE.sizes().values()) == 3
    load(db_path, row(1, name="新会图书馆母婴室"), merge=True)
    first = get(client, "/api/facilities/room-1", **HANT)["properties"]
    assert first["name"] == "新會圖書館母嬰室"
    assert len(traditional.CACHE.sizes()) == 2  # the old version and the new


def test_a_records_own_traditional_name_wins(client, db_path):
    load(db_path, row(1, name="景堂图书馆母婴室", name_zh_hant="景堂圖書館育嬰室"), merge=True)
    first = get(client, "/api/facilities/room-1", **HANT)["properties"]
    assert (first["name"], first["name_stored"]) == ("景堂圖書館育嬰室", "景堂图书馆母婴室")
    assert get(client, "/api/facilities/room-1")["properties"]["name_zh_hant"] == \
        "景堂圖書館育嬰室"

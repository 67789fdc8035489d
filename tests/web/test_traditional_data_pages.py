"""The public pages show the data in Traditional Chinese when the page language is zh-Hant
(asked for with ?lang=zh-Hant); Simplified pages show it as stored."""

import json
import re

import pytest

from locator import create_app
from locator.core import traditional
from tests.factories import load, row

VISITOR = {"lat": "22.52", "lon": "113.03"}


@pytest.fixture
def app(db_path):
    """The library's nursing room, a coach station in 会城 and 梁启超故居 with its own name."""
    load(db_path,
         row(1, name="景堂图书馆母婴室", lat="22.5210", lon="113.0310",
             address="会城仁寿路16号", town="会城街道", description="一楼东侧，设有哺乳椅"),
         row(2, category="coach_stop", name="新会长途汽车站", lat="22.5250", lon="113.0350",
             address="会城新会大道中3号", town="会城街道", routes="江门—珠海;广州"),
         row(3, category="landmark", name="梁启超故居", name_zh_hant="梁啟超故居",
             lat="22.4500", lon="113.0800"))
    traditional.CACHE.clear()
    return create_app({"TESTING": True, "DATABASE": db_path})


def page(client, path, lang="zh-Hant", **args) -> str:
    """The text of a 200 page in `lang`."""
    response = client.get(path, query_string=args | {"lang": lang})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def map_json(text: str) -> dict:
    """The points map's JSON in a page."""
    return json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', text,
                                re.S).group(1))


def test_the_nearest_list_and_its_map(client):
    text = page(client, "/nearest", **VISITOR)
    assert "景堂圖書館母嬰室" in text and "會城仁壽路16號" in text
    assert "景堂图书馆" not in text
    names = [p["name"] for p in map_json(text)["points"]]
    assert "景堂圖書館母嬰室" in names


def test_a_stops_routes(client):
    text = page(client, "/nearest", category="coach_stop", **VISITOR)
    assert "新會長途汽車站" in text and "江門—珠海" in text and "廣州" in text


def test_a_place_typed_in_traditional_is_the_origin(client):
    text = page(client, "/nearest", q="會城", category="landmark")
    # 會城 is read as 会城, found in an address: that facility is the start, named in zh-Hant.
    assert map_json(text)["origin"]["label"] == "新會長途汽車站"
    assert map_json(text)["labels"]["origin"].endswith("新會長途汽車站")


def test_the_facility_page(client):
    text = page(client, "/facilities/room-1")
    assert "景堂圖書館母嬰室" in text and "一樓東側，設有哺乳椅" in text
    assert "會城街道" in text and "会城" not in text


def test_the_records_own_name_wins_on_the_page(client):
    text = page(client, "/facilities/room-3")
    assert "梁啟超故居" in text and "梁啓超故居" not in text


def test_the_overview_maps_points(client):
    points = client.get("/map/points.json", query_string={"lang": "zh-Hant"}).get_json()
    names = {row[3] for rows in points.values() for row in rows}
    assert names == {"景堂圖書館母嬰室", "新會長途汽車站", "梁啟超故居"}


def test_the_report_page_names_the_place(client):
    assert "景堂圖書館母嬰室" in page(client, "/facilities/room-1/report")


def test_the_offline_page_keeps_the_traditional_snapshot(client):
    text = page(client, "/offline")
    assert "/api/snapshot?lang=zh-Hant" in text


def test_simplified_pages_are_unchanged(db_path):
    load(db_path, row(1, name="景堂图书馆母婴室", lat="22.5210", lon="113.0310"))
    client = create_app({"TESTING": True, "DATABASE": db_path}).test_client()
    text = page(client, "/nearest", lang="zh", **VISITOR)
    assert "景堂图书馆母婴室" in text and "景堂圖書館" not in text
    assert "/api/snapshot?lang" not in page(client, "/offline", lang="zh")

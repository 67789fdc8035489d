"""The public API: nearest, facilities (GeoJSON), categories, errors, caching, CORS."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from locator import create_app
from tests.factories import assert_canonical_error, load, row

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
ORIGIN = {"lat": "22.5281", "lon": "113.0310"}


@pytest.fixture
def app(db_path):
    """The app on a small dataset, its clock fixed at Monday 10:00 in Shanghai."""
    load(db_path,
         row(1, lat="22.5290", lon="113.0310", amenities="crib;changing_table",
             opening_hours="Mo-Fr 08:30-17:30"),
         row(2, lat="22.5300", lon="113.0310", amenities="crib", opening_hours="Sa-Su 09:00-17:00"),
         row(3, lat="22.5400", lon="113.0310", access="customers"),
         row(4, category="landmark", name="景堂图书馆", name_en="Jingtang Library",
             lat="22.520979", lon="113.040056", address="会城仁寿路16号"),
         row(5, category="bus_stop", lat="22.6000", lon="113.1000", routes="1;2路"))
    return create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10})


def nearest(client, **args):
    """GET /api/nearest with ORIGIN plus args; return the JSON body."""
    response = client.get("/api/nearest", query_string=ORIGIN | args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(body) -> list[str]:
    """The result ids, in order."""
    return [r["id"] for r in body["results"]]


def test_nearest_orders_by_distance_with_fields(client):
    body = nearest(client, category="nursing_room")
    assert ids(body) == ["room-1", "room-2", "room-3"]
    first = body["results"][0]
    assert first["distance_m"] == 100 and isinstance(first["distance_m"], int)
    assert first["walking_min"] == 2
    assert first["open_now"] is True and first["next_change"] == "2026-11-30T17:30:00+08:00"
    assert body["results"][2]["open_now"] is None and body["results"][2]["next_change"] is None
    assert first["name"] == "母婴室1" and first["verified"] is False
    assert body["dataset_version"] == 1 and body["beyond_radius"] is False
    assert body["origin"]["source"] == "coordinates"


@pytest.mark.parametrize("args, expected", [
    ({"amenity": "crib"}, ["room-1", "room-2"]),
    ({"amenity": ["crib", "changing_table"]}, ["room-1"]),
    ({"amenity": "crib,changing_table"}, ["room-1"]),
    ({"access": "customers"}, ["room-3"]),
    ({"open_now": "true"}, ["room-1"]),
    ({"open_now": "false"}, ["room-1", "room-2", "room-3"]),
    ({"limit": "2"}, ["room-1", "room-2"]),
    ({"radius_m": "250"}, ["room-1", "room-2"]),
])
def test_nearest_filters(client, args, expected):
    assert ids(nearest(client, category="nursing_room", **args)) == expected


def test_nothing_within_radius_returns_nearest_beyond(client):
    body = nearest(client, category="bus_stop", radius_m="1000")
    assert body["beyond_radius"] is True and ids(body) == ["room-5"]
    assert body["results"][0]["distance_m"] > 1000


def test_empty_category_gives_empty_results(client):
    body = nearest(client, category="coach_stop")
    assert body["results"] == [] and body["beyond_radius"] is False


def test_q_uses_a_named_place_as_origin(client):
    query = {"q": "景堂图书馆", "category": "nursing_room"}
    response = client.get("/api/nearest", query_string=query)
    body = response.get_json()
    assert body["origin"]["source"] == "facility" and body["origin"]["facility_id"] == "room-4"
    assert body["origin"]["lat"] == 22.520979 and ids(body)[0] == "room-1"
    assert ids(client.get("/api/nearest?q=library&limit=1").get_json()) == ["room-4"]


def test_unknown_place_is_a_404(client):
    message = assert_canonical_error(client.get("/api/nearest?q=不存在的地方"), 404)
    assert "不存在的地方" in message


@pytest.mark.parametrize("query", [
    "", "lat=22.5", "lon=113", "lat=abc&lon=113", "lat=nan&lon=113", "lat=inf&lon=113",
    "lat=91&lon=113", "lat=22&lon=181", "lat=22&lon=-181", "lat=1e999&lon=1",
    "lat=22.5&lon=113&limit=0", "lat=22.5&lon=113&limit=51", "lat=22.5&lon=113&limit=2.5",
    "lat=22.5&lon=113&limit=x", "lat=22.5&lon=113&limit=%EF%BC%95",
    "lat=22.5&lon=113&radius_m=0", "lat=22.5&lon=113&radius_m=50001",
    "lat=22.5&lon=113&radius_m=nan", "lat=22.5&lon=113&category=toilet",
    "lat=22.5&lon=113&amenity=jacuzzi", "lat=22.5&lon=113&category=landmark&amenity=crib",
    "lat=22.5&lon=113&open_now=maybe", "lat=22.5&lon=113&access=vip",
    "q=" + "x" * 201,
])
def test_bad_nearest_parameters_are_400(client, query):
    assert_canonical_error(client.get("/api/nearest?" + query), 400)


def test_facilities_geojson_and_filters(client):
    body = client.get("/api/facilities").get_json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 5
    feature = next(f for f in body["features"] if f["id"] == "room-4")
    assert feature["geometry"] == {"type": "Point", "coordinates": [113.040056, 22.520979]}
    assert feature["properties"]["name_en"] == "Jingtang Library"
    assert "lat" not in feature["properties"]

    def feature_ids(query):
        return [f["id"] for f in client.get("/api/facilities?" + query).get_json()["features"]]

    assert feature_ids("category=landmark") == ["room-4"]
    assert feature_ids("bbox=113.0,22.52,113.05,22.535") == ["room-1", "room-2", "room-4"]
    assert feature_ids("bbox=113.0,22.52,113.05,22.535&category=nursing_room") == [
        "room-1", "room-2"]
    assert feature_ids("q=图书") == ["room-4"] and feature_ids("q=景堂图书") == ["room-4"]
    assert feature_ids("q=母婴室&category=landmark") == []


@pytest.mark.parametrize("query", [
    "bbox=1,2,3", "bbox=a,b,c,d", "bbox=113,23,112,22", "bbox=200,0,201,1", "category=x",
])
def test_bad_facilities_parameters_are_400(client, query):
    assert_canonical_error(client.get("/api/facilities?" + query), 400)


def test_one_facility_and_unknown_ids(client):
    body = client.get("/api/facilities/room-4").get_json()
    assert body["type"] == "Feature" and body["id"] == "room-4"
    assert_canonical_error(client.get("/api/facilities/nope"), 404)
    assert_canonical_error(client.get("/api/no-such-route"), 404)
    assert_canonical_error(client.post("/api/nearest"), 405)


def test_categories_in_both_languages(client):
    body = client.get("/api/categories").get_json()
    keys = [c["key"] for c in body["categories"]]
    assert keys == ["nursing_room", "coach_stop", "bus_stop", "landmark"]
    room = body["categories"][0]
    assert room["label"] == {"zh": "母婴室", "en": "Nursing rooms"}
    assert {"key": "changing_table", "label": {"zh": "护理台", "en": "Changing table"}} in room[
        "amenities"]


def test_get_responses_carry_etag_cache_control_and_cors(client):
    first = client.get("/api/nearest", query_string=ORIGIN)
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in first.headers["Cache-Control"] and first.headers["ETag"]
    again = client.get("/api/nearest", query_string=ORIGIN,
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/api/nearest?lat=x").headers["Access-Control-Allow-Origin"] == "*"

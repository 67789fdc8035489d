"""The public API: nearest, facilities (GeoJSON), categories, errors, caching, CORS."""

import base64
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator import create_app
from locator.core.categories import CATEGORIES
from tests.factories import assert_canonical_error, load, load_synthetic, row

pytestmark = pytest.mark.engines

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
    assert [r["closing_soon"] for r in body["results"]] == [False, False, False]


def test_closing_soon_in_nearest_and_features(db_path):
    at_1705 = datetime(2026, 11, 30, 17, 5, tzinfo=SHANGHAI)  # room-1 closes at 17:30
    load(db_path, row(1, lat="22.5290", lon="113.0310", opening_hours="Mo-Fr 08:30-17:30"),
         row(2, lat="22.5300", lon="113.0310", opening_hours="Mo-Fr 08:30-22:00"))
    client = create_app({"TESTING": True, "DATABASE": db_path,
                         "CLOCK": lambda: at_1705}).test_client()
    body = nearest(client, category="nursing_room")
    assert [(r["id"], r["open_now"], r["closing_soon"]) for r in body["results"]] == [
        ("room-1", True, True), ("room-2", True, False)]
    feature = client.get("/api/facilities/room-1").get_json()
    assert feature["properties"]["closing_soon"] is True


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


# -- /api/facilities pages (OGC API – Features: limit, cursor, numberMatched, links) -------------

def app_on(db_path, *rows):
    """The app on exactly `rows`, its clock fixed."""
    load(db_path, *rows)
    return create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10})


def walk(client, url: str) -> list[dict]:
    """The bodies of every page from `url` on, following the next links."""
    bodies = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        body = response.get_json()
        following = [link["href"] for link in body["links"] if link["rel"] == "next"]
        header = f'<{following[0]}>; rel="next"' if following else None
        assert response.headers.get("Link") == header
        assert body["numberReturned"] == len(body["features"])
        bodies.append(body)
        url = following[0] if following else ""
    return bodies


def walked_ids(bodies: list[dict]) -> list[str]:
    """The feature ids of every page, in order."""
    return [f["id"] for body in bodies for f in body["features"]]


def test_facilities_are_paged(client):
    first = client.get("/api/facilities?limit=2").get_json()
    assert (first["numberMatched"], first["numberReturned"]) == (5, 2)
    assert [f["id"] for f in first["features"]] == ["room-1", "room-2"]
    bodies = walk(client, "/api/facilities?limit=2")
    assert walked_ids(bodies) == ["room-1", "room-2", "room-3", "room-4", "room-5"]
    assert [b["numberReturned"] for b in bodies] == [2, 2, 1]
    assert {(b["numberMatched"], b["dataset_version"]) for b in bodies} == {(5, 1)}
    whole = client.get("/api/facilities").get_json()  # default limit: 1,000
    assert whole["numberReturned"] == 5 and [link["rel"] for link in whole["links"]] == ["self"]


@pytest.mark.parametrize("q", ["母婴室", "母婴"])  # full-text (3+ characters) and LIKE (1-2)
def test_text_category_and_bbox_filter_in_one_query_before_paging(db_path, q):
    # 501 nursing rooms match q and rank before the one landmark that also does.
    rooms = [row(i, lat=f"{22.5 + i / 10000:.4f}", lon="113.0") for i in range(1, 502)]
    landmark = row(999, category="landmark", name="母婴室旁边的图书馆", lat="22.6", lon="113.1")
    client = app_on(db_path, *rooms, landmark).test_client()
    body = client.get("/api/facilities", query_string={"q": q, "category": "landmark"}).get_json()
    assert [f["id"] for f in body["features"]] == ["room-999"] and body["numberMatched"] == 1
    body = client.get("/api/facilities", query_string={"q": q, "bbox": "113.05,22.55,113.2,22.7"})
    assert [f["id"] for f in body.get_json()["features"]] == ["room-999"]
    rooms_only = client.get("/api/facilities", query_string={"q": q, "category": "nursing_room",
                                                             "limit": "100"}).get_json()
    assert (rooms_only["numberMatched"], rooms_only["numberReturned"]) == (501, 100)


@pytest.mark.slow
def test_a_large_dataset_is_served_a_page_at_a_time(db_path):
    load_synthetic(db_path, 20_000)
    client = create_app({"TESTING": True, "DATABASE": db_path}).test_client()
    first = client.get("/api/facilities")
    body = first.get_json()
    assert (body["numberMatched"], body["numberReturned"]) == (20_000, 1000)
    assert first.headers["Link"].startswith("</api/facilities?cursor=")
    bodies = walk(client, "/api/facilities")
    ids = walked_ids(bodies)
    assert len(bodies) == 20 and len(ids) == 20_000 and ids == sorted(set(ids))
    landmarks = walk(client, "/api/facilities?category=landmark&limit=5000")
    ids = walked_ids(landmarks)
    assert len(ids) == landmarks[0]["numberMatched"] and ids == sorted(set(ids))
    assert {f["properties"]["category"] for b in landmarks for f in b["features"]} == {"landmark"}


# A dataset where the filters overlap: names and addresses share substrings, categories and
# positions vary independently, and ids do not sort as numbers ("p-10" < "p-9").
NAMES = ("母婴室", "公交站", "图书馆", "Library", "Coach station")
STREETS = ("仁寿路", "中心路", "冈州大道")
MIXED = [row(i, id=f"p-{i}", category=list(CATEGORIES)[i % 4], name=f"{NAMES[i % 5]}{i}",
             name_en=f"Place {i}", address=f"会城{STREETS[i % 3]}{i}号",
             lat=f"{22.50 + (i % 11) / 100:.2f}", lon=f"{113.00 + (i % 13) / 100:.2f}")
         for i in range(1, 121)]


def expected_ids(category: str | None, bbox: tuple | None, q: str) -> list[str]:
    """The ids a query should find in MIXED, worked out in Python: the oracle."""
    found = []
    for r in MIXED:
        lat, lon = float(r["lat"]), float(r["lon"])
        texts = (r["name"], r["name_en"], r["address"], r.get("address_en", ""))
        if category and r["category"] != category:
            continue
        if bbox and not (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
            continue
        if q and not any(q.lower() in t.lower() for t in texts):
            continue
        found.append(r["id"])
    return sorted(found)


@pytest.fixture(scope="module")
def mixed_client(tmp_path_factory):
    """A client on MIXED (module-wide: hypothesis runs many examples on one dataset)."""
    db_path = str(tmp_path_factory.mktemp("mixed") / "locator.sqlite")
    return app_on(db_path, *MIXED).test_client()


COORDINATE = st.integers(0, 16).map(lambda n: n / 100)
BBOXES = st.tuples(COORDINATE, COORDINATE, COORDINATE, COORDINATE).map(
    lambda t: (113.0 + min(t[0], t[1]), 22.5 + min(t[2], t[3]),
               113.0 + max(t[0], t[1]), 22.5 + max(t[2], t[3])))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 40), category=st.none() | st.sampled_from(list(CATEGORIES)),
       bbox=st.none() | BBOXES,
       q=st.sampled_from(["", "母婴", "母婴室", "图书馆1", "library", "LIB", "路1", "仁寿路",
                          "1号", "号", "Place 1", "coach", "无此名"]))
def test_next_links_visit_every_match_once_in_id_order(mixed_client, limit, category, bbox, q):
    query = {"limit": str(limit), "q": q, "category": category or "",
             "bbox": ",".join(f"{v:.2f}" for v in bbox) if bbox else ""}
    url = "/api/facilities?" + "&".join(f"{k}={v}" for k, v in query.items() if v)
    bodies = walk(mixed_client, url)
    expected = expected_ids(category, bbox, q)
    assert walked_ids(bodies) == expected
    assert {b["numberMatched"] for b in bodies} == {len(expected)}
    assert all(b["numberReturned"] == limit for b in bodies[:-1])


def cursor_text(value) -> str:
    """A cursor as the API writes one, around any JSON value."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def next_link(client, query: str) -> str:
    """The next link of the first page of /api/facilities?query."""
    links = client.get("/api/facilities?" + query).get_json()["links"]
    return next(link["href"] for link in links if link["rel"] == "next")


def test_a_cursor_from_an_older_dataset_version_is_gone(client, db_path):
    following = next_link(client, "limit=2")
    assert client.get(following).status_code == 200
    load(db_path, row(1), row(2), row(3))  # version 2
    message = assert_canonical_error(client.get(following), 410)
    assert "first page" in message and "version 1" in message
    assert walked_ids(walk(client, "/api/facilities?limit=2")) == ["room-1", "room-2", "room-3"]


@pytest.mark.parametrize("cursor", [
    "x", "!!!!", "abc", "eyJ2IjoxfQ", "a" * 201, cursor_text([1, "room-1"]),
    cursor_text({"v": 1}), cursor_text({"v": "1", "after": "room-1"}),
    cursor_text({"v": True, "after": "room-1"}), cursor_text({"v": -1, "after": "room-1"}),
    cursor_text({"v": 1.0, "after": "room-1"}), cursor_text({"v": 2**63, "after": "room-1"}),
    cursor_text({"v": 1, "after": 5}), cursor_text({"v": 1, "after": "x" * 65}),
    cursor_text({"v": 1, "after": "room-1", "limit": 9}),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(), "eyJ2IjoxLCJhZnRlciI6InJvb20tMSJ9+/",
])
def test_malformed_cursors_are_400(client, cursor):
    message = assert_canonical_error(client.get("/api/facilities", query_string={"cursor": cursor}),
                                     400)
    assert "cursor" in message


def test_a_made_up_cursor_only_moves_where_the_page_starts(client):
    # Unsigned on purpose: it can skip rows, never widen the filters or the page.
    cursor = cursor_text({"v": 1, "after": "room-3"})
    body = client.get(f"/api/facilities?cursor={cursor}&category=nursing_room").get_json()
    assert [f["id"] for f in body["features"]] == []
    body = client.get(f"/api/facilities?cursor={cursor}").get_json()
    assert [f["id"] for f in body["features"]] == ["room-4", "room-5"]
    assert body["numberMatched"] == 5


@pytest.mark.parametrize("limit", ["0", "-1", "5001", "1000000", "2.5", "x", "1e3", "%EF%BC%95"])
def test_bad_page_limits_are_400(client, limit):
    message = assert_canonical_error(client.get("/api/facilities?limit=" + limit), 400)
    assert "5000" in message


def test_page_limit_up_to_5000(client):
    for limit in ("1", "5000", "5000.0"):
        assert client.get("/api/facilities?limit=" + limit).status_code == 200


def test_links_keep_the_filters_and_never_the_host(client):
    query = ("category=nursing_room&bbox=113.0,22.52,113.05,22.6&q=母婴&limit=1&lang=en"
             "&junk=%3Cscript%3E")
    response = client.get("/api/facilities?" + query, headers={"Host": "evil.example"})
    links = {link["rel"]: link["href"] for link in response.get_json()["links"]}
    assert links["next"].startswith("/api/facilities?") and "cursor=" in links["next"]
    assert "cursor" not in links["self"]
    for name in ("category=nursing_room", "bbox=113.0", "q=%E6%AF%8D%E5%A9%B4", "limit=1",
                 "lang=en"):
        assert name in links["self"] and name in links["next"], name
    text = response.get_data(as_text=True) + response.headers["Link"]
    assert "evil.example" not in text and "junk" not in text and "%3Cscript" not in text
    following = client.get(links["next"]).get_json()
    assert [f["id"] for f in following["features"]] == ["room-2"]


def test_pages_keep_etags_and_cache_control(client):
    following = next_link(client, "limit=2")
    first = client.get(following)
    assert first.headers["ETag"] and first.cache_control.max_age == 60
    assert first.cache_control.public and first.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(following, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/api/nearest?lat=91&lon=0&lang=en",
                                  "/api/nearest?lat=22.5&lon=113.0&lang=en",
                                  "/api/facilities?lang=en&limit=0"])
def test_no_api_answer_sets_a_cookie_even_an_error(client, path):
    response = client.get(path)
    assert "Set-Cookie" not in response.headers, (response.status_code, path)

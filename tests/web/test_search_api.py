"""GET /api/search through the test client: shapes, errors, the category entry, the geocoder's
place, aliases arriving with an import, and no 500 for any query."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator import create_app
from tests.factories import assert_canonical_error, load, row
from tests.geocoder_stubs import HOUSE, StubGeocoder

pytestmark = pytest.mark.engines

VISITOR = {"lat": "22.52", "lon": "113.03"}


@pytest.fixture
def app(db_path):
    """Two nursing rooms, a coach stop to Shenzhen with a former name, and a library."""
    load(db_path,
         row(1, name="万达广场母婴室", name_en="Wanda Plaza nursing room", lat="22.5300",
             lon="113.0400"),
         row(2, name="医院母婴室", name_en="Hospital nursing room", lat="22.5210", lon="113.0310"),
         row(3, category="coach_stop", name="客运站", name_en="Coach terminal", lat="22.5100",
             lon="113.0600", routes="深圳;广州", aliases="新会汽车总站"),
         row(4, category="landmark", name="景堂图书馆", name_en="Jingtang Library",
             lat="22.520979", lon="113.040056"))
    return create_app({"TESTING": True, "DATABASE": db_path})


def search(client, q, **args):
    """GET /api/search; the JSON body of a 200."""
    response = client.get("/api/search", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def test_a_name_in_any_form_finds_the_facility(client):
    for q in ("景堂图书馆", "Jingtang", "jingtangtushuguan", "jttsg", "Jingtan Libary"):
        first = search(client, q)["results"][0]
        assert (first["type"], first["id"]) == ("facility", "room-4"), q
    assert search(client, "新会汽车总站")["results"][0]["matched"] == {
        "field": "aliases", "text": "新会汽车总站", "how": "alias"}


def test_a_category_word_leads_with_the_category_then_its_nearest(client):
    results = search(client, "baby changing", **VISITOR)["results"]
    assert results[0] == {"type": "category", "category": "nursing_room", "name": "母婴室",
                          "name_en": "Nursing rooms",
                          "matched": {"field": "category", "text": "baby changing",
                                      "how": "category_word"}}
    assert [r["id"] for r in results[1:]] == ["room-2", "room-1"]  # nearest first
    assert results[1]["distance_m"] < results[2]["distance_m"]


def test_a_destination_finds_the_stops_that_serve_it(client):
    for q in ("深圳", "to Shenzhen", "去深圳", "guangzhou"):
        first = search(client, q)["results"][0]
        assert (first["id"], first["matched"]["how"]) == ("room-3", "route"), q


def test_nothing_found_is_an_empty_list_not_an_error(client):
    assert search(client, "zzzzqqqq") == {"query": "zzzzqqqq", "results": []}


@pytest.mark.parametrize(("args", "fragment"), [
    ({}, "give q"), ({"q": "  "}, "give q"), ({"q": "x", "lat": "22.5"}, "both lat and lon"),
    ({"q": "x", "limit": "21"}, "limit"), ({"q": "x" * 201}, "longer than"),
    ({"q": "x", "lat": "nan", "lon": "113"}, "lat"),
])
def test_bad_arguments_are_400_with_the_fix(client, args, fragment):
    message = assert_canonical_error(client.get("/api/search", query_string=args), 400)
    assert fragment in message


def test_the_geocoder_gives_a_place_only_when_nothing_matched(db_path):
    load(db_path, row(1))
    with StubGeocoder("amap") as stub:
        app = create_app({"TESTING": True, "DATABASE": db_path, "GEOCODER": "amap",
                          "GEOCODER_KEY": "test", "GEOCODER_URL": stub.url,
                          "GEOCODER_RATE": 1000})
        client = app.test_client()
        place = search(client, "江门市新会区会城今古洲路1号")["results"]
        assert [r["type"] for r in place] == ["place"]
        # The stub answers in GCJ-02; converted back, within a metre or so of the truth.
        assert abs(place[0]["lat"] - HOUSE[0]) < 2e-5 and abs(place[0]["lon"] - HOUSE[1]) < 2e-5
        asked = len(stub.requests)
        assert search(client, "母婴室1")["results"][0]["type"] == "facility"
        assert len(stub.requests) == asked  # a facility matched: the geocoder is not asked


def test_an_import_with_aliases_is_searchable_at_once(client, db_path):
    load(db_path, row(9, name="新馆", aliases="旧馆;老图书馆"), merge=True)
    assert search(client, "老图书馆")["results"][0]["id"] == "room-9"


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(min_size=1, max_size=200))
def test_any_query_is_answered_never_500(client, q):
    response = client.get("/api/search", query_string={"q": q, **VISITOR})
    assert response.status_code in (200, 400)

"""The nearest search (locator/search) runs without a Flask app: store, parameters, moment and
settings are its arguments."""

import datetime

import pytest
from werkzeug.datastructures import MultiDict

from locator import config
from locator.core import hours
from locator.core.clock import SHANGHAI
from locator.core.geo import geodesic_m
from locator.search import origin
from locator.search.geocode import Place
from locator.search.nearby import run_nearest
from locator.search.origin import PlaceNotFound
from locator.search.params import nearest_params
from locator.search.present import describe
from locator.store import Store
from tests.factories import load, row
from tests.geocoder_stubs import HOUSE, StubGeocoder

MONDAY_10 = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
DEFAULTS = config.from_mapping({})


pytestmark = pytest.mark.engines


@pytest.fixture
def store(db_path):
    """Three nursing rooms north-east of 22.5, 113.0 (room-2 closed on Mondays) and a landmark."""
    path = db_path
    load(path, row(1, opening_hours="Mo-Fr 08:30-17:30"), row(2, opening_hours="Sa-Su 09:00-17:00"),
         row(3, opening_hours="Mo-Su 07:00-22:00"),
         row(4, category="landmark", name="景堂图书馆", lat="22.52", lon="113.04"))
    store = Store(path)
    yield store
    store.close()


def search(store, settings=DEFAULTS, **args):
    """run_nearest on these query arguments, at Monday 10:00."""
    return run_nearest(store, nearest_params(MultiDict(args)), MONDAY_10, settings)


def test_run_nearest_needs_no_flask_app(store):
    result = search(store, lat="22.5", lon="113.0", category="nursing_room", limit="2")
    assert [h.record["id"] for h in result.found.hits] == ["room-1", "room-2"]
    assert result.version == 1 and result.origin.source == "coordinates"


def test_open_now_filters_by_the_moment_given(store):
    result = search(store, lat="22.5", lon="113.0", category="nursing_room", open_now="1")
    assert [h.record["id"] for h in result.found.hits] == ["room-1", "room-3"]


def test_a_named_place_is_found_in_the_store(store):
    result = search(store, q="景堂图书馆")
    assert (result.origin.source, result.origin.lat) == ("facility", 22.52)


def test_the_geocoder_comes_from_the_settings_passed(store, monkeypatch):
    asked = []

    def geocode(query, **kwargs):
        asked.append((query, kwargs))
        return Place(22.51, 113.01, "somewhere")
    monkeypatch.setattr(origin, "geocode", geocode)
    with pytest.raises(PlaceNotFound):
        search(store, q="somewhere")  # no geocoder configured: never asked
    nominatim = config.from_mapping({"GEOCODER": "nominatim", "SERVICE_AREA": [22, 112, 23, 114]})
    result = search(store, nominatim, q="somewhere")
    assert result.origin.source == "geocoder"
    assert asked == [("somewhere", {"settings": nominatim.geocoding})]
    assert nominatim.geocoding.service_area == (22.0, 112.0, 23.0, 114.0)


def test_the_place_search_asks_the_configured_provider_and_converts_its_datum(store):
    with StubGeocoder("baidu") as stub:
        baidu = config.from_mapping({"GEOCODER": "baidu", "GEOCODER_KEY": "k",
                                     "GEOCODER_URL": stub.url, "GEOCODER_RATE": 1000})
        result = search(store, baidu, q="江门市新会区会城今古洲路1号")
        assert len(stub.requests) == 1
    assert result.origin.source == "geocoder"
    assert geodesic_m(result.origin.lat, result.origin.lon, *HOUSE) < 2  # BD-09 → WGS-84


def test_each_status_is_computed_once_per_search(store, monkeypatch):
    calls = []

    def counted(opening_hours, at=None):
        calls.append(opening_hours)
        return original(opening_hours, at)
    original = hours.status
    monkeypatch.setattr(hours, "status", counted)
    result = search(store, lat="22.5", lon="113.0", category="nursing_room", open_now="1")
    described = [describe(h.record, result.statuses.of(h.record), result.statuses.at)
                 for h in result.found.hits]
    assert [d["open_now"] for d in described] == [True, True]
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 3  # each room asked once


@pytest.mark.sqlite_only
def test_the_extent_is_read_once_inside_the_search_snapshot(store):
    statements = []
    store.db.conn.set_trace_callback(statements.append)
    found = search(store, lat="22.5", lon="113.0", category="coach_stop").found
    assert found.hits == [] and found.extent is None  # no coach stops: the page says so
    found = search(store, lat="22.5", lon="113.0", category="nursing_room").found
    assert found.extent.count == 3
    for begin in (i for i, s in enumerate(statements) if s == "BEGIN"):
        end = statements.index("COMMIT", begin)
        assert sum("category_extents" in s for s in statements[begin:end]) == 1
    assert sum("category_extents" in s for s in statements) == 2

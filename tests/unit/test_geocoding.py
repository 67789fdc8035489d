"""The geocoding providers against stub servers in their documented formats (locator.geocoding).

Every test talks to a StubGeocoder on 127.0.0.1 (tests/geocoder_stubs.py): none touches the
network. Points come back from the stubs in each provider's datum, converted by locator.core.geo;
we check they come out as the WGS-84 the stub started from.
"""

import json
import time
from urllib.parse import urlsplit

import pytest

from locator.geocoding import results
from locator.geocoding.batch import address_key, geocode, geocode_many
from locator.geocoding.ratelimit import RateLimit
from locator.geocoding.results import Found, NotFound, ProviderUnavailable
from locator.geocoding.settings import DEFAULT_RATES, GeocoderSettings, settings_from_config
from tests.geocoder_stubs import CENTRE, HOUSE, StubGeocoder

PROVIDERS = ("amap", "baidu", "tianditu", "nominatim")
XINHUI_AREA = (22.0, 112.7, 22.9, 113.35)
ADDRESS = "江门市新会区会城今古洲路1号"
# AMap and Tianditu give 6 decimals (~0.1 m); Baidu and Nominatim full floats or 7 decimals.
TOLERANCE_DEG = 1e-6


def settings_for(stub: StubGeocoder, **overrides) -> GeocoderSettings:
    """Settings that send `stub.provider` requests to the stub, fast unless told otherwise."""
    options = {"key": "test-key", "base_url": stub.url, "rate_per_s": 50.0, "timeout_s": 5.0,
               "service_area": XINHUI_AREA, **overrides}
    return GeocoderSettings(stub.provider, **options)


@pytest.fixture(params=PROVIDERS)
def stub(request):
    """A stub server of each provider in turn."""
    with StubGeocoder(request.param) as server:
        yield server


# --- found, in WGS-84 ----------------------------------------------------------------------

def test_a_house_number_comes_back_in_wgs84_as_exact(stub):
    found = geocode(ADDRESS, settings_for(stub))
    assert isinstance(found, Found)
    assert found.lat == pytest.approx(HOUSE[0], abs=TOLERANCE_DEG)
    assert found.lon == pytest.approx(HOUSE[1], abs=TOLERANCE_DEG)
    assert (found.precision, found.approximate) == ("exact", False)
    assert found.provider == stub.provider and found.in_service_area and found.label


@pytest.mark.parametrize("provider", ["amap", "baidu"])
def test_the_stubs_answer_in_a_datum_hundreds_of_metres_off_wgs84(provider):
    # What makes the test above a test of the conversion: read as WGS-84, AMap's GCJ-02 and
    # Baidu's BD-09 answers would miss the tolerance by far.
    with StubGeocoder(provider) as server:
        geocode(ADDRESS, settings_for(server))
        _at, path, query = server.requests[0]
        _status, raw = server.answer(path, query)
    lat = (float(raw["geocodes"][0]["location"].split(",")[1]) if provider == "amap"
           else raw["result"]["location"]["lat"])
    assert abs(lat - HOUSE[0]) > 100 * TOLERANCE_DEG


LEVELS = {"amap": "区县", "baidu": "区县", "tianditu": "区县", "nominatim": "district"}


def test_a_district_only_answer_is_approximate_and_keeps_the_raw_level(stub):
    found = geocode("江门市新会区", settings_for(stub))
    assert (found.precision, found.level, found.approximate) == (
        "district", LEVELS[stub.provider], True)
    assert found.lat == pytest.approx(CENTRE[0], abs=TOLERANCE_DEG)


def test_an_answer_outside_the_service_area_says_so(stub):
    elsewhere = (23.0, 113.5, 23.5, 114.0)  # Guangzhou's side: the stub answers in Xinhui
    found = geocode(ADDRESS, settings_for(stub, service_area=elsewhere))
    assert isinstance(found, Found) and not found.in_service_area


# --- what each provider is asked -------------------------------------------------------------

def test_each_provider_is_asked_in_its_documented_form(stub):
    geocode(ADDRESS, settings_for(stub, city="江门"))
    [(_at, path, query)] = stub.requests
    if stub.provider == "amap":
        assert path == "/v3/geocode/geo"
        assert query == {"address": ADDRESS, "key": "test-key", "city": "江门", "output": "JSON"}
    elif stub.provider == "baidu":
        assert path == "/geocoding/v3/"
        assert query == {"address": ADDRESS, "ak": "test-key", "output": "json"}
    elif stub.provider == "tianditu":
        assert path == "/geocoder"
        assert json.loads(query["ds"]) == {"keyWord": ADDRESS} and query["tk"] == "test-key"
    else:
        assert path == "/search"
        assert (query["q"], query["format"], query["bounded"]) == (ADDRESS, "json", "1")
        # viewbox=<x1>,<y1>,<x2>,<y2>: two corners, longitude first.
        x1, y1, x2, y2 = (float(v) for v in query["viewbox"].split(","))
        assert (y1, x1, y2, x2) == XINHUI_AREA


def test_the_base_url_replaces_the_providers_and_may_carry_a_path():
    with StubGeocoder("nominatim") as server:
        settings = GeocoderSettings("nominatim", base_url=server.url + "/", rate_per_s=50)
        assert settings.url == server.url
        geocode(ADDRESS, settings)
    assert urlsplit(settings.url).path == ""
    assert GeocoderSettings("amap").url == "https://restapi.amap.com"


# --- not found, unavailable ------------------------------------------------------------------

def test_an_unknown_address_is_not_found_with_a_message_for_the_admin(stub):
    outcome = geocode("江门市新会区不存在路999号", settings_for(stub))
    assert isinstance(outcome, NotFound)
    assert outcome.render() == results.NOT_FOUND
    assert outcome.render(lambda s: "【" + s + "】") == "【" + results.NOT_FOUND + "】"


QUOTA_REASON = {"amap": "quota", "baidu": "quota", "tianditu": "failed", "nominatim": "quota"}


def test_a_used_up_quota_makes_the_provider_unavailable(stub):
    with pytest.raises(ProviderUnavailable) as caught:
        geocode("配额用完", settings_for(stub))
    # Tianditu documents no quota status: its 404 出错 is a plain failure.
    assert caught.value.reason == QUOTA_REASON[stub.provider]
    assert caught.value.params["detail"]


def test_a_refused_key_makes_the_provider_unavailable(stub):
    with pytest.raises(ProviderUnavailable) as caught:
        geocode("钥匙错误", settings_for(stub))
    assert caught.value.reason == "key"
    assert "LOCATOR_GEOCODER_KEY" in caught.value.render()


def test_an_http_error_makes_the_provider_unavailable(stub):
    with pytest.raises(ProviderUnavailable) as caught:
        geocode("服务出错", settings_for(stub))
    assert (caught.value.reason, caught.value.params) == ("failed", {"detail": "HTTP 500"})


def test_a_slow_provider_times_out_within_the_bound(stub):
    with pytest.raises(ProviderUnavailable) as caught:
        geocode("很慢的地址", settings_for(stub, timeout_s=0.3))
    assert caught.value.reason == "timeout"
    assert caught.value.render() == results.TIMED_OUT % {"seconds": "0.3"}


@pytest.mark.parametrize("provider", ["amap", "baidu", "tianditu"])
def test_a_provider_that_needs_a_key_is_not_asked_without_one(provider):
    with StubGeocoder(provider) as server:
        with pytest.raises(ProviderUnavailable) as caught:
            geocode(ADDRESS, GeocoderSettings(provider, base_url=server.url))
        assert server.requests == []
    assert (caught.value.reason, caught.value.message) == ("key", results.NO_KEY)


def test_an_unreachable_provider_is_unavailable():
    with StubGeocoder("amap") as server:
        url = server.url  # nothing listens there once the stub has stopped
    with pytest.raises(ProviderUnavailable) as caught:
        geocode(ADDRESS, GeocoderSettings("amap", key="k", base_url=url, timeout_s=2))
    assert caught.value.reason == "failed"


# --- settings ----------------------------------------------------------------------------------

def test_settings_come_from_the_apps_geocoder_keys():
    config = {"GEOCODER": "Nominatim", "GEOCODER_URL": "http://127.0.0.1:9/nominatim",
              "SERVICE_AREA": list(XINHUI_AREA)}
    settings = settings_from_config(config)
    assert (settings.provider, settings.url, settings.rate) == (
        "nominatim", "http://127.0.0.1:9/nominatim", 1.0)
    assert settings.service_area == XINHUI_AREA
    faster = settings_from_config({"GEOCODER": "amap", "GEOCODER_KEY": "k", "GEOCODER_RATE": 10})
    assert (faster.key, faster.rate, faster.url) == ("k", 10.0, "https://restapi.amap.com")
    assert settings_from_config({"GEOCODER": ""}) is None
    assert DEFAULT_RATES["nominatim"] == 1.0


def test_an_unknown_provider_is_refused_in_words_for_the_operator():
    with pytest.raises(ProviderUnavailable) as caught:
        settings_from_config({"GEOCODER": "google"})
    assert caught.value.reason == "config"
    assert caught.value.render() == results.UNKNOWN_PROVIDER % {"provider": "google"}


# --- batches, rate limit -----------------------------------------------------------------------

def test_a_batch_asks_once_per_distinct_address_in_order_with_progress():
    seen = []
    with StubGeocoder("amap") as server:
        outcomes = geocode_many(
            [ADDRESS, "江门市新会区不存在路999号", "  " + ADDRESS + " ", "江门市新会区"],
            settings_for(server), progress=lambda *args: seen.append(args))
        asked = [query["address"] for _at, _path, query in server.requests]
    assert asked == [ADDRESS, "江门市新会区不存在路999号", "江门市新会区"]
    assert [type(o).__name__ for o in outcomes] == ["Found", "NotFound", "Found", "Found"]
    assert outcomes[0] is outcomes[2]
    assert [(done, total) for done, total, _outcome in seen] == [(1, 3), (2, 3), (3, 3)]
    assert [outcome for *_counts, outcome in seen] == [outcomes[0], outcomes[1], outcomes[3]]


def test_a_batch_stops_at_an_unavailable_provider_after_reporting_what_it_had():
    seen = []
    with StubGeocoder("baidu") as server:
        with pytest.raises(ProviderUnavailable):
            geocode_many([ADDRESS, "配额用完", "江门市新会区"], settings_for(server),
                         progress=lambda *args: seen.append(args))
        assert len(server.requests) == 2
    assert [(done, total) for done, total, _outcome in seen] == [(1, 3)]


def test_equal_addresses_are_equal_after_width_and_space_folding():
    assert address_key(" 会城　今古洲路１号 ") == "会城 今古洲路1号"


def test_a_batch_respects_the_rate_limit_as_the_provider_sees_it():
    rate, n = 5.0, 6
    with StubGeocoder("tianditu") as server:
        began = time.monotonic()
        geocode_many([f"地址{i}" for i in range(n)], settings_for(server, rate_per_s=rate))
        arrivals = server.arrivals()
    # The k-th request may start no sooner than k/rate after the batch began. A busy machine
    # only delays arrivals, so this lower bound holds however loaded it is (gaps between two
    # arrivals do not: a late first request leaves a short gap to the next).
    assert len(arrivals) == n
    assert all(arrival >= began + k / rate for k, arrival in enumerate(arrivals))


def test_nominatim_gets_one_request_a_second_by_default():
    with StubGeocoder("nominatim") as server:
        settings = GeocoderSettings("nominatim", base_url=server.url)
        began = time.monotonic()
        geocode_many(["地址1", "地址2", "地址3"], settings)
        arrivals = server.arrivals()
    assert settings.rate == 1.0
    assert all(arrival >= began + k for k, arrival in enumerate(arrivals))


def test_the_rate_limit_spaces_starts_without_sleeping_needlessly():
    now, slept = [100.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limit = RateLimit(2.0, clock=lambda: now[0], sleep=sleep)
    waits = [limit.wait(), limit.wait()]
    now[0] += 5.0  # a long pause: the next caller goes at once
    waits.append(limit.wait())
    assert waits == [0.0, 0.5, 0.0] and slept == [0.5]

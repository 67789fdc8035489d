"""Route links: providers' URI formats and datums, modes, origins, hostile names kept in place."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locator.core.geo import wgs84_to_gcj02
from locator.core.navigate import (
    CAR,
    MODES,
    TRANSIT,
    WALK,
    Place,
    amap_url,
    apple_url,
    baidu_url,
    geo_url,
    navigate_links,
)

LAT, LON = 22.520560, 113.065560
ORIGIN = Place(22.528100, 113.031000, "江门站")
HOSTILE = '"><script>alert(1)</script>&callnative=0#javascript:x ${y}|latlng:0,0|name:,1,2'


def query(url: str) -> dict:
    """The URL's query as single values."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, strict_parsing=True).items()}


def gcj(lat: float, lon: float) -> str:
    """lon,lat in GCJ-02 as AMap reads it."""
    g_lat, g_lon = wgs84_to_gcj02(lat, lon)
    return f"{g_lon:.6f},{g_lat:.6f}"


def test_amap_walks_from_the_origin_in_its_own_datum():
    url = amap_url(LAT, LON, "母婴室", ORIGIN)
    assert url.startswith("https://uri.amap.com/navigation?")
    assert query(url) == {"from": f"{gcj(ORIGIN.lat, ORIGIN.lon)},江门站",
                          "to": f"{gcj(LAT, LON)},母婴室", "mode": "walk", "callnative": "1",
                          "src": "locator.xinhui"}
    # AMap's route URI documents no `coordinate`: the points are GCJ-02, ~600 m from WGS-84
    assert f"{LON:.6f}" not in url


def test_amap_without_an_origin_starts_from_the_phone():
    q = query(amap_url(LAT, LON, "母婴室"))
    assert "from" not in q and q["to"] == f"{gcj(LAT, LON)},母婴室" and q["mode"] == "walk"


def test_baidu_walks_latitude_first_in_wgs84():
    url = baidu_url(LAT, LON, "母婴室", ORIGIN)
    assert url.startswith("https://api.map.baidu.com/direction?")
    assert query(url) == {"origin": "latlng:22.528100,113.031000|name:江门站",
                          "destination": "latlng:22.520560,113.065560|name:母婴室",
                          "mode": "walking", "region": "江门", "coord_type": "wgs84",
                          "output": "html", "src": "webapp.locator.xinhui"}


def test_baidu_without_an_origin_is_its_marker_page():
    # Baidu's web direction URI requires an origin: the marker page routes from the phone.
    url = baidu_url(LAT, LON, "江门站")
    assert url.startswith("https://api.map.baidu.com/marker?")
    q = query(url)
    assert q["location"] == "22.520560,113.065560" and q["title"] == "江门站"
    assert q["coord_type"] == "wgs84" and q["output"] == "html" and q["src"]


@pytest.mark.parametrize(("mode", "amap", "baidu", "apple"), [
    (WALK, "walk", "walking", "w"), (TRANSIT, "bus", "transit", "r"), (CAR, "car", "driving", "d"),
])
def test_each_mode_in_each_providers_words(mode, amap, baidu, apple):
    assert query(amap_url(LAT, LON, "x", ORIGIN, mode))["mode"] == amap
    assert query(baidu_url(LAT, LON, "x", ORIGIN, mode))["mode"] == baidu
    assert query(apple_url(LAT, LON, ORIGIN, mode))["dirflg"] == apple


def test_apple_and_geo():
    assert apple_url(LAT, LON) == "https://maps.apple.com/?daddr=22.520560%2C113.065560&dirflg=w"
    assert apple_url(LAT, LON, ORIGIN) == ("https://maps.apple.com/?saddr=22.528100%2C113.031000"
                                           "&daddr=22.520560%2C113.065560&dirflg=w")
    assert geo_url(LAT, LON) == "geo:22.520560,113.065560"


@pytest.mark.parametrize("origin", [None, Place(22.5, 113.0, HOSTILE)])
def test_hostile_names_stay_one_query_value(origin):
    for url in (amap_url(LAT, LON, HOSTILE, origin), baidu_url(LAT, LON, HOSTILE, origin)):
        parts = urlsplit(url)
        assert parts.scheme == "https" and not parts.fragment
        q = query(url)
        assert not any(char in url for char in '"<> #$|')
        assert url.count("&") == len(q) - 1  # the name's "&" did not start a parameter
        assert q.get("callnative", "1") == "1"
    to = query(amap_url(LAT, LON, HOSTILE, origin))["to"]
    assert to.split(",", 2)[2] == HOSTILE.replace(",", "，")  # no comma starts a field
    if origin:
        destination = query(baidu_url(LAT, LON, HOSTILE, origin))["destination"]
        assert destination.split("|") == ["latlng:22.520560,113.065560",
                                          "name:" + HOSTILE.replace("|", "｜")]


def test_all_links_in_order():
    for mode in MODES:
        links = navigate_links(LAT, LON, "x", ORIGIN, mode)
        assert [link.app for link in links] == ["amap", "baidu", "apple", "geo"]
        assert {link.mode for link in links} == {mode}


@given(st.text(max_size=120), st.floats(-90, 90), st.floats(-180, 180),
       st.sampled_from(MODES))
def test_links_are_what_urlencode_would_build(name, lat, lon, mode):
    cut, c = name[:100], lambda v: f"{v:.6f}"
    origin = Place(22.5, 113.0, name)
    g_lat, g_lon = wgs84_to_gcj02(lat, lon)
    o_lat, o_lon = wgs84_to_gcj02(22.5, 113.0)
    amap_mode = {"walk": "walk", "transit": "bus", "car": "car"}[mode]
    assert amap_url(lat, lon, name, origin, mode) == "https://uri.amap.com/navigation?" + urlencode(
        {"from": f"{c(o_lon)},{c(o_lat)},{cut.replace(',', '，')}",
         "to": f"{c(g_lon)},{c(g_lat)},{cut.replace(',', '，')}", "mode": amap_mode,
         "callnative": "1", "src": "locator.xinhui"})
    baidu_mode = {"walk": "walking", "transit": "transit", "car": "driving"}[mode]
    named = cut.replace("|", "｜")
    assert baidu_url(lat, lon, name, origin, mode) == (
        "https://api.map.baidu.com/direction?" + urlencode(
            {"origin": f"latlng:{c(22.5)},{c(113.0)}|name:{named}",
             "destination": f"latlng:{c(lat)},{c(lon)}|name:{named}", "mode": baidu_mode,
             "region": "江门", "coord_type": "wgs84", "output": "html",
             "src": "webapp.locator.xinhui"}))
    assert baidu_url(lat, lon, name) == "https://api.map.baidu.com/marker?" + urlencode(
        {"location": f"{c(lat)},{c(lon)}", "title": cut, "content": cut, "coord_type": "wgs84",
         "output": "html", "src": "webapp.locator.xinhui"})
    assert apple_url(lat, lon, origin, mode) == "https://maps.apple.com/?" + urlencode(
        {"saddr": f"{c(22.5)},{c(113.0)}", "daddr": f"{c(lat)},{c(lon)}",
         "dirflg": {"walk": "w", "transit": "r", "car": "d"}[mode]})

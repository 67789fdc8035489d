"""Navigate links: providers' URI formats, WGS-84 declared, hostile names kept in place."""

from urllib.parse import parse_qs, urlencode, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from locator.core.navigate import amap_url, apple_url, baidu_url, geo_url, navigate_links

LAT, LON = 22.520560, 113.065560
HOSTILE = '"><script>alert(1)</script>&callnative=0#javascript:x ${y}'


def query(url: str) -> dict:
    """The URL's query as single values."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, strict_parsing=True).items()}


def test_amap_marker_is_longitude_first_in_wgs84():
    url = amap_url(LAT, LON, "江门站")
    assert url.startswith("https://uri.amap.com/marker?")
    assert query(url) == {"position": "113.065560,22.520560", "name": "江门站",
                          "coordinate": "wgs84", "callnative": "1"}


def test_baidu_marker_is_latitude_first_in_wgs84():
    url = baidu_url(LAT, LON, "江门站")
    assert url.startswith("https://api.map.baidu.com/marker?")
    q = query(url)
    assert q["location"] == "22.520560,113.065560" and q["title"] == "江门站"
    assert q["coord_type"] == "wgs84" and q["output"] == "html" and q["src"]


def test_apple_and_geo():
    assert apple_url(LAT, LON) == "https://maps.apple.com/?daddr=22.520560%2C113.065560&dirflg=w"
    assert geo_url(LAT, LON) == "geo:22.520560,113.065560"


def test_hostile_names_stay_one_query_value():
    for url in (amap_url(LAT, LON, HOSTILE), baidu_url(LAT, LON, HOSTILE)):
        parts = urlsplit(url)
        assert parts.scheme == "https" and not parts.fragment
        q = query(url)
        assert not any(char in url for char in '"<> #$')
        assert url.count("&") == len(q) - 1  # the name's "&" did not start a parameter
        assert q.get("name", q.get("title")) == HOSTILE
        assert q.get("callnative", "1") == "1"


def test_all_links_in_order():
    assert [link.app for link in navigate_links(LAT, LON, "x")] == ["amap", "baidu", "apple", "geo"]


@given(st.text(max_size=120), st.floats(-90, 90), st.floats(-180, 180))
def test_links_are_what_urlencode_would_build(name, lat, lon):
    cut, c = name[:100], lambda v: f"{v:.6f}"
    assert amap_url(lat, lon, name) == "https://uri.amap.com/marker?" + urlencode(
        {"position": f"{c(lon)},{c(lat)}", "name": cut, "coordinate": "wgs84", "callnative": "1"})
    assert baidu_url(lat, lon, name) == "https://api.map.baidu.com/marker?" + urlencode(
        {"location": f"{c(lat)},{c(lon)}", "title": cut, "content": cut, "coord_type": "wgs84",
         "output": "html", "src": "webapp.locator.xinhui"})
    assert apple_url(lat, lon) == "https://maps.apple.com/?" + urlencode(
        {"daddr": f"{c(lat)},{c(lon)}", "dirflg": "w"})

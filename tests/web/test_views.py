"""Public pages: every page, state and language; escaping of hostile data; the map data."""

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from locator import create_app
from locator.search import origin
from tests.factories import load, row

pytestmark = pytest.mark.engines

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
ORIGIN = {"lat": "22.5281", "lon": "113.0310"}
# Closes a script, opens one, breaks out of attributes, a template literal, a line separator.
HOSTILE = ('</script><script>alert("x")</script>"\'><img src=x onerror=alert(1)>'
           '`${alert(2)}`\u2028javascript:alert(3)')
SHORT_HOSTILE = '"><img src=x onerror=alert(4)>'  # floor holds at most 50 characters
FREE_TEXT = ("name", "name_en", "address", "address_en", "town", "routes", "phone",
             "description", "description_en", "source")


@pytest.fixture
def app(db_path):
    """Nursing rooms (one open, one not, one hostile), a landmark, a far bus stop."""
    hostile = {field: HOSTILE for field in FREE_TEXT} | {"floor": SHORT_HOSTILE}
    load(db_path,
         row(1, lat="22.5290", lon="113.0310", amenities="crib;changing_table", floor="2F",
             opening_hours="Mo-Fr 08:30-17:30", verified_on="2026-05-01", phone="0750-1234567"),
         row(2, lat="22.5300", lon="113.0310", opening_hours="Sa-Su 09:00-17:00"),
         row(3, lat="22.5310", lon="113.0310", **hostile),
         row(4, category="landmark", name="景堂图书馆", name_en="Jingtang Library",
             lat="22.520979", lon="113.040056", address="会城仁寿路16号"),
         row(5, category="bus_stop", lat="22.7000", lon="113.2000", **hostile))
    return create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10})


def page(client, path, status=200, **args) -> str:
    """GET a page; check its status and that it is HTML; return the text."""
    response = client.get(path, query_string=args)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append([self._in_script, ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data


def assert_safe(html: str) -> Tags:
    """No injected element, attribute, script or URL; scripts are local files or JSON data."""
    parsed = Tags()
    parsed.feed(html)
    for tag, attrs in parsed.tags:
        assert tag != "img", attrs
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith("javascript:"), (tag, attrs)
    for attrs, text in parsed.scripts:
        if "src" in attrs:
            assert attrs["src"].startswith("/") and not text.strip(), attrs
        else:
            assert attrs.get("type") == "application/json", attrs
            json.loads(text)  # the whole island is one JSON value: nothing broke out of it
    return parsed


def map_data(html: str) -> dict:
    """The page's map data island."""
    match = re.search(r'<script type="application/json" id="map-data"[^>]*>(.*?)</script>',
                      html, re.S)
    assert match, "no map data"
    return json.loads(match.group(1))


# -- home ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "texts"), [
    ("zh", ["母婴室", "长途车站", "公交站", "地标", "使用我的位置", "按地点查找", 'lang="zh-CN"']),
    ("en", ["Nursing rooms", "Coach stops", "Bus stops", "Landmarks", "Use my location",
            "Search near a place", 'lang="en"']),
])
def test_home_has_categories_location_search_and_language(client, lang, texts):
    html = page(client, "/", lang=lang)
    for text in texts:
        assert text in html
    assert 'href="/nearest?category=nursing_room"' in html  # works without JavaScript
    assert '<label for="q">' in html and '<label for="category">' in html
    other = "English" if lang == "zh" else "中文"
    assert other in html and "lang=" in html


def test_language_from_cookie_then_accept_language(client):
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en-US,en"}).text
    client.get("/?lang=en")
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "zh-CN"}).text
    assert 'lang="zh-CN"' in client.get("/?lang=zh").text


def test_language_switch_keeps_the_query(client):
    html = page(client, "/nearest", category="landmark", lang="en", **ORIGIN)
    switch = re.search(r'class="lang-switch" href="([^"]+)"', html).group(1)
    assert set(switch.split("?")[1].split("&amp;")) == {
        "lat=22.5281", "lon=113.0310", "category=landmark", "lang=zh"}


# -- nearest ------------------------------------------------------------------------------------

def test_nearest_lists_results_with_everything_a_parent_needs(client):
    html = page(client, "/nearest", category="nursing_room", lang="en", **ORIGIN)
    assert html.index("Nursing room 1") < html.index("Nursing room 2")
    assert "Nursing rooms near you" in html and "From your location" in html
    assert "100 m" in html and "about 2 min walk" in html and "straight-line estimate" in html
    assert "Open now" in html and "closes 17:30" in html
    assert "Closed now" in html and "opens Sat 09:00" in html
    assert "<dd>2F</dd>" in html and "Open to the public" in html
    assert "Crib" in html and "Changing table" in html
    assert "Checked on site 2026-05-01" in html and "Location not verified on site" in html
    for prefix in ("https://uri.amap.com/navigation?from=", "https://api.map.baidu.com/direction?",
                   "https://maps.apple.com/?saddr=22.528100%2C113.031000&amp;daddr=22.529000",
                   "geo:22.529000,113.031000"):
        assert prefix in html
    assert "mode=walk&amp;" in html and "mode=walking&amp;" in html and "coord_type=wgs84" in html


def test_nearest_in_chinese(client):
    html = page(client, "/nearest", category="nursing_room", **ORIGIN)
    for text in ("附近的母婴室", "100 米", "步行约 2 分钟", "正在开放", "17:30 关门",
                 "位置未经实地核实", "用高德地图导航", "护理台"):
        assert text in html, text


def test_nearest_map_data_holds_origin_and_numbered_results(client):
    data = map_data(page(client, "/nearest", category="nursing_room", **ORIGIN))
    assert data["origin"]["lat"] == 22.5281
    assert [p["n"] for p in data["points"]] == [1, 2, 3]
    assert data["points"][0] == {
        "lat": 22.529, "lon": 113.031, "n": 1, "name": "母婴室1", "open": True,
        "url": "/facilities/room-1?lat=22.5281&lon=113.0310&category=nursing_room"}


def test_nothing_within_radius_says_how_far_the_nearest_is(client):
    html = page(client, "/nearest", category="bus_stop", lang="en", **ORIGIN)
    assert "Nothing within 5 km — the nearest is 2" in html and " km away." in html
    assert html.count('<li class="card') == 1


def test_empty_category(client):
    html = page(client, "/nearest", category="coach_stop", lang="en", **ORIGIN)
    assert "There are no coach stops in our data yet." in html
    assert 'id="map-data"' not in html


def test_filters_matching_nothing(client):
    html = page(client, "/nearest", category="landmark", amenity="toilet", lang="en", **ORIGIN)
    assert "Nothing matches these filters." in html


def test_open_now_filter(client):
    html = page(client, "/nearest", category="nursing_room", open_now="1", lang="en", **ORIGIN)
    assert "Nursing room 1" in html and "Nursing room 2" not in html


def test_nearest_without_a_location_asks_for_one(client):
    html = page(client, "/nearest", category="nursing_room", lang="en")
    assert "Where are you?" in html and 'id="q"' in html and "Use my location" in html


def test_place_search_uses_a_named_place(client):
    html = page(client, "/nearest", q="景堂图书馆", category="nursing_room", lang="en")
    assert "From Jingtang Library" in html and "Nursing room 1" in html  # its English name


def test_unknown_place_shows_the_search_again(client):
    html = page(client, "/nearest", 404, q="nowhere at all", category="nursing_room", lang="en")
    assert "No place found for “nowhere at all”" in html and 'value="nowhere at all"' in html


def test_geocoder_down_is_said_plainly(app, db_path, monkeypatch):
    from locator.search.geocode import GeocoderUnavailable

    def broken(*_args, **_kwargs):
        raise GeocoderUnavailable("timeout")
    monkeypatch.setattr(origin, "geocode", broken)
    client = create_app({"TESTING": True, "DATABASE": db_path, "GEOCODER": "nominatim"}
                        ).test_client()
    html = page(client, "/nearest", 503, q="somewhere", lang="en")
    assert "Place search is not available right now" in html


@pytest.mark.parametrize("args", [{"lat": "91", "lon": "113"}, {"lat": "x", "lon": "1"},
                                  {"lat": "22.5"}, {"category": "spaceship", "q": "x"},
                                  {"limit": "0", **ORIGIN}])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_parameters_are_a_friendly_400_page(client, args, lang):
    html = page(client, "/nearest", 400, lang=lang, **args)
    assert ("这个链接有误" if lang == "zh" else "This link has a mistake") in html
    assert 'id="q"' in html and '"error"' not in html and 'class="technical"' in html


# -- one facility ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "texts"), [
    ("en", ["Nursing room 1", "Opening hours this week", "Mon, Nov 30", "08:30–17:30",
            "(today)", "Navigate with AMap", "Baidu Maps", "Apple Maps", "tel:07501234567"]),
    ("zh", ["母婴室1", "本周开放时间", "11月30日 周一", "用高德地图导航", "百度地图"]),
])
def test_facility_page(client, lang, texts):
    html = page(client, "/facilities/room-1", lang=lang)
    for text in texts:
        assert text in html, text
    assert map_data(html)["points"][0]["lat"] == 22.529


def test_unknown_facility_is_a_friendly_404(client):
    assert "No such place" in page(client, "/facilities/nope", 404, lang="en")
    assert "找不到这个地点" in page(client, "/facilities/nope", 404, lang="zh")


# -- overview map -------------------------------------------------------------------------------

def test_map_page_loads_points_as_json(client):
    html = page(client, "/map", lang="en")
    data = map_data(html)
    assert data["show"] == ["nursing_room", "coach_stop", "bus_stop", "landmark"]
    points = client.get(data["url"]).get_json()
    assert [r[2] for r in points["nursing_room"]] == ["room-1", "room-2", "room-3"]
    assert points["landmark"][0] == [22.520979, 113.040056, "room-4", "Jingtang Library"]
    assert "leaflet.markercluster.js" in html and "MarkerCluster.Default.css" in html


def test_map_page_for_one_category(client):
    assert map_data(page(client, "/map", category="landmark"))["show"] == ["landmark"]


def test_map_points_are_cached_and_conditional(client):
    url = map_data(page(client, "/map"))["url"]
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"].strip('"')})
    assert first.headers["Cache-Control"].startswith("public") and again.status_code == 304


def test_map_shell_script_is_served_immutable_and_checked(client):
    html = page(client, "/map", lang="en")
    src = re.search(r'src="(/map/shell/overview\.en\.[0-9a-f]+\.js)"', html).group(1)
    response = client.get(src)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "immutable" in response.headers["Cache-Control"]
    assert "L.markerClusterGroup" in response.text and "window.LocatorMap" in response.text
    assert client.get(src.replace(".en.", ".fr.")).status_code == 404
    assert client.get("/map/shell/overview.en.0000000000000000.js").status_code == 404


# -- safety -------------------------------------------------------------------------------------

HOSTILE_PAGES = [
    ("/", {}), ("/nearest", {"category": "nursing_room", **ORIGIN}),
    ("/nearest", {"category": "bus_stop", **ORIGIN}), ("/nearest", {"q": HOSTILE[:150]}),
    ("/nearest", {"q": "景堂图书馆"}), ("/facilities/room-3", {}), ("/facilities/room-5", {}),
    ("/map", {}), ("/nearest", {"lat": HOSTILE[:100], "lon": "1"}),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("path", "args"), HOSTILE_PAGES)
def test_hostile_text_is_escaped_everywhere(client, path, args, lang):
    # A facility's name as q leads to its page: the page it leads to is checked.
    response = client.get(path, query_string=args | {"lang": lang}, follow_redirects=True)
    assert response.status_code in (200, 400, 404)
    html = response.get_data(as_text=True)
    assert_safe(html)
    assert "<script>alert" not in html and "<img src=x" not in html


def test_hostile_text_reaches_the_page_as_text(client):
    html = page(client, "/facilities/room-3", lang="en")
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)" in html
    assert "%3C%2Fscript%3E%3Cscript%3Ealert%28%22x%22%29" in html  # inside navigate URLs
    data = map_data(html)
    assert data["points"][0]["name"] == HOSTILE  # the JSON carries it intact, as data


def test_hostile_text_in_map_points_json(client):
    points = client.get(map_data(page(client, "/map"))["url"])
    assert points.mimetype == "application/json"
    assert [r[3] for r in points.get_json()["nursing_room"] if r[2] == "room-3"] == [HOSTILE]


def test_pages_carry_the_csp_and_no_inline_code(client):
    response = client.get("/nearest", query_string={"category": "nursing_room", **ORIGIN})
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    parsed = assert_safe(response.get_data(as_text=True))
    nonce = csp.split("'nonce-")[1].split("'")[0]
    for attrs, _text in parsed.scripts:
        assert "src" in attrs or attrs.get("nonce") == nonce


def test_every_asset_is_local(client):
    for path, args in [("/map", {}), ("/facilities/room-1", {}),
                       ("/nearest", {"category": "nursing_room", **ORIGIN})]:
        parsed = Tags()
        parsed.feed(page(client, path, **args))
        urls = [a.get("src") or a.get("href") for t, a in parsed.tags
                if (t == "link" and a.get("rel") == "stylesheet") or (t == "script" and "src" in a)]
        assert urls and all(u.startswith("/") for u in urls), urls
        for url in urls:
            with client.get(url) as response:
                assert response.status_code == 200, url


# -- every state in both languages ----------------------------------------------------------------

STATES = [  # (path, args, status, English text, Chinese text)
    ("/", {}, 200, "What do you need nearby?", "你要找附近的什么？"),
    ("/nearest", {"category": "nursing_room"}, 200, "Where are you?", "你在哪里？"),
    ("/nearest", {"category": "nursing_room", **ORIGIN}, 200, "Nearest", "最近"),
    ("/nearest", {"category": "bus_stop", **ORIGIN}, 200, "Nothing within 5 km", "5 公里内没有"),
    ("/nearest", {"category": "coach_stop", **ORIGIN}, 200, "in our data yet", "目前数据中还没有"),
    ("/nearest", {"category": "landmark", "amenity": "toilet", **ORIGIN}, 200,
     "Nothing matches these filters.", "没有符合这些条件的地点。"),
    ("/nearest", {"q": "nowhere"}, 404, "No place found", "找不到“nowhere”"),
    ("/nearest", {"lat": "x", "lon": "1"}, 400, "This link has a mistake", "这个链接有误"),
    ("/facilities/room-1", {}, 200, "Opening hours this week", "本周开放时间"),
    ("/facilities/nope", {}, 404, "No such place", "找不到这个地点"),
    ("/map", {}, 200, "All places on a map", "全部地点地图"),
]


@pytest.mark.parametrize(("path", "args", "status", "en", "zh"), STATES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_and_state_in_both_languages(client, path, args, status, en, zh, lang):
    html = page(client, path, status, lang=lang, **args)
    assert (en if lang == "en" else zh) in html
    assert f'<html lang="{"en" if lang == "en" else "zh-CN"}">' in html
    assert ("中文" if lang == "en" else "English") in html  # the switch to the other language
    assert_safe(html)


def test_map_labels_follow_the_language(client):
    labels = map_data(page(client, "/facilities/room-1", lang="zh"))["labels"]
    assert labels == {"origin": "你的位置", "details": "详情", "zoom_in": "放大",
                      "zoom_out": "缩小", "layers": "选择地图显示的内容"}

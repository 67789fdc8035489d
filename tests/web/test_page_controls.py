"""The nearest page's controls without JavaScript: equipment filters as a GET form, the list/map
switch's links, and /map for a category with no places yet."""

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from locator import create_app
from tests.factories import load, row

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ORIGIN = {"lat": "22.5281", "lon": "113.0310"}
SNEAKY_Q = '景堂图书馆"><script>alert(1)</script>'


@pytest.fixture
def app(db_path):
    """Nursing rooms with different equipment, a landmark to search from; no bus stops."""
    load(db_path,
         row(1, lat="22.5290", lon="113.0310", amenities="crib;changing_table"),
         row(2, lat="22.5300", lon="113.0310", amenities="changing_table;father_friendly"),
         row(3, lat="22.5310", lon="113.0310", amenities="wheelchair;crib;changing_table",
             opening_hours="24/7"),
         row(4, category="landmark", name="景堂图书馆", name_en="Jingtang Library",
             lat="22.520979", lon="113.040056"),
         row(5, category="landmark", name=SNEAKY_Q, lat="22.5200", lon="113.0400"))
    return create_app({"TESTING": True, "DATABASE": db_path, "CLOCK": lambda: MONDAY_10})


class Page(HTMLParser):
    """The filter form's fields, every link, and the elements' ids."""

    def __init__(self, html: str):
        super().__init__()
        self.fields, self.links, self.ids, self.form, self._in_form = [], [], set(), None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "form" and "filters" in (a.get("class") or ""):
            self.form, self._in_form = a, True
        elif tag == "input" and self._in_form:
            self.fields.append(a)
        elif tag == "a":
            self.links.append(a)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False

    def submitted(self, *tick: str) -> list[tuple[str, str]]:
        """What the form sends: hidden fields, ticked boxes, and the boxes in `tick`."""
        return [(f["name"], f["value"]) for f in self.fields
                if f["type"] == "hidden" or "checked" in f or f["value"] in tick]


def get(client, path, status=200, **args) -> str:
    """GET a page and return its text, checking the status."""
    response = client.get(path, query_string=args)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def names(html: str) -> list[str]:
    """The result cards' names, in order."""
    return re.findall(r'<h2 id="r\d+"><a href="[^"]*">([^<]*)</a>', html)


def test_equipment_filters_are_a_get_form_that_narrows_the_list(client):
    html = get(client, "/nearest", category="nursing_room", lang="en", **ORIGIN)
    page = Page(html)
    assert page.form["method"] == "get" and page.form["action"] == "/nearest"
    boxes = [f for f in page.fields if f["type"] == "checkbox"]
    assert [b["value"] for b in boxes] == ["changing_table", "father_friendly", "wheelchair"]
    assert all(b["name"] == "amenity" and "checked" not in b for b in boxes)
    assert "Must have" in html and "Fathers welcome" in html
    # Room 3 is the one known to be open: the page leads with it (the others' hours unknown).
    assert names(html) == ["Nursing room 3", "Nursing room 1", "Nursing room 2"]
    query = page.submitted("changing_table", "wheelchair") + [("lang", "en")]
    narrowed = client.get("/nearest?" + "&".join(f"{k}={v}" for k, v in query)).text
    assert names(narrowed) == ["Nursing room 3"]
    ticked = Page(narrowed)
    assert ticked.submitted() == query[:-1]  # the ticks survive the round trip


def test_filters_speak_chinese_first(client):
    html = get(client, "/nearest", category="nursing_room", amenity="father_friendly", **ORIGIN)
    assert "需要具备" in html and ">筛选</button>" in html
    assert names(html) == ["母婴室2"]


def test_bus_stops_offer_only_the_equipment_they_can_have(client):
    page = Page(get(client, "/nearest", category="coach_stop", **ORIGIN, status=200))
    # No coach stops: the page says so and offers no filters.
    assert page.form is None
    html = get(client, "/nearest", category="landmark", **ORIGIN)
    assert [f["value"] for f in Page(html).fields if f["type"] == "checkbox"] == ["wheelchair"]


def test_links_keep_the_filters_their_target_accepts(client):
    html = get(client, "/nearest", category="nursing_room",
               amenity=["changing_table", "wheelchair"], open_now="1", **ORIGIN)
    links = {}
    for a in Page(html).links:
        url = urlsplit(a.get("href", ""))
        query = parse_qs(url.query)
        if url.path == "/nearest" and "lat" in query and "lang" not in query and (
                "data-share" not in a):
            links.setdefault(query.get("category", [""])[0], []).append(query)
    # A bus stop has no changing table: its chip drops that filter rather than lead to a 400.
    assert [q["amenity"] for q in links["bus_stop"]] == [["wheelchair"]]
    assert [(q["amenity"], q.get("open_now")) for q in links["nursing_room"]] == [
        (["changing_table", "wheelchair"], ["1"]), (["changing_table", "wheelchair"], None)]
    for query in (q for group in links.values() for q in group):
        get(client, "/nearest", **{k: v for k, v in query.items()})


def test_a_filter_the_page_has_no_box_for_is_kept(client):
    page = Page(get(client, "/nearest", category="nursing_room", amenity="crib", **ORIGIN))
    assert ("amenity", "crib") in page.submitted()
    assert names(get(client, "/nearest", category="nursing_room", amenity="crib", **ORIGIN)) == [
        "母婴室3", "母婴室1"]  # the open one first


def test_the_searched_place_rides_in_the_form_as_text(client):
    html = get(client, "/nearest", q=SNEAKY_Q[:5], category="nursing_room", lang="en")
    page = Page(html)
    assert ("q", "景堂图书馆") in page.submitted() and ("lat", "") not in page.submitted()
    html = get(client, "/nearest", q=SNEAKY_Q, category="nursing_room")
    assert ("q", SNEAKY_Q) in Page(html).submitted()  # the parser unescapes the attribute
    assert "<script>alert(1)" not in html


def test_results_have_a_list_and_map_switch_that_works_as_links(client):
    html = get(client, "/nearest", category="nursing_room", lang="en", **ORIGIN)
    page = Page(html)
    switch = [a for a in page.links if a.get("data-view")]
    assert [(a["data-view"], a["href"]) for a in switch] == [("list", "#results"),
                                                             ("map", "#map-view")]
    assert {"results", "map-view"} <= page.ids
    assert html.index('class="view-switch"') < html.index('id="results"')
    asked = get(client, "/nearest", category="nursing_room")
    assert "view-switch" not in asked


def map_data(html: str) -> dict:
    """The overview map's data island."""
    return json.loads(re.search(r'id="map-data"[^>]*>(.*?)</script>', html, re.S).group(1))


def test_a_map_of_a_category_with_none_says_so_and_shows_the_district(client):
    html = get(client, "/map", category="bus_stop", lang="en")
    assert "Bus stops: none in our data yet. The map shows the whole district." in html
    assert map_data(html)["bounds"] == [[22.0, 112.7], [22.9, 113.35]]
    zh = get(client, "/map", category="bus_stop", lang="zh")
    assert "公交站：暂无数据。地图显示整个区域。" in zh
    full = get(client, "/map", category="nursing_room", lang="en")
    assert "none in our data yet" not in full
    assert map_data(full)["bounds"] == [[22.529, 113.031], [22.531, 113.031]]


def test_an_empty_map_says_there_is_nothing_yet(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "empty.sqlite")})
    from locator.store import Store

    store = Store(str(tmp_path / "empty.sqlite"))
    store.migrate()
    store.close()
    html = get(app.test_client(), "/map", lang="en")
    assert "There are no places in our data yet." in html
    assert map_data(html)["bounds"] == [[22.0, 112.7], [22.9, 113.35]]


def test_results_have_a_share_link_to_the_list_itself(client):
    html = get(client, "/nearest", category="nursing_room", amenity="crib", lang="en", **ORIGIN)
    share = [a for a in Page(html).links if "data-share" in a]
    assert len(share) == 1
    url = urlsplit(share[0]["href"])
    assert url.path == "/nearest" and parse_qs(url.query) == {
        "lat": ["22.5281"], "lon": ["113.0310"], "category": ["nursing_room"],
        "amenity": ["crib"]}  # no lang: whoever opens it reads it in their own language
    assert "Link copied." in share[0]["data-copied"] and "js/share.js" in html
    assert "data-share" not in get(client, "/nearest", category="nursing_room")


def test_a_facility_page_shares_the_place_not_the_visitors_position(client):
    html = get(client, "/facilities/room-1", lang="en", **ORIGIN)
    share = re.search(r'<a class="btn btn-small btn-share" href="([^"]+)" data-share', html)
    assert share and share.group(1) == "/facilities/room-1"
    assert "js/share.js" in html

"""The result list and the detail page in each state a parent meets, in Chinese and English:
the open one first, closing soon, too far to walk, outside the area, unknown hours hidden, and
the detail page keeping the list's context."""

import html as html_lib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from locator import create_app
from tests.factories import load, row

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
MONDAY_1705 = datetime(2026, 11, 30, 17, 5, tzinfo=SHANGHAI)
NEAR_ROOM_2 = {"lat": "22.5298", "lon": "113.0310"}  # room 2 (closed on Mondays) is nearest


@pytest.fixture
def db(db_path):
    """Room 1 open weekdays, room 2 weekends only, room 3 unknown hours, a bus stop 8 km away."""
    load(db_path,
         row(1, lat="22.5290", lon="113.0310", opening_hours="Mo-Fr 08:30-17:30"),
         row(2, lat="22.5300", lon="113.0310", opening_hours="Sa-Su 09:00-17:00"),
         row(3, lat="22.5310", lon="113.0310", source="江门日报 2023-09-15"),
         row(4, category="landmark", name="江门站", name_en="Jiangmen Station",
             lat="22.5281", lon="113.0310", source='English Wikipedia "Jiangmen railway station"'),
         row(5, category="bus_stop", name="崖门站", name_en="Yamen stop", lat="22.6000",
             lon="113.0800", routes="1"))
    return db_path


def client_at(db_path, moment=MONDAY_10):
    """A test client whose clock reads `moment`."""
    return create_app({"TESTING": True, "DATABASE": db_path,
                       "CLOCK": lambda: moment}).test_client()


def get(client, path, status=200, **args) -> str:
    """A page's text, its status checked."""
    response = client.get(path, query_string=args or None)
    assert response.status_code == status, response.text[:400]
    return response.text


def cards(text: str) -> list[str]:
    """The result cards' HTML, in page order."""
    return re.findall(r'<li class="card.*?</article>\n</li>', text, re.S)


@pytest.mark.parametrize(("lang", "lead", "nearer", "closed"), [
    ("en", "Nearest open now", "Nearer, but closed now", "opens Sat 09:00"),
    ("zh", "最近的正在开放", "更近，但现在关闭", "周六 09:00 开门"),
])
def test_the_nearest_open_place_leads_and_the_nearer_closed_one_stays_marked(
        db, lang, lead, nearer, closed):
    text = get(client_at(db), "/nearest", category="nursing_room", lang=lang, **NEAR_ROOM_2)
    first, second, third = cards(text)
    assert "room-1" in first and lead in first and "btn-nav" in first
    assert "card-first" in first and 'class="rank" aria-hidden="true">1<' in first
    assert "room-2" in second and nearer in second and closed in second
    assert "room-3" in third
    data = re.search(r'id="map-data"[^>]*>(.*?)</script>', text, re.S).group(1)
    assert data.index("room-1") < data.index("room-2")  # the pins are numbered as the cards


def test_the_api_keeps_distance_order(db):
    body = client_at(db).get("/api/nearest", query_string={"category": "nursing_room",
                                                           **NEAR_ROOM_2}).get_json()
    assert [r["id"] for r in body["results"]] == ["room-2", "room-1", "room-3"]


def test_when_the_nearest_is_open_the_order_is_by_distance(db):
    text = get(client_at(db), "/nearest", category="nursing_room", lang="en", lat="22.5289",
               lon="113.0310")
    assert ["room-1" in c for c in cards(text)] == [True, False, False]
    assert "Nearest</p>" in cards(text)[0] and "Nearer, but" not in text


@pytest.mark.parametrize(("lang", "words"), [("en", ["Closing soon", "closes 17:30"]),
                                             ("zh", ["即将关门", "17:30 关门"])])
def test_closing_soon_is_its_own_status(db, lang, words):
    first = cards(get(client_at(db, MONDAY_1705), "/nearest", category="nursing_room",
                      lang=lang, lat="22.5289", lon="113.0310"))[0]
    assert "hours-closing" in first
    for word in words:
        assert word in first


@pytest.mark.parametrize(("lang", "words"), [
    ("en", [" km", "too far to walk", "Public transport with AMap", "By car"]),
    ("zh", ["公里", "步行太远", "用高德地图查公交路线", "驾车"]),
])
def test_beyond_walking_distance_offers_transit_and_car(db, lang, words):
    card = cards(get(client_at(db), "/nearest", category="bus_stop", lang=lang,
                     lat="22.5281", lon="113.0310", radius_m="20000"))[0]
    for word in words:
        assert word in card, word
    assert "min walk" not in card and "步行约" not in card
    links = html_lib.unescape(card)
    assert "uri.amap.com/navigation?from=" in links and "&mode=bus&" in links
    assert "&mode=car&" in links and "&mode=transit&" in links and "&mode=driving&" in links
    assert "dirflg=r" in links and "dirflg=d" in links


@pytest.mark.parametrize(("lang", "notice"), [("en", "outside the area this service covers"),
                                              ("zh", "不在本服务覆盖的范围内")])
def test_an_origin_outside_the_service_area_gets_no_walking_estimate(db, lang, notice):
    text = get(client_at(db), "/nearest", category="nursing_room", lang=lang,
               lat="23.1291", lon="113.2644")  # Guangzhou, ~80 km away
    assert notice in text
    assert "min walk" not in text and "步行约" not in text and "too far to walk" not in text


@pytest.mark.parametrize(("lang", "notice", "link"), [
    ("en", "Places whose opening hours we do not know were left out.", "Show them too"),
    ("zh", "开放时间未知的地点没有列出。", "也显示它们"),
])
def test_open_now_says_that_unknown_hours_were_hidden(db, lang, notice, link):
    text = get(client_at(db), "/nearest", category="nursing_room", open_now="1", lang=lang,
               lat="22.5311", lon="113.0310")
    assert notice in text and link in text
    assert "room-3" not in "".join(cards(text))
    shown = re.search(r'<a href="([^"]+)">' + link, text).group(1)
    assert "open_now" not in shown
    assert "room-3" in get(client_at(db), html_lib.unescape(shown))


def test_open_now_without_hidden_places_says_nothing(db):
    text = get(client_at(db), "/nearest", category="landmark", open_now="1", lang="en",
               lat="22.5281", lon="113.0310")
    assert "were left out" in text  # the landmark's hours are unknown
    text = get(client_at(db), "/nearest", category="nursing_room", lang="en",
               lat="22.5281", lon="113.0310")
    assert "were left out" not in text  # no open-now filter, nothing hidden


def test_the_detail_page_keeps_the_lists_context(db):
    client = client_at(db)
    listed = get(client, "/nearest", category="nursing_room", lang="en", **NEAR_ROOM_2)
    link = html_lib.unescape(re.search(r'<h2 id="r1"><a href="([^"]+)"', listed).group(1))
    assert link == "/facilities/room-1?lat=22.5298&lon=113.0310&category=nursing_room"
    text = get(client, link + "&lang=en")
    assert "89 m" in text and "about 2 min walk" in text
    crumb = html_lib.unescape(re.search(r'<p class="crumbs"><a href="([^"]+)"', text).group(1))
    assert crumb == "/nearest?lat=22.5298&lon=113.0310&category=nursing_room"
    nav = html_lib.unescape(text)
    assert "uri.amap.com/navigation?from=" in nav and "saddr=22.529800" in nav


def test_the_detail_page_from_a_named_place(db):
    text = get(client_at(db), "/facilities/room-1", q="江门站", category="nursing_room",
               lang="en")
    assert "about 2 min walk" in text and "Jiangmen+Station" in text  # the route's start


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_detail_page_shows_hours_in_words_only(db, lang):
    text = get(client_at(db), "/facilities/room-1", lang=lang)
    assert "Mo-Fr 08:30-17:30" not in text and "08:30–17:30" in text
    assert "min walk" not in text and "步行约" not in text  # no position, no estimate


@pytest.mark.parametrize(("lang", "once"), [("en", "Hours unknown"), ("zh", "开放时间未知")])
def test_unknown_hours_are_said_once(db, lang, once):
    text = get(client_at(db), "/facilities/room-3", lang=lang)
    assert text.count(once) == 1
    assert 'class="week"' not in text and "营业时间未知" not in text


@pytest.mark.parametrize(("lang", "label"), [("en", "Source"), ("zh", "来源")])
def test_the_source_is_labelled_in_the_page_language_and_marked_with_its_own(db, lang, label):
    text = get(client_at(db), "/facilities/room-3", lang=lang)
    assert f"<summary>{label}</summary>" in text and '<p lang="zh-CN">江门日报' in text
    text = get(client_at(db), "/facilities/room-4", lang=lang)
    assert '<p lang="en">English Wikipedia' in text


def test_bad_carried_position_is_ignored_on_the_detail_page(db):
    text = get(client_at(db), "/facilities/room-1", lat="95", lon="x", lang="en")
    assert "min walk" not in text and "Opening hours this week" in text


@pytest.mark.parametrize(("lang", "town"), [("en", "Huicheng Subdistrict"), ("zh", "会城街道")])
def test_towns_are_named_in_the_page_language(db_path, lang, town):
    load(db_path, row(1, town="会城街道"))
    assert f"<dd>{town}</dd>" in get(client_at(db_path), "/facilities/room-1", lang=lang)


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", "There are no bus stops in our data yet."), ("zh", "目前数据中还没有公交站"),
])
def test_an_empty_category_is_named_as_a_sentence_names_it(db_path, lang, sentence):
    load(db_path, row(1))
    assert sentence in get(client_at(db_path), "/nearest", category="bus_stop", lang=lang,
                           lat="22.5281", lon="113.0310")


def test_use_my_location_looks_for_the_pages_category_or_every_kind(db):
    client = client_at(db)
    home = get(client, "/", lang="en")
    assert '<option value="" selected>All kinds of places</option>' in home
    asking = get(client, "/nearest", category="bus_stop", lang="en")
    assert '<option value="bus_stop" selected>' in asking
    assert '<option value="" selected>' not in asking
    every = get(client, "/nearest", category="", lat="22.5281", lon="113.0310", lang="en")
    assert "Places near you" in every

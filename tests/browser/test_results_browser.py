"""The results list on a 390×844 phone in chromium: the nearest open place leads when the nearest
is closed, closing soon stands out, and the navigate buttons are walking-route links.

Run with LOCATOR_UPDATE_SCREENSHOTS=1 to copy the list's screenshots (zh, en) into
docs/screenshots/.
"""

import os
import shutil
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from locator import create_app
from locator.search.present import open_first
from tests.browser.support import (
    ARTIFACTS,
    ROOT,
    TILE_URL,
    needs_chromium,
    serving,
    stub_off_host,
)
from tests.factories import load, row

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium

PHONE = {"width": 390, "height": 844}
MONDAY_1705 = datetime(2026, 11, 30, 17, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
ORIGIN = "lat=22.528100&lon=113.031000"
TEXTS = {  # lang: (lead badge, closing soon, nearer closed badge, opens, walk button)
    "zh": ("最近的正在开放", "即将关门", "更近，但现在关闭", "周六 09:00 开门", "用高德地图导航"),
    "en": ("Nearest open now", "Closing soon", "Nearer, but closed now", "opens Sat 09:00",
           "Navigate with AMap"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """At Monday 17:05: the nearest room opens only at weekends, the next closes at 17:30."""
    db_path = str(tmp_path_factory.mktemp("results") / "locator.db")
    load(db_path,
         row(1, name="商场母婴室", name_en="Mall nursing room", lat="22.5286", lon="113.0310",
             floor="2F", opening_hours="Sa-Su 09:00-17:00", amenities="crib;changing_table"),
         row(2, name="行政服务中心母婴室", name_en="Service centre nursing room", lat="22.5295",
             lon="113.0310", floor="1F", opening_hours="Mo-Fr 08:30-17:30",
             amenities="crib;sink;hot_water"),
         row(3, name="医院母婴室", name_en="Hospital nursing room", lat="22.5310",
             lon="113.0310", opening_hours="Mo-Su 08:00-22:00", amenities="staffed"))
    app = create_app({"TESTING": True, "DATABASE": db_path, "TILE_URL": TILE_URL,
                      "MAP_REVIEW_NUMBER": "审图号：测试", "CLOCK": lambda: MONDAY_1705})
    with serving(app) as url:
        yield url


@pytest.fixture
def phone(browser):
    """A 390×844 phone page whose requests off 127.0.0.1 are stubbed and recorded."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    external = stub_off_host(context)
    page = context.new_page()
    yield page
    context.close()
    assert not external, external


def query(url: str) -> dict:
    """A URL's query as single values."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_open_place_leads_and_closing_soon_stands_out(server, phone, lang):
    lead, soon, nearer, opens, walk = TEXTS[lang]
    phone.goto(f"{server}/nearest?{ORIGIN}&category=nursing_room&lang={lang}")
    phone.wait_for_load_state("networkidle")
    cards = phone.locator("ol.results > li")
    first, second = cards.nth(0), cards.nth(1)
    assert lead in first.inner_text() and soon in first.inner_text()
    assert nearer in second.inner_text() and opens in second.inner_text()
    # Card 1 and its full-width walking button are on the first screen.
    button = first.locator("a.btn-nav")
    box = button.bounding_box()
    assert walk in button.inner_text()
    assert box["y"] + box["height"] <= PHONE["height"] and box["width"] >= 0.8 * PHONE["width"]
    badge = first.locator(".hours-closing .badge")
    assert badge.is_visible()
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") != \
        second.locator(".hours .badge").evaluate("e => getComputedStyle(e).backgroundColor")
    screenshot(phone, f"results-open-first-{lang}.png")
    # The nearer, closed one, marked, just below the open one's buttons.
    phone.evaluate("y => window.scrollTo(0, y)", second.bounding_box()["y"] - 260)
    screenshot(phone, f"results-nearer-closed-{lang}.png")


def screenshot(page, name: str) -> None:
    """The viewport into test-artifacts/ (and docs/screenshots/ when asked to update them)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = os.path.join(ARTIFACTS, name)
    page.screenshot(path=shot)
    if os.environ.get("LOCATOR_UPDATE_SCREENSHOTS"):
        target = os.path.join(ROOT, "docs", "screenshots")
        os.makedirs(target, exist_ok=True)
        shutil.copy(shot, target)


def test_the_page_ranks_as_the_api_with_the_open_one_moved_first(server, phone):
    api = phone.request.get(f"{server}/api/nearest?{ORIGIN}&category=nursing_room").json()
    phone.goto(f"{server}/nearest?{ORIGIN}&category=nursing_room&lang=en")
    shown = [urlsplit(href).path.rsplit("/", 1)[1] for href in
             phone.locator("ol.results > li h2 a").evaluate_all("as => as.map(a => a.href)")]
    assert [r["id"] for r in api["results"]] == ["room-1", "room-2", "room-3"]
    assert shown == [r["id"] for r in open_first(api["results"], lambda r: r["open_now"])]
    assert [r["closing_soon"] for r in api["results"]] == [False, True, False]


def test_navigate_links_are_walking_routes_from_the_visitor(server, phone):
    phone.goto(f"{server}/nearest?{ORIGIN}&category=nursing_room&lang=zh")
    first = phone.locator("ol.results > li").first
    hrefs = first.locator(".nav a").evaluate_all("as => as.map(a => a.href)")
    amap, baidu, apple, geo = hrefs
    assert amap.startswith("https://uri.amap.com/navigation?")
    q = query(amap)
    assert q["mode"] == "walk" and q["to"].endswith(",行政服务中心母婴室")
    assert q["from"].endswith(",我的位置") and q["callnative"] == "1"
    assert baidu.startswith("https://api.map.baidu.com/direction?")
    q = query(baidu)
    assert q["origin"] == "latlng:22.528100,113.031000|name:我的位置"
    assert q["destination"] == "latlng:22.529500,113.031000|name:行政服务中心母婴室"
    assert q["mode"] == "walking" and q["coord_type"] == "wgs84"
    assert query(apple) == {"saddr": "22.528100,113.031000", "daddr": "22.529500,113.031000",
                            "dirflg": "w"}
    assert geo == "geo:22.529500,113.031000"


@pytest.mark.parametrize(("lang", "walk", "week"), [("zh", "步行约 3 分钟", "本周开放时间"),
                                                     ("en", "about 3 min walk",
                                                      "Opening hours this week")])
def test_the_detail_page_keeps_the_distance_and_returns_to_the_list(server, phone, lang, walk,
                                                                     week):
    listed = f"{server}/nearest?{ORIGIN}&category=nursing_room&lang={lang}"
    phone.goto(listed)
    phone.locator("ol.results > li").first.locator("h2 a").click()
    phone.wait_for_load_state("networkidle")
    main = phone.locator("main").inner_text()
    assert walk in main and week in main and "Mo-Fr" not in main
    screenshot(phone, f"detail-from-list-{lang}.png")
    phone.locator(".crumbs a").click()
    phone.wait_for_load_state("networkidle")
    # The same list (the language stays by its cookie, set by ?lang=).
    assert query(phone.url) == {"lat": "22.528100", "lon": "113.031000",
                                "category": "nursing_room"}
    assert phone.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    assert phone.locator("ol.results > li").count() == 3

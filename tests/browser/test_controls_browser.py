"""The page controls at phone size: pins, the list/map switch, filters, refused location, share,
locate-me on /map. Same server, phone and offline rules as test_pages_browser.py."""

import pytest

from tests.browser import test_pages_browser as pages
from tests.browser.support import needs_chromium

# The same chromium, server and phone as the page tests (fixtures are found by their names here).
server, Phone, phone = pages.server, pages.Phone, pages.phone  # the browser: conftest.py

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium
NEAREST = "/nearest?lat=22.5281&lon=113.031&category=nursing_room"


def test_pin_numbers_sit_in_the_middle_of_their_circle(phone):
    page = phone.open(NEAREST)
    offsets = page.evaluate("""() => [...document.querySelectorAll('.leaflet-marker-icon.pin')]
        .map(pin => {
            const c = pin.getBoundingClientRect();
            const n = pin.querySelector('span').getBoundingClientRect();
            return [c.left + c.width / 2 - (n.left + n.width / 2),
                    c.top + c.height / 2 - (n.top + n.height / 2)];
        })""")
    assert len(offsets) == 5
    assert all(abs(dx) <= 1 and abs(dy) <= 1.5 for dx, dy in offsets), offsets


def box(page, selector: str) -> dict | None:
    """An element's box on the screen (None when it is not shown)."""
    return page.locator(selector).first.bounding_box()


def test_the_switch_shows_the_map_near_the_top_and_back(phone):
    page = phone.open(NEAREST)
    switch = box(page, ".view-switch")
    assert switch["y"] + switch["height"] < 844  # on the first screen
    assert box(page, ".map")["y"] > 844  # the map waits below the list
    page.get_by_role("link", name="地图", exact=True).click()
    assert page.locator("ol.results").is_hidden()
    switch, shown = box(page, ".view-switch"), box(page, ".map")
    assert switch["y"] < 20  # scrolled to the top, the map fills the screen under it
    assert switch["y"] + switch["height"] < shown["y"] < switch["y"] + switch["height"] + 20
    assert shown["y"] + shown["height"] <= 844 and shown["height"] > 600
    assert page.locator(".leaflet-marker-icon.pin").count() == 5
    assert page.get_by_role("link", name="地图", exact=True).get_attribute("aria-current") == "true"
    assert page.url.endswith("#map-view")
    page.wait_for_load_state("networkidle")
    phone.shot("nearest-map-zh.png")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("ol.results").is_hidden()  # the address kept the choice
    page.get_by_role("link", name="列表", exact=True).click()
    assert page.locator("ol.results").is_visible() and not page.url.endswith("#map-view")
    assert page.get_by_role("link", name="列表", exact=True).get_attribute("aria-current") == "true"


def test_without_javascript_the_list_stays_and_the_switch_links_to_the_map(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(server + NEAREST)
    assert page.locator("ol.results > li").count() == 5
    page.get_by_role("link", name="地图", exact=True).click()
    assert page.url.endswith("#map-view") and page.locator("ol.results").is_visible()
    assert "地图需要 JavaScript" in page.locator("#map-view").inner_text()
    context.close()


WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; V2171A) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MicroMessenger/8.0.47.2560")
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
ANDROID_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Mobile Safari/537.36")


def refusing_phone(browser, server, user_agent: str | None = None) -> Phone:
    """A phone whose browser refuses location (no permission), optionally another browser."""
    device = Phone(browser, server, geolocation=False)
    if user_agent:  # what locate.js reads to pick the instructions
        device.page.add_init_script(
            f"Object.defineProperty(navigator, 'userAgent', {{get: () => {user_agent!r}}})")
    return device


def visible_help(page) -> list[str]:
    """The browsers whose instructions are shown."""
    return page.evaluate("""() => [...document.querySelectorAll('#locate-help [data-browser]')]
        .filter(p => p.offsetParent !== null).map(p => p.dataset.browser)""")


def test_refused_location_says_how_to_allow_it_and_offers_the_search_instead(browser, server):
    device = refusing_phone(browser, server)
    page = device.open("/nearest?category=nursing_room")
    page.locator("button.btn-locate").click()
    page.wait_for_function(
        "() => document.getElementById('locate-status').textContent.includes('定位')")
    assert page.locator("#locate-help").is_visible()
    assert page.locator("#locate-help").get_attribute("open") is not None
    assert visible_help(page) == ["desktop"]  # headless chromium on Linux
    assert "地址栏左边的图标" in page.locator("#locate-help").inner_text()
    assert page.locator("button.btn-locate").is_hidden()  # not offered again
    assert page.evaluate("document.activeElement.id") == "q"
    device.shot("nearest-refused-zh.png")
    # The next page of this visit remembers: no button, the search, the help closed.
    page = device.open("/")
    assert page.locator("button.btn-locate").is_hidden()
    assert "定位" in page.locator("#locate-status").inner_text()
    assert page.locator("#locate-help").is_visible()
    assert page.locator("#locate-help").get_attribute("open") is None
    page.get_by_role("link", name="公交站").click()  # a category opens its list page, unasked
    page.wait_for_url("**/nearest?category=bus_stop")
    assert page.locator("#q").is_visible() and page.locator("button.btn-locate").is_hidden()
    # Allowed again in the browser's settings: the button is back and works.
    device.context.grant_permissions(["geolocation"])
    device.context.set_geolocation({"latitude": 22.5281, "longitude": 113.0310})
    page = device.open("/nearest?category=nursing_room")
    page.locator("button.btn-locate").click()
    page.wait_for_url("**/nearest?lat=22.528100&lon=113.031000&category=nursing_room")
    device.close()


@pytest.mark.parametrize(("agent", "kind", "words"), [
    (IPHONE_UA, "ios", "隐私与安全性"), (ANDROID_UA, "android", "权限 › 位置信息"),
    (WECHAT_UA, "wechat", "在微信中"),
])
def test_the_instructions_fit_the_browser(browser, server, agent, kind, words):
    device = refusing_phone(browser, server, agent)
    page = device.open("/")
    page.locator("button.btn-locate").click()
    page.locator("#locate-help").wait_for(state="visible")
    assert visible_help(page) == [kind]
    assert words in page.locator("#locate-help").inner_text()
    device.close()


def test_refusal_help_is_in_english_on_english_pages(browser, server):
    device = refusing_phone(browser, server, IPHONE_UA)
    page = device.open("/?lang=en")
    page.locator("button.btn-locate").click()
    page.locator("#locate-help").wait_for(state="visible")
    assert "How to turn location back on" in page.locator("#locate-help summary").inner_text()
    assert "Settings › Privacy & Security" in page.locator("#locate-help").inner_text()
    device.shot("home-refused-en.png")
    device.close()


def here(page) -> list[float]:
    """Where the overview map's locate-me dot is drawn."""
    page.wait_for_function("() => window.LocatorMap && LocatorMap.here")
    return page.evaluate("[LocatorMap.here.getLatLng().lat, LocatorMap.here.getLatLng().lng]")


def test_locate_me_on_the_overview_map_shows_where_i_am(phone):
    page = phone.open("/map")
    button = page.get_by_role("button", name="显示我的位置")
    size = button.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44
    button.click()
    assert here(page) == pytest.approx([22.5281, 113.0310], abs=1e-9)
    centre = page.evaluate("[LocatorMap.map.getCenter().lat, LocatorMap.map.getCenter().lng]")
    assert centre == pytest.approx([22.5281, 113.0310], abs=1e-6)
    assert page.evaluate("LocatorMap.map.getZoom()") >= 15
    assert page.locator("#locate-status").is_hidden()
    phone.shot("map-located-zh.png")


def test_locate_me_refused_on_the_map_offers_the_search(browser, server):
    device = refusing_phone(browser, server)
    page = device.open("/map?category=nursing_room")
    page.get_by_role("button", name="显示我的位置").click()
    page.locator("#locate-help").wait_for(state="visible")
    assert page.locator("#search").is_visible() and page.locator(".map-locate").is_hidden()
    assert page.locator("#category").input_value() == "nursing_room"
    page = device.open("/map")
    page.wait_for_selector(".leaflet-control-zoom")
    assert page.locator(".map-locate").is_hidden()  # not offered again in this visit
    device.close()


@pytest.fixture
def amap_server(db_path):
    """The app on AMap's (GCJ-02) base map, tiles stubbed on 127.0.0.1."""
    from locator import create_app
    from tests.browser.support import TILE_URL, serving
    from tests.factories import load, row

    load(db_path, row(1))
    app = create_app({"TESTING": True, "DATABASE": db_path, "TILES": "amap", "TILE_URL": TILE_URL})
    with serving(app) as url:
        yield url


def test_locate_me_on_an_amap_base_map_is_shifted_as_the_server_shifts(browser, amap_server):
    from locator.core.geo import wgs84_to_gcj02

    device = Phone(browser, amap_server)
    page = device.open("/map")
    page.get_by_role("button", name="显示我的位置").click()
    assert here(page) == pytest.approx(list(wgs84_to_gcj02(22.5281, 113.0310)), abs=1e-9)
    device.close()


SHARED = "/nearest?lat=22.5281&lon=113.031&category=nursing_room"  # NEAREST as the page links it


def test_share_opens_the_share_sheet_where_there_is_one(phone):
    phone.page.add_init_script("""navigator.share = data => {
        window.sharedData = data; return Promise.resolve(); };""")
    page = phone.open(NEAREST + "&lang=zh")
    page.get_by_role("link", name="分享").click()
    page.wait_for_function("() => window.sharedData")
    shared = page.evaluate("window.sharedData")
    assert shared["url"] == phone.server + SHARED and "附近的母婴室" in shared["title"]
    assert page.locator("#share-status").is_hidden()


def test_share_copies_the_link_without_a_share_sheet(browser, server):
    device = Phone(browser, server)
    device.context.grant_permissions(["geolocation", "clipboard-read", "clipboard-write"])
    page = device.open(NEAREST)
    assert page.evaluate("'share' in navigator") is False  # chromium on Linux has none
    page.get_by_role("link", name="分享").click()
    page.locator("#share-status").wait_for(state="visible")
    assert "链接已复制" in page.locator("#share-status").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == server + SHARED
    device.shot("nearest-shared-zh.png")
    device.close()


def test_share_shows_the_link_to_copy_when_the_clipboard_is_refused(phone):
    phone.page.add_init_script("""navigator.clipboard.writeText = () =>
        Promise.reject(new DOMException('no', 'NotAllowedError'));""")
    page = phone.open(NEAREST + "&lang=en")
    page.get_by_role("link", name="Share").click()
    field = page.locator("#share-status input")
    field.wait_for(state="visible")
    assert field.input_value() == phone.server + SHARED
    assert page.evaluate("document.activeElement.className") == "share-field"
    assert "Copy this link:" in page.locator("#share-status").inner_text()


def test_location_blocked_before_any_tap_offers_no_button(browser, server):
    # Granting an empty list blocks every permission: the Permissions API says "denied".
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  permissions=[])
    page = context.new_page()
    page.goto(server + "/nearest?category=nursing_room")
    page.locator("#locate-help").wait_for(state="visible")
    assert page.locator("button.btn-locate").is_hidden()
    assert "定位" in page.locator("#locate-status").inner_text()
    assert page.locator("#q").is_visible()
    context.close()


def test_a_facility_page_shares_the_place_without_the_position(phone):
    phone.page.add_init_script("""navigator.clipboard.writeText = () =>
        Promise.reject(new DOMException('no', 'NotAllowedError'));""")
    page = phone.open("/facilities/room-1?lat=22.5281&lon=113.031&category=nursing_room&lang=en")
    page.get_by_role("link", name="Share").click()
    field = page.locator("#share-status input")
    field.wait_for(state="visible")
    assert field.input_value() == phone.server + "/facilities/room-1"

"""The pages in a real browser: Playwright driving Debian's chromium at phone size, offline.

The app runs on 127.0.0.1 in a thread with its tiles pointed at a stub route on the same server;
every request the browser makes is checked, and any to another host is answered by a stub and
reported, so no test needs (or touches) the network. Screenshots go to test-artifacts/.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

from locator import create_app
from tests.browser.support import (
    ARTIFACTS,
    ROOT,
    TILE,
    TILE_URL,
    needs_chromium,
    serving,
)
from tests.factories import load, row

PHONE = {"width": 390, "height": 844}
XINHUI = {"latitude": 22.5281, "longitude": 113.0310}
HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>`${alert(3)}`"\''

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture
def server(db_path):
    """The app with sample data on a free 127.0.0.1 port, served from a thread."""
    rooms = [row(i, lat=str(22.5281 + i * 0.0009), lon="113.0310", floor="1F",
                 opening_hours="24/7" if i % 2 else "Mo-Fr 08:30-17:30", amenities="crib")
             for i in range(1, 6)]
    load(db_path, *rooms,
         row(9, name=HOSTILE, name_en=HOSTILE, description=HOSTILE, lat="22.5400",
             lon="113.0315"),
         row(10, category="landmark", name="新会站", name_en="Xinhui Railway Station",
             lat="22.52056", lon="113.06556"),
         *[row(100 + i, category="bus_stop", lat=str(22.50 + i * 0.0004),
               lon=str(113.00 + (i % 7) * 0.003)) for i in range(60)])
    app = create_app({"TESTING": True, "DATABASE": db_path,
                      "TILE_URL": TILE_URL,
                      "MAP_REVIEW_NUMBER": "审图号：测试"})
    with serving(app) as url:
        yield url


class Phone:
    """A phone-sized page that records dialogs and every request off 127.0.0.1."""

    def __init__(self, browser, server, *, geolocation=True, viewport=PHONE, locale="zh-CN"):
        """Open a context with (or without) geolocation granted at a point in Xinhui."""
        options = {"viewport": viewport, "device_scale_factor": 2, "is_mobile": True,
                   "has_touch": True, "locale": locale}
        if geolocation:
            options |= {"geolocation": XINHUI, "permissions": ["geolocation"]}
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.server, self.dialogs, self.external, self.errors = server, [], [], []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.context.route("**/*", self._route)

    def _dialog(self, dialog):
        """An alert/confirm/prompt means injected script ran: record it and close it."""
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        """Let 127.0.0.1 through; stub and record anything else."""
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
            return
        self.external.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    def open(self, path: str):
        """Go to a path on the test server and wait for the network to settle."""
        self.page.goto(self.server + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, name: str) -> str:
        """Save a screenshot of the viewport in test-artifacts/."""
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, name)
        self.page.screenshot(path=path)
        return path

    def close(self):
        """Check nothing left 127.0.0.1 and no script failed; close."""
        self.context.close()
        assert not self.external, self.external
        assert not self.errors, self.errors


@pytest.fixture
def phone(browser, server):
    """A phone with geolocation granted in Xinhui."""
    device = Phone(browser, server)
    yield device
    device.close()


def test_one_tap_on_nursing_rooms_shows_the_list_and_the_map(phone):
    page = phone.open("/")
    page.get_by_role("link", name="母婴室").click()
    page.wait_for_url("**/nearest?lat=22.528100&lon=113.031000&category=nursing_room")
    page.wait_for_load_state("networkidle")
    cards = page.locator("ol.results > li")
    assert cards.count() == 5
    assert "附近的母婴室" in page.locator("h1").inner_text()
    assert "最近" in cards.first.inner_text() and "用高德地图导航" in cards.first.inner_text()
    assert page.locator(".leaflet-marker-icon.pin").count() == 5
    assert page.locator("path.leaflet-interactive").count() == 1  # the origin
    assert page.locator("img.leaflet-tile-loaded").count() > 0
    assert "审图号：测试" in page.locator(".leaflet-control-attribution").inner_text()
    path = phone.shot("nearest-zh.png")
    page.screenshot(path=os.path.join(ARTIFACTS, "nearest-zh-full.png"), full_page=True)
    if os.environ.get("LOCATOR_UPDATE_SCREENSHOT"):
        shutil.copy(path, os.path.join(ROOT, "docs", "screenshot-nearest.png"))
    page.locator(".leaflet-marker-icon.pin").first.click()
    assert page.locator(".leaflet-popup-content a").inner_text() == "详情"


def test_language_switch(phone):
    page = phone.open("/nearest?lat=22.5281&lon=113.031&category=nursing_room")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Nursing rooms near you"
    assert "Navigate with AMap" in page.locator("ol.results > li").first.inner_text()
    phone.shot("nearest-en.png")
    page.get_by_role("link", name="Xinhui facility finder").click()
    assert page.locator("html").get_attribute("lang") == "en"  # the choice is remembered


def test_refused_geolocation_shows_the_place_search(browser, server):
    device = Phone(browser, server, geolocation=False)
    page = device.open("/")
    page.get_by_role("link", name="母婴室").click()
    status = page.locator("#locate-status")
    status.wait_for(state="visible")
    page.wait_for_function("document.getElementById('locate-status').textContent.includes('定位')")
    assert "请在下面输入地点" in status.inner_text()
    assert page.evaluate("document.activeElement.id") == "q"
    device.shot("home-refused-zh.png")
    page.fill("#q", "新会站")
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state("networkidle")
    assert "从新会站出发" in page.locator(".origin").inner_text()
    assert page.locator("ol.results > li").count() == 5
    device.close()


@pytest.mark.parametrize("path", [
    "/nearest?lat=22.5400&lon=113.031&category=nursing_room", "/facilities/room-9", "/map",
    "/nearest?q=" + HOSTILE[:60], "/?lang=en",
])
def test_hostile_data_never_runs(phone, path):
    page = phone.open(path)
    for marker in page.locator(".leaflet-marker-icon.pin").all():
        marker.dispatch_event("click")  # popups are built from the same hostile names
    page.wait_for_timeout(200)
    assert phone.dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_overview_map_clusters_and_switches_layers(phone):
    page = phone.open("/map?category=bus_stop")
    page.wait_for_selector(".marker-cluster")
    assert page.locator(".marker-cluster").count() >= 1
    page.locator(".leaflet-control-layers-toggle").tap()
    boxes = page.locator(".leaflet-control-layers-overlays input")
    assert boxes.count() == 4
    assert [b.is_checked() for b in boxes.all()] == [False, False, True, False]
    phone.shot("map-zh.png")
    page.evaluate("""() => { const m = LocatorMap.layers.bus_stop.getLayers()[0];
                             LocatorMap.map.setView(m.getLatLng(), 19, {animate: false}); }""")
    page.locator(".leaflet-marker-icon.dot").first.click()
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator("strong").inner_text().startswith("母婴室")  # row() names them so
    assert popup.locator("a").get_attribute("href").startswith("/facilities/room-1")


@pytest.mark.parametrize("path", ["/", "/nearest?lat=22.5281&lon=113.031&category=nursing_room",
                                  "/facilities/room-1", "/map", "/nearest?category=landmark",
                                  "/nearest?lat=x&lon=1"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_small_phone_has_no_sideways_scroll_and_big_tap_targets(browser, server, path, lang):
    device = Phone(browser, server, viewport={"width": 360, "height": 640})
    page = device.open(path + ("&" if "?" in path else "?") + "lang=" + lang)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    small = page.evaluate("""() => [...document.querySelectorAll(
        'button, input, select, .btn, .chip, .cat, .lang-switch, .leaflet-bar a')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim() || e.id || e.className, e.getBoundingClientRect()])
        .filter(([, r]) => r.height < 44 || r.width < 44).map(([name]) => name)""")
    assert small == []
    font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 16
    device.close()

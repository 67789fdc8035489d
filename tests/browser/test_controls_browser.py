"""The page controls at phone size: pins, the list/map switch, filters, refused location, share,
locate-me on /map. Same server, phone and offline rules as test_pages_browser.py."""

import pytest

from tests.browser.support import needs_chromium
from tests.browser.test_pages_browser import Phone, browser, server  # noqa: F401 (fixtures)

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium
NEAREST = "/nearest?lat=22.5281&lon=113.031&category=nursing_room"


@pytest.fixture
def phone(browser, server):  # noqa: F811 (the imported fixtures)
    """A phone with geolocation granted in Xinhui."""
    device = Phone(browser, server)
    yield device
    device.close()


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
    shown = box(page, ".map")
    assert shown["y"] < switch["y"] + switch["height"] + 20 and shown["height"] > 500
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
    context.close()

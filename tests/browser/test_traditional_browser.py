"""The main pages in Traditional Chinese in chromium at phone size: a Hong Kong phone gets them
by its Accept-Language, Hong Kong and Taiwan fonts come before the Simplified ones, the 简 / 繁
/ EN switch moves between the three and is remembered; screenshots go to test-artifacts/."""

import pytest

from locator import create_app
from tests.browser.support import TILE_URL, needs_chromium, serving
from tests.browser.test_pages_browser import Phone
from tests.factories import load, row

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium

NEAREST = "/nearest?lat=22.5281&lon=113.031&category=nursing_room"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Three nursing rooms, a coach stop and a landmark around 会城."""
    db_path = str(tmp_path_factory.mktemp("hant") / "locator.sqlite")
    load(db_path,
         *[row(i, lat=str(22.5281 + i * 0.0009), lon="113.0310", floor="1F",
               opening_hours="24/7", amenities="crib;changing_table") for i in range(1, 4)],
         row(7, category="coach_stop", name="新会汽车站", lat="22.5230", lon="113.0450"),
         row(8, category="landmark", name="新会站", name_en="Xinhui Railway Station",
             lat="22.52056", lon="113.06556"))
    app = create_app({"TESTING": True, "DATABASE": db_path, "TILE_URL": TILE_URL})
    with serving(app) as url:
        yield url


@pytest.fixture
def hk_phone(browser, server):
    """A Hong Kong phone (Accept-Language zh-HK) with its location in 会城."""
    device = Phone(browser, server, locale="zh-HK")
    yield device
    device.close()


def test_a_hong_kong_phone_gets_traditional_chinese_with_its_fonts(hk_phone):
    page = hk_phone.open("/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.locator("h1").inner_text() == "你要找附近的什麼？"
    fonts = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert fonts.index("PingFang HK") < fonts.index("Noto Sans CJK TC") < fonts.index(
        "PingFang SC"), fonts
    assert page.evaluate("document.fonts.size") == 0  # no web font: the phone's own
    page.get_by_role("link", name="母嬰室").click()
    page.wait_for_url("**/nearest?lat=22.528100&lon=113.031000&category=nursing_room")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "附近的母嬰室"
    first = page.locator("ol.results > li").first.inner_text()
    assert "最近" in first and "用高德地圖導航" in first and "換尿片枱" in first
    hk_phone.shot("nearest-zh-Hant.png")
    page.locator(".leaflet-marker-icon.pin").first.click()
    assert page.locator(".leaflet-popup-content a").inner_text() == "詳情"


def test_the_facility_page_and_the_map_in_traditional_chinese(hk_phone):
    page = hk_phone.open("/facilities/room-1")
    assert "本週開放時間" in page.locator("main").inner_text()
    assert page.locator(".leaflet-marker-icon").count() >= 1
    hk_phone.shot("facility-zh-Hant.png")
    page = hk_phone.open("/map")
    assert page.locator("h1").inner_text() == "全部地點地圖"
    layers = page.locator(".leaflet-control-layers-overlays").text_content()
    assert "母嬰室" in layers and "長途車站" in layers
    hk_phone.shot("map-zh-Hant.png")


def test_the_switch_moves_between_the_three_and_is_remembered(hk_phone):
    page = hk_phone.open(NEAREST)
    switch = page.locator("nav.langs")
    assert switch.locator("[aria-current]").inner_text() == "繁"
    box = switch.bounding_box()
    assert box["x"] + box["width"] <= 390  # three buttons fit the phone's header
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Nursing rooms near you"
    page.get_by_role("link", name="简体中文").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "附近的母婴室"
    page.get_by_role("link", name="繁體中文").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "附近的母嬰室"
    assert "lat=22.5281" in page.url and "category=nursing_room" in page.url
    page.get_by_role("link", name="新會設施搜尋").click()
    assert page.locator("html").get_attribute("lang") == "zh-Hant"  # remembered

"""The report and suggestion forms in a real browser at phone size (390×844): without
JavaScript (the plain form and its thank-you page), with it (the JSON API, staying on the page,
field messages inline), a suggestion's pin dragged on GCJ-02 (AMap) tiles and stored as WGS-84,
and hostile text inert. Screenshots zh/en in test-artifacts/ (docs/screenshots/ with
LOCATOR_UPDATE_SCREENSHOT=1)."""

import os
import shutil

import pytest

from locator import create_app
from locator.core.geo import gcj02_to_wgs84
from tests.browser.support import ROOT, TILE_URL, needs_chromium, serving
from tests.browser.test_pages_browser import PHONE, Phone
from tests.browser.test_preview_drag_browser import drag
from tests.factories import load, row
from tests.web.test_report_forms import reports as stored

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium

HOSTILE = '<img src=x onerror=alert(1)></textarea><script>alert(2)</script>"\''
SCREENSHOTS = os.path.join(ROOT, "docs", "screenshots")


def serve(db_path, **config):
    """The app on db_path with stub tiles (a context manager yielding its URL)."""
    return serving(create_app({"TESTING": True, "DATABASE": db_path, "TILE_URL": TILE_URL,
                               "MAP_REVIEW_NUMBER": "审图号：测试", **config}))


@pytest.fixture
def server(db_path):
    """Two nursing rooms (room-1 with a crib) and one with a hostile name; OSM-style tiles."""
    load(db_path, row(1, amenities="crib;changing_table", lat="22.5281", lon="113.0310"),
         row(2), row(9, name=HOSTILE, name_en=HOSTILE))
    with serve(db_path) as url:
        yield url


class Visitor(Phone):
    """The pages' phone, in English by default, with or without JavaScript, and failing on an
    injected dialog too."""

    def __init__(self, browser, server, *, javascript=True, locale="en-GB", scale=2):
        """A fresh context (no cookies) with or without JavaScript."""
        self.context = browser.new_context(viewport=PHONE, device_scale_factor=scale,
                                           locale=locale, java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.server, self.dialogs, self.external, self.errors = server, [], [], []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.context.route("**/*", self._route)

    def shot(self, name: str) -> None:
        """The phone's screen in test-artifacts/ (and docs/screenshots/ when asked)."""
        path = super().shot(name)
        if os.environ.get("LOCATOR_UPDATE_SCREENSHOT"):
            os.makedirs(SCREENSHOTS, exist_ok=True)
            shutil.copy(path, os.path.join(SCREENSHOTS, name))

    def close(self):
        """Nothing left 127.0.0.1, no script failed, no injected dialog."""
        super().close()
        assert not self.dialogs, self.dialogs


@pytest.fixture
def visitor(browser, server):
    """A phone with JavaScript."""
    device = Visitor(browser, server)
    yield device
    device.close()


@pytest.fixture
def plain(browser, server):
    """A phone without JavaScript."""
    device = Visitor(browser, server, javascript=False)
    yield device
    device.close()


def test_a_report_without_javascript_is_a_plain_form_and_a_thank_you_page(plain, db_path):
    page = plain.open("/facilities/room-1/report")
    assert page.locator("#pin-map").is_hidden()  # no map without script: the numbers instead
    page.get_by_text("Equipment missing").click()
    page.get_by_label("Crib").check()
    page.get_by_label("Anything else? (optional)").fill("The crib was taken away")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/facilities/room-1/report/thanks**")
    assert "Nothing on the site changes until they have" in page.inner_text("main")
    [report] = stored(db_path)
    assert (report["kind"], report["details"], report["note"]) == (
        "missing_equipment", {"amenities": ["crib"]}, "The crib was taken away")


def test_a_report_with_javascript_stays_on_the_page(visitor, db_path):
    page = visitor.open("/facilities/room-1/report")
    start = page.url
    page.get_by_text("Wrong opening hours").click()
    page.get_by_label("What are the hours? (optional)").fill("whenever")
    page.get_by_role("button", name="Send the report").click()
    message = page.locator("#opening_hours-error")
    message.wait_for(state="visible")
    assert "whenever" in message.inner_text()  # the API's message, inline
    assert page.url == start and stored(db_path) == []
    page.get_by_label("What are the hours? (optional)").fill("周一至周五 8:30-17:30")
    page.get_by_label("Anything else? (optional)").fill(HOSTILE)
    assert page.locator("#note-count").inner_text().startswith(f"{len(HOSTILE)} of 500")
    page.get_by_role("button", name="Send the report").click()
    page.locator("[data-sent]").wait_for(state="visible")
    assert page.url == start and page.locator("form.report-form").is_hidden()
    [report] = stored(db_path)
    assert report["details"] == {"opening_hours": "Mo-Fr 08:30-17:30"}
    assert report["note"] == HOSTILE  # stored as sent, inert


def test_the_one_tap_confirmation_with_javascript(visitor, db_path):
    page = visitor.open("/facilities/room-1/report")
    page.get_by_role("button", name="Still here and as described").click()
    page.locator("[data-sent]").wait_for(state="visible")
    assert [r["kind"] for r in stored(db_path)] == ["all_good"]
    facility = visitor.open("/facilities/room-1")
    assert "Confirmed by a visitor today" in facility.inner_text(".said")


# Where Leaflet puts a marker dragged by (dx, dy) pixels at zoom z: its start projected and
# rounded to whole pixels (as Leaflet places it), moved, and unprojected.
DRAGGED = """([lat, lon, dx, dy, z]) => {
  var p = L.CRS.EPSG3857.latLngToPoint(L.latLng(lat, lon), z).round().add(L.point(dx, dy));
  var q = L.CRS.EPSG3857.pointToLatLng(p, z);
  return [q.lat, q.lng];
}"""


def test_a_dragged_pin_on_amap_tiles_is_stored_as_wgs84(browser, db_path):
    load(db_path, row(1))
    with serve(db_path, TILES="amap") as url:
        device = Visitor(browser, url)
        try:
            page = device.open("/suggest?lat=22.5281&lon=113.031")
            data = page.evaluate("JSON.parse(document.getElementById('pin-map-data').textContent)")
            assert data["datum"] == "gcj02"
            pin = page.locator("#pin-map .report-pin")
            drag(page, pin, 60, -40)
            shown = page.evaluate(DRAGGED, [*data["point"], 60, -40, 17])
            lat, lon = gcj02_to_wgs84(*shown)
            assert abs(float(page.input_value("#lat")) - lat) < 1e-6
            assert abs(float(page.input_value("#lon")) - lon) < 1e-6
            page.get_by_label("Name").fill("新会万达广场母婴室")
            page.get_by_label("Crib").check()
            page.get_by_role("button", name="Send the suggestion").click()
            page.locator("[data-sent]").wait_for(state="visible")
        finally:
            device.close()
    [suggestion] = stored(db_path)
    assert suggestion["kind"] == "suggestion" and suggestion["details"]["amenities"] == ["crib"]
    assert abs(suggestion["details"]["lat"] - lat) < 1e-6
    assert abs(suggestion["details"]["lon"] - lon) < 1e-6


def test_the_suggestion_shows_only_the_chosen_category_equipment(visitor):
    page = visitor.open("/suggest")
    assert page.get_by_label("Crib").is_visible() and page.get_by_label("Shelter").is_hidden()
    page.get_by_label("What kind of place?").select_option("bus_stop")
    assert page.get_by_label("Crib").is_hidden() and page.get_by_label("Shelter").is_visible()


def test_hostile_text_is_inert_in_the_forms(plain, visitor, db_path):
    page = plain.open("/facilities/room-9/report")
    assert HOSTILE in page.inner_text("h1 + p")  # the name, as text
    page = plain.open("/suggest")
    page.get_by_label("Name").fill(HOSTILE)
    page.get_by_label("Anything else? (optional)").fill(HOSTILE)
    page.fill("#lat", "39.9")  # outside the area: the form comes back with what was typed
    page.get_by_role("button", name="Send the suggestion").click()
    page.wait_for_load_state("networkidle")
    assert page.input_value("#name") == HOSTILE and page.input_value("#note") == HOSTILE
    page = visitor.open("/facilities/room-9/report")
    page.get_by_text("Something else").click()
    page.get_by_label("Anything else? (optional)").fill(HOSTILE)
    page.get_by_role("button", name="Send the report").click()
    page.locator("[data-sent]").wait_for(state="visible")
    assert stored(db_path)[0]["note"] == HOSTILE


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots(browser, server, lang):
    device = Visitor(browser, server, locale="zh-CN" if lang == "zh" else "en-GB", scale=1)
    try:
        device.open(f"/facilities/room-1/report?lang={lang}")
        device.shot(f"report-{lang}.png")
        device.open(f"/suggest?lang={lang}&lat=22.5281&lon=113.031")
        device.shot(f"suggest-{lang}.png")
    finally:
        device.close()


def test_too_many_reports_show_the_wait_on_the_page(browser, db_path):
    load(db_path, row(1))
    with serve(db_path, REPORTS_PER_CLIENT=1) as url:
        device = Visitor(browser, url)
        try:
            page = device.open("/facilities/room-1/report")
            page.get_by_role("button", name="Still here and as described").click()
            page.locator("[data-sent]").wait_for(state="visible")
            page = device.open("/facilities/room-1/report")
            page.get_by_text("Dirty").click()
            page.get_by_role("button", name="Send the report").click()
            wait = page.locator("[data-say]")
            wait.wait_for(state="visible")
            assert "Please try again in 60 minutes" in wait.inner_text()
            assert page.locator("form.report-form").is_visible()  # nothing lost
        finally:
            device.close()
    assert [r["kind"] for r in stored(db_path)] == ["all_good"]

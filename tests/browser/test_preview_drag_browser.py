"""The preview is where the admin checks positions, in a real browser: a file of addresses is
geocoded by a stub AMap, the preview shows the geocoded points as estimated pins, one is
dragged with the mouse, the confirm applies it, and the public page navigates to where it was
dropped; another moved with the arrow keys and put back stays as geocoded. Screenshot in
test-artifacts/preview-drag.png."""

import pytest

from locator import create_app
from locator.store import Store
from tests.admin_support import PASSWORD, USER, make_admin
from tests.browser import test_admin_browser
from tests.browser.support import TILE_URL, needs_chromium, serving
from tests.factories import load, row
from tests.geocoder_stubs import Place, StubGeocoder

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium

# Two addresses the stub places 1–2 km apart (WGS-84), so that their pins do not overlap.
PLACES = {"江门市新会区会城今古洲路1号": Place("found", (22.51906, 113.03415)),
          "江门市新会区会城中心南路2号": Place("found", (22.50500, 113.04500))}
CSV = ("id,category,name,name_en,lat,lon,address\n"
       "g1,landmark,今古洲,Jingu Isle,,,江门市新会区会城今古洲路1号\n"
       "g2,landmark,中心南,Central South,,,江门市新会区会城中心南路2号\n").encode()
PATIENCE_MS = 120_000  # the progress page refreshes every 2 s; a guard against a hung job
# The admin tests' desktop page: it fails the test on script errors, CSP reports and requests
# leaving 127.0.0.1 (over this module's server).
page = test_admin_browser.page


@pytest.fixture
def server(db_path):
    """The console on one nursing room, its geocoder a stub AMap on 127.0.0.1."""
    load(db_path, row(1))
    make_admin(db_path)
    with StubGeocoder("amap", places=PLACES) as stub:
        app = create_app({"TESTING": True, "DATABASE": db_path, "TILE_URL": TILE_URL,
                          "GEOCODER": "amap", "GEOCODER_KEY": "test",
                          "GEOCODER_URL": stub.url, "GEOCODER_RATE": 1000})
        with serving(app) as url:
            yield url


def sign_in_and_upload(page, path) -> None:
    """Sign in, then merge the file; wait for the preview after the background check."""
    page.goto(page.server + "/admin/upload")
    page.get_by_label("Username").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/upload")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(path))
    page.get_by_label("Merge").check()
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/preview", timeout=PATIENCE_MS)
    page.wait_for_load_state("networkidle")


def drag(page, pin, dx: int, dy: int) -> None:
    """Press on the pin, move it by (dx, dy) pixels in steps, release."""
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=12)
    page.mouse.up()


def test_a_geocoded_point_dragged_on_the_preview_is_where_the_public_page_sends_you(
        page, tmp_path, db_path):
    path = tmp_path / "district.csv"
    path.write_bytes(CSV)
    sign_in_and_upload(page, path)
    assert page.locator("h1").inner_text() == "Preview of district.csv"
    pins = page.locator("#preview-map .leaflet-marker-icon.drag-pin-approx")
    assert pins.count() == 2  # both geocoded points: estimated, draggable
    assert page.locator("#drag-legend").is_visible()
    assert page.locator("#moved-box").is_hidden()

    drag(page, page.locator('#preview-map .drag-pin[title^="g1 ·"]'), 60, 40)
    field = page.locator('form.confirm input[name="moved[g1]"]')
    lat, lon = (float(v) for v in field.input_value().split(","))
    assert page.locator("#moved-list li").count() == 1
    assert page.locator("#moved-list li").inner_text().startswith("g1 · 今古洲: moved ")
    # OSM-like tiles draw WGS-84: right and down on the screen is east and south.
    assert lon > PLACES["江门市新会区会城今古洲路1号"].point[1]
    assert lat < PLACES["江门市新会区会城今古洲路1号"].point[0]
    test_admin_browser.shot(page, "preview-drag.png")

    # g2 moved with the keyboard, then put back: it stays where the geocoder put it.
    page.locator('#preview-map .drag-pin[title^="g2 ·"]').focus()
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")
    west = page.locator('form.confirm input[name="moved[g2]"]').input_value().split(",")[1]
    assert float(west) < PLACES["江门市新会区会城中心南路2号"].point[1]
    assert page.locator("#moved-list li").count() == 2
    page.locator("#moved-list li", has_text="g2").get_by_role("button", name="Put back").click()
    assert page.locator('form.confirm input[name="moved[g2]"]').count() == 0
    assert page.locator("#moved-list li").count() == 1

    page.get_by_role("button", name="Confirm and apply").click()
    page.wait_for_url("**/admin/history")
    store = Store(db_path)
    try:
        records = {r["id"]: r for r in store.facilities.all()}
    finally:
        store.close()
    assert (records["g1"]["lat"], records["g1"]["lon"]) == (lat, lon)
    assert records["g1"]["coord_source"] == "map"
    assert records["g2"]["coord_source"] == "geocoded"

    page.goto(page.server + "/facilities/g1?lang=en")
    assert page.locator('a[href^="geo:"]').get_attribute("href") == f"geo:{lat:.6f},{lon:.6f}"
    assert "Position estimated from the address" not in page.content()

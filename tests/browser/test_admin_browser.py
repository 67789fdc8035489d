"""The admin console in a real browser: sign in and the upload flow at a desktop viewport.

Playwright drives Debian's chromium against the app served from a thread on 127.0.0.1, tiles
answered by a local stub. Screenshots of the preview and the history go to test-artifacts/.
"""

import os
from urllib.parse import urlsplit

import pytest

from locator import create_app
from locator.store import Store
from tests.admin_support import PASSWORD, USER, make_admin
from tests.browser.support import ARGS, ARTIFACTS, CHROMIUM, TILE_URL, needs_chromium, serving
from tests.factories import csv_bytes, load, row

DESKTOP = {"width": 1366, "height": 900}
pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture
def server(db_path):
    """The console on three nursing rooms, on a free 127.0.0.1 port."""
    load(db_path, row(1), row(2), row(3))
    make_admin(db_path)
    app = create_app({"TESTING": True, "DATABASE": db_path,
                      "TILE_URL": TILE_URL, "MAP_REVIEW_NUMBER": "审图号：测试"})
    with serving(app) as url:
        yield url


@pytest.fixture
def page(server):
    """A desktop-sized English page; fails the test on script errors, CSP reports or requests
    leaving 127.0.0.1."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport=DESKTOP, locale="en-GB")
        problems = []
        context.route("**/*", lambda route: _local_only(route, problems))
        tab = context.new_page()
        tab.on("pageerror", lambda exc: problems.append(str(exc)))
        tab.on("console", lambda msg: _console(msg, problems))
        tab.on("response", lambda response: _subresource(response, problems))
        tab.server = server
        yield tab
        context.close()
        browser.close()
        assert not problems, problems


def _console(message, problems: list) -> None:
    """Record console errors (CSP reports among them); a page's own 4xx status is by design."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(message.text)


def _subresource(response, problems: list) -> None:
    """Record a script, style, image or other file that failed to load."""
    if response.status >= 400 and response.request.resource_type != "document":
        problems.append(f"{response.status} {response.url}")


def _local_only(route, problems: list) -> None:
    """Let 127.0.0.1 through; refuse and record anything else."""
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        problems.append("external request: " + route.request.url)
        route.abort()


def shot(page, name: str) -> None:
    """Save a full-page screenshot in test-artifacts/."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, name), full_page=True)


def test_sign_in_upload_preview_confirm_and_history(page, tmp_path, db_path):
    page.goto(page.server + "/admin/upload")
    assert "/admin/login" in page.url  # the guard sent us to sign in
    page.get_by_label("Username").fill(USER)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "Wrong username or password" in page.locator("p.error").inner_text()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/upload")

    path = tmp_path / "new-list.csv"
    path.write_bytes(csv_bytes(row(1, name="母婴室（改名）"), row(2, lat="22.5105"), row(4)))
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(path))
    page.get_by_label("Merge").check()
    page.get_by_label("Replace", exact=False).first.check()
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("h1").inner_text() == "Preview of new-list.csv"
    counts = page.locator("p.counts").inner_text()
    assert "Added: 1" in counts and "Changed: 2" in counts and "Removed: 1" in counts
    assert page.locator("#changed td.new").first.inner_text() == "母婴室（改名）"
    assert page.locator("#preview-map path.leaflet-interactive").count() >= 4
    assert page.locator("img.leaflet-tile-loaded").count() > 0
    assert "审图号：测试" in page.locator(".credit").inner_text()
    shot(page, "admin-preview.png")

    page.get_by_role("button", name="Confirm and apply").click()
    page.wait_for_url("**/admin/history")
    assert "Imported new-list.csv as version 2." in page.locator(".flash").inner_text()
    first_row = page.locator("table.history tbody tr").first.inner_text()
    assert "alice" in first_row and "new-list.csv" in first_row
    shot(page, "admin-history.png")

    store = Store(db_path)
    names = {r["id"]: r["name"] for r in store.facilities.all()}
    store.close()
    assert names == {"room-1": "母婴室（改名）", "room-2": "母婴室2", "room-4": "母婴室4"}


def test_a_bad_file_shows_every_error_in_the_browser(page, tmp_path):
    page.goto(page.server + "/admin/login?lang=en")
    page.get_by_label("Username").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    page.get_by_role("link", name="Upload a file").click()
    path = tmp_path / "bad.csv"
    path.write_text("id,category,name,lat,lon\nRoom 1,landmark,A,22.5,113\nb,toilet,B,95,113\n")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    errors = page.locator("#errors li").all_inner_texts()
    assert [e.split(":")[0] for e in errors] == [
        "line 2, column id", "line 3, column category", "line 3, column lat"]
    assert page.get_by_role("button", name="Confirm and apply").count() == 0
    shot(page, "admin-errors.png")


def sign_in(page) -> None:
    """Sign in through the login form, in English."""
    page.goto(page.server + "/admin/login?lang=en")
    page.get_by_label("Username").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def test_the_editor_ticks_an_amenity_drags_the_pin_reads_the_hours_and_saves(page, db_path):
    sign_in(page)
    page.goto(page.server + "/admin/facilities/room-2/edit")
    # Only a nursing room's amenities are shown, and switching category shows a stop's.
    assert page.get_by_label("Changing table").is_visible()
    assert not page.get_by_label("Shelter").is_visible()
    page.get_by_label("Category").select_option("bus_stop")
    assert page.get_by_label("Shelter").is_visible()
    assert not page.get_by_label("Changing table").is_visible()
    page.get_by_label("Category").select_option("nursing_room")
    page.get_by_label("Changing table").check()

    # The hours are read back after a pause in typing, Chinese converted.
    page.get_by_label("Opening hours").fill("周一至周五 8:30-17:30，节假日休息")
    reading = page.locator("#hours-reading")
    reading.filter(has_text="Mon–Fri 08:30–17:30").wait_for()
    assert "Stored as Mo-Fr 08:30-17:30; PH off" in reading.inner_text()
    assert "public holidays closed" in reading.inner_text()
    page.get_by_label("Opening hours").fill("Mo-Fr 25:00")
    reading.filter(has_text="for example").wait_for()
    page.get_by_label("Opening hours").fill("周一至周五 8:30-17:30，节假日休息")
    reading.filter(has_text="Mon–Fri").wait_for()

    # Drag the pin 120 px up (north): lat/lon follow, in the OSM map's datum (WGS-84).
    before = float(page.locator('input[name="lat"]').input_value())
    page.locator("#edit-map").scroll_into_view_if_needed()
    pin = page.locator(".edit-pin").bounding_box()
    x, y = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y - 60, steps=5)
    page.mouse.move(x + 20, y - 120, steps=5)
    page.mouse.up()
    dragged_lat = float(page.locator('input[name="lat"]').input_value())
    dragged_lon = float(page.locator('input[name="lon"]').input_value())
    assert dragged_lat > before
    assert page.get_by_label("Coordinates are in").input_value() == "wgs84"
    assert page.get_by_label("Position obtained by").input_value() == "map"
    shot(page, "admin-editor.png")

    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert "Saved room-2 as version 2." in page.locator(".flash").inner_text()
    store = Store(db_path)
    record = store.facilities.get("room-2")
    store.close()
    assert (record["lat"], record["lon"]) == (dragged_lat, dragged_lon)
    assert record["amenities"] == "changing_table" and record["coord_source"] == "map"
    assert record["opening_hours"] == "Mo-Fr 08:30-17:30; PH off"

    # The public page shows the new amenity and the new position.
    page.goto(page.server + "/facilities/room-2?lang=en")
    assert "Changing table" in page.locator("main").inner_text()
    data = page.locator("#map-data").text_content()
    assert f"{dragged_lat}" in data and f"{dragged_lon}" in data


def test_verified_today_asks_in_a_dialog(page, db_path):
    sign_in(page)
    page.goto(page.server + "/admin/facilities")
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        (dialog.dismiss if len(questions) == 1 else dialog.accept)()
    page.on("dialog", answer)
    button = page.locator("form[data-confirm]").first.get_by_role("button")
    button.click()  # dismissed: nothing happens
    assert questions == ["Mark room-1 as verified on site today?"] and "/verify" not in page.url
    button.click()  # accepted: saved at once, back on the list
    page.wait_for_load_state("networkidle")
    assert "Saved room-1 as version 2." in page.locator(".flash").inner_text()

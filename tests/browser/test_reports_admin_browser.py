"""Visitor reports in the console, in a real browser: hostile text in the queue stays text, the
maps draw both positions, and a suggestion is accepted through the editor. Screenshots of the
queue (phone size, zh and en) go to test-artifacts/ (and docs/screenshots/ with
LOCATOR_UPDATE_SCREENSHOT=1)."""

import os
import shutil
import time

import pytest

from locator import create_app
from locator.ingest.importer import DEFAULT_SETTINGS
from locator.reports.intake import submit
from locator.reports.submissions import check_report, check_suggestion
from locator.store import Store
from tests.admin_support import make_admin
from tests.browser.support import ARTIFACTS, ROOT, TILE_URL, needs_chromium, serving
from tests.browser.test_admin_browser import _console, _local_only, _subresource, sign_in
from tests.factories import load, row

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture
def server(db_path):
    """The console on three rooms with three reports: a hostile note, a moved pin, a new place."""
    load(db_path, row(1), row(2, name="<b>粗体</b>母婴室"), row(3))
    make_admin(db_path)
    store = Store(db_path)
    try:
        now = time.time()
        for facility, payload in (("room-2", {"kind": "locked", "note": HOSTILE}),
                                  ("room-1", {"kind": "wrong_location", "lat": 22.5035,
                                              "lon": 113.0022, "note": "在商场二楼东侧"})):
            checked = check_report(store.facilities.get(facility), payload, DEFAULT_SETTINGS)
            submit(store, checked, "203.0.113.7", now=now)
        suggestion = check_suggestion({"category": "nursing_room", "name": "万达广场母婴室",
                                       "lat": 22.52, "lon": 113.03, "floor": "B1",
                                       "note": "新开的"}, DEFAULT_SETTINGS)
        submit(store, suggestion, "203.0.113.8", now=now)
    finally:
        store.close()
    app = create_app({"TESTING": True, "DATABASE": db_path, "TILE_URL": TILE_URL})
    with serving(app) as url:
        yield url


def open_tab(browser, server: str, viewport: dict):
    """A signed-in tab; script errors, failed files, dialogs and outside requests recorded."""
    context = browser.new_context(viewport=viewport, locale="en-GB")
    problems: list = []
    context.route("**/*", lambda route: _local_only(route, problems))
    tab = context.new_page()
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    tab.on("console", lambda msg: _console(msg, problems))
    tab.on("response", lambda response: _subresource(response, problems))
    tab.on("dialog", lambda dialog: (problems.append("dialog: " + dialog.message),
                                     dialog.dismiss()))
    tab.server = server
    sign_in(tab)
    return context, tab, problems


def test_hostile_text_is_inert_and_a_suggestion_is_accepted_in_the_editor(browser, server,
                                                                          db_path):
    context, page, problems = open_tab(browser, server, DESKTOP)
    page.goto(server + "/admin/reports?lang=en")
    page.wait_for_load_state("networkidle")
    notes = page.locator(".report-note").all_inner_texts()
    assert HOSTILE in notes and "在商场二楼东侧" in notes
    assert "<b>粗体</b>母婴室" in page.locator("main").inner_text()
    assert page.locator("article dl img, article dl script, article dl b").count() == 0
    # The wrong position's map: the stored point, the visitor's and the line between.
    moved = page.locator("article", has_text="Wrong position on the map")
    assert moved.locator("path.leaflet-interactive").count() == 3

    page.get_by_role("link", name="Open in the editor to accept").click()
    page.wait_for_url("**/admin/facilities/from-report/*")
    assert page.locator('input[name="id"]').input_value() == "wan-da-guang-chang-mu-ying-shi"
    assert page.locator('input[name="name"]').input_value() == "万达广场母婴室"
    assert "新开的" in page.locator(".report-context").inner_text()
    page.locator('input[name="id"]').fill("wanda-room")
    page.locator('input[name="name_en"]').fill("Wanda Plaza nursing room")
    page.get_by_label("Changing table").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/admin/reports/*")
    flashes = page.locator(".flash").inner_text()
    assert "Saved wanda-room as version 2." in flashes and "is accepted" in flashes

    page.goto(server + "/facilities/wanda-room?lang=en")
    main = page.locator("main").inner_text()
    assert "Wanda Plaza nursing room" in main and "Changing table" in main
    context.close()
    assert not problems, problems


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_queue_screenshots_at_phone_size(browser, server, lang):
    context, page, problems = open_tab(browser, server, PHONE)
    page.goto(f"{server}/admin/reports?lang={lang}")
    page.wait_for_load_state("networkidle")
    assert page.locator("article.report").count() == 3
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"admin-reports-{lang}.png")
    page.screenshot(path=path)
    if os.environ.get("LOCATOR_UPDATE_SCREENSHOT"):
        os.makedirs(os.path.join(ROOT, "docs", "screenshots"), exist_ok=True)
        shutil.copy(path, os.path.join(ROOT, "docs", "screenshots", f"admin-reports-{lang}.png"))
    context.close()
    assert not problems, problems

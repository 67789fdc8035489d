"""The search box on a 390×844 phone in chromium: suggestions as one types (keyboard and screen
reader), a pick opens the facility or the category's list, hostile names stay text, and without
JavaScript the plain form still gets there."""

import pytest

from locator import create_app
from tests.browser.support import TILE_URL, needs_chromium, serving, stub_off_host
from tests.factories import load, row

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium

PHONE = {"width": 390, "height": 844}
HOSTILE = '<img src=x onerror="window.pwned=1">景堂'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A library (with a hostile alias), a coach stop to Shenzhen and a nursing room."""
    db_path = str(tmp_path_factory.mktemp("search") / "locator.db")
    load(db_path,
         row(1, category="landmark", name="景堂图书馆", name_en="Jingtang Library",
             lat="22.520979", lon="113.040056", aliases=HOSTILE),
         row(2, category="coach_stop", name="客运站", name_en="Coach terminal", lat="22.5100",
             lon="113.0600", routes="深圳"),
         row(3, name="医院母婴室", name_en="Hospital nursing room", lat="22.5210",
             lon="113.0310"))
    app = create_app({"TESTING": True, "DATABASE": db_path, "TILE_URL": TILE_URL})
    with serving(app) as url:
        yield url


def phone(browser, **options):
    """A phone-sized page that may reach 127.0.0.1 only."""
    context = browser.new_context(viewport=PHONE, **options)
    external = stub_off_host(context)
    return context, context.new_page(), external


def test_typing_suggests_and_the_keyboard_picks(server, browser):
    context, page, external = phone(browser)
    page.goto(f"{server}/?lang=en")
    box = page.locator("#q")
    box.press_sequentially("Jingtan Libary", delay=20)
    options = page.locator("#q-suggestions [role=option]")
    options.first.wait_for()
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "true"
    assert "Jingtang Library" in options.first.inner_text()
    assert "suggestions" in page.locator(".suggestions + [role=status]").inner_text()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith("/facilities/room-1")
    assert external == []
    context.close()


def test_a_category_word_suggests_its_list(server, browser):
    context, page, _ = phone(browser)
    page.goto(f"{server}/?lang=zh")
    page.locator("#q").press_sequentially("汽车站", delay=20)
    first = page.locator("#q-suggestions [role=option]").first
    first.wait_for()
    assert "长途车站" in first.inner_text()
    with page.expect_navigation():
        first.click()
    assert "客运站" in page.locator("ol.results").inner_text()
    assert "城区中心" in page.locator(".origin").inner_text()  # no position: from the centre
    context.close()


def test_escape_closes_and_hostile_names_stay_text(server, browser):
    context, page, _ = phone(browser)
    page.goto(f"{server}/?lang=zh")
    box = page.locator("#q")
    box.press_sequentially("景堂", delay=20)
    page.locator("#q-suggestions [role=option]").first.wait_for()
    assert page.locator("#q-suggestions img").count() == 0
    assert page.evaluate("window.pwned") is None
    box.press("Escape")
    assert page.locator("#q-suggestions").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    context.close()


def test_without_javascript_the_form_still_gets_there(server, browser):
    context, page, _ = phone(browser, java_script_enabled=False)
    page.goto(f"{server}/?lang=en")
    page.fill("#q", "to Shenzhen")
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    assert "Coach terminal" in page.locator("ol.results").inner_text()
    assert "Shenzhen (深圳)" in page.content()
    page.goto(f"{server}/?lang=en")
    page.fill("#q", "Jingtan Libary")
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    assert page.url.endswith("/facilities/room-1")
    context.close()

"""After one visit, /nearest works without a signal: Playwright at 390×844 with the service
worker, `context.set_offline(True)`, the order and open flags compared with /api/nearest asked
just before, navigate links as core/navigate writes them, hostile names shown as text.

The app's clock and the browser's are both set to Saturday 2026-10-10 10:00 Asia/Shanghai, a
make-up working day (调休) after the National Day holiday: "Mo-Fr" rooms are open, as the
server says, though it is a Saturday. Screenshots go to test-artifacts/ (and to docs/screenshots/
with LOCATOR_UPDATE_SCREENSHOT=1).
"""

import json
import os
import shutil
import urllib.request
from datetime import datetime

import pytest

from locator import create_app
from locator.core.clock import SHANGHAI
from locator.core.navigate import CAR, TRANSIT, WALK, Place, navigate_links
from locator.search.present import WALKING_LIMIT_M, open_first
from tests.browser.support import ARTIFACTS, ROOT, TILE_URL, needs_chromium, serving
from tests.factories import load, row

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium

PHONE = {"width": 390, "height": 844}
MAKE_UP_SATURDAY = datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI)
ORIGIN = "lat=22.5281&lon=113.031"
HOSTILE = '<img src=x onerror=alert(1)>"\'&amp;'
HOURS = ["24/7", "Mo-Fr 08:30-17:30; PH off", "Su 10:00-12:00", "Sa 09:00-09:30", ""]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Rooms with varied hours around the origin (room-1 and room-20 at one point: a tie,
    broken by id; two different points whose distances differ by less than PROJ's and
    GeographicLib-JS's rounding, ~1e-9 m, could be ranked either way)."""
    db_path = str(tmp_path_factory.mktemp("offline") / "locator.sqlite")
    rooms = [row(i, lat=f"{22.5281 + i * 0.0007:.6f}", lon=f"{113.031 - i * 0.0004:.6f}",
                 opening_hours=HOURS[i % len(HOURS)], floor=f"{i}F")
             for i in range(1, 9)]
    load(db_path, *rooms, row(20, lat="22.5288", lon="113.0306", opening_hours="24/7"),
         row(21, name=HOSTILE, name_en=HOSTILE, lat="22.5300", lon="113.0330"),
         row(30, category="landmark", name="新会站", name_en="Xinhui Railway Station",
             lat="22.52056", lon="113.06556"))
    app = create_app({"TESTING": True, "DATABASE": db_path, "TILE_URL": TILE_URL,
                      "CLOCK": lambda: MAKE_UP_SATURDAY})
    with serving(app) as url:
        yield url


READY = """async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    if (!reg || !reg.active || !navigator.serviceWorker.controller) { return false; }
    return Boolean(await (await caches.open('locator-data')).match('/api/snapshot'));
}"""


def visit_once(browser, server: str, path: str):
    """A phone that opened `path` online and waited until the worker controls it (so it
    answers the next navigation) and has kept the snapshot."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.clock.set_fixed_time(MAKE_UP_SATURDAY)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + path)
    # wait_for_function takes a Promise for a truthy answer: ask evaluate (which awaits).
    for _ in range(200):  # at most 20 s
        if page.evaluate(READY):
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("the service worker did not take control and keep the snapshot")
    return context, page, dialogs


def api_nearest(server: str, query: str) -> dict:
    """/api/nearest as the server answers it now (the app's clock)."""
    with urllib.request.urlopen(f"{server}/api/nearest?{query}&radius_m=5000") as response:
        return json.load(response)


def offline_cards(page) -> list[dict]:
    """What the offline list shows: id, open flag, name, navigate links."""
    page.wait_for_selector("#offline-results > li")
    return page.evaluate("""() => [...document.querySelectorAll('#offline-results > li')].map(
        li => ({id: li.dataset.id, open: li.querySelector('.hours').dataset.open,
                name: li.querySelector('h2').textContent,
                detail: (li.querySelector('.hours-detail') || {}).textContent || '',
                links: [...li.querySelectorAll('.nav a')].map(a => a.href)}))""")


def online_details(page) -> dict[str, str]:
    """Each result card's "closes 17:30" / "opens Mon 08:30" on the server's page, by id."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        'ol.results > li')].map(li => [li.querySelector('h2 a').pathname.split('/').pop(),
        (li.querySelector('.hours-detail') || {}).textContent || '']))""")


def route_links(result: dict) -> list[str]:
    """A card's route links as core/navigate writes them from "my location" (the page's words):
    walking, or beyond walking distance by transit with three car links beside them."""
    start = Place(22.5281, 113.031, "我的位置")
    far = result["distance_m"] > WALKING_LIMIT_M
    links = navigate_links(result["lat"], result["lon"], result["name"], start,
                           TRANSIT if far else WALK)
    if far:
        links += navigate_links(result["lat"], result["lon"], result["name"], start, CAR)[:3]
    return [link.url for link in links]


def expected_flag(open_now) -> str:
    """The API's open_now as the page marks it."""
    return {True: "open", False: "closed", None: "unknown"}[open_now]


def save_shot(page, name: str) -> None:
    """A viewport screenshot in test-artifacts/, copied to docs/screenshots/ on request."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    page.screenshot(path=path)
    if os.environ.get("LOCATOR_UPDATE_SCREENSHOT"):
        shutil.copy(path, os.path.join(ROOT, "docs", "screenshots", name))


@pytest.mark.parametrize("category", ["nursing_room", ""])
def test_offline_nearest_matches_the_server(browser, server, category):
    query = ORIGIN + (f"&category={category}" if category else "")
    context, page, dialogs = visit_once(browser, server, f"/nearest?{query}")
    # The page's order: the API's distance order, the nearest open one first.
    expected = open_first(api_nearest(server, query)["results"], lambda r: r["open_now"])
    details = online_details(page)
    context.set_offline(True)
    page.goto(f"{server}/nearest?{query}")  # a new visit: the worker answers
    cards = offline_cards(page)
    assert [c["id"] for c in cards] == [r["id"] for r in expected]
    assert [c["open"] for c in cards] == [expected_flag(r["open_now"]) for r in expected]
    assert {"open", "closed", "unknown"} <= {c["open"] for c in cards} or category == ""
    # Where the snapshot knows the next change (within its 7 days), it reads as the server's.
    shown = {c["id"]: c["detail"] for c in cards if c["detail"]}
    assert shown and shown == {k: details[k] for k in shown}
    for card, result in zip(cards, expected, strict=True):
        assert card["links"] == route_links(result)
    status = page.locator("#offline-status").inner_text()
    assert "离线 — 数据来自 2026-10-10" in status
    assert dialogs == []
    if category:
        save_shot(page, "offline-nearest-zh.png")
    context.close()


def test_offline_in_english_with_hostile_names_as_text(browser, server):
    query = ORIGIN + "&category=nursing_room&limit=5"
    context, page, dialogs = visit_once(browser, server, f"/nearest?{query}&lang=en")
    context.set_offline(True)
    page.goto(f"{server}/nearest?lat=22.5300&lon=113.0330&category=nursing_room&lang=en")
    cards = offline_cards(page)
    # room-21 is nearest; its hours are unknown, so the nearest open one leads.
    assert cards[1]["name"] == HOSTILE and cards[1]["id"] == "room-21"
    assert "Offline — data from 2026-10-10" in page.locator("#offline-status").inner_text()
    assert page.locator("h1").inner_text() == "Nursing rooms near you"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert dialogs == []
    page.goto(f"{server}/nearest?{query}&lang=en")
    offline_cards(page)
    save_shot(page, "offline-nearest-en.png")
    context.close()


def test_offline_in_traditional_chinese_after_a_traditional_visit(browser, server):
    query = ORIGIN + "&category=nursing_room"
    context, page, dialogs = visit_once(browser, server, f"/nearest?{query}&lang=zh-Hant")
    context.set_offline(True)
    page.goto(f"{server}/nearest?{query}")  # no ?lang=: the worker kept the visit's language
    assert offline_cards(page)
    assert "離線 — 數據來自 2026-10-10" in page.locator("#offline-status").inner_text()
    assert page.locator("h1").inner_text() == "附近的母嬰室"
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    english = page.get_by_role("link", name="English").get_attribute("href")
    assert "category=nursing_room" in english and "lang=en" in english
    assert dialogs == []
    save_shot(page, "offline-nearest-zh-Hant.png")
    context.close()


def test_open_now_only_and_a_far_origin_offline(browser, server):
    context, page, _ = visit_once(browser, server, f"/nearest?{ORIGIN}&category=nursing_room")
    context.set_offline(True)
    for query in (f"{ORIGIN}&category=nursing_room&open_now=1",
                  "lat=22.40&lon=113.00&category=nursing_room",
                  "lat=22.40&lon=113.00&category=landmark&open_now=1"):
        context.set_offline(False)
        expected = api_nearest(server, query)
        context.set_offline(True)
        page.goto(f"{server}/nearest?{query}")
        page.wait_for_selector("#offline-results > li")
        shown = page.evaluate("[...document.querySelectorAll('#offline-results > li')]"
                              ".map(li => li.dataset.id || '')")
        assert shown == ([r["id"] for r in expected["results"]] or [""]), query
        beyond = page.locator(".notice-warn", has_text="5 公里").count() > 0
        assert beyond == expected["beyond_radius"], query
    context.close()


def test_after_the_seven_days_open_or_closed_is_not_claimed(browser, server):
    context, page, _ = visit_once(browser, server, f"/nearest?{ORIGIN}&category=nursing_room")
    context.set_offline(True)
    page.clock.set_fixed_time(datetime(2026, 10, 17, 10, 0, tzinfo=SHANGHAI))
    page.goto(f"{server}/nearest?{ORIGIN}&category=nursing_room&open_now=1")
    page.wait_for_selector("#offline-results > li")
    assert "无法确定是否开放" in page.locator("#offline-status").inner_text()
    assert page.locator("#offline-results .card").count() == 0  # none is known to be open
    page.goto(f"{server}/nearest?{ORIGIN}&category=nursing_room")
    assert {c["open"] for c in offline_cards(page)} == {"unknown"}
    context.close()


def test_a_large_deployment_keeps_the_box_around_the_visitor(browser, tmp_path):
    db_path = str(tmp_path / "locator.sqlite")
    load(db_path, *[row(i, lat=f"{22.40 + i * 0.01:.2f}", lon="113.03") for i in range(1, 31)])
    app = create_app({"TESTING": True, "DATABASE": db_path, "TILE_URL": TILE_URL,
                      "CLOCK": lambda: MAKE_UP_SATURDAY, "SNAPSHOT_MAX_FACILITIES": 20})
    with serving(app) as url:
        query = "lat=22.5281&lon=113.031&category=nursing_room"
        context, page, _ = visit_once(browser, url, f"/nearest?{query}")
        kept = page.evaluate("""async () => (await (await caches.open('locator-data'))
                                .match('/api/snapshot')).json()""")
        expected = api_nearest(url, query)["results"]
        context.set_offline(True)
        page.goto(f"{url}/nearest?{query}")
        assert [c["id"] for c in offline_cards(page)] == [r["id"] for r in expected]
        context.close()
    # 30 rooms 0.01° apart along one meridian: the box of 3×3 cells around 22.53 holds fewer.
    assert kept["bbox"] is not None and 0 < len(kept["facilities"]) <= 20
    south, north = kept["bbox"][1], kept["bbox"][3]
    assert south < 22.5281 < north

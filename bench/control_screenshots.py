"""Screenshots of the page controls for docs/screenshots/: `python -m bench.control_screenshots`.

Phone size (390x844 CSS px, PNG at that size), zh, zh-Hant and en (or the languages named:
`python -m bench.control_screenshots zh-Hant`), Debian's chromium through Playwright,
the app on 127.0.0.1 with grey stub tiles (no network), on the district file (facilities.csv)
without its bus stops (so /map?category=bus_stop shows the "none yet" state) plus a few
clearly named sample nursing rooms around 会城, at Monday 10:00 Asia/Shanghai.
Needs chromium and a Chinese font (apt-get install chromium fonts-noto-cjk).

States: the results with filters and the list/map switch, the map side of the switch, a
refused location with the iPhone instructions, the shared (copied) link, /map after
locate-me, /map of a category with none.
"""

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from locator import create_app, datasets
from locator.core.records import COLUMNS
from locator.store import Store

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "screenshots")
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
HUICHENG = {"latitude": 22.5281, "longitude": 113.0310}
NEAREST = "/nearest?lat=22.5281&lon=113.031&category=nursing_room"
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
# Each page language and the phone's locale that asks for it (a Hong Kong phone for zh-Hant).
LOCALES = {"zh": "zh-CN", "zh-Hant": "zh-HK", "en": "en-GB"}
SAMPLES = [  # (lat, lon, opening_hours, amenities)
    (22.5290, 113.0318, "Mo-Fr 08:30-17:30", "changing_table;crib;father_friendly"),
    (22.5302, 113.0296, "Sa-Su 09:00-18:00", "changing_table;wheelchair"),
    (22.5265, 113.0335, "24/7", "changing_table;nursing_chair;wheelchair"),
    (22.5318, 113.0342, "", "crib"),
]


def district_csv() -> bytes:
    """facilities.csv less its bus stops, plus the sample rooms, as CSV bytes."""
    with open(os.path.join(ROOT, "facilities.csv"), encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["category"] != "bus_stop"]
    for i, (lat, lon, hours, amenities) in enumerate(SAMPLES, start=1):
        rows.append({c: "" for c in COLUMNS} | {
            "id": f"sample-room-{i}", "category": "nursing_room", "name": f"示例母婴室{i}",
            "name_en": f"Sample nursing room {i}", "lat": str(lat), "lon": str(lon),
            "coord_system": "wgs84", "town": "会城街道", "floor": f"{i}F",
            "opening_hours": hours, "access": "public", "amenities": amenities,
            "source": "sample for screenshots"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def build_database(path: str) -> None:
    """The screenshot data as the first version, through the real importer."""
    store = Store(path)
    try:
        store.migrate()
        checked = datasets.check_file(store, district_csv(), "screenshots.csv")
        if not checked.result.ok:
            raise SystemExit(f"sample data refused: {[str(e) for e in checked.result.errors]}")
        datasets.apply_import(store, checked, "screenshots.csv", actor="screenshots")
    finally:
        store.close()


def check_tools() -> None:
    """Stop with what to install when chromium, Playwright or a Chinese font is missing."""
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append("chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -e '.[test]')")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True,
                           check=False).stdout if shutil.which("fc-list") else ""
    if not fonts.strip():
        missing.append("a Chinese font (apt-get install fonts-noto-cjk)")
    if missing:
        raise SystemExit("needs " + ", ".join(missing))


class Shooter:
    """One phone-sized browser context per state; every request stays on 127.0.0.1."""

    def __init__(self, browser, base: str):
        self.browser, self.base = browser, base

    def context(self, lang: str, *, located=True, user_agent=None, clipboard=False):
        """A phone context in `lang`, with location granted at 会城 or refused."""
        options = {"viewport": PHONE, "device_scale_factor": 1, "is_mobile": True,
                   "has_touch": True, "locale": LOCALES[lang]}
        permissions = ["clipboard-read", "clipboard-write"] if clipboard else []
        if located:
            options["geolocation"] = HUICHENG
            permissions.append("geolocation")
        if user_agent:
            options["user_agent"] = user_agent
        if permissions:  # an empty list would block location outright (Chrome's "blocked")
            options["permissions"] = permissions
        context = self.browser.new_context(**options)
        context.route("**/*", self._route)
        return context

    def _route(self, route):
        """Let 127.0.0.1 through; refuse anything else (no network is touched)."""
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    def open(self, context, path: str, lang: str):
        """A page at `path` in `lang`, settled."""
        page = context.new_page()
        page.goto(self.base + path + ("&" if "?" in path else "?") + "lang=" + lang)
        page.wait_for_load_state("networkidle")
        return page

    def save(self, page, name: str) -> None:
        """Write the viewport as docs/screenshots/<name>.png."""
        path = os.path.join(OUT, name + ".png")
        page.screenshot(path=path)
        print(os.path.relpath(path, ROOT))

    def all_states(self, lang: str) -> None:
        """Every state in `lang`."""
        ctx = self.context(lang, clipboard=True)
        page = self.open(ctx, NEAREST, lang)
        page.locator(".filters").scroll_into_view_if_needed()
        self.save(page, f"nearest-controls-{lang}")
        page.locator('.view-switch [data-view="map"]').click()
        page.wait_for_load_state("networkidle")
        self.save(page, f"nearest-map-{lang}")
        page.locator('.view-switch [data-view="list"]').click()
        page.locator("[data-share]").click()
        page.locator("#share-status").wait_for(state="visible")
        self.save(page, f"nearest-shared-{lang}")
        page = self.open(ctx, "/map", lang)
        page.locator(".map-locate button").click()
        page.wait_for_function("() => window.LocatorMap && LocatorMap.here")
        page.wait_for_load_state("networkidle")
        self.save(page, f"map-located-{lang}")
        page = self.open(ctx, "/map?category=bus_stop", lang)
        self.save(page, f"map-empty-{lang}")
        ctx.close()
        ctx = self.context(lang, located=False, user_agent=IPHONE_UA)
        page = self.open(ctx, "/nearest?category=nursing_room", lang)
        page.locator("button.btn-locate").click()
        page.locator("#locate-help").wait_for(state="visible")
        page.evaluate("document.activeElement.blur()")  # the search's focus ring hides nothing
        self.save(page, f"nearest-refused-{lang}")
        ctx.close()


def main(languages: list[str]) -> None:
    """Serve the sample data and take every state's screenshot in each language (all three
    unless named: zh, zh-Hant, en)."""
    unknown = set(languages) - set(LOCALES)
    if unknown:
        raise SystemExit(f"unknown languages {sorted(unknown)}: choose from {list(LOCALES)}")
    check_tools()
    from playwright.sync_api import sync_playwright

    from tests.browser.support import ARGS, TILE_URL, serving

    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="locator-shots-")
    try:
        db = os.path.join(tmp, "shots.sqlite")
        build_database(db)
        app = create_app({"DATABASE": db, "TILE_URL": TILE_URL, "CLOCK": lambda: MONDAY_10})
        with serving(app) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            shooter = Shooter(browser, base)
            for lang in languages or LOCALES:
                shooter.all_states(lang)
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

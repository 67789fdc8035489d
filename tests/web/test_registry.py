"""Adding a category is one registry entry (and its Chinese text): a category registered at
test time shows with its label and symbol on every page, the map, the console and the API."""

import json
import re

import flask_babel
import pytest

from locator.core import categories
from locator.core.catalogue import translations
from locator.core.categories import Category
from locator.public import styles
from tests.admin_support import console_app, make_admin, signed_in, text
from tests.factories import load, row

TOILETS = Category("public_toilet", "Public toilets", "toilet", "🚾", "#7a4b00",
                   ("wheelchair", "toilet"))
ZH = "公共厕所"
ORIGIN = "lat=22.5281&lon=113.0310"


@pytest.fixture
def registered(monkeypatch):
    """TOILETS in the registry, its Chinese label in the catalogue the importer and API read."""
    monkeypatch.setitem(categories.CATEGORIES, TOILETS.key, TOILETS)
    monkeypatch.setitem(translations("zh")._catalog, TOILETS.label, ZH)
    return TOILETS


@pytest.fixture
def toilets_app(db_path, registered, monkeypatch):
    """A console app on one public toilet (imported through the real importer) and one room."""
    load(db_path, row(1), row(2, id="wc-1", category=TOILETS.key, name="会城公厕",
                          name_en="Huicheng toilet", amenities="wheelchair;toilet",
                          lat="22.5290", lon="113.0310"))
    make_admin(db_path)
    app = console_app(db_path)
    # The pages' catalogue (Flask-Babel's, cached per app) learns the same Chinese label.
    with app.test_request_context("/?lang=zh"):
        monkeypatch.setitem(flask_babel.get_translations()._catalog, TOILETS.label, ZH)
    return app


def pages(client, lang: str) -> dict[str, str]:
    """The public pages that show categories, in `lang`."""
    paths = {"home": "/", "nearest": f"/nearest?{ORIGIN}&category={TOILETS.key}",
             "facility": "/facilities/wc-1", "map": "/map",
             "map one": f"/map?category={TOILETS.key}"}
    out = {}
    for name, path in paths.items():
        response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response.status_code == 200, (name, response.status_code)
        out[name] = response.get_data(as_text=True)
    return out


@pytest.mark.parametrize(("lang", "label"), [("en", TOILETS.label), ("zh", ZH)])
def test_a_new_category_shows_on_every_public_page(toilets_app, lang, label):
    for name, html in pages(toilets_app.test_client(), lang).items():
        assert label in html and TOILETS.symbol in html, name
    home = pages(toilets_app.test_client(), lang)["home"]
    assert f'class="cat {TOILETS.css_class}"' in home
    assert f'href="/nearest?category={TOILETS.key}"' in home


def test_a_new_category_lists_its_places_nearest_and_on_the_map(toilets_app):
    client = toilets_app.test_client()
    nearest = client.get(f"/nearest?{ORIGIN}&category={TOILETS.key}&lang=en")
    assert "Huicheng toilet" in nearest.get_data(as_text=True)
    assert "Nursing room 1" not in nearest.get_data(as_text=True)
    overview = client.get("/map?lang=en").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>',
                                overview, re.S).group(1))
    assert TOILETS.key in data["show"] and data["classes"][TOILETS.key] == TOILETS.css_class
    points = client.get(data["url"]).get_json()
    assert [p[2] for p in points[TOILETS.key]] == ["wc-1"]
    # The map's layer switch (the legend) names the category in the page's language.
    for lang, label in (("en", TOILETS.label), ("zh", ZH)):
        page = client.get(f"/map?lang={lang}").get_data(as_text=True)
        shell = re.search(r'src="(/map/shell/overview\.[a-z]+\.[0-9a-f]+\.js)"', page).group(1)
        assert json.dumps(label) in client.get(shell).get_data(as_text=True)  # a JSON string


def test_a_new_category_has_its_colour_in_the_generated_stylesheet(toilets_app):
    client = toilets_app.test_client()
    home = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/styles/categories\.[0-9a-f]+\.css)"', home).group(1)
    css = client.get(url).get_data(as_text=True)
    assert f".{TOILETS.css_class} {{ background: {TOILETS.colour}; }}" in css
    assert url.endswith(f".{styles.category_css_digest()}.css")


def test_a_new_category_in_the_console(toilets_app):
    client = signed_in(toilets_app)
    listing = client.get(f"/admin/facilities?category={TOILETS.key}")
    body = listing.get_data(as_text=True)
    assert f'<option value="{TOILETS.key}" selected>{TOILETS.label}</option>' in body
    assert "会城公厕" in text(listing) and "母婴室1" not in text(listing)
    assert TOILETS.label in text(client.get("/admin/"))
    assert ZH in text(client.get(f"/admin/facilities?category={TOILETS.key}&lang=zh"))


def test_a_new_category_in_the_api(toilets_app):
    client = toilets_app.test_client()
    entry = next(c for c in client.get("/api/categories").get_json()["categories"]
                 if c["key"] == TOILETS.key)
    assert entry == {"key": TOILETS.key, "label": {"zh": ZH, "en": TOILETS.label},
                     "icon": TOILETS.icon, "has_routes": False,
                     "amenities": [{"key": "wheelchair", "label": {"zh": "无障碍通行",
                                                                   "en": "Wheelchair accessible"}},
                                   {"key": "toilet", "label": {"zh": "卫生间", "en": "Toilet"}}]}
    features = client.get(f"/api/facilities?category={TOILETS.key}").get_json()["features"]
    assert [f["id"] for f in features] == ["wc-1"]


def test_the_importer_reads_the_new_label_without_flask(registered):
    assert categories.category_label(TOILETS.key, "zh") == ZH
    assert categories.category_label(TOILETS.key, "en") == TOILETS.label

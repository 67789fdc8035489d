"""Installable and offline-ready: the manifest in the page language, /sw.js (scope /, no-cache,
its shell named by content), the offline page, and the registration on public pages only."""

import json
import re

import pytest

from locator import create_app
from tests.admin_support import console_app
from tests.factories import load, row


@pytest.fixture
def app(db_path):
    """Two rooms."""
    load(db_path, row(1), row(2))
    return create_app({"TESTING": True, "DATABASE": db_path})


@pytest.mark.parametrize("lang, name, short", [("zh", "新会设施查找", "设施查找"),
                                              ("en", "Xinhui facility finder", "Facility finder")])
def test_the_manifest_names_the_app_in_the_page_language(client, lang, name, short):
    response = client.get(f"/manifest.webmanifest?lang={lang}")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert (manifest["name"], manifest["short_name"]) == (name, short)
    assert manifest["display"] == "standalone" and manifest["scope"] == "/"
    assert manifest["start_url"] == f"/?lang={lang}" and manifest["theme_color"] == "#0b57a4"
    assert [i["sizes"] for i in manifest["icons"]] == ["192x192", "512x512"]
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as png:
            assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert "Set-Cookie" not in response.headers


def test_the_worker_is_served_from_the_root_never_cached_stale(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]}
                      ).status_code == 304
    config = json.loads(re.match(r"const CONFIG = (\{.*?\});\n", response.text).group(1))
    for url in config["urls"]:  # everything the worker keeps exists, named by its content
        with client.get(url) as kept:
            assert kept.status_code == 200, url
        assert "?v=" in url or "/styles/categories." in url or url.startswith("/offline?")
    assert not any("tiles" in url or url.startswith("/api") for url in config["urls"])
    assert config["shell"].startswith("locator-shell-")


def offline_data(page: str) -> dict:
    """The offline page's JSON island."""
    return json.loads(re.search(r'id="offline-data"[^>]*>(.*?)</script>', page, re.S).group(1))


def test_the_offline_page_carries_its_words_and_scripts(client):
    page = client.get("/offline?lang=en").text
    data = offline_data(page)
    assert data["words"]["data_from"] == "Offline — data from %(date)s"
    assert data["snapshot"] == "/api/snapshot" and data["radius_m"] == 5000
    assert ["nursing_room", "Nursing rooms"] in data["categories"]
    for script in ("geographiclib-geodesic.min.js", "offline_navigate.js", "offline.js"):
        assert script in page
    zh = offline_data(client.get("/offline?lang=zh").text)
    assert zh["words"]["data_from"] == "离线 — 数据来自 %(date)s"


def test_public_pages_register_the_worker_and_the_console_does_not(client, db_path):
    for path in ("/", "/nearest?lat=22.5&lon=113", "/facilities/room-1", "/map"):
        page = client.get(path).text
        assert 'rel="manifest" href="/manifest.webmanifest?lang=zh"' in page, path
        assert re.search(r'<script defer src="/static/js/offline_register\.js\?v=\w+" '
                         r'data-worker="/sw\.js" data-snapshot="/api/snapshot"', page), path
    console = console_app(db_path).test_client()
    assert "offline_register" not in console.get("/admin/login").text
    assert "offline_register" not in client.get("/no-such-page").text

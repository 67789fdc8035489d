"""Serving: /healthz, compression, static cache lifetimes, ETags on pages."""

import gzip
import re

import brotli

from locator import create_app
from tests.factories import load, row


def test_healthz_reports_the_dataset_version(client, db_path):
    assert client.get("/healthz").status_code == 503  # migrated, but nothing imported yet
    load(db_path, row(1), row(2))
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["dataset_version"] == 1 and body["facilities"] == 2


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    # A directory where the database file should be: SQLite cannot open it (even as root).
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path)})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert "unable to open" in response.get_json()["reason"]


def test_html_json_and_geojson_are_compressed(client, db_path):
    load(db_path, *[row(i, description="描述" * 50) for i in range(1, 20)])
    for path in ("/", "/api/facilities", "/api/nearest?lat=22.5&lon=113&limit=20"):
        br = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert br.headers["Content-Encoding"] == "br", path
        plain = client.get(path).get_data()
        assert brotli.decompress(br.get_data()) == plain
        gz = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert gz.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz.get_data()) == plain


def test_static_urls_carry_a_content_hash_and_live_long(client, db_path):
    load(db_path, row(1))
    html = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
    response.close()
    bare = client.get("/static/css/site.css")
    assert bare.cache_control.max_age == 300
    bare.close()


def test_pages_carry_etags_and_answer_304(client, db_path):
    load(db_path, row(1))
    first = client.get("/")
    assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["ETag"] != first.headers["ETag"]  # one validator per encoding
    assert client.get("/", headers={"Accept-Encoding": "gzip",
                                    "If-None-Match": zipped.headers["ETag"]}).status_code == 304

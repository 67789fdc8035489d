"""Security headers on every kind of response: pages, API, static files, errors, console."""

import re

import pytest

from tests.factories import load, row

PATHS = ["/", "/nearest?lat=22.5&lon=113", "/map", "/facilities/room-1",
         "/api/nearest?lat=22.5&lon=113", "/api/facilities", "/api/nope", "/nope",
         "/static/css/site.css", "/healthz", "/admin/login", "/admin/"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_headers(client, db_path, path):
    load(db_path, row(1))
    response = client.get(path)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "'unsafe-inline'" not in csp.split(
        "style-src-attr")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=(self)" in headers["Permissions-Policy"]
    response.close()


def test_the_nonce_changes_per_response_and_inline_scripts_carry_it(client, db_path):
    load(db_path, row(1))
    nonces = set()
    for _ in range(2):
        response = client.get("/nearest?lat=22.5&lon=113")
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
        nonces.add(nonce)
        html = response.get_data(as_text=True)
        for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
            assert "application/json" in tag or f'nonce="{nonce}"' in tag, tag
        assert not re.findall(r"<[a-z]+\s[^>]*\bon[a-z]+\s*=", html)  # no inline handlers
    assert len(nonces) == 2

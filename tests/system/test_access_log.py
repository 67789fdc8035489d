"""Access logs keep no visitor's position or search text (PIPL): gunicorn's, and the
development server's of `make run`."""

import http.client
import logging
import threading

import pytest
from werkzeug.serving import make_server

from locator.web.access_log import private_query, private_target
from tests.processes import Gunicorn

PERSONAL = ("/nearest?lat=22.5312&lon=113.0871&q=%E6%88%91%E5%AE%B6%E6%A5%BC%E4%B8%8B"
            "&category=bus_stop")


@pytest.mark.parametrize("query, logged", [
    ("lat=22.5312&lon=113.0871&category=bus_stop", "lat=-&lon=-&category=bus_stop"),
    ("q=%E6%88%91%E5%AE%B6&lang=zh", "q=-&lang=zh"),
    ("bbox=112.9,22.4,113.1,22.6&limit=20&page=2", "bbox=-&limit=20&page=2"),
    ("category=%E6%88%91%E5%AE%B6", "category=-"),  # free text in a kept key
    ("amenity=changing_table,hot_water&open_now", "amenity=changing_table,hot_water&open_now"),
    ("from=22.5,113.0&&x", "from=-&x"),
    ("", ""),
])
def test_query_values_are_kept_only_for_harmless_keys(query, logged):
    assert private_query(query) == logged


def test_targets_and_urls_keep_their_path():
    assert private_target("/facilities/abc") == "/facilities/abc"
    assert private_target("https://x.cn/nearest?lat=1&lon=2") == "https://x.cn/nearest?lat=-&lon=-"


def test_gunicorn_access_log_has_no_coordinates_and_no_search_text(tmp_path):
    log_path = tmp_path / "access.log"
    server = Gunicorn.on_sample(tmp_path, workers=1, args=("--access-logfile", str(log_path)))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", PERSONAL, headers={
            "Referer": f"{server.url}/?lat=22.5312&lon=113.0871", "User-Agent": "PhoneBrowser/1"})
        assert conn.getresponse().read()
        conn.close()
    finally:
        server.stop()
    log = log_path.read_text()
    assert '"GET /nearest?lat=-&lon=-&q=-&category=bus_stop HTTP/1.1" 200' in log
    for personal in ("22.53", "113.08", "%E6", "我", "PhoneBrowser"):
        assert personal not in log
    assert "127.0.0.1" in log  # the address stays, for abuse handling


def test_development_server_log_has_no_coordinates_and_no_search_text(app, caplog):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            conn.request("GET", PERSONAL)
            conn.getresponse().read()
            conn.close()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /nearest?lat=-&lon=-&q=-&category=bus_stop HTTP/1.1" in line for line in lines)
    assert not any("22.53" in line or "我" in line for line in lines)

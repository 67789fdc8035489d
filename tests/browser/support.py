"""What the browser tests share: Debian's chromium, a local tile stub, the app on 127.0.0.1."""

import contextlib
import os
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Every browser test module carries this mark: `make test` passes where chromium is absent.
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="needs Debian's chromium: apt-get install chromium (.ci/run installs it)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(ROOT, "test-artifacts")
TILE_URL = "/__tiles/{z}/{x}/{y}.png"
# A 1×1 light grey PNG: what every stub tile returns.
TILE = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
                     "0000000c49444154789c6378f1e60900057802b95355da690000000049454e44ae426082")


def tile_stub(app):
    """Wrap the app: /__tiles/… answers a PNG, as a local tile server would. Every other answer
    is read whole and its file closed before it is sent: when the browser drops a request half
    way (a page closed while its icons load), werkzeug's test server would otherwise leave the
    static file open, and the ResourceWarning fails whichever test runs next."""
    def wsgi(environ, start_response):
        if environ["PATH_INFO"].startswith("/__tiles/"):
            start_response("200 OK", [("Content-Type", "image/png"),
                                      ("Content-Length", str(len(TILE)))])
            return [TILE]
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """Serve the app (with the tile stub) from a thread on a free 127.0.0.1 port."""
    httpd = make_server("127.0.0.1", 0, tile_stub(app), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join()


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's chromium, headless, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def stub_off_host(context) -> list[str]:
    """Let the browser context reach 127.0.0.1 only: stub every other request with a tile and
    return the list it records them in (a test asserts it stays empty)."""
    external: list[str] = []

    def route(r):
        """Let 127.0.0.1 through; stub and record anything else."""
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            external.append(r.request.url)
            r.fulfill(status=200, content_type="image/png", body=TILE)
    context.route("**/*", route)
    return external

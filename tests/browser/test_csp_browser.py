"""The Content-Security-Policy really blocks injected inline script in a browser, while the
pages' own scripts (files and nonce-carrying inline ones) run."""

from tests.browser.support import needs_chromium
from tests.browser.test_pages_browser import Phone, server  # noqa: F401 — fixtures (browser: conftest.py)

pytestmark = needs_chromium

INJECTED = b"<script>window.__injected = true; alert('injected')</script>"


def test_an_injected_inline_script_is_blocked(browser, server):  # noqa: F811
    phone = Phone(browser, server)
    page = phone.page
    violations = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)

    def inject(route):
        # Serve the real page with its real headers (CSP included), plus a script an attacker
        # managed to smuggle into the HTML.
        response = route.fetch()
        body = response.body().replace(b"</body>", INJECTED + b"</body>")
        route.fulfill(response=response, body=body)

    page.route(server + "/nearest?*", inject)
    phone.open("/nearest?lat=22.5281&lon=113.031&category=nursing_room")
    assert page.evaluate("window.__injected === undefined")
    assert not phone.dialogs
    assert any("inline script" in v or "script-src" in v for v in violations), violations
    # The page's own script still ran: the map drew its markers.
    assert page.locator(".leaflet-marker-icon, .leaflet-interactive").count() > 0
    phone.close()

"""The page controls at phone size: pins, the list/map switch, filters, refused location, share,
locate-me on /map. Same server, phone and offline rules as test_pages_browser.py."""

import pytest

from tests.browser.support import needs_chromium
from tests.browser.test_pages_browser import Phone, browser, server  # noqa: F401 (fixtures)

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium
NEAREST = "/nearest?lat=22.5281&lon=113.031&category=nursing_room"


@pytest.fixture
def phone(browser, server):  # noqa: F811 (the imported fixtures)
    """A phone with geolocation granted in Xinhui."""
    device = Phone(browser, server)
    yield device
    device.close()


def test_pin_numbers_sit_in_the_middle_of_their_circle(phone):
    page = phone.open(NEAREST)
    offsets = page.evaluate("""() => [...document.querySelectorAll('.leaflet-marker-icon.pin')]
        .map(pin => {
            const c = pin.getBoundingClientRect();
            const n = pin.querySelector('span').getBoundingClientRect();
            return [c.left + c.width / 2 - (n.left + n.width / 2),
                    c.top + c.height / 2 - (n.top + n.height / 2)];
        })""")
    assert len(offsets) == 5
    assert all(abs(dx) <= 1 and abs(dy) <= 1.5 for dx, dy in offsets), offsets

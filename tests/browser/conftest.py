"""The browser tests' shared fixture: one headless chromium per module."""

import pytest

from tests.browser.support import chromium


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless (each module skips without it: support.needs_chromium)."""
    with chromium() as launched:
        yield launched

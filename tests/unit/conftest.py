"""Fixtures of the unit tier."""

import os

import pytest
from babel.support import Translations

from tests.processes import ROOT


@pytest.fixture(scope="session")
def chinese():
    """The importer catalogue's gettext in Chinese (compiled as the README says)."""
    folder = os.path.join(ROOT, "locator", "translations")
    if not os.path.exists(os.path.join(folder, "zh", "LC_MESSAGES", "importer.mo")):
        pytest.skip("compile the catalogues first: make (pybabel compile)")
    return Translations.load(folder, ["zh"], domain="importer").ugettext

"""Fixtures of the unit tier."""

import os

import pytest
from babel.support import Translations

import locator.store.postgres.connection as postgres_connection
from locator import datasets
from locator.store import Store
from tests import postgres
from tests.processes import ROOT

FIXTURE = os.path.join(ROOT, "tests", "data", "search_fixture.csv")


@pytest.fixture(scope="session")
def chinese():
    """The importer catalogue's gettext in Chinese (compiled as the README says)."""
    folder = os.path.join(ROOT, "locator", "translations")
    if not os.path.exists(os.path.join(folder, "zh", "LC_MESSAGES", "importer.mo")):
        pytest.skip("compile the catalogues first: make (pybabel compile)")
    return Translations.load(folder, ["zh"], domain="importer").ugettext


@pytest.fixture(scope="module", params=postgres.ENGINES)
def fixture_store(request, tmp_path_factory):
    """The search fixture (the README's search table) imported through the real importer, on
    each engine."""
    store = Store(postgres.new_store_target(request.param, str(tmp_path_factory.mktemp("search"))))
    store.migrate()
    with open(FIXTURE, "rb") as fh:
        checked = datasets.check_file(store, fh.read(), "search_fixture.csv")
    assert checked.result.ok
    datasets.apply_import(store, checked, "search_fixture.csv", actor="test")
    yield store
    store.close()
    postgres_connection.close_pools()

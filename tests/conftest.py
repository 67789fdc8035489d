"""Shared fixtures: an app on a fresh SQLite file in tmp_path, its client and CLI runner."""

import pytest

from locator import create_app
from locator.store import Store


@pytest.fixture
def db_path(tmp_path):
    """A database file path in this test's own folder."""
    return str(tmp_path / "locator.sqlite")


@pytest.fixture
def app(db_path):
    """The app on an empty, migrated database."""
    # BATCH_NICE 0: the CLI runs in this process here, and a nice() cannot be taken back.
    app = create_app({"TESTING": True, "DATABASE": db_path, "BATCH_NICE": 0})
    store = Store(db_path)
    store.migrate()
    store.close()
    return app


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def store(db_path):
    """A migrated store on this test's database file."""
    store = Store(db_path)
    store.migrate()
    yield store
    store.close()

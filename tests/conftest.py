"""Shared fixtures: an app on a fresh SQLite file in tmp_path, its client and CLI runner.

The tests come in tiers, one folder each; `make check` runs the first two, `make test` all:
- tests/unit: our code called directly (no Flask app, no server);
- tests/web: the app through Flask's test client and CLI runner, in this process;
- tests/system: real processes (gunicorn, nginx, the CLI as a child), kills, full and read-only
  disks (root only), load;
- tests/browser: the pages in Debian's chromium (skips until `apt-get install chromium`).

A module marked `pytest.mark.engines` runs each of its tests that use a database twice: on an
SQLite file and on PostgreSQL + PostGIS (a private cluster, tests/postgres.py; those skip, saying
what to install, where PostgreSQL is missing).
"""

import pytest
import werkzeug.security
from hypothesis import HealthCheck, settings

import locator.store.postgres.connection as postgres_connection
from locator import create_app
from locator.store import Store
from tests import postgres

# Property tests judge results, never time: a shared CI machine can take a second over one
# example, and hypothesis' default 200 ms deadline would then fail a correct test. Speed is
# measured in bench/.
settings.register_profile("locator", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("locator")


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """New password hashes in this process use scrypt with N=2**10 instead of werkzeug's 2**15."""
    # The hash records its own cost, so checking it is as cheap and logins work the same; at
    # the real cost hashing was a third of the unit and web tiers' time. Patched on the function
    # itself: its default method is read wherever it was imported.
    monkeypatch.setattr(werkzeug.security.generate_password_hash, "__defaults__",
                        ("scrypt:1024:8:1", 16))


def pytest_generate_tests(metafunc):
    """Run the tests of modules marked `engines` once per engine (but those marked
    `sqlite_only`: what they check is SQLite's own, e.g. its file or pragmas)."""
    marked = metafunc.definition.get_closest_marker
    if marked("engines") and not marked("sqlite_only") and "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", postgres.ENGINES, indirect=True)


@pytest.fixture(scope="session")
def postgres_cluster():
    """The test session's private PostgreSQL cluster (skips where PostgreSQL is missing)."""
    cluster = postgres.shared_cluster()
    if cluster is None:
        pytest.skip(postgres.SKIP_REASON)
    return cluster


def pytest_sessionfinish(session, exitstatus):
    """Stop the PostgreSQL cluster if a test started it."""
    postgres_connection.close_pools()
    postgres.stop_shared()


@pytest.fixture
def engine(request):
    """The storage engine under test: "sqlite" unless the module is marked `engines`."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_path(tmp_path, engine, request):
    """This test's database: a file in its own folder, or a fresh PostgreSQL schema."""
    if engine == "sqlite":
        return str(tmp_path / "locator.sqlite")
    url = request.getfixturevalue("postgres_cluster").new_schema()
    # Each URL has its pool: give its connections back when the test ends.
    request.addfinalizer(postgres_connection.close_pools)
    return url


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
    """A CLI runner whose messages are English whatever the machine's locale (they follow LANG)."""
    return app.test_cli_runner(env={"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"})


@pytest.fixture
def write(tmp_path):
    """Write bytes to a named file in tmp_path and return its path."""
    def write(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)
    return write


@pytest.fixture
def store(db_path):
    """A migrated store on this test's database file."""
    store = Store(db_path)
    store.migrate()
    yield store
    store.close()

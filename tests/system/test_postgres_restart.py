"""The PostgreSQL primary crashes (pg_ctl stop -m immediate) while a large CLI import writes,
then starts again: the import fails with one plain message, the dataset is still the old
version with none of the new rows, the app server says 503 meanwhile and serves again by
itself after the restart, and the same import then succeeds. (docs/deployment-postgres.md.)"""

import time

import pytest
import requests

from bench.make_dataset import dataset_csv
from locator.store import Store
from locator.store.postgres import schema
from tests import postgres
from tests.processes import Gunicorn, flask_cli, run_cli

ROWS = 30000  # its write transaction lasts seconds: the crash comes while it is open


@pytest.fixture
def primary():
    """A cluster of its own: this test crashes it."""
    bin_dir = postgres.server_bin()
    if bin_dir is None:
        pytest.skip(postgres.SKIP_REASON)
    cluster = postgres.Cluster(bin_dir)
    yield cluster
    cluster.close()


def writing(cluster: postgres.Cluster) -> bool:
    """Whether a session holds the store's write lock: an import inside its transaction."""
    return bool(cluster.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                            f" AND granted AND objid = {schema.WRITE_LOCK}"))


def health(url: str) -> int:
    """/healthz's status code."""
    return requests.get(url + "/healthz", timeout=30).status_code


def test_primary_crash_mid_import_changes_nothing_and_everything_recovers(primary, tmp_path):
    url = primary.url()
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_bytes(dataset_csv(2000, seed=1))
    new.write_bytes(dataset_csv(ROWS, seed=2))
    run_cli(url, "facilities", "import", str(old))
    server = Gunicorn(url, workers=1)
    try:
        importing = flask_cli(url, "facilities", "import", "--yes", str(new))
        deadline = time.monotonic() + 240
        while not writing(primary):
            assert importing.poll() is None, importing.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        primary.stop("immediate")
        out, err = importing.communicate(timeout=120)
        assert health(server.url) == 503
        primary.start()

        # One plain line, no traceback, and the truth: nothing was changed.
        assert importing.returncode == 1, (out, err)
        message = err.decode()
        assert "Traceback" not in message, message
        assert ("Error: could not write the database: the database server cannot be reached;"
                " nothing was changed.") in message, message
        store = Store(url)
        try:
            assert store.integrity_ok()
            assert store.versions.current_number() == 1 and store.facilities.count() == 2000
            assert store.facilities.by_id() == {r["id"]: r for r in store.versions.records(1)}
        finally:
            store.close()

        # The app server reconnects by itself (its pool checks each connection it lends).
        deadline = time.monotonic() + 60
        while health(server.url) != 200:
            assert time.monotonic() < deadline, "the server never served again"
            time.sleep(0.5)
        assert requests.get(server.url + "/healthz", timeout=30).json()["dataset_version"] == 1

        # The same import again: it succeeds, and the server serves it.
        assert "Imported as version 2." in run_cli(url, "facilities", "import", "--yes", str(new))
        assert requests.get(server.url + "/healthz", timeout=30).json() | {"imported_at": ""} \
            == {"status": "ok", "dataset_version": 2, "facilities": ROWS, "imported_at": ""}
    finally:
        server.stop()

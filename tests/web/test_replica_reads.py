"""Which database a request reads with LOCATOR_DATABASE_REPLICA set: public GETs the replica,
POSTs and a browser after an admin's change the primary, and the primary while the replica
cannot be reached. Here the "replica" is a second schema holding other data, so each answer
says where it was read. (tests/system/test_postgres_replica.py does it with real streaming.)
Every test here uses the `postgres_cluster` fixture: without PostgreSQL they skip, saying what
to install."""

import time

import pytest

import locator.db as db
import locator.store.postgres.connection as postgres_connection
from locator import create_app
from tests.factories import load, row

UNREACHABLE = "postgresql://postgres@/locator?host=%2Fnonexistent-locator-replica&port=5432"


@pytest.fixture
def primary(postgres_cluster, request):
    """A schema at version 2 (two imports)."""
    request.addfinalizer(postgres_connection.close_pools)
    url = postgres_cluster.new_schema()
    load(url, row(1))
    load(url, row(1), row(2))
    return url


def version(client, **kw) -> int:
    """The dataset version /healthz reports."""
    response = client.get("/healthz", **kw)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["dataset_version"]


def test_public_gets_read_the_replica_and_the_cookie_the_primary(postgres_cluster, primary):
    replica = postgres_cluster.new_schema()
    load(replica, row(1))  # version 1: "behind"
    client = create_app({"TESTING": True, "DATABASE": primary,
                         "DATABASE_REPLICA": replica}).test_client()
    assert version(client) == 1
    assert client.get("/api/nearest?lat=22.5&lon=113").get_json()["dataset_version"] == 1
    client.set_cookie(db.PRIMARY_COOKIE, "1")
    assert version(client) == 2


def test_an_unreachable_replica_sends_public_reads_to_the_primary(primary, monkeypatch):
    monkeypatch.setattr(db, "REPLICA_WAIT_S", 0.2)
    monkeypatch.setattr(db, "_replica_rests_until", {})
    client = create_app({"TESTING": True, "DATABASE": primary,
                         "DATABASE_REPLICA": UNREACHABLE}).test_client()
    assert version(client) == 2
    # The worker leaves the replica alone for a while: the next reads go straight to the primary.
    assert db._replica_rests_until[UNREACHABLE] > time.monotonic()
    assert client.get("/nearest?lat=22.5&lon=113").status_code == 200

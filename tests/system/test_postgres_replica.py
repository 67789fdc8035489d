"""A node with LOCATOR_DATABASE_REPLICA: public GETs read a streaming replica, admin work and
every POST the primary, and an admin's browser reads the primary after a change
(read-your-writes). Proved by pausing the replica's replay: the public still sees the old
version while the admin sees the new one. A replica that stops or restarts never costs a public
page: the node reads the primary meanwhile. (docs/deployment-postgres.md.)"""

import time

import pytest
import requests

from tests import postgres
from tests.factories import csv_bytes, row
from tests.http_console import Console, create_admin
from tests.processes import Gunicorn, run_cli

NEAR = "/api/nearest?lat=22.501&lon=113.001&limit=50"
PUBLIC = ("/", "/nearest?lat=22.501&lon=113.001", "/map", "/map/points.json", NEAR,
          "/api/facilities", "/facilities/room-1", "/healthz")


@pytest.fixture(scope="module")
def clusters():
    """A primary of its own (this module stops its replica) and its streaming replica."""
    bin_dir = postgres.server_bin()
    if bin_dir is None:
        pytest.skip(postgres.SKIP_REASON)
    primary = postgres.Cluster(bin_dir)
    try:
        replica = primary.replica()
    except BaseException:
        primary.close()
        raise
    yield primary, replica
    replica.close()
    primary.close()


@pytest.fixture(scope="module")
def node(clusters, tmp_path_factory):
    """One node (two workers) over the primary and its replica, holding version 1."""
    primary, replica = clusters
    tmp_path = tmp_path_factory.mktemp("node")
    first = tmp_path / "v1.csv"
    first.write_bytes(csv_bytes(*(row(i) for i in range(1, 11))))
    run_cli(primary.url(), "facilities", "import", str(first))
    create_admin(primary.url())
    caught_up(replica, 1)
    server = Gunicorn(primary.url(), workers=2, env={
        "LOCATOR_DATABASE_REPLICA": replica.url(), "LOCATOR_SESSION_COOKIE_SECURE": "false",
        "LOCATOR_SECRET_KEY_FILE": str(tmp_path / "secret_key")})
    yield server
    server.stop()


def caught_up(replica: postgres.Cluster, version: int, within_s: float = 30) -> None:
    """Wait until the replica has replayed dataset version `version`."""
    deadline = time.monotonic() + within_s
    while replica.sql("SELECT coalesce(max(number), 0) FROM versions") < version:
        assert time.monotonic() < deadline, f"the replica never reached version {version}"
        time.sleep(0.05)


def public_version(url: str) -> int:
    """The dataset version a visitor without cookies is served by the API."""
    return requests.get(url + NEAR, timeout=30).json()["dataset_version"]


def names(response: requests.Response) -> set[str]:
    """The names /api/nearest answered."""
    return {r["name"] for r in response.json()["results"]}


def test_public_reads_the_replica_admin_and_posts_the_primary(clusters, node):
    primary, replica = clusters
    admin = Console(node.url)  # signing in is a POST: it reached the primary
    old = public_version(node.url)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        renamed = csv_bytes(row(1, name="新名字"), *(row(i) for i in range(2, 11)))
        done = admin.confirm(admin.preview(renamed, "v2.csv"))  # POSTs: the replica is read-only
        assert f"Imported v2.csv as version {old + 1}." in done.text
        # The replica has not replayed the new version: visitors are served the old one ...
        for path in PUBLIC:  # every public page answers from the lagging replica
            assert requests.get(node.url + path, timeout=30).status_code == 200, path
        for _ in range(6):
            assert public_version(node.url) == old
            assert requests.get(node.url + "/healthz", timeout=30).json()[
                "dataset_version"] == old
        # ... while the admin, after their change, reads the primary, on public pages too.
        assert "v2.csv" in admin.get("/admin/history").text
        mine = admin.get(NEAR)
        assert mine.json()["dataset_version"] == old + 1 and "新名字" in names(mine)
        assert "新名字" in admin.get("/nearest?lat=22.501&lon=113.001").text
        # A visitor's report is a POST: stored on the primary while the replica is paused.
        report = requests.post(node.url + "/api/facilities/room-2/reports", timeout=30,
                               json={"kind": "closed", "note": "锁门了"})
        assert report.status_code == 201, report.text
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    caught_up(replica, old + 1)
    for _ in range(6):
        assert public_version(node.url) == old + 1


def test_a_replica_that_stops_costs_no_public_page(clusters, node, tmp_path):
    primary, replica = clusters
    replica.stop("immediate")
    try:
        for path in PUBLIC * 2:  # each worker: the down replica is noticed, the primary read
            response = requests.get(node.url + path, timeout=30)
            assert response.status_code == 200, (path, response.status_code, response.text)
    finally:
        replica.start()
    # Back: public reads return to the replica. Proved by pausing its replay again: a new
    # version on the primary stays unseen by visitors.
    deadline = time.monotonic() + 60
    before = public_version(node.url)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        fewer = tmp_path / "fewer.csv"
        fewer.write_bytes(csv_bytes(*(row(i) for i in range(1, 6))))
        run_cli(primary.url(), "facilities", "import", "--yes", str(fewer))
        seen = []
        while len(seen) < 6 or set(seen[-6:]) != {before}:
            assert time.monotonic() < deadline, f"reads never returned to the replica: {seen}"
            seen.append(public_version(node.url))
            time.sleep(0.2)
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")

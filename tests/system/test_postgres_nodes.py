"""Three gunicorn nodes over one PostgreSQL database, as behind a load balancer: an import or
a rollback through any one of them (the console, or the CLI beside them) is what every node
serves right after — health, API, pages and the map's data, whatever each worker had cached.
(docs/deployment-postgres.md shows this setup by hand.)"""

import pytest
import requests

from tests.factories import csv_bytes, row
from tests.http_console import Console, create_admin
from tests.processes import Gunicorn, flask_cli, run_cli

NODES = 3
ORIGIN = "lat=22.501&lon=113.001"  # room-1, which version 2 renames


@pytest.fixture
def nodes(postgres_cluster, tmp_path):
    """Three nodes (two workers each) on one fresh database holding version 1 (30 rooms)."""
    url = postgres_cluster.new_database()
    first = tmp_path / "v1.csv"
    first.write_bytes(csv_bytes(*(row(i) for i in range(1, 31))))
    run_cli(url, "facilities", "import", str(first))  # migrates the new database first
    create_admin(url)
    # One secret key for every node: a session signed by one is valid on the others.
    env = {"LOCATOR_SESSION_COOKIE_SECURE": "false",
           "LOCATOR_SECRET_KEY_FILE": str(tmp_path / "secret_key")}
    started = []
    try:
        for _ in range(NODES):
            started.append(Gunicorn(url, workers=2, env=env))
        yield url, started
    finally:
        for node in started:
            node.stop()


def served(node: Gunicorn) -> tuple:
    """What one request each to health, the API, the nearest page and the map data shows."""
    health = requests.get(node.url + "/healthz", timeout=30).json()
    near = requests.get(f"{node.url}/api/nearest?{ORIGIN}&limit=50", timeout=30).json()
    listed = requests.get(node.url + "/api/facilities?limit=100", timeout=30).json()
    page = requests.get(f"{node.url}/nearest?{ORIGIN}&lang=zh", timeout=30)
    points = requests.get(node.url + "/map/points.json?lang=en", timeout=30)
    assert page.status_code == points.status_code == 200
    return (health["dataset_version"], near["dataset_version"],
            tuple((r["id"], r["name"]) for r in near["results"]),
            tuple(f["id"] for f in listed["features"]), listed["dataset_version"],
            "新名字" in page.text, points.headers["ETag"])


def everywhere(nodes: list[Gunicorn], times: int = 6) -> set[tuple]:
    """Every distinct answer the nodes give, asking each `times` times (so that each of its
    workers answers, new connections going to whichever worker accepts first)."""
    return {served(node) for node in nodes for _ in range(times)}


def test_every_node_serves_a_change_made_through_any_one(nodes, tmp_path):
    url, (a, b, c) = nodes
    [before] = everywhere([a, b, c])  # every worker has served (and cached) version 1
    assert before[0] == 1 and len(before[2]) == 30 and not before[5]

    # The console on node A: preview there, confirm on node B (the upload waits in the
    # database, so the load balancer may send the two requests to different nodes).
    admin = Console(a.url)
    renamed = csv_bytes(row(1, name="新名字"), *(row(i) for i in range(2, 30)), row(31))
    admin.confirm(admin.preview(renamed, "v2.csv"), url=b.url)
    [second] = everywhere([a, b, c])
    assert second[:2] == (2, 2) and second[5]
    assert ("room-1", "新名字") in second[2] and "room-30" not in second[3]
    assert "room-31" in second[3] and second[6] != before[6]

    # The CLI beside the nodes (a cron job, an operator): version 3.
    third_file = tmp_path / "v3.csv"
    third_file.write_bytes(csv_bytes(*(row(i) for i in range(1, 21))))
    run_cli(url, "facilities", "import", "--yes", str(third_file))
    [third] = everywhere([a, b, c])
    assert third[0] == 3 and len(third[3]) == 20 and third[6] not in (before[6], second[6])

    # Rollback on node C to version 1: version 4, which every node serves as version 1 was,
    # down to the map data's ETag.
    admin.rollback(1, url=c.url)
    [fourth] = everywhere([a, b, c])
    assert fourth[:2] == (4, 4) and fourth[2:4] == before[2:4] and fourth[6] == before[6]
    history = admin.get("/admin/history", a.url).text
    assert "restored version 1" in history


def test_three_servers_may_run_init_on_a_new_database_at_once(postgres_cluster):
    url = postgres_cluster.new_database()
    # As when every node's start script runs it: the migration lock makes them take turns.
    starts = [flask_cli(url, "facilities", "init") for _ in range(NODES)]
    said = [proc.communicate(timeout=300) for proc in starts]
    assert [proc.returncode for proc in starts] == [0] * NODES, said
    # One of them loaded the sample as version 1; the others found it there.
    out = sorted(o.decode().strip().splitlines()[-1] for o, _ in said)
    assert out.count("Database ready: version 1.") == NODES - 1, out
    assert postgres_cluster.sql("SELECT max(number) FROM versions", url.split("?")[0]
                                .rsplit("/", 1)[1]) == 1

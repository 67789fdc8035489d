"""Readers under load during replace imports and rollbacks, served by gunicorn: no errors,
and every response shows exactly one dataset version, on either engine."""

import http.client
import json
import multiprocessing
import random
import re
import time

import pytest

from bench.make_dataset import dataset_csv
from tests.processes import Gunicorn, run_cli

# On PostgreSQL too: REPEATABLE READ snapshots must show readers one version, as WAL does.
pytestmark = pytest.mark.engines

_RNG = random.Random(7)
ORIGINS = [(_RNG.uniform(22.2, 22.8), _RNG.uniform(112.8, 113.2)) for _ in range(50)]
NAME = re.compile(r"([AB])设施\d{7}")


def generation(tmp_path, n: int, tag: str) -> str:
    """n synthetic rows whose names start with tag ('A' or 'B') and whose source is gen-TAG."""
    text = dataset_csv(n).decode().replace("合成设施", f"{tag}设施").replace(
        ",synthetic,", f",gen-{tag},")
    path = tmp_path / f"gen-{tag}.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def hammer(port: int, stop, seconds: float, out) -> None:
    """Request /api/nearest and /nearest in turn until `stop` is set (or `seconds` pass);
    send back (kind, status, version, tags)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    rng, seen = random.Random(), []
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        lat, lon = rng.choice(ORIGINS)
        for kind in ("api", "page"):
            path = "/api/nearest" if kind == "api" else "/nearest"
            try:
                conn.request("GET", f"{path}?lat={lat}&lon={lon}&limit=10")
                response = conn.getresponse()
                body = response.read().decode()
            except (OSError, http.client.HTTPException) as exc:
                seen.append((kind, repr(exc), None, set()))
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            seen.append((kind, response.status, *_generation_of(kind, body)))
    out.put(seen)


def _generation_of(kind: str, body: str):
    """(dataset version or None, the set of generation tags) a response shows."""
    if kind == "api":
        data = json.loads(body)
        return data["dataset_version"], {r["source"][-1] for r in data["results"]}
    return None, set(NAME.findall(body))


def test_readers_see_one_version_while_imports_and_rollbacks_run(tmp_path, db_path):
    gen_a, gen_b = generation(tmp_path, 4000, "A"), generation(tmp_path, 3000, "B")
    run_cli(db_path, "facilities", "import", gen_a)
    server = Gunicorn(db_path, workers=2)
    ctx = multiprocessing.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    # Readers run for as long as the imports take (a loaded machine makes them slower), so that
    # every version is read while it is current.
    clients = [ctx.Process(target=hammer, args=(server.port, stop, 300, out)) for _ in range(3)]
    try:
        for client in clients:
            client.start()
        versions = {1: "A"}
        for number, (path, tag) in enumerate([(gen_b, "B"), (gen_a, "A"), (gen_b, "B")], 2):
            run_cli(db_path, "facilities", "import", path, "--yes")
            versions[number] = tag
        run_cli(db_path, "facilities", "rollback", "1")
        versions[5] = "A"
        time.sleep(1)  # the rolled-back version is read too
        stop.set()
        results = [item for _ in clients for item in out.get(timeout=120)]
    finally:
        for client in clients:
            client.join(30)
        server.stop()
    assert len(results) > 50
    assert {status for _kind, status, _v, _t in results} == {200}
    for kind, _status, version, tags in results:
        assert len(tags) == 1, (kind, version, tags)  # never a mix of two datasets
        if version is not None:
            assert tags == {versions[version]}, (version, tags)
    assert {t for *_, tags in results for t in tags} == {"A", "B"}  # both were served

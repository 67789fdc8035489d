"""Real processes: an import killed half-way, and readers during a replace import."""

import multiprocessing
import signal
import time

from bench.make_dataset import dataset_csv
from locator.store import Store
from tests.processes import flask_cli, run_cli, wal_size


def generation(n: int, tag: str, tmp_path) -> str:
    """A CSV of n synthetic rows whose `source` is `tag`, written to tmp_path."""
    text = dataset_csv(n).decode().replace(",synthetic,", f",{tag},")
    path = tmp_path / f"{tag}.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def snapshot(store: Store) -> tuple[int, set[str], int]:
    """(version, the set of generation tags, row count), read in one transaction."""
    with store.reading():
        version = store.versions.current()["number"]
        tags = {row[0] for row in store.db.execute("SELECT DISTINCT source FROM facilities")}
        return version, tags, store.facilities.count()


def test_import_killed_half_way_leaves_previous_version(tmp_path, db_path):
    small, big = generation(200, "gen-a", tmp_path), generation(60000, "gen-b", tmp_path)
    run_cli(db_path, "facilities", "import", small)
    wal = db_path + "-wal"
    proc = flask_cli(db_path, "facilities", "import", big, "--yes")
    try:
        # Kill once the write transaction is visibly under way (pages spilling into the WAL;
        # the WAL file is gone while no connection is open).
        deadline = time.monotonic() + 120
        while wal_size(wal) < 2_000_000 and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        assert proc.poll() is None, "import finished before it could be killed: use a larger file"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    store = Store(db_path)
    assert store.integrity_ok()
    assert snapshot(store) == (1, {"gen-a"}, 200)
    store.close()
    run_cli(db_path, "facilities", "import", big, "--yes")  # and the database still works
    assert "gen-b" in run_cli(db_path, "facilities", "export", "-")


def _reader(db_path: str, stop, errors, reads) -> None:
    """Read snapshots until told to stop; record any that mixes two generations."""
    store = Store(db_path)
    expected = {"gen-a": 3000, "gen-b": 2000}
    while not stop.is_set():
        version, tags, count = snapshot(store)
        if len(tags) != 1 or count != expected[next(iter(tags))]:
            errors.put((version, sorted(tags), count))
        reads.value += 1
    store.close()


def test_readers_never_see_a_half_applied_import(tmp_path, db_path):
    gen_a, gen_b = generation(3000, "gen-a", tmp_path), generation(2000, "gen-b", tmp_path)
    run_cli(db_path, "facilities", "import", gen_a)
    ctx = multiprocessing.get_context("spawn")
    stop, errors, reads = ctx.Event(), ctx.Queue(), ctx.Value("i", 0)
    readers = [ctx.Process(target=_reader, args=(db_path, stop, errors, reads)) for _ in range(2)]
    for p in readers:
        p.start()
    try:
        for path in (gen_b, gen_a, gen_b):
            run_cli(db_path, "facilities", "import", path, "--yes")
        run_cli(db_path, "facilities", "rollback", "1")
    finally:
        stop.set()
        for p in readers:
            p.join(60)
    assert errors.empty(), errors.get()
    assert reads.value > 10

"""How much 20 one-row edits of a 20,000-row dataset add to the database, and how long reading
and rolling back a version takes, with full snapshots (a keyframe every version, as before
deltas) and with deltas (a keyframe every 50).

Run: `python -m bench.version_storage_bench [N] [EDITS]`.
"""

import os
import statistics
import sys
import tempfile
import time

from bench.make_dataset import synthetic_records
from locator import datasets
from locator.ingest import exporter
from locator.store import Change, Store, version_deltas

TODAY = "2026-11-30"
RUNS = 5


def load(path: str, n: int, keyframe_every: int) -> Store:
    """A store holding n synthetic facilities as version 1."""
    records = synthetic_records(n)
    for record in records:
        record["lat"], record["lon"] = float(record["lat"]), float(record["lon"])
    store = Store(path)
    store.migrate()
    store.versions.keyframe_every = keyframe_every
    store.versions.commit(records, Change([r["id"] for r in records], [], [], 0),
                         actor="bench", kind="import")
    return store


def edit(store: Store, record: dict) -> None:
    """Mark one facility verified today as the console does: a one-row merged import."""
    data = exporter.write_csv([record | {"verified_on": TODAY}])
    checked = datasets.check_file(store, data, "edit.csv", merge=True)
    datasets.apply_import(store, checked, record["id"], actor="bench", kind="edit")


def sizes(store: Store) -> dict[str, int]:
    """File bytes, bytes of pages in use, and bytes the versions' blobs take (WAL moved in)."""
    db = store.db
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, free, page = (db.execute(f"PRAGMA {p}").fetchone()[0]
                         for p in ("page_count", "freelist_count", "page_size"))
    blobs = db.execute("SELECT sum(coalesce(length(snapshot), 0) + coalesce(length(delta), 0))"
                       " FROM versions").fetchone()[0]
    return {"file": os.path.getsize(store.path), "used": (pages - free) * page, "blobs": blobs}


def median_s(fn) -> float:
    """Median seconds of RUNS calls."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def once_s(fn) -> float:
    """Seconds for one call (one that changes the data cannot be repeated)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(n: int, edits: int, keyframe_every: int) -> dict:
    """Growth and timings for one storage mode on a fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        store = load(os.path.join(tmp, "bench.sqlite"), n, keyframe_every)
        before = sizes(store)
        targets = store.facilities.all()[:edits]
        start = time.perf_counter()
        for record in targets:
            edit(store, record)
        per_edit = (time.perf_counter() - start) / edits
        after = sizes(store)
        last = store.versions.current()["number"]
        row = {k: after[k] - before[k] for k in after} | {"edit": per_edit}
        row["read keyframe"] = median_s(lambda: store.versions.records(1))
        row["read newest"] = median_s(lambda: store.versions.records(last))
        row["chain"] = last - store.db.execute(
            "SELECT max(number) FROM versions WHERE snapshot IS NOT NULL").fetchone()[0]
        row["rollback oldest"] = once_s(lambda: datasets.rollback(store, 1, actor="bench"))
        row["rollback newest"] = once_s(lambda: datasets.rollback(store, last, actor="bench"))
        store.close()
        return row


def main(n: int, edits: int) -> None:
    """Print the table."""
    modes = {"full snapshots (keyframe every version)": 1,
             f"deltas (keyframe every {version_deltas.KEYFRAME_EVERY})":
             version_deltas.KEYFRAME_EVERY}
    print(f"{n:,} rows, {edits} one-row edits ('verified today'), each a version; sizes after a"
          f" WAL checkpoint; reads median of {RUNS}, rollbacks once\n")
    print("| storage | file growth MB | pages in use growth MB | version blobs growth MB"
          " | s per edit | read v1 (keyframe) s | read newest s (deltas replayed)"
          " | rollback to v1 s | rollback to newest s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, every in modes.items():
        r = run(n, edits, every)
        print(f"| {name} | {r['file'] / 1e6:.2f} | {r['used'] / 1e6:.2f} | {r['blobs'] / 1e6:.3f}"
              f" | {r['edit']:.2f} | {r['read keyframe']:.3f}"
              f" | {r['read newest']:.3f} ({r['chain']}) | {r['rollback oldest']:.2f}"
              f" | {r['rollback newest']:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
         int(sys.argv[2]) if len(sys.argv) > 2 else 20)

"""Replica lag after an import: a private PostgreSQL primary and its streaming replica on this
machine (tests/postgres.py), N imports through the real importer, and for each the time from
the primary's commit to the new version being visible on the replica.

Run: `python -m bench.replica_bench [IMPORTS] [ROWS]` (default 20 imports on 10,000 rows).
Each import changes either 1% of the rows (a merge of edits) or all of them (a full replace).
"""

import csv
import io
import statistics
import sys
import time

import psycopg

from bench.make_dataset import synthetic_records
from locator import datasets
from locator.core.records import COLUMNS
from locator.store import Store
from tests import postgres


def csv_of(records: list[dict]) -> bytes:
    """Records as CSV bytes."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


def edition(records: list[dict], share: float, k: int) -> list[dict]:
    """The records with the names of the first `share` of them marked with edition `k`."""
    changed = int(len(records) * share)
    return [r | {"name": f"{r['name']}·{k}"} if i < changed else r
            for i, r in enumerate(records)]


def visible_after(replica: psycopg.Connection, version: int, since: float) -> float:
    """Seconds from `since` until the replica shows dataset version `version`."""
    while True:
        number = replica.execute("SELECT coalesce(max(number), 0) FROM versions").fetchone()[0]
        if number >= version:
            return time.perf_counter() - since
        time.sleep(0.0005)


def measure(store, replica, records: list[dict], share: float, imports: int,
            first_k: int) -> tuple[list[float], list[float]]:
    """(commit seconds, lag seconds) of `imports` imports changing `share` of the rows."""
    commits, lags = [], []
    for k in range(first_k, first_k + imports):
        data = csv_of(edition(records, share, k))
        checked = datasets.check_file(store, data, f"edition-{k}.csv")
        started = time.perf_counter()
        applied = datasets.apply_import(store, checked, f"edition-{k}.csv", actor="bench")
        committed = time.perf_counter()
        commits.append(committed - started)
        lags.append(visible_after(replica, applied.version, committed))
    return commits, lags


def summary(values: list[float]) -> str:
    """median / p99 / max in ms."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (f"{statistics.median(ordered) * 1000:8.1f} {p99 * 1000:8.1f}"
            f" {ordered[-1] * 1000:8.1f}")


def main(imports: int = 20, rows: int = 10000) -> None:
    """Start the clusters, load `rows`, measure both kinds of import, print the table."""
    bin_dir = postgres.server_bin()
    if bin_dir is None:
        sys.exit(postgres.SKIP_REASON)
    primary = postgres.Cluster(bin_dir)
    replica = primary.replica()
    try:
        store = Store(primary.url())
        store.migrate()
        records = synthetic_records(rows)
        checked = datasets.check_file(store, csv_of(records), "base.csv")
        datasets.apply_import(store, checked, "base.csv", actor="bench")
        with psycopg.connect(replica.url(), autocommit=True) as follower:
            print(f"Replica lag: commit on the primary → version visible on the replica;"
                  f" {imports} imports each, {rows:,} rows, one machine")
            print(f"{'import':<22} {'commit median/p99/max ms':>27}"
                  f"   {'lag median/p99/max ms':>26}")
            for label, share, first in (("1% of rows changed", 0.01, 1),
                                        ("every row changed", 1.0, 1 + imports)):
                commits, lags = measure(store, follower, records, share, imports, first)
                print(f"{label:<22} {summary(commits):>27}   {summary(lags):>26}")
        store.close()
    finally:
        replica.close()
        primary.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

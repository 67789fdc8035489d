"""Validated import vs plain sqlite-utils insert_all of the same rows.

Run: `python -m bench.import_bench [N]`.
"""

import csv
import io
import os
import statistics
import sys
import tempfile
import time

import sqlite_utils

from bench.make_dataset import dataset_csv
from locator import datasets
from locator.store import Store

RUNS = 3


def plain_insert(data: bytes, path: str) -> None:
    """The baseline: parse the CSV and insert_all, no validation, no indexes."""
    rows = csv.DictReader(io.StringIO(data.decode("utf-8")))
    sqlite_utils.Database(path)["facilities"].insert_all(rows, batch_size=1000)


def validated_import(data: bytes, path: str) -> None:
    """The real thing: migrate, validate, diff, write with R*Tree/FTS, snapshot a version."""
    store = Store(path)
    store.migrate()
    checked = datasets.check_file(store, data, "bench.csv")
    assert checked.result.ok, checked.result.errors[:3]
    datasets.apply_import(store, checked, "bench.csv", actor="bench")
    store.close()


def timed(fn, data: bytes) -> float:
    """Seconds for one run of fn on a fresh database file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.sqlite")
        start = time.perf_counter()
        fn(data, path)
        return time.perf_counter() - start


def main(n: int) -> None:
    """Run both, interleaved, and print a table of medians."""
    data = dataset_csv(n)
    times = {"plain insert_all": [], "validated import": []}
    for _ in range(RUNS):
        times["plain insert_all"].append(timed(plain_insert, data))
        times["validated import"].append(timed(validated_import, data))
    base = statistics.median(times["plain insert_all"])
    print(f"{n:,} rows, median of {RUNS} interleaved runs each\n")
    print("| method | median s | rows/s | × plain |")
    print("|---|---:|---:|---:|")
    for name, runs in times.items():
        med = statistics.median(runs)
        print(f"| {name} | {med:.2f} | {n / med:,.0f} | {med / base:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

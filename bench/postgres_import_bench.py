"""Importing a file on PostgreSQL vs a bare COPY of the same rows, SQLite beside them:
`python -m bench.postgres_import_bench [--rows 100000] [--runs 3] [--profile]`.

Per run, interleaved, each into a new database of one private cluster (tests/postgres.py) or a
new SQLite file: the validated import (migrate, datasets.check_file, datasets.apply_import: what
`flask facilities import` runs) on PostgreSQL and on SQLite; the baselines are PostgreSQL's own
`COPY … FROM STDIN (FORMAT csv)` of the same CSV bytes into a table with the facilities' columns
and no index, and sqlite-utils' insert_all. --profile then imports once more on PostgreSQL
under cProfile and prints where the time went: this process's functions, and the wall time of
each SQL statement (the server's work plus the wait for it).
"""

import argparse
import collections
import contextlib
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Iterator

import psycopg

from bench.import_bench import plain_insert
from bench.make_dataset import dataset_csv
from bench.postgres_support import fresh_database, running_cluster
from locator import datasets
from locator.core.records import COLUMNS
from locator.store import Store

COPY_TABLE = ", ".join(f"{c} double precision" if c in ("lat", "lon") else f"{c} text"
                       for c in COLUMNS)


def validated_import(data: bytes, target: str) -> dict:
    """The real thing on either engine: seconds to check the file and to apply it."""
    start = time.perf_counter()
    store = Store(target)
    store.migrate()
    checked = datasets.check_file(store, data, "bench.csv")
    assert checked.result.ok, checked.result.errors[:3]
    checked_at = time.perf_counter()
    datasets.apply_import(store, checked, "bench.csv", actor="bench")
    store.close()
    return {"check": checked_at - start, "apply": time.perf_counter() - checked_at}


def bare_copy(data: bytes, url: str) -> dict:
    """The baseline: the server parses the CSV into a plain table, nothing checked or indexed."""
    start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE TABLE facilities_copy ({COPY_TABLE})")
        with cursor.copy(f"COPY facilities_copy ({', '.join(COLUMNS)}) FROM STDIN"
                         " (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
    return {"apply": time.perf_counter() - start}


def sqlite_insert_all(data: bytes, path: str) -> dict:
    """SQLite's baseline (bench/import_bench.py): csv.DictReader into insert_all."""
    start = time.perf_counter()
    plain_insert(data, path)
    return {"apply": time.perf_counter() - start}


def run_once(method: str, data: bytes, cluster, folder: str, run: int) -> dict:
    """One timed run of a method on a new database (made outside the timing)."""
    if method.endswith("(PostgreSQL)"):
        url = fresh_database(cluster, f"import_{run}")
        fn = validated_import if method.startswith("validated") else bare_copy
        return fn(data, url)
    path = os.path.join(folder, f"import-{run}-{METHODS.index(method)}.sqlite")
    fn = validated_import if method.startswith("validated") else sqlite_insert_all
    return fn(data, path)


METHODS = ("bare COPY (PostgreSQL)", "validated import (PostgreSQL)",
           "plain insert_all (SQLite)", "validated import (SQLite)")


def print_table(n: int, runs: int, times: dict[str, list[dict]]) -> None:
    """Medians per method, and ratios to its engine's baseline."""
    base = {"PostgreSQL": _median(times["bare COPY (PostgreSQL)"]),
            "SQLite": _median(times["plain insert_all (SQLite)"])}
    print(f"{n:,} rows, median of {runs} interleaved runs each (wall seconds)\n")
    print("| method | check s | apply s | total s | rows/s | × its engine's baseline"
          " | × bare COPY |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method, found in times.items():
        total = _median(found)
        check = statistics.median(t.get("check", 0.0) for t in found)
        apply = statistics.median(t["apply"] for t in found)
        engine = method.rsplit("(", 1)[1].rstrip(")")
        print(f"| {method} | {check:.2f} | {apply:.2f} | {total:.2f} | {n / total:,.0f} |"
              f" {total / base[engine]:.1f} | {total / base['PostgreSQL']:.1f} |")


def _median(found: list[dict]) -> float:
    """The median total seconds of a method's runs."""
    return statistics.median(sum(t.values()) for t in found)


@contextlib.contextmanager
def statement_times() -> Iterator[collections.Counter]:
    """Wall seconds per SQL statement (its first 100 characters) while the block runs."""
    spent: collections.Counter = collections.Counter()
    execute = psycopg.Cursor.execute

    def timed_execute(self, query, params=None, **kwargs):
        """Cursor.execute, timed."""
        start = time.perf_counter()
        try:
            return execute(self, query, params, **kwargs)
        finally:
            spent[str(query)[:100]] += time.perf_counter() - start

    psycopg.Cursor.execute = timed_execute
    try:
        yield spent
    finally:
        psycopg.Cursor.execute = execute


def profile(data: bytes, cluster) -> None:
    """Import once more on PostgreSQL under cProfile; print the functions and statements."""
    url = fresh_database(cluster, "import_profiled")
    profiler = cProfile.Profile()
    with statement_times() as spent:
        profiler.enable()
        found = validated_import(data, url)
        profiler.disable()
    print(f"\nprofiled PostgreSQL import (cProfile slows Python, not the server):"
          f" check {found['check']:.1f} s, apply {found['apply']:.1f} s\n")
    print("SQL statements by wall seconds (COPY data is sent inside its `with` block, not here):")
    for query, seconds in spent.most_common(8):
        print(f"  {seconds:7.2f}  {query}")
    print()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    """Run every method, interleaved, and print the table (and the profile if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true",
                        help="profile one more PostgreSQL import and print where time goes")
    args = parser.parse_args()
    data = dataset_csv(args.rows)
    times: dict[str, list[dict]] = {m: [] for m in METHODS}
    with tempfile.TemporaryDirectory() as folder, running_cluster(None) as cluster:
        for run in range(args.runs):
            for method in METHODS:
                times[method].append(run_once(method, data, cluster, folder, run))
        print_table(args.rows, args.runs, times)
        if args.profile:
            profile(data, cluster)


if __name__ == "__main__":
    main()

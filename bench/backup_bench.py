"""Continuous backup and one-off copies, measured.

Recovery point: Litestream replicates a database of SMALL facilities to a file:// replica
(the configuration `make serve` generates); COMMITS one-row edits (a merged import, as the
console's "verified today" makes) are committed at random moments, and after each one the
replica is restored every POLL_S until it holds that version: the time from the commit's
return to the first restore that holds it. The restore itself takes a few tens of
milliseconds at this size, which the figures include: they are an upper bound.

Backup: `facilities backup` (the CLI process, as an operator runs it) and the copy alone
(`Store.copy_to`, VACUUM INTO) at 20,000 and 100,000 facilities; then the time Litestream's
restore takes to bring the whole database back from its replica.

Run: `python -m bench.backup_bench [COMMITS] [SIZES…]` (default: 50 commits; 20000 100000).
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

from bench.make_dataset import synthetic_records
from locator import backup, datasets
from locator.ingest import exporter
from locator.store import Change, Store

SMALL = 2000
POLL_S = 0.02
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(path: str, n: int) -> Store:
    """A store on `path` holding n synthetic facilities as version 1, connected as the app is
    under Litestream."""
    records = synthetic_records(n)
    for record in records:
        record["lat"], record["lon"] = float(record["lat"]), float(record["lon"])
    store = Store(path, autocheckpoint=backup.WAL_AUTOCHECKPOINT_PAGES)
    store.migrate()
    store.versions.commit(records, Change([r["id"] for r in records], [], [], 0),
                          actor="bench", kind="import")
    return store


def replicating(db_path: str, url: str) -> subprocess.Popen:
    """`litestream replicate` on db_path with the configuration `make serve` writes."""
    config = backup.write_config(db_path, url)
    return subprocess.Popen([backup.litestream_binary(), "replicate", "-config", config,
                             "-no-expand-env"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def replicated_version(url: str, folder: str) -> int:
    """The dataset version a restore from the replica gives now (0: none yet)."""
    probe = os.path.join(folder, f"probe-{time.monotonic_ns()}.sqlite")
    try:
        backup.restore(url, probe)
    except backup.BackupError:
        return 0
    store = Store(probe)
    try:
        return store.versions.current()["number"]
    finally:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(probe + suffix):
                os.remove(probe + suffix)


def wait_for(url: str, version: int, folder: str, timeout: float = 120) -> float:
    """Seconds until the replica holds `version`."""
    start = time.perf_counter()
    while replicated_version(url, folder) < version:
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"the replica never got version {version}")
        time.sleep(POLL_S)
    return time.perf_counter() - start


def edit(store: Store, record: dict, n: int) -> int:
    """Commit one facility marked verified on a new day (a one-row merged import); the
    version."""
    day = f"2026-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}"
    data = exporter.write_csv([record | {"verified_on": day}])
    checked = datasets.check_file(store, data, "edit.csv", merge=True)
    return datasets.apply_import(store, checked, record["id"], actor="bench",
                                 kind="edit").version


def recovery_point(folder: str, commits: int) -> list[float]:
    """Seconds from each commit to the replica holding it."""
    db_path = os.path.join(folder, "rp.sqlite")
    url = f"file://{folder}/rp-replica"
    store = load(db_path, SMALL)
    proc = replicating(db_path, url)
    rng = random.Random(1)
    delays = []
    try:
        wait_for(url, 1, folder)
        records = store.facilities.all()
        for n in range(commits):
            time.sleep(rng.uniform(0, 1.0))  # not in step with Litestream's 1 s tick
            version = edit(store, records[n % len(records)], n)
            delays.append(wait_for(url, version, folder))
    finally:
        proc.terminate()
        proc.wait()
        store.close()
    return delays


def backup_times(folder: str, n: int) -> dict:
    """The CLI backup's wall time, the copy's own time, its size, and a full restore's time."""
    db_path = os.path.join(folder, f"db-{n}.sqlite")
    store = load(db_path, n)
    cli_copy, own_copy = (os.path.join(folder, f"{name}-{n}.sqlite") for name in ("cli", "own"))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "facilities", "backup",
                    cli_copy], cwd=ROOT, env=os.environ | {"LOCATOR_DATABASE": db_path},
                   check=True, capture_output=True)
    cli_s = time.perf_counter() - start
    start = time.perf_counter()
    store.copy_to(own_copy)
    copy_s = time.perf_counter() - start
    url = f"file://{folder}/replica-{n}"
    proc = replicating(db_path, url)
    try:
        wait_for(url, 1, folder, timeout=600)
    finally:
        proc.terminate()
        proc.wait()
    restored = os.path.join(folder, f"restored-{n}.sqlite")
    start = time.perf_counter()
    backup.restore(url, restored)
    restore_s = time.perf_counter() - start
    store.close()
    return {"n": n, "db_mb": os.path.getsize(db_path) / 2**20, "cli_s": cli_s,
            "copy_s": copy_s, "copy_mb": os.path.getsize(own_copy) / 2**20,
            "restore_s": restore_s}


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    """Print both tables."""
    commits = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    sizes = [int(a) for a in sys.argv[2:]] or [20_000, 100_000]
    print(f"$ python -m bench.backup_bench {commits} {' '.join(map(str, sizes))}")
    print(f"litestream {backup.PIP_PACKAGE.split('==')[1]}, file:// replica, sync-interval "
          f"{backup.SYNC_INTERVAL}; {os.cpu_count()} cores shared\n")
    with tempfile.TemporaryDirectory() as folder:
        delays = recovery_point(folder, commits)
        print(f"Recovery point: commit → replica, {commits} one-row edits of {SMALL:,} "
              f"facilities (restore polled every {POLL_S * 1000:.0f} ms)\n")
        print("| median | p99 | max | min |")
        print("|---:|---:|---:|---:|")
        print(f"| {statistics.median(delays):.2f} s | {percentile(delays, 99):.2f} s | "
              f"{max(delays):.2f} s | {min(delays):.2f} s |\n")
        print("Backup and restore by size\n")
        print("| facilities | database | `facilities backup` (process) | copy alone "
              "(VACUUM INTO) | copy | `litestream restore` (whole) |")
        print("|---:|---:|---:|---:|---:|---:|")
        for n in sizes:
            t = backup_times(folder, n)
            print(f"| {n:,} | {t['db_mb']:.1f} MB | {t['cli_s']:.2f} s | {t['copy_s']:.2f} s "
                  f"| {t['copy_mb']:.1f} MB | {t['restore_s']:.2f} s |", flush=True)


if __name__ == "__main__":
    main()

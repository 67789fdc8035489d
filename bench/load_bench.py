"""Fixed-rate load on /api/nearest and /nearest under gunicorn while a 100,000-row import and a
rollback run: `python -m bench.load_bench [--rate 500] [--seconds 60]`. Prints a table; the
baseline is the same load, measured first, with no import running."""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

from bench.load_client import HEADER, measure, nearest_paths
from bench.make_dataset import dataset_csv
from tests.processes import Gunicorn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(db_path: str, *args: str, env: dict | None = None) -> float:
    """Run a facilities CLI command; return its wall time in s."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "facilities", *args],
                   cwd=ROOT, env=os.environ | {"LOCATOR_DATABASE": db_path} | (env or {}),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def writer(db_path: str, new_file: str, delay: float, log: list, env: dict) -> None:
    """After `delay` s: import the new file, then roll back to version 1."""
    time.sleep(delay)
    log.append(("import 100,000 rows", cli(db_path, "import", new_file, "--yes", env=env)))
    log.append(("rollback to version 1", cli(db_path, "rollback", "1", env=env)))


def main() -> None:
    """Baseline load, then the same load during an import and a rollback."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=0, help="0: gunicorn.conf.py's choice")
    parser.add_argument("--batch-nice", type=int, default=None,
                        help="BATCH_NICE for the import and rollback (default: the app's, "
                             "which runs them below the web workers); 0 = equal priority")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path, new_file = os.path.join(tmp, "db.sqlite"), os.path.join(tmp, "new.csv")
        with open(os.path.join(tmp, "base.csv"), "wb") as fh:
            fh.write(dataset_csv(100_000, seed=1))
        with open(new_file, "wb") as fh:
            fh.write(dataset_csv(100_000, seed=2))
        cli(db_path, "import", os.path.join(tmp, "base.csv"))
        workers = args.workers or os.cpu_count() * 2 + 1
        server = Gunicorn(db_path, workers=workers)
        try:
            report(server, db_path, new_file, args, workers)
        finally:
            server.stop()


def report(server, db_path: str, new_file: str, args, workers: int) -> None:
    """Run both phases and print the table."""
    base = measure("127.0.0.1", server.port, nearest_paths(1), args.rate, args.baseline_seconds)
    log: list = []
    env = {} if args.batch_nice is None else {"LOCATOR_BATCH_NICE": str(args.batch_nice)}
    thread = threading.Thread(target=writer, args=(db_path, new_file, 3, log, env))
    thread.start()
    busy = measure("127.0.0.1", server.port, nearest_paths(2), args.rate, args.seconds)
    thread.join()
    print(f"gunicorn (gunicorn.conf.py), {workers} workers, 100,000 facilities; offered "
          f"{args.rate:.0f} requests/s (half /api/nearest, half /nearest)\n")
    print(HEADER)
    for phase, tallies, seconds in (("baseline", base, args.baseline_seconds),
                                    ("during import+rollback", busy, args.seconds)):
        for kind, tally in sorted(tallies.items()):
            print(tally.row(f"{phase}: {kind}", seconds))
    print()
    nice = "the app's BATCH_NICE" if args.batch_nice is None else f"BATCH_NICE={args.batch_nice}"
    for what, seconds in log:
        print(f"- {what}: {seconds:.1f} s (while under load, {nice})")


if __name__ == "__main__":
    main()

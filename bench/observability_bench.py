"""What the request log line and the metrics cost each request, in one process through the
test client, with prometheus_client in gunicorn's multiprocess mode (counters in mmap'd files):
`python -m bench.observability_bench [--requests 2000]`. Prints a table: median and p99 µs
per request with neither hook, with each, with both (text and JSON lines), and a /metrics
scrape. Log lines go to /dev/null, as a file would take them."""

import argparse
import os
import statistics
import sys
import tempfile
import time

# Before prometheus_client is imported, as gunicorn.conf.py does: the mode the workers run in.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="locator-bench-"))

from locator import create_app  # noqa: E402
from locator.web import metrics, request_log  # noqa: E402
from tests.processes import run_cli  # noqa: E402

TARGETS = ("/healthz", "/api/nearest?lat=22.53&lon=113.04&category=bus_stop&limit=5")


def app_with(db_path: str, log: bool, count: bool, log_format: str = "text"):
    """The app with the request log and/or the metrics hooks taken out."""
    app = create_app({"DATABASE": db_path, "LOG_FORMAT": log_format})
    drop = ({request_log.start, request_log.finish} if not log else set()) | (
        {metrics.record} if not count else set())
    for funcs in (app.before_request_funcs, app.after_request_funcs):
        funcs[None] = [f for f in funcs.get(None, []) if f not in drop]
    return app


def timed(client, target: str, n: int) -> list[float]:
    """`n` GETs of `target`, each in µs."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(target)
        times.append((time.perf_counter() - started) * 1e6)
        assert response.status_code == 200, response.status_code
    return times


def rounds(clients: dict, target: str, n: int, per_round: int = 100) -> dict[str, list[float]]:
    """`n` timed requests to `target` per client, taken in turns of `per_round` so that the
    machine's drift (other sessions share its cores) touches every configuration alike."""
    for client in clients.values():
        timed(client, target, 50)  # warm
    times: dict[str, list[float]] = {name: [] for name in clients}
    while len(next(iter(times.values()))) < n:
        for name, client in clients.items():
            times[name] += timed(client, target, per_round)
    return times


def p99(times: list[float]) -> float:
    """The 99th percentile."""
    ordered = sorted(times)
    return ordered[round(0.99 * (len(ordered) - 1))]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="locator-bench-")
    db_path = os.path.join(folder, "locator.sqlite")
    run_cli(db_path, "facilities", "init")
    configs = {"neither": (False, False, "text"), "log line (text)": (True, False, "text"),
               "metrics": (False, True, "text"), "both, text": (True, True, "text"),
               "both, json": (True, True, "json")}
    print(f"{args.requests} requests per row, one process, multiprocess-mode counters; µs")
    print("| target | hooks | median | p99 | median over neither |")
    print("|---|---|---|---|---|")
    real_stderr = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull  # the log lines; a failure's traceback still reaches the terminal
        try:
            for target in TARGETS:
                # One app per row: the log format is the process's, so JSON gets its own turn.
                clients = {name: app_with(db_path, *config).test_client()
                           for name, config in configs.items() if config[2] == "text"}
                times = rounds(clients, target, args.requests)
                json_client = {"both, json": app_with(db_path, True, True, "json").test_client()}
                times |= rounds(json_client, target, args.requests)
                base = statistics.median(times["neither"])
                for name in configs:
                    median = statistics.median(times[name])
                    print(f"| `{target.split('?')[0]}` | {name} | {median:.0f} | "
                          f"{p99(times[name]):.0f} | {median - base:+.0f} |")
            scrapes = timed(app_with(db_path, True, True).test_client(), "/metrics",
                            max(100, args.requests // 10))
            print(f"| `/metrics` | a scrape | {statistics.median(scrapes):.0f} | "
                  f"{p99(scrapes):.0f} | |")
        finally:
            sys.stderr = real_stderr


if __name__ == "__main__":
    main()

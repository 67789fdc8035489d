"""/healthz latency under gunicorn while slow clients trickle request heads, old sync workers
(the baseline) against the configured head-buffering threads, in the same run:
`python -m bench.slow_clients_bench [--samples 50]`. Prints a table; target: max ≤ 1 s."""

import argparse
import http.client
import statistics
import tempfile
import time

from tests.processes import Gunicorn, SlowClients, run_cli

WORKERS = 2
SLOW_CLIENT_COUNTS = (0, 8, 32)
REQUEST_TIMEOUT_S = 10
GIVE_UP_AFTER_TIMEOUTS = 3  # a stalled server would otherwise take minutes per row

CONFIGS = (
    ("sync (old)", ("--worker-class", "sync")),
    ("head-buffering gthread", ()),
)


def healthz_ms(port: int) -> float | None:
    """GET /healthz on a fresh connection: its time in ms, or None past REQUEST_TIMEOUT_S."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        conn.request("GET", "/healthz")
        conn.getresponse().read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000


def measure(port: int, slow: int, samples: int) -> tuple[list[float], int]:
    """`samples` timed requests (0.1 s apart) with `slow` slow clients kept connected."""
    times, timeouts = [], 0
    with SlowClients(port, slow, interval=2, reconnect=True):
        time.sleep(1)  # all of them in the middle of their heads
        while len(times) + timeouts < samples and timeouts < GIVE_UP_AFTER_TIMEOUTS:
            elapsed = healthz_ms(port)
            if elapsed is None:
                timeouts += 1
            else:
                times.append(elapsed)
            time.sleep(0.1)
    return times, timeouts


def row(name: str, slow: int, times: list[float], timeouts: int, idle: float | None) -> str:
    """One table row; latencies count a timed-out request as REQUEST_TIMEOUT_S."""
    all_ms = sorted(times + [REQUEST_TIMEOUT_S * 1000.0] * timeouts)
    median = statistics.median(all_ms)
    p99 = all_ms[min(len(all_ms) - 1, round(0.99 * (len(all_ms) - 1)))]
    ratio = f"{median / idle:.1f}" if idle else "1.0"
    late = f"{timeouts} (gave up)" if timeouts >= GIVE_UP_AFTER_TIMEOUTS else str(timeouts)
    return (f"| {name} | {slow} | {len(all_ms)} | {median:.1f} | {p99:.1f} | {all_ms[-1]:.1f} "
            f"| {late} | {ratio} |")


def main() -> None:
    """Serve the sample dataset with each configuration and time /healthz."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=50)
    samples = parser.parse_args().samples
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        db_path = f"{tmp}/locator.sqlite"
        run_cli(db_path, "facilities", "init")
        for name, args in CONFIGS:
            server = Gunicorn(db_path, workers=WORKERS, args=args)
            try:
                for _ in range(20):  # warm both workers
                    healthz_ms(server.port)
                idle = None
                for slow in SLOW_CLIENT_COUNTS:
                    times, timeouts = measure(server.port, slow, samples)
                    lines.append(row(name, slow, times, timeouts, idle))
                    if slow == 0:
                        idle = statistics.median(times)
            finally:
                server.stop()
    print(f"GET /healthz on a fresh connection, gunicorn.conf.py with {WORKERS} workers, "
          f"slow clients sending one header line every 2 s; a request timing out counts as "
          f"{REQUEST_TIMEOUT_S} s\n")
    print("| workers | slow clients | requests | median ms | p99 ms | max ms | timed out "
          "| median × idle |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

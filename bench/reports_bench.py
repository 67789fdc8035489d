"""Visitors' reports beside /api/nearest under gunicorn (2 workers):
`python -m bench.reports_bench [--rows 100000] [--rounds 6] [--seconds 10] [--rate 50]
[--flood 50]`.

1. Throughput: POST /api/facilities/<id>/reports and GET /api/nearest, each driven in turn by
   the same closed-loop client (CONNECTIONS connections, a new one per request), in one run.
2. /api/nearest's median and p95 latency at a fixed rate (open loop: latency from each request's
   scheduled time) in rounds of three runs: no flood, a flood of `--flood` reports/s, and a
   control flood of as many GET /api/categories/s (traffic that writes nothing), the order
   rotating; each round's ratios to its no-flood run, and their medians. Target: reports ≤
   1.20× none. The control tells the cost of the traffic itself on this machine (server, load
   generator and flooder share its cores) from the cost of storing reports.

The throttle is raised through LOCATOR_REPORTS_* so that every flood report is really stored
(the answer must be 201, which the table counts).
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import uvloop

from bench.load_client import run_load
from bench.make_dataset import dataset_csv
from locator.core.categories import CATEGORIES
from tests.processes import Gunicorn, run_cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = "127.0.0.1"
CONNECTIONS = 16
KINDS = ("closed", "locked", "dirty", "all_good", "other")
NOTE = "周日下午两点到这里，门锁着，保安说要等到四点才开，希望更新开放时间。"  # a typical note
NONE, REPORTS, CONTROL = "none", "reports", "control"  # the arms of a round
UNTHROTTLED = {"LOCATOR_REPORTS_PER_CLIENT": "100000000", "LOCATOR_REPORTS_OVERALL": "100000000"}


def report_request(rng: random.Random, rows: int) -> bytes:
    """One report about a random synthetic facility, as raw HTTP."""
    facility = f"synthetic-{rng.randint(1, rows):07d}"
    body = json.dumps({"kind": rng.choice(KINDS), "note": NOTE},
                      ensure_ascii=False).encode()
    return (f"POST /api/facilities/{facility}/reports HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode() + body


def nearest_request(rng: random.Random) -> bytes:
    """One /api/nearest from a random origin in Xinhui, random category, as raw HTTP."""
    return (f"GET {nearest_path(rng)} HTTP/1.1\r\nHost: {HOST}\r\nAccept-Encoding: gzip\r\n"
            "Connection: close\r\n\r\n").encode()


def nearest_path(rng: random.Random) -> str:
    """A random /api/nearest path."""
    lat, lon = rng.uniform(22.2, 22.8), rng.uniform(112.8, 113.2)
    return (f"/api/nearest?lat={lat:.5f}&lon={lon:.5f}"
            f"&category={rng.choice(sorted(CATEGORIES))}")


async def send(port: int, raw: bytes, timeout: float = 10.0) -> int:
    """Send one raw request on a new connection; the status (0: no answer)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    except (TimeoutError, OSError):
        return 0
    try:
        writer.write(raw)
        data = await asyncio.wait_for(reader.read(), timeout)
    except (TimeoutError, OSError):
        return 0
    finally:
        writer.close()
    return int(data[9:12]) if data.startswith(b"HTTP/1.") else 0


async def saturate(port: int, make, seconds: float) -> tuple[float, float, int]:
    """Closed loop: CONNECTIONS clients each sending `make()` back to back for `seconds`;
    (successful requests/s, median ms, failures)."""
    deadline = time.perf_counter() + seconds
    latencies, failures = [], [0]

    async def client() -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            status = await send(port, make())
            if 200 <= status < 300:
                latencies.append((time.perf_counter() - start) * 1000)
            else:
                failures[0] += 1

    await asyncio.gather(*(client() for _ in range(CONNECTIONS)))
    return len(latencies) / seconds, statistics.median(latencies), failures[0]


def control_request(_rng: random.Random) -> bytes:
    """GET /api/categories: the control flood, traffic that writes nothing and costs little."""
    return (f"GET /api/categories HTTP/1.1\r\nHost: {HOST}\r\nAccept-Encoding: gzip\r\n"
            "Connection: close\r\n\r\n").encode()


async def flood(port: int, make, rate: float, seconds: float, seed: int) -> dict[int, int]:
    """Open loop: `rate` requests/s of `make(rng)` for `seconds`; how many got each status."""
    rng, start, tasks = random.Random(seed), time.perf_counter(), []
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(send(port, make(rng))))
    statuses: dict[int, int] = {}
    for status in await asyncio.gather(*tasks):
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


async def nearest_run(port: int, args, seed: int, arm: str):
    """One run of fixed-rate /api/nearest beside the flood `arm` (NONE, REPORTS or CONTROL):
    (latencies ms, failed nearest requests, flood statuses). A flood comes from a process of
    its own, so that the client measuring /api/nearest does the same work in every arm."""
    rng = random.Random(seed)
    flooder = None
    if arm != NONE:
        flooder = subprocess.Popen(
            [sys.executable, "-m", "bench.reports_bench", "--flood-port", str(port),
             "--flood-kind", arm, "--rows", str(args.rows), "--flood", str(args.flood),
             "--seconds", str(args.seconds), "--seed", str(seed)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        await asyncio.sleep(0.2)  # its interpreter starting is not part of the run
    tallies = await run_load(HOST, port, lambda: ("nearest", nearest_path(rng)), args.rate,
                             args.seconds)
    statuses = {}
    if flooder is not None:
        out, _ = flooder.communicate(timeout=args.seconds + 60)
        statuses = {int(k): v for k, v in json.loads(out).items()}
    tally = tallies["nearest"]
    return tally.latencies_ms, tally.errors, statuses


def worker_cpu_s(server: Gunicorn) -> float:
    """CPU seconds (user + system) the server's workers have used so far: unlike latency, hardly
    changed by other programs competing for the cores."""
    total = 0
    for pid in server.worker_pids():
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


async def measured(server: Gunicorn, work):
    """Await `work`; its result and the workers' CPU seconds it cost."""
    before = worker_cpu_s(server)
    result = await work
    return result, worker_cpu_s(server) - before


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    """Load the rows, start gunicorn unthrottled, run both parts, print the tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=10, help="per run")
    parser.add_argument("--rate", type=float, default=50, help="/api/nearest requests/s")
    parser.add_argument("--flood", type=float, default=50, help="reports/s in a flood")
    parser.add_argument("--throughput-seconds", type=float, default=8)
    parser.add_argument("--flood-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--flood-kind", default=REPORTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flood_port:  # the flooding child of nearest_run
        make = (control_request if args.flood_kind == CONTROL
                else lambda rng: report_request(rng, args.rows))
        print(json.dumps(uvloop.run(flood(args.flood_port, make, args.flood, args.seconds,
                                          args.seed))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db_path, csv_path = os.path.join(tmp, "db.sqlite"), os.path.join(tmp, "d.csv")
        with open(csv_path, "wb") as fh:
            fh.write(dataset_csv(args.rows))
        run_cli(db_path, "facilities", "import", csv_path)
        server = Gunicorn(db_path, workers=2, env=UNTHROTTLED)
        try:
            uvloop.run(report(server, args))
        finally:
            server.stop()


async def report(server: Gunicorn, args) -> None:
    """Both parts, printed as markdown tables."""
    port, rng = server.port, random.Random(3)
    await saturate(port, lambda: nearest_request(rng), 2)  # warm both workers
    await saturate(port, lambda: report_request(rng, args.rows), 1)
    nearest = await measured(server, saturate(port, lambda: nearest_request(rng),
                                              args.throughput_seconds))
    reports = await measured(server, saturate(port, lambda: report_request(rng, args.rows),
                                              args.throughput_seconds))
    print(f"gunicorn (gunicorn.conf.py), 2 workers, {args.rows:,} facilities, "
          f"{CONNECTIONS} connections, closed loop, {args.throughput_seconds:.0f} s each; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| endpoint | ok requests/s | median ms | failed | × /api/nearest | worker CPU ms "
          "per request |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ((rate, median, failed), cpu) in (
            ("GET /api/nearest (random origin, category)", nearest),
            ("POST /api/facilities/<id>/reports (stored)", reports)):
        per_request = cpu * 1000 / (rate * args.throughput_seconds)
        print(f"| {name} | {rate:.0f} | {median:.1f} | {failed} | {rate / nearest[0][0]:.2f} | "
              f"{per_request:.2f} |")

    rows, ratios = [], []
    arms = (NONE, REPORTS, CONTROL)
    for n in range(args.rounds):
        order = arms[n % 3:] + arms[:n % 3]  # each arm goes first, second and third in turn
        runs, load = {}, os.getloadavg()[0]
        for arm in order:
            runs[arm] = await measured(server, nearest_run(port, args, 100 + n, arm))
        medians = {arm: statistics.median(runs[arm][0][0]) for arm in arms}
        p95s = {arm: p95(runs[arm][0][0]) for arm in arms}
        ratios.append((medians[REPORTS] / medians[NONE], p95s[REPORTS] / p95s[NONE],
                       medians[CONTROL] / medians[NONE], p95s[CONTROL] / p95s[NONE]))
        statuses = runs[REPORTS][0][2]
        failed = sum(runs[arm][0][1] for arm in arms)
        cores = " / ".join(f"{runs[arm][1] / args.seconds:.2f}" for arm in arms)
        rows.append(f"| {n + 1} | {', '.join(order)} | {load:.1f} | "
                    + " | ".join(f"{medians[arm]:.1f} / {p95s[arm]:.1f}" for arm in arms)
                    + f" | {ratios[-1][0]:.2f} | {ratios[-1][1]:.2f} | {ratios[-1][2]:.2f} | "
                      f"{statuses.get(201, 0)}/{sum(statuses.values())} | {failed} | {cores} |")
    print(f"\n/api/nearest at {args.rate:.0f} requests/s (open loop), {args.seconds:.0f} s a run,"
          f" beside no flood, a flood of {args.flood:.0f} reports/s, and (control) the same rate"
          f" of GET /api/categories; {args.rounds} rounds\n")
    print("| round | order | load avg | none: median / p95 ms | reports | control | "
          "reports × median | reports × p95 | control × median | reports stored (201) | "
          "nearest failed | worker cores busy (none / reports / control) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"\nmedian over the rounds: reports × median "
          f"{statistics.median(r[0] for r in ratios):.2f}, × p95 "
          f"{statistics.median(r[1] for r in ratios):.2f}; control × median "
          f"{statistics.median(r[2] for r in ratios):.2f}, × p95 "
          f"{statistics.median(r[3] for r in ratios):.2f} (target: reports × median ≤ 1.20)")


if __name__ == "__main__":
    main()

"""A fixed-rate HTTP load client (open loop: latency counts from each request's scheduled time,
so a stalled server cannot hide its queue). Used by the load and page benchmarks."""

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field

import uvloop


@dataclass
class Tally:
    """Outcomes of one kind of request."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def row(self, name: str, seconds: float) -> str:
        """A markdown table row: name, sent, ok/s, errors, p50, p99, max."""
        lat = sorted(self.latencies_ms) or [float("nan")]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        done = len(self.latencies_ms)
        return (f"| {name} | {done + self.errors} | {done / seconds:.0f} | {self.errors} | "
                f"{statistics.median(lat):.1f} | {p99:.1f} | {lat[-1]:.1f} |")


HEADER = ("| requests | sent | ok/s | errors | p50 ms | p99 ms | max ms |\n"
          "|---|---:|---:|---:|---:|---:|---:|")


async def _get(host: str, port: int, path: str, timeout: float) -> int:
    """One GET on a new connection (gunicorn's sync workers close after each response)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip\r\n"
                     "Connection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    return int(data[9:12]) if data.startswith(b"HTTP/1.") else 0


async def run_load(host: str, port: int, paths, rate: float, seconds: float,
                   timeout: float = 10.0) -> dict[str, Tally]:
    """Send `rate` requests/s for `seconds`, each GET from `paths()` → (kind, path)."""
    tallies: dict[str, Tally] = {}
    start = time.perf_counter()
    tasks = []

    async def one(kind: str, path: str, due: float) -> None:
        tally = tallies.setdefault(kind, Tally())
        try:
            status = await _get(host, port, path, timeout)
        except (TimeoutError, OSError):
            status = 0
        if status == 200:
            tally.latencies_ms.append((time.perf_counter() - due) * 1000)
        else:
            tally.errors += 1

    for n in range(int(rate * seconds)):
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        kind, path = paths()
        tasks.append(asyncio.create_task(one(kind, path, due)))
    await asyncio.gather(*tasks)
    return tallies


def measure(host: str, port: int, paths, rate: float, seconds: float) -> dict[str, Tally]:
    """run_load on uvloop: the client shares the machine with the server under test, and
    libuv's loop spends about a third less CPU per request than asyncio's own."""
    return uvloop.run(run_load(host, port, paths, rate, seconds))


def nearest_paths(seed: int = 1):
    """Random origins in Xinhui, alternating /api/nearest and /nearest, random categories."""
    rng = random.Random(seed)
    categories = ["nursing_room", "coach_stop", "bus_stop", "landmark"]

    def pick() -> tuple[str, str]:
        lat, lon = rng.uniform(22.2, 22.8), rng.uniform(112.8, 113.2)
        query = f"lat={lat:.5f}&lon={lon:.5f}&category={rng.choice(categories)}"
        if rng.random() < 0.5:
            return "/api/nearest", f"/api/nearest?{query}"
        return "/nearest", f"/nearest?{query}"
    return pick

"""k-nearest engine vs brute force: `python -m bench.nearest_bench [--sizes 1000,100000]`.

Per size: load the synthetic dataset through store.versions.commit (R*Tree, FTS and version
snapshot included), then time k=5 nearest with a category filter from random origins in the
area, beside two baselines in the same process: numpy haversine over every facility of the
category (vectorised, on a sphere: inexact, for timing only) and geopy's geodesic over every
record (exact; only a few queries are run, it is slow). The engine's answers on those queries
are checked against geopy's.
"""

import argparse
import gc
import math
import os
import random
import statistics
import tempfile
import time

import numpy as np
from geopy.distance import geodesic

from bench.make_dataset import AREA, synthetic_records
from locator.core.nearest import SPHERE_RADIUS, find_nearest
from locator.store import Change, Store

K = 5
CATEGORY = "nursing_room"
ENGINE_QUERIES = 2000
NUMPY_QUERIES = 200


def records(n: int) -> list[dict]:
    """The synthetic rows in stored form (floats for lat/lon)."""
    rows = synthetic_records(n)
    for row in rows:
        row["lat"], row["lon"] = float(row["lat"]), float(row["lon"])
    return rows


def load(path: str, rows: list[dict]) -> float:
    """Seconds to migrate and commit `rows` as the first version."""
    start = time.perf_counter()
    store = Store(path)
    store.migrate()
    change = Change(added=[r["id"] for r in rows], changed=[], removed=[], unchanged=0)
    store.versions.commit(rows, change, actor="bench", kind="import")
    store.close()
    return time.perf_counter() - start


def origins(count: int, seed: int) -> list[tuple[float, float]]:
    """Random origins in the synthetic data's area."""
    rng = random.Random(seed)
    return [(rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3])) for _ in range(count)]


def timed(fn, queries) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per call of fn(lat, lon), for each origin."""
    # CPU time too: on a shared machine the wall-clock tail is mostly other processes.
    wall, cpu = [], []
    for lat, lon in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(lat, lon)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def numpy_nearest(lats: np.ndarray, lons: np.ndarray):
    """A vectorised haversine k-nearest over fixed arrays (spherical, so not exact)."""
    phi, lam = np.radians(lats), np.radians(lons)
    cos_phi = np.cos(phi)

    def nearest(lat: float, lon: float) -> np.ndarray:
        """Indexes of the K nearest by haversine."""
        p0, l0 = np.radians(lat), np.radians(lon)
        h = np.sin((phi - p0) / 2) ** 2 + np.cos(p0) * cos_phi * np.sin((lam - l0) / 2) ** 2
        d = 2 * SPHERE_RADIUS * np.arcsin(np.sqrt(h))
        best = np.argpartition(d, K)[:K]
        return best[np.argsort(d[best])]

    return nearest


def geopy_nearest(points: list[tuple[float, float, str]]):
    """Exact brute force: geopy's geodesic to every (lat, lon, id) given."""

    def nearest(lat: float, lon: float) -> list[str]:
        """Ids of the K nearest, ties by id."""
        ranked = sorted((geodesic((lat, lon), (p_lat, p_lon)).meters, ident)
                        for p_lat, p_lon, ident in points)
        return [i for _, i in ranked[:K]]

    return nearest


def prepare(n: int, path: str) -> dict:
    """Load n synthetic facilities into `path`; keep only the category's points in memory."""
    rows = records(n)
    load_s = load(path, rows)
    points = [(r["lat"], r["lon"], r["id"]) for r in rows if r["category"] == CATEGORY]
    del rows
    # A million dicts left for the collector to walk would add its pauses to the p99.
    gc.collect()
    gc.freeze()
    return {"n": n, "load_s": load_s, "size_mb": os.path.getsize(path) / 1e6, "points": points}


def run_size(n: int, folder: str) -> list[dict]:
    """Every method's timings at one dataset size."""
    path = os.path.join(folder, f"bench-{n}.sqlite")
    common = prepare(n, path)
    points = common.pop("points")
    store = Store(path)
    start = time.perf_counter()
    find_nearest(store.facilities, *origins(1, 0)[0], k=K, category=CATEGORY)  # computes the extent
    first_ms = (time.perf_counter() - start) * 1e3

    def engine(lat, lon):
        """The engine's ids."""
        found = find_nearest(store.facilities, lat, lon, k=K, category=CATEGORY)
        return [h.record["id"] for h in found.hits]

    engine_t = timed(engine, origins(ENGINE_QUERIES, 1))
    lats, lons = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    numpy_t = timed(numpy_nearest(lats, lons), origins(NUMPY_QUERIES, 2))
    sample, brute = origins(3 if n <= 10_000 else 1, 3), geopy_nearest(points)
    exact = all(engine(*o) == brute(*o) for o in sample)
    geopy_t = timed(brute, sample)
    store.close()
    gc.unfreeze()
    verdict = "same ids and order as geopy" if exact else "DIFFERS from geopy"
    return [
        common | {"method": "engine (R*Tree + geodesic)", "t": engine_t,
                  "note": f"first query {first_ms:.0f} ms (extent scan); {verdict}"},
        common | {"method": "numpy haversine brute force", "t": numpy_t,
                  "note": "spherical: inexact, timing only"},
        common | {"method": "geopy brute force", "t": geopy_t,
                  "note": f"{len(sample)} of the origins, exact"},
    ]


def print_table(results: list[dict]) -> None:
    """A markdown table of median and p99 latency per method and size."""
    print(f"k={K}, category={CATEGORY}; latency per query, in process\n")
    print("| facilities | load + index s | DB MB | method | queries | median ms | p99 ms"
          " | p99 CPU ms | note |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---|")
    for r in results:
        wall, cpu = r["t"]
        print(f"| {r['n']:,} | {r['load_s']:.1f} | {r['size_mb']:.1f} | {r['method']} |"
              f" {len(wall)} | {statistics.median(wall) * 1e3:.3f} | {p99(wall) * 1e3:.3f} |"
              f" {p99(cpu) * 1e3:.3f} | {r['note']} |")


def p99(times: list[float]) -> float:
    """The 99th percentile (nearest rank)."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.99) - 1)]


def main() -> None:
    """Run the chosen sizes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000,1000000",
                        help="comma-separated dataset sizes (default: %(default)s)")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            results += run_size(n, folder)
    print_table(results)


if __name__ == "__main__":
    main()

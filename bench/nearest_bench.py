"""k-nearest on both engines vs PostGIS's own KNN and brute force:
`python -m bench.nearest_bench [--sizes 1000,100000,1000000] [--engines sqlite,postgresql]
[--cache DIR]`.

Per size and engine: load the synthetic dataset through store.versions.commit (indexes, search
terms and the version snapshot included) into a new SQLite file or PostgreSQL database (a
private cluster, tests/postgres.py), or, with --cache, reuse the one an earlier run built from
the same data and schema (the load time shown is the one measured when it was built). Then,
from the same random origins, each origin in turn: our exact k=5 nearest with a category filter
(find_nearest on Store(target).facilities; on PostgreSQL through the KNN path) on each engine,
and PostGIS's own geography KNN with the same filter as one raw query on another connection of
the same pool (psycopg prepares both alike after a few runs). Baselines in the same process:
numpy haversine over the category (spherical: inexact, timing only) and geopy's geodesic over
every record (exact; a few origins). Checked: both engines give the same ids and distances on
every timed origin, and the same ids as geopy on its origins.
"""

import argparse
import contextlib
import gc
import hashlib
import json
import math
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
from geopy.distance import geodesic

from bench.make_dataset import AREA, synthetic_records
from bench.postgres_support import backend_cpu_s, fresh_database, has_database, running_cluster
from locator.core.nearest import SPHERE_RADIUS, find_nearest
from locator.store import Change, Store

K = 5
CATEGORY = "nursing_room"
ENGINE_QUERIES = 2000
NUMPY_QUERIES = 200
ENGINES = ("sqlite", "postgresql")
# PostGIS's own answer to the same question, as anyone would write it.
KNN_SQL = ("SELECT id FROM facilities WHERE category = %s"
           " ORDER BY geog <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography LIMIT 5")
KNN_METHOD = "PostGIS geography KNN (raw query)"
# What a cached database was built from: a change to any of them builds it again.
FINGERPRINTED = ("bench/make_dataset.py", "locator/core/records.py", "locator/core/terms.py",
                 "locator/store/schema.py", "locator/store/postgres/schema.py")


def records(n: int) -> list[dict]:
    """The synthetic rows in stored form (floats for lat/lon)."""
    rows = synthetic_records(n)
    for row in rows:
        row["lat"], row["lon"] = float(row["lat"]), float(row["lon"])
    return rows


def load(target: str, rows: list[dict]) -> dict:
    """Migrate and commit `rows` as the first version (and gather PostgreSQL's statistics):
    wall and client CPU seconds."""
    start, start_cpu = time.perf_counter(), time.process_time()
    store = Store(target)
    store.migrate()
    change = Change(added=[r["id"] for r in rows], changed=[], removed=[], unchanged=0)
    store.versions.commit(rows, change, actor="bench", kind="import")
    if hasattr(store, "conn"):
        # The planner's statistics, as autovacuum would gather them within a minute of the
        # load: without them it sorts the whole category instead of walking the KNN index.
        store.conn.execute("ANALYZE")
    store.close()
    return {"load_s": time.perf_counter() - start, "load_cpu_s": time.process_time() - start_cpu}


def fingerprint() -> str:
    """A short hash of the files that decide what a built database holds."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        with open(os.path.join(root, name), "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()[:10]


class Databases:
    """Each engine's database of each size: built on first use, reused from the cache folder
    when it was built before (and its load figures recorded then)."""

    def __init__(self, folder: str, cluster, keep: bool):
        """Build in `folder` (on `cluster` for PostgreSQL); keep: reuse what is there."""
        self.folder, self.cluster, self.keep = folder, cluster, keep
        self.ledger = os.path.join(folder, "loads.json")
        self.loads = {}
        if keep and os.path.exists(self.ledger):
            with open(self.ledger) as fh:
                self.loads = json.load(fh)

    def target(self, engine: str, n: int, rows) -> tuple[str, dict]:
        """The database's target (path or URL) and its load figures; rows() gives the rows."""
        key = f"{engine}-{n}-{fingerprint()}"
        if engine == "sqlite":
            target = os.path.join(self.folder, f"bench-{key}.sqlite")
            there = os.path.exists(target)
        else:
            name = f"bench_{n}_{key.rsplit('-', 1)[1]}"
            there = self.cluster is not None and has_database(self.cluster, name)
            target = self.cluster.url(name)
        cached = self.keep and there and key in self.loads
        if not cached:
            self._build(key, engine, target, rows())
        return target, self.loads[key] | {"cached": cached, "mb": self._size_mb(target)}

    def _build(self, key: str, engine: str, target: str, rows: list[dict]) -> None:
        """Load the rows into a new database at target; record its load figures as `key`."""
        if engine == "sqlite":
            building = target + ".building"  # renamed when whole: a stopped run leaves no half
            for stale in (building, target):
                if os.path.exists(stale):
                    os.remove(stale)
            figures = load(building, rows)
            os.replace(building, target)
        else:
            name = target.split("/")[-1].split("?")[0]
            figures = load(fresh_database(self.cluster, name), rows)
        self.loads[key] = figures
        with open(self.ledger, "w") as fh:
            json.dump(self.loads, fh, indent=1)

    @staticmethod
    def _size_mb(target: str) -> float:
        """The database's size on disk in MB."""
        if not target.startswith("postgresql://"):
            return os.path.getsize(target) / 1e6
        store = Store(target)
        try:
            return store.conn.execute(
                "SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
        finally:
            store.close()


def origins(count: int, seed: int) -> list[tuple[float, float]]:
    """Random origins in the synthetic data's area."""
    rng = random.Random(seed)
    return [(rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3])) for _ in range(count)]


@dataclass
class Timing:
    """One method's wall and client CPU seconds per query, its answers, its server's CPU."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    answers: list = field(default_factory=list)
    server_cpu_s: float | None = None


def timed(fn, queries) -> Timing:
    """Wall-clock and CPU seconds per call of fn(lat, lon), for each origin."""
    return timed_in_turn({"fn": (fn, None)}, queries)["fn"]


def timed_in_turn(methods: dict, queries) -> dict[str, Timing]:
    """Every method ((fn, connection or None) by name) from each origin in turn, so that a
    busy spell of the machine falls on all of them alike; the server CPU each connection used."""
    # CPU time too: on a shared machine the wall-clock tail is mostly other processes.
    found = {name: Timing() for name in methods}
    before = {name: _server_cpu(conn) for name, (_, conn) in methods.items()}
    for lat, lon in queries:
        for name, (fn, _) in methods.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            answer = fn(lat, lon)
            found[name].wall.append(time.perf_counter() - start)
            found[name].cpu.append(time.process_time() - start_cpu)
            found[name].answers.append(answer)
    for name, (_, conn) in methods.items():
        after = _server_cpu(conn)
        if after is not None and before[name] is not None:
            found[name].server_cpu_s = after - before[name]
    return found


def _server_cpu(conn) -> float | None:
    """The server CPU used so far by a PostgreSQL connection (None for SQLite)."""
    return None if conn is None else backend_cpu_s(conn)


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


def engine_nearest(store):
    """Our exact nearest on a store: (id, distance) of the K nearest of the category."""

    def nearest(lat: float, lon: float) -> list[tuple[str, float]]:
        """The engine's answer."""
        found = find_nearest(store.facilities, lat, lon, k=K, category=CATEGORY)
        return [(h.record["id"], h.distance_m) for h in found.hits]

    return nearest


def postgis_knn(store):
    """PostGIS's KNN as one raw query on the store's connection: the K ids it orders first."""
    conn = store.conn

    def nearest(lat: float, lon: float) -> list[str]:
        """PostGIS's answer."""
        return [row[0] for row in conn.execute(KNN_SQL, [CATEGORY, lon, lat])]

    return nearest


def run_size(n: int, engines: list[str], databases: Databases) -> list[dict]:
    """Every method's timings at one dataset size."""
    cache: dict = {}

    def rows() -> list[dict]:
        """The synthetic rows, made once per size and only if some database needs them."""
        if "rows" not in cache:
            cache["rows"] = records(n)
        return cache["rows"]

    built = {engine: databases.target(engine, n, rows) for engine in engines}
    cache.clear()
    # A million dicts left for the collector to walk would add its pauses to the p99.
    gc.collect()
    gc.freeze()
    stores = {engine: Store(target) for engine, (target, _) in built.items()}
    try:
        results = _time_size(n, built, stores)
    finally:
        for store in stores.values():
            store.close()
        gc.unfreeze()
    return results


def _time_size(n: int, built: dict, stores: dict) -> list[dict]:
    """Time the engines, PostGIS's KNN and the brute-force baselines on the opened stores."""
    methods, firsts = {}, {}
    for engine, store in stores.items():
        fn = engine_nearest(store)
        start = time.perf_counter()
        fn(*origins(1, 0)[0])  # SQLite computes the category's extent on its first query
        firsts[engine] = (time.perf_counter() - start) * 1e3
        methods[engine] = (fn, getattr(store, "conn", None))
    if "postgresql" in stores:
        knn_store = Store(built["postgresql"][0])  # another connection of the same pool
        stores["knn"] = knn_store
        methods[KNN_METHOD] = (postgis_knn(knn_store), knn_store.conn)
    runs = timed_in_turn(methods, origins(ENGINE_QUERIES, 1))
    agree = _engines_agree(runs, list(built))
    points = [(r["lat"], r["lon"], r["id"])
              for r in stores[next(iter(built))].facilities.all(CATEGORY)]
    lats, lons = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    numpy_t = timed(numpy_nearest(lats, lons), origins(NUMPY_QUERIES, 2))
    sample, brute = origins(3 if n <= 10_000 else 1, 3), geopy_nearest(points)
    geopy_t = timed(brute, sample)
    results = []
    for engine, (_, figures) in built.items():
        exact = all([i for i, _ in methods[engine][0](*o)] == ids
                    for o, ids in zip(sample, geopy_t.answers, strict=True))
        note = (f"first query {firsts[engine]:.1f} ms; "
                + ("same ids as geopy" if exact else "DIFFERS from geopy") + f"; {agree}")
        method = "exact k=5 (R*Tree + geodesic)" if engine == "sqlite" else \
            "exact k=5 (KNN + geodesic)"
        results.append(_row(n, engine, figures, method, runs[engine], note))
    if KNN_METHOD in runs:
        results.append(_row(n, "postgresql", built["postgresql"][1], KNN_METHOD,
                            runs[KNN_METHOD], "baseline: inexact (sphere), no re-rank"))
    results.append(_row(n, "in memory", None, "numpy haversine brute force", numpy_t,
                        "spherical: inexact, timing only"))
    results.append(_row(n, "in memory", None, "geopy brute force", geopy_t,
                        f"{len(sample)} of the origins, exact"))
    return results


def _engines_agree(runs: dict[str, Timing], engines: list[str]) -> str:
    """Whether every engine gave the same ids and distances (ties by id) on every origin."""
    if len(engines) < 2:
        return "one engine"
    first, *others = (runs[e].answers for e in engines)
    differ = sum(any(a != b for b in rest) for a, *rest in zip(first, *others, strict=True))
    if differ:
        return f"engines DIFFER on {differ} of {len(first)} origins"
    return f"engines equal (ids, distances) on all {len(first)} origins"


def _row(n: int, engine: str, figures: dict | None, method: str, timing: Timing,
         note: str) -> dict:
    """One line of the table."""
    return {"n": n, "engine": engine, "figures": figures, "method": method, "t": timing,
            "note": note}


def print_table(results: list[dict]) -> None:
    """A markdown table of median and p99 latency per engine, method and size."""
    print(f"k={K}, category={CATEGORY}; latency per query, in process; client CPU is this"
          " process's, server CPU the PostgreSQL backend's (mean per query)\n")
    print("| facilities | engine | load s (CPU s) | DB MB | method | queries | median ms"
          " | p99 ms | median CPU ms | p99 CPU ms | server CPU ms | × PostGIS KNN | note |")
    print("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    knn = {r["n"]: statistics.median(r["t"].wall) for r in results if r["method"] == KNN_METHOD}
    for r in results:
        t, med = r["t"], statistics.median(r["t"].wall)
        server = "–" if t.server_cpu_s is None else f"{t.server_cpu_s / len(t.wall) * 1e3:.3f}"
        ratio = f"{med / knn[r['n']]:.2f}" if r["n"] in knn else "–"
        print(f"| {r['n']:,} | {r['engine']} | {_load(r['figures'])} |"
              f" {_mb(r['figures'])} | {r['method']} | {len(t.wall)} | {med * 1e3:.3f} |"
              f" {p99(t.wall) * 1e3:.3f} | {statistics.median(t.cpu) * 1e3:.3f} |"
              f" {p99(t.cpu) * 1e3:.3f} | {server} | {ratio} | {r['note']} |")


def _load(figures: dict | None) -> str:
    """Load seconds (and client CPU seconds), marked when measured by an earlier run."""
    if figures is None:
        return "–"
    mark = " cached" if figures["cached"] else ""
    return f"{figures['load_s']:.1f} ({figures['load_cpu_s']:.1f}){mark}"


def _mb(figures: dict | None) -> str:
    """The database's size in MB."""
    return "–" if figures is None else f"{figures['mb']:.1f}"


def p99(times: list[float]) -> float:
    """The 99th percentile (nearest rank)."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.99) - 1)]


def main() -> None:
    """Run the chosen sizes on the chosen engines and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000,1000000",
                        help="comma-separated dataset sizes (default: %(default)s)")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated engines (default: %(default)s)")
    parser.add_argument("--cache", metavar="DIR",
                        help="keep the built databases here and reuse them in later runs")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = [e for e in args.engines.split(",") if e]
    if unknown := set(engines) - set(ENGINES):
        parser.error(f"unknown engines {sorted(unknown)}: choose from {', '.join(ENGINES)}")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.cache or scratch
        os.makedirs(folder, exist_ok=True)
        with _cluster(engines, args.cache) as cluster:
            databases = Databases(folder, cluster, keep=bool(args.cache))
            for n in sizes:
                results += run_size(n, engines, databases)
    print_table(results)


def _cluster(engines: list[str], cache: str | None):
    """A running PostgreSQL cluster when that engine is asked for, else nothing."""
    if "postgresql" in engines:
        return running_cluster(cache)
    return contextlib.nullcontext()


if __name__ == "__main__":
    main()

"""/api/facilities pages vs the old unpaged list, in process through the Flask test client:
`python -m bench.facilities_api_bench [--sizes 100000,390000]`.

Per size: load the synthetic dataset through the store, then time each request (median of
several) and measure its peak Python heap with tracemalloc in a separate run (tracemalloc
slows Python down; SQLite's own page cache is not counted). The baseline is the endpoint as
it was before paging, rebuilt here: every facility as one FeatureCollection, with the same
ETag and cache headers.
"""

import argparse
import gc
import os
import statistics
import tempfile
import time
import tracemalloc

from flask import Blueprint, jsonify

from locator import create_app
from locator.api import views as api
from locator.config import now
from locator.core import hours
from locator.db import open_store
from locator.search.present import feature
from tests.factories import load_synthetic

BASELINE = "/bench/unpaged-facilities"
# (label, query); every case is compared with the unpaged list of the same dataset.
CASES = (
    ("first page (default limit 1000)", ""),
    ("a middle page (cursor)", "MIDDLE"),
    ("limit=5000", "limit=5000"),
    ("category=landmark", "category=landmark"),
    ("bbox: the whole district", "bbox=112.79,22.10,113.25,22.80"),
    ("bbox: 0.02° square", "bbox=113.00,22.50,113.02,22.52"),
    ("q: a 3+ character phrase every row has", "q=合成设施"),
    ("q: a phrase 10 rows have", "q=合成设施000012"),
    ("q: 2 characters (no full-text index)", "q=合成"),
)


def unpaged_facilities():
    """The list as served before paging: every facility in one response."""
    store, at = open_store(), now()
    with store.reading():
        records, version = store.facilities.all(), store.versions.current_number()
    return jsonify({"type": "FeatureCollection", "dataset_version": version,
                    "features": [feature(r, hours.status(r["opening_hours"], at), at)
                                 for r in records]})


def bench_app(db_path: str):
    """The app with the old unpaged list mounted beside the paged one."""
    app = create_app({"DATABASE": db_path, "BATCH_NICE": 0})
    old = Blueprint("unpaged", __name__)
    old.after_request(api.cache_and_share)  # the same ETag and Cache-Control work as before
    old.get(BASELINE)(unpaged_facilities)
    app.register_blueprint(old)
    return app


def middle_cursor(client, n: int) -> str:
    """The cursor of the page that starts half-way through the ids."""
    from locator.api.paging import Cursor

    version = client.get("/api/facilities?limit=1").get_json()["dataset_version"]
    return Cursor(version, f"synthetic-{n // 2:07d}").encode()


def measure(client, url: str, runs: int) -> dict:
    """Median wall-clock ms over `runs` requests, peak traced heap MB, and the body's size."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    size = len(response.get_data())
    body = response.get_json()
    del response
    gc.collect()
    tracemalloc.start()
    client.get(url).close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    matched = body.get("numberMatched", len(body["features"]))
    return {"ms": statistics.median(times) * 1e3, "mb": peak / 1e6, "kb": size / 1e3,
            "returned": len(body["features"]), "matched": matched}


def run_size(n: int, folder: str, runs: int) -> list[tuple[str, dict]]:
    """Every case at one dataset size, the baseline first."""
    db_path = os.path.join(folder, f"bench-{n}.sqlite")
    load_synthetic(db_path, n)
    client = bench_app(db_path).test_client()
    client.get("/api/facilities?limit=1")  # open the connection, warm the catalogues
    rows = [("unpaged list (baseline)", measure(client, BASELINE, max(1, runs // 4)))]
    cursor = middle_cursor(client, n)
    for label, query in CASES:
        query = f"cursor={cursor}" if query == "MIDDLE" else query
        rows.append((label, measure(client, "/api/facilities?" + query, runs)))
    return rows


def print_table(results: dict[int, list[tuple[str, dict]]], runs: int) -> None:
    """A markdown table per size: time and peak heap against the unpaged baseline."""
    print(f"In process (Flask test client), median of {runs} requests (baseline: "
          f"{max(1, runs // 4)}); peak Python heap by tracemalloc in one more request\n")
    print("| facilities | request | features | matched | ms | × baseline ms | peak heap MB"
          " | × baseline heap | body KB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n, rows in results.items():
        base = rows[0][1]
        for label, r in rows:
            print(f"| {n:,} | {label} | {r['returned']:,} | {r['matched']:,} | {r['ms']:.0f} |"
                  f" {r['ms'] / base['ms']:.3f} | {r['mb']:.1f} | {r['mb'] / base['mb']:.3f} |"
                  f" {r['kb']:,.0f} |")


def main() -> None:
    """Run the chosen sizes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,390000",
                        help="comma-separated dataset sizes (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=8, help="requests per case (default: 8)")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in (int(s) for s in args.sizes.split(",")):
            results[n] = run_size(n, folder, args.runs)
    print_table(results, args.runs)


if __name__ == "__main__":
    main()

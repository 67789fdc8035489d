"""Traditional Chinese on the way out: `python -m bench.traditional_bench [--rows 10000]`.

Prints (1) the conversion cost of one results page's records (5 nearest) and of the whole
dataset, converted anew (OpenCC s2hk per field) and from the per-version cache; (2) the memory
the cache holds for one version, by tracemalloc; (3) the throughput of `/nearest` pages and
`/api/nearest` in zh and in zh-Hant through Flask's test client on the synthetic dataset
(with a Chinese description on every row), the two languages interleaved round by round from
the same random origins, medians of the rounds and their ratio (issue 18's bound: zh-Hant at
most 10 % slower). Until the language negotiation offers zh-Hant, a page's language is set the
way it will be (`g.page_lang`), as tests/web/test_traditional_pages.py does.
"""

import argparse
import gc
import os
import random
import statistics
import tempfile
import time
import tracemalloc

from flask import g, request

from bench.make_dataset import AREA, synthetic_records
from locator import create_app
from locator.core import traditional
from locator.store import Change, Store

DESCRIPTION = "位于一楼东侧，设有哺乳椅、尿布台和洗手台；请向服务台工作人员咨询开放时间。"
PAGE = 5  # records on a results page (the pages' default limit)


def load(path: str, n: int) -> list[dict]:
    """Commit n synthetic facilities (each with a Chinese description); return them."""
    rows = synthetic_records(n)
    for row in rows:
        row["lat"], row["lon"] = float(row["lat"]), float(row["lon"])
        row["description"] = DESCRIPTION
    store = Store(path)
    store.migrate()
    change = Change(added=[r["id"] for r in rows], changed=[], removed=[], unchanged=0)
    store.versions.commit(rows, change, actor="bench", kind="import")
    store.close()
    return rows


def per_call_us(fn, repeat: int) -> float:
    """Median over 5 runs of the CPU microseconds per call of fn()."""
    runs = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(repeat):
            fn()
        runs.append((time.process_time() - start) / repeat * 1e6)
    return statistics.median(runs)


def conversion_table(rows: list[dict]) -> None:
    """A page's and the whole dataset's conversion, anew and from the cache."""
    page = rows[:PAGE]
    cache = traditional.VersionCache()
    for r in rows:
        cache.texts(r, ("bench", 1))

    def anew(records):
        return lambda: [traditional.converted(r) for r in records]

    def cached(records):
        return lambda: [cache.texts(r, ("bench", 1)) for r in records]

    print("| what | converted anew (µs) | from the version cache (µs) |")
    print("|---|---|---|")
    print(f"| one page ({PAGE} records) | {per_call_us(anew(page), 200):.0f} | "
          f"{per_call_us(cached(page), 2000):.1f} |")
    whole = len(rows)
    print(f"| every record ({whole:,}: a snapshot, the overview map) | "
          f"{per_call_us(anew(rows), 1):,.0f} | {per_call_us(cached(rows), 3):,.0f} |")


def memory_table(rows: list[dict]) -> None:
    """Bytes the cache holds for one version of `rows`."""
    cache = traditional.VersionCache()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for r in rows:
        cache.texts(r, ("bench", 1))
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print()
    print("| records kept (one version) | memory | per record |")
    print("|---|---|---|")
    print(f"| {len(rows):,} | {held / 2**20:.1f} MiB | {held / len(rows):,.0f} B |")
    print(f"\nAt most {traditional.MAX_VERSIONS} versions of at most "
          f"{traditional.MAX_RECORDS:,} records are kept.")


def throughput_table(db_path: str, rounds: int, per_round: int) -> None:
    """Requests/s of /nearest and /api/nearest in zh and zh-Hant, medians of interleaved
    rounds, and the ratio."""
    app = create_app({"TESTING": False, "DATABASE": db_path})

    @app.before_request
    def page_language():
        """The page language the negotiation will give for ?lang=zh-Hant."""
        if request.args.get("lang") == traditional.TRADITIONAL:
            g.page_lang = traditional.TRADITIONAL

    client = app.test_client()
    rng = random.Random(7)
    paths = {"/nearest": "/nearest?lat={:.5f}&lon={:.5f}&category=nursing_room",
             "/api/nearest": "/api/nearest?lat={:.5f}&lon={:.5f}&category=nursing_room"}
    rates: dict[tuple[str, str], list[float]] = {(p, lang): [] for p in paths
                                                 for lang in ("zh", "zh-Hant")}
    for path in paths.values():  # warm: shells, catalogues, connections, the cache
        for lang in ("zh", "zh-Hant"):
            client.get(path.format(22.5, 113.0) + f"&lang={lang}")
    for _ in range(rounds):
        origins = [(rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3]))
                   for _ in range(per_round)]
        for name, path in paths.items():
            for lang in ("zh", "zh-Hant") if rng.random() < 0.5 else ("zh-Hant", "zh"):
                start = time.process_time()
                for lat, lon in origins:
                    response = client.get(path.format(lat, lon) + f"&lang={lang}")
                    assert response.status_code == 200, response.status_code
                rates[(name, lang)].append(per_round / (time.process_time() - start))
    print()
    print("| endpoint | zh (req/s) | zh-Hant (req/s) | zh-Hant / zh |")
    print("|---|---|---|---|")
    for name in paths:
        zh = statistics.median(rates[(name, "zh")])
        hant = statistics.median(rates[(name, "zh-Hant")])
        print(f"| `{name}` | {zh:.0f} | {hant:.0f} | {hant / zh:.3f} |")
    print(f"\nMedians of {rounds} rounds of {per_round} requests per endpoint and language "
          "(CPU time of the one process: client and app; random origins, category nursing_room,"
          " 5 results; the languages' order alternates at random).")


def main() -> None:
    """Load the synthetic dataset, print the three tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "bench.sqlite")
        rows = load(db_path, args.rows)
        print(f"Synthetic dataset: {args.rows:,} facilities (bench/make_dataset.py), "
              "each with a 37-character Chinese description.\n")
        conversion_table(rows)
        memory_table(rows)
        throughput_table(db_path, args.rounds, args.per_round)


if __name__ == "__main__":
    main()

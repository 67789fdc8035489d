"""The search box's latency and index size: `python -m bench.search_bench [--sizes 1000,100000]`.

Per size: synthetic facilities with names composed from common place-name words (so that
prefixes like 母婴 or "plaza" match thousands, as in real lists), stops with destinations and
some former names, loaded as one version (the search terms built on the way); then a mix of
queries as visitors type them — whole names, first characters, English words, pinyin,
initials, typos, category words, destinations and misses — each timed through
search.matching.find from a random position, beside today's plain full-text name search
(store.facilities.search) on the same queries in the same process. Prints median and p99 in
milliseconds, their ratio, the terms' row count and the index's size on disk.
"""

import argparse
import os
import random
import statistics
import tempfile
import time

from bench.make_dataset import AREA, synthetic_records
from locator.core import terms
from locator.search.matching import find
from locator.store import Change, Store

WORDS = [("万达", "wanda"), ("广场", "plaza"), ("人民", "peoples"), ("医院", "hospital"),
         ("图书馆", "library"), ("公园", "park"), ("客运", "coach"), ("中心", "centre"),
         ("商场", "mall"), ("银湖", "silver lake"), ("会城", "huicheng"), ("圭峰", "guifeng"),
         ("学宫", "academy"), ("体育馆", "stadium"), ("妇幼", "maternity"), ("保健院", "clinic"),
         ("大道", "avenue"), ("江门", "jiangmen"), ("新会", "xinhui"), ("古井", "gujing"),
         ("司前", "siqian"), ("双水", "shuangshui"), ("崖门", "yamen"), ("大泽", "daze")]
KINDS = {"nursing_room": ("母婴室", "nursing room"), "coach_stop": ("客运站", "coach station"),
         "bus_stop": ("公交站", "bus stop"), "landmark": ("", "")}
DESTINATIONS = ["深圳", "广州", "珠海", "中山", "东莞", "佛山", "阳江", "恩平", "开平", "台山"]
QUERIES = 600


def records(n: int, seed: int = 7) -> list[dict]:
    """Synthetic rows with composed names, routes and a few aliases (stored form)."""
    rng = random.Random(seed)
    rows = synthetic_records(n, seed)
    for i, row in enumerate(rows):
        chosen = rng.sample(WORDS, rng.randint(1, 3))
        zh_kind, en_kind = KINDS[row["category"]]
        row["name"] = "".join(w[0] for w in chosen) + zh_kind + str(i)
        row["name_en"] = " ".join(w[1].title() for w in chosen) + f" {en_kind} {i}".rstrip()
        if row["category"] in ("coach_stop", "bus_stop"):
            row["routes"] = ";".join(rng.sample(DESTINATIONS, rng.randint(1, 4)))
        if rng.random() < 0.05:
            row["aliases"] = "旧" + "".join(w[0] for w in rng.sample(WORDS, 2))
        row["lat"], row["lon"] = float(row["lat"]), float(row["lon"])
    return rows


def typo(word: str, rng: random.Random) -> str:
    """One edit inside a Latin word (never its first letter)."""
    i = rng.randrange(1, len(word))
    return rng.choice([word[:i] + word[i + 1:], word[:i] + "x" + word[i:],
                       word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]])


def queries(rows: list[dict], seed: int = 11) -> list[tuple[str, float, float]]:
    """What visitors type, each with a random position in the area."""
    rng = random.Random(seed)
    out = []
    for n in range(QUERIES):
        row = rng.choice(rows)
        kind = n % 10
        if kind == 0:
            q = row["name"]
        elif kind == 1:
            q = row["name"][:2]
        elif kind == 2:
            q = row["name_en"].split()[0]
        elif kind == 3:
            q = "".join(terms.syllables(row["name"][:4]))
        elif kind == 4:
            q = "".join(s[0] for s in terms.syllables(row["name"][:4]))
        elif kind == 5:
            q = " ".join(typo(w, rng) if len(w) > 4 else w for w in row["name_en"].split()[:2])
        elif kind == 6:
            q = rng.choice(["coach station", "汽车站", "baby changing", "母婴室", "bus stop"])
        elif kind == 7:
            q = rng.choice(["to ", "去", ""]) + rng.choice(DESTINATIONS)
        elif kind == 8:
            q = rng.choice(["zzqqxx", "不存在的地方", "qwertyuiop"])
        else:
            q = row["name_en"].lower().replace(" ", "")[:6]
        out.append((q, rng.uniform(AREA[0], AREA[2]), rng.uniform(AREA[1], AREA[3])))
    return out


def load(path: str, rows: list[dict]) -> float:
    """Seconds to migrate and commit `rows` as the first version (search terms included)."""
    start = time.perf_counter()
    store = Store(path)
    store.migrate()
    store.versions.commit(rows, Change([r["id"] for r in rows], [], [], 0), actor="bench",
                          kind="import")
    store.close()
    return time.perf_counter() - start


def index_size(store: Store) -> tuple[int, float]:
    """Rows of search_terms, and the MB its tables and index take on disk."""
    rows = store.db.execute("SELECT count(*) FROM search_terms").fetchone()[0]
    pages = store.db.execute("SELECT sum(pgsize) FROM dbstat WHERE name IN"
                             " ('search_terms', 'search_terms_fid', 'search_spellings')").fetchone()
    return rows, (pages[0] or 0) / 1e6


def timed(fn, mix) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per call (on a shared machine the wall-clock tail is
    mostly other processes; the CPU time is this search's own)."""
    wall, cpu = [], []
    for q, lat, lon in mix:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(q, lat, lon)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def p99(values: list[float]) -> float:
    """The 99th percentile."""
    return statistics.quantiles(values, n=100)[98]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print("| facilities | load s | term rows | index MB | search median ms | search p99 ms"
          " | search p99 CPU ms | plain FTS median ms | plain FTS p99 ms | p99 ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "bench.sqlite")
            rows = records(n)
            seconds = load(path, rows)
            store = Store(path)
            mix = queries(rows)
            for q, lat, lon in mix[:50]:  # warm the page cache and pypinyin's
                find(store, q, lat=lat, lon=lon)
            search, search_cpu = timed(lambda q, lat, lon, s=store: find(s, q, lat=lat, lon=lon),
                                       mix)
            plain, _ = timed(lambda q, _lat, _lon, s=store: s.facilities.search(q, limit=10), mix)
            term_rows, megabytes = index_size(store)
            store.close()
        print(f"| {n:,} | {seconds:.1f} | {term_rows:,} | {megabytes:.1f}"
              f" | {statistics.median(search):.2f} | {p99(search):.2f} | {p99(search_cpu):.2f}"
              f" | {statistics.median(plain):.2f} | {p99(plain):.2f}"
              f" | {p99(search) / p99(plain):.2f} |")


if __name__ == "__main__":
    main()

"""What an opening-hours question costs, worst case included: `python -m bench.hours_bench`.

Three tables, each against `24/7` measured in the same run:
1. named expressions (ordinary ones, and those the first release took a second on): a cold
   question (the first of the day for that expression: its timeline is walked) and a warm one
   (a later instant the same day: answered from the timeline);
2. the worst of many generated valid expressions (bench/hours_expressions.py), cold;
3. /nearest and /api/nearest with 20 results whose hours are the costliest found, against the
   same pages with 24/7 everywhere, in process through the Flask test client.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, seed, settings

from bench.hours_expressions import expressions
from bench.make_dataset import synthetic_records
from locator import create_app
from locator.core import hours
from locator.store import Change, Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASELINE = "24/7"
NAMED = (BASELINE, "Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off", "Mo-Su 22:00-02:00",
         "Mo-Fr 08:00-12:00,14:30-17:30; PH off", "May-Oct 08:00-18:00",
         # The first release's costly ones: they never change state.
         "Mo-Su 00:00-24:00", "Mo,Tu,We,Th,Fr,Sa,Su 00:00-24:00", "Mo-Su 10:00-11:00 off",
         # Never open, in as many runs a day as 500 characters allow (MAX_RUNS ends the walk).
         ", ".join(f"{h:02d}:00-{h:02d}:10 unknown" for h in range(23)))
# An ordinary Tuesday, the evening before National Day, and a make-up working day.
INSTANTS = (datetime(2026, 3, 3, 10, tzinfo=SHANGHAI), datetime(2026, 9, 30, 19, tzinfo=SHANGHAI),
            datetime(2026, 10, 10, 10, tzinfo=SHANGHAI))
ORIGIN = (22.5281, 113.0310)


def cold_us(expression: str, now: datetime, repeat: int) -> float:
    """Median µs of a question with no timeline or substituted day cached (the parse is:
    once a process)."""
    hours.status(expression, now)
    samples = []
    for _ in range(repeat):
        hours._timeline.cache_clear()
        hours._proxied_day.cache_clear()
        start = time.perf_counter()
        hours.status(expression, now)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def warm_us(expression: str, now: datetime, calls: int) -> float:
    """Mean µs of a question the same day, at instants a second apart (no instant repeats)."""
    hours.status(expression, now)
    instants = [now + timedelta(seconds=n) for n in range(calls)]
    start = time.perf_counter()
    for instant in instants:
        hours.status(expression, instant)
    return (time.perf_counter() - start) / calls * 1e6


def named_table(repeat: int) -> None:
    """Table 1: the named expressions at each instant, cold and warm."""
    print("\n| expression | now | cold µs | × 24/7 | warm µs | × 24/7 |")
    print("|---|---|---:|---:|---:|---:|")
    for now in INSTANTS:
        base_cold, base_warm = cold_us(BASELINE, now, repeat), warm_us(BASELINE, now, 2000)
        for expression in NAMED:
            cold, warm = cold_us(expression, now, repeat), warm_us(expression, now, 2000)
            shown = expression if len(expression) < 50 else expression[:47] + "…"
            print(f"| `{shown}` | {now:%m-%d %H:%M} | {cold:.0f} | {cold / base_cold:.1f} "
                  f"| {warm:.1f} | {warm / base_warm:.1f} |")


def generated(count: int) -> list[str]:
    """`count` distinct valid expressions from the grammar, the same ones every run."""
    found: set[str] = set()

    @seed(20261130)
    @settings(max_examples=count * 3, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(expressions())
    def collect(text):
        if len(found) < count and hours.validate(text) is None:
            found.add(text)

    collect()
    return sorted(found)


def worst_table(count: int, repeat: int) -> list[str]:
    """Table 2: the costliest generated expressions, cold; returns them costliest first."""
    now = INSTANTS[0]
    base = cold_us(BASELINE, now, repeat)
    costs = sorted(((cold_us(e, now, 3), e) for e in generated(count)), reverse=True)
    worst = [(cold_us(e, now, repeat), e) for _, e in costs[:5]]  # measure the top ones again
    median = statistics.median(c for c, _ in costs)
    print(f"\n{len(costs)} generated valid expressions, cold, at {now:%Y-%m-%d %H:%M}; "
          f"24/7 cold: {base:.0f} µs; median of all: {median:.0f} µs")
    print("\n| costliest generated expressions | cold µs | × 24/7 | warm µs | × 24/7 |")
    print("|---|---:|---:|---:|---:|")
    base_warm = warm_us(BASELINE, now, 2000)
    for cost, expression in sorted(worst, reverse=True):
        warm = warm_us(expression, now, 2000)
        print(f"| `{expression}` | {cost:.0f} | {cost / base:.1f} | {warm:.1f} "
              f"| {warm / base_warm:.1f} |")
    return [e for _, e in sorted(worst, reverse=True)]


def page_database(path: str, expressions_: list[str]) -> None:
    """20 nursing rooms within a kilometre of ORIGIN, their hours drawn from `expressions_`."""
    rows = synthetic_records(20)
    for i, row in enumerate(rows):
        row.update(category="nursing_room", lat=ORIGIN[0] + 0.0004 * i, lon=ORIGIN[1],
                   opening_hours=expressions_[i % len(expressions_)])
    store = Store(path)
    store.migrate()
    store.versions.commit(rows, Change([r["id"] for r in rows], [], [], 0), actor="bench",
                         kind="import")
    store.close()


def page_ms(expressions_: list[str], path: str, requests: int) -> tuple[float, float]:
    """(first request ms, median ms after it) of each page, hours from `expressions_`."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.sqlite")
        page_database(db, expressions_)
        client = create_app({"DATABASE": db}).test_client()
        url = f"{path}?lat={ORIGIN[0]}&lon={ORIGIN[1]}&category=nursing_room&limit=20"
        client.get(url.replace("nursing_room", "landmark"))  # the app's own first request
        hours._timeline.cache_clear()
        hours._proxied_day.cache_clear()
        samples = []
        for _ in range(requests + 1):
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
    return samples[0] * 1e3, statistics.median(samples[1:]) * 1e3


def page_table(costly: list[str], requests: int) -> None:
    """Table 3: a page of 20 results, costly hours vs 24/7."""
    print(f"\n20 results a page; costly hours: the {len(costly)} costliest expressions found "
          f"above; median of {requests} requests after the first")
    print("\n| page | 24/7 first ms | costly first ms | × "
          "| 24/7 median ms | costly median ms | × |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for path in ("/nearest", "/api/nearest"):
        base_first, base = page_ms([BASELINE], path, requests)
        first, median = page_ms(costly, path, requests)
        print(f"| {path} | {base_first:.1f} | {first:.1f} | {first / base_first:.1f} "
              f"| {base:.2f} | {median:.2f} | {median / base:.2f} |")


def main() -> None:
    """Print the three tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=2000, help="expressions to try")
    parser.add_argument("--repeat", type=int, default=21, help="cold samples per expression")
    parser.add_argument("--requests", type=int, default=200, help="page requests per side")
    args = parser.parse_args()
    for now in INSTANTS:  # load the holiday calendar and the library's country data once
        hours.status("Mo-Fr 08:00-17:00; PH off", now)
    named_table(args.repeat)
    costliest = worst_table(args.generated, args.repeat)
    page_table(costliest + list(NAMED[5:]), args.requests)


if __name__ == "__main__":
    main()

"""Geocoding throughput: a batch of addresses at the provider's rate limit vs the stub's bare speed.

Run: `python -m bench.geocoding_bench [--provider amap] [--n 60] [--delay 0.05] [--rate R]`.

A stub server of the provider (tests/geocoder_stubs.py) answers every address after a fixed
delay. Three rows: plain sequential GETs to the stub (its bare speed), geocode_many with the rate
limit lifted (our own cost on top), and geocode_many at the configured rate (LOCATOR_GEOCODER_RATE,
default the provider's: Nominatim 1/s, the others 3/s) — what an admin's import waits for.
Requests go one at a time, so a provider slower to answer than 1/rate sets the pace instead.
Then the importer's whole check of a CSV of those addresses (datasets.check_file on a fresh
database in a temporary folder): with the cache cold (every address asked at the rate, each
answer kept in geocode_cache) and warm (the same file again, as a re-import or the console's
preview after its background check: no request at all).
"""

import argparse
import json
import os
import tempfile
import time
import urllib.request
from urllib.parse import urlencode

from locator import datasets
from locator.geocoding.batch import geocode_many
from locator.geocoding.settings import PROVIDERS, GeocoderSettings
from locator.store import Store
from tests.geocoder_stubs import PATHS, StubGeocoder

UNLIMITED = 1e9  # requests a second: the rate limit never waits


def addresses(n: int) -> list[str]:
    """n distinct addresses in Xinhui (the stub finds them all)."""
    return [f"江门市新会区会城测试路{i}号" for i in range(1, n + 1)]


def bare_gets(provider: str, batch: list[str], delay: float) -> float:
    """Seconds for plain sequential GETs of the batch to a stub, no geocoding layer."""
    with StubGeocoder(provider, delay_s=delay, places={}) as stub:
        start = time.perf_counter()
        for address in batch:
            query = {"q" if provider == "nominatim" else "address": address}
            if provider == "tianditu":
                query = {"ds": json.dumps({"keyWord": address}, ensure_ascii=False)}
            with urllib.request.urlopen(f"{stub.url}{PATHS[provider]}?{urlencode(query)}") as r:
                r.read()
        return time.perf_counter() - start


def batch_seconds(provider: str, batch: list[str], delay: float, rate: float) -> float:
    """Seconds for geocode_many of the batch against a fresh stub at `rate` requests a second."""
    with StubGeocoder(provider, delay_s=delay, places={}) as stub:
        settings = GeocoderSettings(provider, key="bench", base_url=stub.url, rate_per_s=rate)
        start = time.perf_counter()
        outcomes = geocode_many(batch, settings)
        seconds = time.perf_counter() - start
    assert all(outcome.precision == "exact" for outcome in outcomes)
    return seconds


def import_seconds(provider: str, batch: list[str], delay: float,
                   rate: float) -> tuple[float, float, int]:
    """Seconds for check_file of a CSV of the batch, cache cold then warm; requests made warm."""
    data = ("id,category,name,name_en,lat,lon,address\n" + "".join(
        f"g{i},landmark,地标{i},Landmark {i},,,{address}\n"
        for i, address in enumerate(batch, 1))).encode()
    with tempfile.TemporaryDirectory() as folder, \
            StubGeocoder(provider, delay_s=delay, places={}) as stub:
        store = Store(os.path.join(folder, "bench.sqlite"))
        store.migrate()
        settings = GeocoderSettings(provider, key="bench", base_url=stub.url, rate_per_s=rate)
        times = []
        for _ in ("cold", "warm"):
            start = time.perf_counter()
            checked = datasets.check_file(store, data, "bench.csv", geocoder=settings)
            times.append(time.perf_counter() - start)
            assert checked.result.ok and len(checked.result.placed) == len(batch)
        store.close()
        return times[0], times[1], len(stub.requests) - len(batch)


def main() -> None:
    """Print the three rows as a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=PROVIDERS, default="amap")
    parser.add_argument("--n", type=int, default=60, help="addresses in the batch")
    parser.add_argument("--delay", type=float, default=0.05, help="stub's answer time, s")
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s (0: provider's)")
    args = parser.parse_args()
    batch = addresses(args.n)
    rate = GeocoderSettings(args.provider, rate_per_s=args.rate).rate
    rows = [
        ("stub bare (plain GETs)", bare_gets(args.provider, batch, args.delay)),
        ("geocode_many, no rate limit", batch_seconds(args.provider, batch, args.delay,
                                                      UNLIMITED)),
        (f"geocode_many at {rate:g}/s", batch_seconds(args.provider, batch, args.delay, rate)),
    ]
    cold, warm, warm_requests = import_seconds(args.provider, batch, args.delay, rate)
    assert warm_requests == 0
    rows += [(f"import check, cache cold, at {rate:g}/s", cold),
             ("import check, cache warm (0 requests)", warm)]
    # One request at a time: the rate limit or the answer time, whichever is slower, sets it.
    floor = (args.n - 1) * max(1 / rate, args.delay) + args.delay
    print(f"{args.n} distinct addresses, {args.provider} stub answering in {args.delay:g} s, "
          f"at {rate:g}/s the floor is (n-1) × max(1/rate, delay) + delay = "
          f"{floor:.2f} s\n")
    print("| run | seconds | addresses/s |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} | {args.n / seconds:,.0f} |")


if __name__ == "__main__":
    main()

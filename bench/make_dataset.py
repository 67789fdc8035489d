"""Write a synthetic facilities CSV of N rows inside the service area.

Run: `python bench/make_dataset.py N [PATH]` (stdout without PATH).
"""

import csv
import io
import random
import sys

from locator.core.categories import CATEGORIES
from locator.core.records import COLUMNS

# Inside Xinhui District (22.09–22.81 N, 112.78–113.26 E), clear of the configured margin.
AREA = (22.10, 112.79, 22.80, 113.25)
SOURCE = "synthetic"  # short: 100,000 rows must fit the 20 MB import limit
HOURS = ("", "24/7", "Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off", "Mo-Su 09:00-21:00",
         "Mo-Su 06:00-22:00", "Mo-Fr 08:00-12:00,14:30-17:30; PH off")


def synthetic_records(n: int, seed: int = 1) -> list[dict]:
    """N clearly synthetic facility rows (all values as CSV text), reproducible by seed."""
    rng = random.Random(seed)
    keys = sorted(CATEGORIES)
    return [_record(i, rng.choice(keys), rng) for i in range(1, n + 1)]


def _record(i: int, key: str, rng: random.Random) -> dict:
    """One synthetic row."""
    lat = round(rng.uniform(AREA[0], AREA[2]), 6)
    lon = round(rng.uniform(AREA[1], AREA[3]), 6)
    amenities = rng.sample(CATEGORIES[key].amenities, rng.randint(0, 3))
    row = {c: "" for c in COLUMNS}
    row.update(
        id=f"synthetic-{i:07d}", category=key, name=f"合成设施{i:07d}",
        name_en=f"Synthetic facility {i}", lat=repr(lat), lon=repr(lon), coord_system="wgs84",
        address=f"合成路{i}号", town="会城街道", opening_hours=rng.choice(HOURS),
        access="public", amenities=";".join(amenities), source=SOURCE,
    )
    return row


def dataset_csv(n: int, seed: int = 1) -> bytes:
    """The synthetic dataset as UTF-8 CSV bytes."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(synthetic_records(n, seed))
    return out.getvalue().encode()


def main(argv: list[str]) -> None:
    """Write N rows to PATH (default: stdout)."""
    n = int(argv[1])
    data = dataset_csv(n)
    if len(argv) > 2:
        with open(argv[2], "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data)


if __name__ == "__main__":
    main(sys.argv)

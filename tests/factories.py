"""Small builders for test input: CSV bytes and valid rows."""

import csv
import io

from locator.records import COLUMNS


def csv_bytes(*rows: dict, columns=COLUMNS) -> bytes:
    """A UTF-8 CSV with the given columns and rows (missing cells blank)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue().encode()


def row(i: int = 1, **fields) -> dict:
    """A valid nursing-room row near Xinhui's centre, varied by `i`."""
    base = {"id": f"room-{i}", "category": "nursing_room", "name": f"母婴室{i}",
            "name_en": f"Nursing room {i}", "lat": str(22.5 + i * 0.001),
            "lon": str(113.0 + i * 0.001)}
    return base | fields

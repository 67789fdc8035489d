"""The offline snapshot: every facility in a few KB, for a phone that later has no signal.

Each facility carries what the offline list needs (id, category, names, position, floor,
amenities) and its open and unknown stretches for the next DAYS days, computed here by
core/hours exactly as the server answers open-now (Asia/Shanghai, China's holidays and make-up
working days), so the browser never evaluates opening hours. A snapshot belongs to one dataset
version and one Shanghai date; the whole-dataset one is kept per process until either changes.
A deployment with more than `max_facilities` answers only for a bbox around the visitor, and
says how large a grid cell to build it from (`TooMany.cell`).
No Flask: the caller passes the store, the moment and the limit.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from locator.core import hours
from locator.core.clock import SHANGHAI
from locator.core.traditional import TRADITIONAL, for_language
from locator.search.present import WALKING_M_PER_MIN
from locator.store import Store

DAYS = 7
FORMAT = 1  # bump when the shape changes: it is part of the ETag
CACHE_SIZE = 4
_CACHE: dict[tuple, "Snapshot"] = {}


# Grid cells (degrees) for a large deployment's boxes: coarse, so that a box says little about
# where its visitor is and many visitors share one (and its cache entries).
BOX_CELLS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
PAGE_RADIUS_M = 5000  # the pages' search radius (public/views.PAGE_RADIUS_M)
METRES_PER_DEGREE = 111_320  # of longitude at the equator, of latitude nearly everywhere


class TooMany(ValueError):
    """More facilities than one snapshot may hold: ask for a (smaller) bbox. `cell`: the grid
    cell in degrees a client should build its box from (3×3 cells around the visitor)."""

    def __init__(self, message: str, cell: float | None = None):
        """The message, and the suggested cell (None when a box was already given)."""
        super().__init__(message)
        self.cell = cell


def box_cell(extent, max_facilities: int) -> float:
    """The grid cell whose 3×3 box holds about half of `max_facilities` at the data's average
    density, but never narrower than PAGE_RADIUS_M: the box around any point of its centre cell
    then holds the pages' whole search circle, so the offline list within it is exact."""
    widest = math.radians(min(max(abs(extent.min_lat), abs(extent.max_lat)), 80.0))
    least = PAGE_RADIUS_M / (METRES_PER_DEGREE * math.cos(widest))
    cells = [c for c in BOX_CELLS if c >= least] or [BOX_CELLS[-1]]
    area = max((extent.max_lat - extent.min_lat) * (extent.max_lon - extent.min_lon), 1e-6)
    side = math.sqrt(max_facilities / 2 / 9 / (extent.count / area))
    return max([c for c in cells if c <= side], default=cells[0])


@dataclass(frozen=True)
class Snapshot:
    """The JSON body and its entity tag (dataset version, date, box)."""

    body: bytes
    etag: str


def _minutes(moment: datetime, start: datetime) -> int:
    """Whole minutes from the window's start (opening hours are minute-exact)."""
    return int((moment - start).total_seconds() // 60)


def _spans(spans: list, start: datetime) -> list[list[int]]:
    """(start, end) datetimes as [from, to] minutes after the window's start."""
    return [[_minutes(s, start), _minutes(e, start)] for s, e in spans]


# Facilities share a few dozen distinct hours: each (hours, date) is worked out once.
@lru_cache(maxsize=4096)
def _stretches(opening_hours: str, day: date, days: int) -> tuple | None:
    """(open, unknown) [from, to] minute lists for `days` from 00:00 of `day`, None if unknown."""
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    found = hours.intervals(opening_hours, day, days)
    if found is None:
        return None
    return _spans(found["open"], start), _spans(found["unknown"], start)


def entry(record: dict, day: date, days: int = DAYS) -> dict:
    """One facility as the snapshot holds it: `open` is None when its hours are unknown."""
    stretches = _stretches(record["opening_hours"] or "", day, days)
    out = {"id": record["id"], "category": record["category"], "name": record["name"],
           "name_en": record.get("name_en") or "", "lat": record["lat"], "lon": record["lon"],
           "floor": record.get("floor") or "",
           "amenities": [t.strip() for t in (record.get("amenities") or "").split(";")
                         if t.strip()],
           "open": None if stretches is None else stretches[0]}
    if stretches and stretches[1]:
        out["unknown"] = stretches[1]
    return out


def build(records: list[dict], version: int, day: date,
          box: tuple[float, float, float, float] | None = None) -> dict:
    """The snapshot document of `records` (sorted by id) for DAYS days from 00:00 of `day`."""
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    return {
        "dataset_version": version, "generated_on": day.isoformat(),
        "start": start.isoformat(), "end": (start + timedelta(days=DAYS)).isoformat(),
        "walking_speed_m_per_min": WALKING_M_PER_MIN,
        # minlon,minlat,maxlon,maxlat as the bbox parameter is written; None: everything
        "bbox": None if box is None else [box[1], box[0], box[3], box[2]],
        "facilities": [entry(r, day) for r in sorted(records, key=lambda r: r["id"])],
    }


def snapshot(store: Store, at: datetime, max_facilities: int, *, source: str,
             box: tuple[float, float, float, float] | None = None,
             traditional: bool = False) -> Snapshot:
    """The snapshot at `at` (all facilities, or those in `box` = min_lat, min_lon, max_lat,
    max_lon), names in Traditional Chinese when `traditional`; `source` names the database,
    for the per-process cache."""
    day = hours.in_shanghai(at).date()
    with store.reading():
        version = store.versions.current_number()
        key = (source, version, day, traditional)
        if box is None and key in _CACHE:
            return _CACHE[key]
        records = _records(store, max_facilities, box)
    if traditional:
        records = [for_language(r, TRADITIONAL, (source, version)) for r in records]
    document = build(records, version, day, box)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    tag = f"v{FORMAT}.{version}.{day.isoformat()}" + (f".{TRADITIONAL}" if traditional else "")
    if box is not None:
        tag += "." + hashlib.sha256(repr(box).encode()).hexdigest()[:12]
    result = Snapshot(body, tag)
    if box is None:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = result
    return result


def _records(store: Store, max_facilities: int,
             box: tuple[float, float, float, float] | None) -> list[dict]:
    """The facilities a snapshot holds, or TooMany (inside the caller's read snapshot)."""
    if box is None:
        extent = store.facilities.extent()
        count = extent.count if extent else 0
        if count > max_facilities:
            raise TooMany(f"this deployment has {count} facilities, more than one snapshot holds"
                          f" ({max_facilities}): give bbox=minlon,minlat,maxlon,maxlat around"
                          " the visitor", box_cell(extent, max_facilities))
        return store.facilities.all() if count else []
    found = store.facilities.candidates_in_box(*box)
    if len(found) > max_facilities:
        raise TooMany(f"{len(found)} facilities lie in this bbox, more than one snapshot holds"
                      f" ({max_facilities}): give a smaller bbox")
    return list(store.facilities.by_fids([fid for fid, *_ in found]).values())

"""Facility records as the API and pages show them: distance, walking time, open now, closing
soon; and the order a results page shows them in."""

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from locator.core import hours

WALKING_M_PER_MIN = 75  # a straight-line estimate: real walks are longer
# Beyond this a walking estimate stops helping (28 km is not "375 min walk"): pages offer
# transit and car routes instead.
WALKING_LIMIT_M = 2000
# Open, but closing within this (or before the walk there would arrive): "closing soon".
CLOSING_SOON = timedelta(minutes=30)

T = TypeVar("T")


class Statuses:
    """Each record's opening-hours status at one moment, computed once however often asked:
    the open-now filter, the API's fields and a page's badge all read the same answer."""

    def __init__(self, at: datetime):
        """The moment every status is for (Asia/Shanghai)."""
        self.at = at
        self._by_id: dict[str, hours.HoursStatus] = {}

    def of(self, record: dict) -> hours.HoursStatus:
        """The record's status at `at`."""
        status = self._by_id.get(record["id"])
        if status is None:
            status = self._by_id[record["id"]] = hours.status(record["opening_hours"], self.at)
        return status

    def is_open(self, record: dict) -> bool:
        """The nearest engine's predicate: open at `at` (unknown hours do not count)."""
        return self.of(record).open_now is True

    def saw_unknown(self) -> bool:
        """Whether any record asked about has unknown hours: after an open-now search, such
        records were left out (the page says so and offers to show them)."""
        return any(status.open_now is None for status in self._by_id.values())


def walking_min(distance_m: float) -> int:
    """Whole minutes to walk a straight line at 75 m/min (an estimate)."""
    return max(1, math.ceil(distance_m / WALKING_M_PER_MIN))


def closing_soon(status: hours.HoursStatus, at: datetime, walk_min: int | None = None) -> bool:
    """Open at `at` but closing within CLOSING_SOON, or before a walk of `walk_min` arrives."""
    if status.open_now is not True or status.next_change is None:
        return False
    left = status.next_change - at
    return left <= CLOSING_SOON or (walk_min is not None and left <= timedelta(minutes=walk_min))


def describe(record: dict, status: hours.HoursStatus, at: datetime,
             distance_m: float | None = None) -> dict:
    """A record plus open_now, next_change, closing_soon (from its `status` at `at`) and, with
    a distance, distance_m and walking_min."""
    out = dict(record)
    out["open_now"] = status.open_now
    out["next_change"] = status.next_change.isoformat() if status.next_change else None
    out["verified"] = bool(record["verified_on"])
    walk = None
    if distance_m is not None:
        out["distance_m"] = round(distance_m)
        out["walking_min"] = walk = walking_min(distance_m)
        if distance_m > WALKING_LIMIT_M:
            walk = None  # nobody walks there: closing soon means within CLOSING_SOON only
    out["closing_soon"] = closing_soon(status, at, walk)
    return out


def open_first(items: Sequence[T], is_open: Callable[[T], bool]) -> list[T]:
    """Results in page order: nearest first, except that when the nearest is not open, the
    nearest open one leads and the nearer ones follow it, all else in distance order."""
    first_open = next((i for i, item in enumerate(items) if is_open(item)), None)
    if not first_open:  # None (nothing open) or 0 (the nearest is open)
        return list(items)
    return [items[first_open], *items[:first_open], *items[first_open + 1:]]


def feature(record: dict, status: hours.HoursStatus, at: datetime) -> dict:
    """A facility as a GeoJSON Feature (coordinates lon, lat in WGS-84)."""
    props = describe(record, status, at)
    lat, lon = props.pop("lat"), props.pop("lon")
    return {"type": "Feature", "id": record["id"],
            "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def search_result(match, status: hours.HoursStatus, at: datetime) -> dict:
    """A facility found by the search box (search/matching.Match) as /api/search shows it."""
    return {"type": "facility", **describe(match.record, status, at, match.distance_m),
            "matched": {"field": match.field, "text": match.text, "how": match.how}}

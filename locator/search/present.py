"""Facility records as the API and pages show them: distance, walking time, open now."""

import math
from datetime import datetime

from locator.core import hours

WALKING_M_PER_MIN = 75  # a straight-line estimate: real walks are longer


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


def walking_min(distance_m: float) -> int:
    """Whole minutes to walk a straight line at 75 m/min (an estimate)."""
    return max(1, math.ceil(distance_m / WALKING_M_PER_MIN))


def describe(record: dict, status: hours.HoursStatus, distance_m: float | None = None) -> dict:
    """A record plus open_now, next_change (from its `status`) and, with a distance,
    distance_m and walking_min."""
    out = dict(record)
    out["open_now"] = status.open_now
    out["next_change"] = status.next_change.isoformat() if status.next_change else None
    out["verified"] = bool(record["verified_on"])
    if distance_m is not None:
        out["distance_m"] = round(distance_m)
        out["walking_min"] = walking_min(distance_m)
    return out


def feature(record: dict, status: hours.HoursStatus) -> dict:
    """A facility as a GeoJSON Feature (coordinates lon, lat in WGS-84)."""
    props = describe(record, status)
    lat, lon = props.pop("lat"), props.pop("lon")
    return {"type": "Feature", "id": record["id"],
            "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def search_result(match, status: hours.HoursStatus) -> dict:
    """A facility found by the search box (search/matching.Match) as /api/search shows it."""
    return {"type": "facility", **describe(match.record, status, match.distance_m),
            "matched": {"field": match.field, "text": match.text, "how": match.how}}

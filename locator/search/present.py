"""Facility records as the API and pages show them: distance, walking time, open now."""

import math
from datetime import datetime

from flask import current_app

from locator.core import hours
from locator.core.clock import shanghai_now

WALKING_M_PER_MIN = 75  # a straight-line estimate: real walks are longer


def now() -> datetime:
    """The current time in Asia/Shanghai; tests inject a clock through config CLOCK."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else shanghai_now()


def walking_min(distance_m: float) -> int:
    """Whole minutes to walk a straight line at 75 m/min (an estimate)."""
    return max(1, math.ceil(distance_m / WALKING_M_PER_MIN))


def describe(record: dict, at: datetime, distance_m: float | None = None) -> dict:
    """A record plus open_now, next_change and, with a distance, distance_m and walking_min."""
    status = hours.status(record["opening_hours"], at)
    out = dict(record)
    out["open_now"] = status.open_now
    out["next_change"] = status.next_change.isoformat() if status.next_change else None
    out["verified"] = bool(record["verified_on"])
    if distance_m is not None:
        out["distance_m"] = round(distance_m)
        out["walking_min"] = walking_min(distance_m)
    return out


def is_open(at: datetime):
    """A predicate for the nearest engine: open at `at` (unknown hours do not count)."""
    def accept(record: dict) -> bool:
        return hours.status(record["opening_hours"], at).open_now is True
    return accept


def feature(record: dict, at: datetime) -> dict:
    """A facility as a GeoJSON Feature (coordinates lon, lat in WGS-84)."""
    props = describe(record, at)
    lat, lon = props.pop("lat"), props.pop("lon")
    return {"type": "Feature", "id": record["id"],
            "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}

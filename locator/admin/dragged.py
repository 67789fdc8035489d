"""Points the admin dragged on the preview map: the confirm form's `moved[<id>]` fields.

static/js/preview_drag.js writes one hidden field per dragged point, `moved[<id>]=lat,lon`,
in the datum the map draws in (named by the form's `moved_datum`: WGS-84, or GCJ-02 under
AMap tiles). Here they are read, converted to WGS-84 by core/geo (the one implementation of
the datums) and checked; any bad one refuses the whole confirm, so nothing half-applies.
"""

import math
import re
from collections.abc import Collection, Mapping

from locator.core.geo import to_wgs84
from locator.web.i18n import gettext

FIELD = re.compile(r"moved\[(.*)\]")
DATUMS = ("wgs84", "gcj02")  # what a base map draws in (maps/layers.Provider.gcj02)
DECIMALS = 7  # about 1 cm: finer than any hand on a map


class Refused(ValueError):
    """A dragged point that cannot be applied; the message says which and why, translated."""


def datum(gcj02: bool) -> str:
    """The datum name the form carries for a base map."""
    return "gcj02" if gcj02 else "wgs84"


def read(form: Mapping[str, str], movable: Collection[str],
         area: tuple[float, float, float, float]) -> dict[str, tuple[float, float]]:
    """id → WGS-84 point for every `moved[<id>]` field; Refused for an id not in `movable`,
    a value that is not two finite numbers, or a point outside `area` (min lat, min lon, max
    lat, max lon)."""
    system = form.get("moved_datum") or "wgs84"
    if system not in DATUMS:
        raise Refused(gettext("The map's datum %(datum)r is not known. Nothing was applied.",
                              datum=system))
    points = {}
    for key, value in form.items():
        if (found := FIELD.fullmatch(key)) is not None:
            points[found.group(1)] = _point(found.group(1), value, system, movable, area)
    return points


def _point(key: str, value: str, system: str, movable: Collection[str],
           area: tuple[float, float, float, float]) -> tuple[float, float]:
    """One field's WGS-84 point, checked."""
    if key not in movable:
        raise Refused(gettext("%(id)s is not a new or geocoded facility of this file, so it "
                              "cannot be placed on the map here. Nothing was applied.", id=key))
    numbers = _numbers(value)
    if numbers is None:
        raise Refused(gettext("The position given for %(id)s (%(value)r) is not two numbers "
                              "“latitude,longitude”. Nothing was applied.", id=key, value=value))
    lat, lon = (round(n, DECIMALS) for n in to_wgs84(*numbers, system))
    if not (area[0] <= lat <= area[2] and area[1] <= lon <= area[3]):
        raise Refused(gettext("%(id)s was placed at %(lat)s, %(lon)s, outside the service area. "
                              "Drag it back inside the area. Nothing was applied.",
                              id=key, lat=f"{lat:.6f}", lon=f"{lon:.6f}"))
    return lat, lon


def _numbers(value: str) -> tuple[float, float] | None:
    """'lat,lon' as two finite floats in range, or None."""
    parts = value.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    return lat, lon

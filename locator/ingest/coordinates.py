"""Coordinates in an import: parse, convert to WGS-84, check the service area, find near-twins."""

import math
import re
from collections import Counter, defaultdict

from locator.core.geo import TO_WGS84
from locator.core.records import MAX_LENGTH
from locator.ingest.fields import Conversion
from locator.ingest.problems import N_, Problem

Area = tuple[float, float, float, float]  # min_lat, min_lon, max_lat, max_lon

# Degrees-minutes-seconds as surveys and maps print them: 22°31′41″N, 22°31'41"N, 22 31 41.5,
# 北纬22°31′41″, 22度31分41秒, 22°31.5′ (decimal minutes), 22.5281°N. Primes come as ′ ″, as
# ASCII ' " (or ''), or as typographic quotes ’ ” when an editor "smartened" them.
_HEMISPHERES = {"N": ("lat", 1), "S": ("lat", -1), "E": ("lon", 1), "W": ("lon", -1),
                "北纬": ("lat", 1), "南纬": ("lat", -1), "东经": ("lon", 1), "西经": ("lon", -1),
                "北緯": ("lat", 1), "南緯": ("lat", -1), "東經": ("lon", 1), "西經": ("lon", -1)}
_HEMISPHERE = "|".join(sorted(_HEMISPHERES, key=len, reverse=True))
_DMS = re.compile(
    rf"(?P<before>{_HEMISPHERE})?\s*(?P<sign>[-+−])?\s*"
    r"(?P<d>\d{1,3}(?:\.\d+)?)\s*(?:[°º˚度]\s*|\s+|(?=[NSEWnsew]?$))"
    r"(?:(?P<m>\d{1,2}(?:\.\d+)?)\s*(?:[′'’´‘分]\s*|\s+|(?=[NSEWnsew]?$))"
    r"(?:(?P<s>\d{1,2}(?:\.\d+)?)\s*(?:''|′′|[″\"”“秒])?\s*)?)?"
    rf"(?P<after>[NSEWnsew])?", re.IGNORECASE)
# Decimal places a converted DMS value keeps: 1 cm, far finer than the 0.1″ (3 m) a written
# DMS value carries, and short enough to read in an export.
DMS_DECIMALS = 7


def convert_points(lats: list[str], lons: list[str], systems: list[str], lines: list[int],
                   area: Area, conversions: list[Conversion] | None = None
                   ) -> tuple[list, list, list[Problem]]:
    """WGS-84 floats for each row (None where invalid), and the problems found; cells read
    as degrees-minutes-seconds are added to `conversions`."""
    conversions = [] if conversions is None else conversions
    min_lat, min_lon, max_lat, max_lon = area
    out_lat, out_lon, problems = [], [], []
    for lat_text, lon_text, system, line in zip(lats, lons, systems, lines, strict=True):
        try:  # the fast path: a plain WGS-84 point inside the area
            lat, lon = float(lat_text), float(lon_text)
            if system == "wgs84" and min_lat <= lat <= max_lat and min_lon <= lon <= max_lon:
                out_lat.append(lat)
                out_lon.append(lon)
                continue
        except ValueError:
            pass
        point, found = _check_point(lat_text, lon_text, system, line, area, conversions)
        out_lat.append(point and point[0])
        out_lon.append(point and point[1])
        problems.extend(found)
    return out_lat, out_lon, problems


def _check_point(lat_text: str, lon_text: str, system: str, line: int, area: Area,
                 conversions: list[Conversion]) -> tuple[tuple[float, float] | None,
                                                         list[Problem]]:
    """The WGS-84 point of one row, or None with the reasons."""
    lat, lat_problem = _parse_degrees(lat_text, "lat", line, conversions)
    lon, lon_problem = _parse_degrees(lon_text, "lon", line, conversions)
    problems = [p for p in (lat_problem, lon_problem) if p]
    if problems:
        return None, problems
    problems = _range_problems(lat, lon, line)
    if problems or system not in TO_WGS84:  # a bad coord_system is reported on its own column
        return None, problems
    point = TO_WGS84[system](lat, lon)
    if inside(point, area):
        return point, []
    return None, [_outside_problem(lat, lon, system, point, line, area)]


def _parse_degrees(text: str, column: str, line: int,
                   conversions: list[Conversion]) -> tuple[float | None, Problem | None]:
    """Decimal degrees from a cell (degrees-minutes-seconds converted, and added to
    `conversions`), or the reason it is not a finite number."""
    params = {"column": column, "value": text}
    if not text:
        return None, Problem(line, column, N_(
            "%(column)s is empty — every facility needs lat and lon in decimal degrees"), params)
    try:
        value = float(text)
    except ValueError:
        if text.count(",") == 1 and _is_number(text.replace(",", ".")):
            return None, Problem(line, column, N_(
                "%(column)s %(value)r uses a decimal comma — write it with a dot: %(fixed)s"),
                {**params, "fixed": text.replace(",", ".")})
        value, problem = parse_dms(text, column, line)
        if value is not None:
            conversions.append(Conversion(line, column, text, repr(value)))
        return value, problem
    if not math.isfinite(value):
        return None, Problem(line, column, N_(
            "%(column)s %(value)r is not a finite number — write decimal degrees such as "
            "22.5291"), params)
    return value, None


def parse_dms(text: str, column: str, line: int = 0) -> tuple[float | None, Problem | None]:
    """Decimal degrees from degrees-minutes-seconds, with the hemisphere's sign; or the reason:
    not DMS, minutes or seconds of 60 or more, or a hemisphere of the other column (22°N in
    lon)."""
    params = {"column": column, "value": text}
    # Bounded first: the pattern's runs of optional spaces backtrack on a long cell.
    found = _DMS.fullmatch(text.strip()) if len(text) <= MAX_LENGTH[column] else None
    if found is None or (found["before"] and found["after"]) or (
            found["sign"] and (found["before"] or found["after"])):
        return None, Problem(line, column, N_(
            "%(column)s %(value)r is not a number — write decimal degrees such as 22.5291, or "
            "degrees-minutes-seconds such as 22°31′41″N"), params)
    hemisphere = (found["before"] or found["after"] or "").upper()
    if hemisphere:
        axis, sign = _HEMISPHERES[hemisphere]
    else:
        axis, sign = column, -1 if found["sign"] in ("-", "−") else 1
    if axis != column:
        return None, Problem(line, column, N_(
            "%(column)s %(value)r has the hemisphere %(hemisphere)s, which belongs in "
            "%(other)s — check that lat and lon are not swapped"),
            {**params, "hemisphere": found["before"] or found["after"], "other": axis})
    parts = [found[k] for k in ("d", "m", "s")]
    if any(p is not None and float(p) >= 60 for p in parts[1:]) or any(
            "." in p for p, after in zip(parts, parts[1:], strict=False) if p and after):
        return None, Problem(line, column, N_(
            "%(column)s %(value)r is not valid degrees-minutes-seconds — minutes and seconds "
            "are below 60 and only the last part may have decimals, e.g. 22°31′41.5″N"), params)
    degrees = sum(float(p) / 60 ** n for n, p in enumerate(parts) if p is not None)
    return round(sign * degrees, DMS_DECIMALS), None


def _is_number(text: str) -> bool:
    """Whether float() accepts `text`."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _range_problems(lat: float, lon: float, line: int) -> list[Problem]:
    """Latitude within ±90, longitude within ±180, and not the 0,0 placeholder."""
    problems = []
    if abs(lat) > 90:
        problems.append(Problem(line, "lat", N_(
            "lat %(value)s is not a latitude (it must be between -90 and 90) — check that lat "
            "and lon are not swapped"), {"value": lat}))
    if abs(lon) > 180:
        problems.append(Problem(line, "lon", N_(
            "lon %(value)s is not a longitude (it must be between -180 and 180)"),
            {"value": lon}))
    if lat == 0 and lon == 0:
        problems.append(Problem(line, "lat", N_(
            "lat and lon are both 0, a placeholder rather than a place — enter the facility's "
            "coordinates")))
    return problems


def inside(point: tuple[float, float], area: Area) -> bool:
    """Whether (lat, lon) lies in the area, edges included."""
    return area[0] <= point[0] <= area[2] and area[1] <= point[1] <= area[3]


def _outside_problem(lat: float, lon: float, system: str, point: tuple[float, float],
                     line: int, area: Area) -> Problem:
    """Outside the service area, with the fix when swapping or another datum puts it inside."""
    column = "lat" if not area[0] <= point[0] <= area[2] else "lon"
    params = {"lat": lat, "lon": lon, "system": system,
              "area": f"lat {area[0]}–{area[2]}, lon {area[1]}–{area[3]}"}
    swapped, datum = _likely_fix(lat, lon, system, area)
    if swapped:
        return Problem(line, column, N_(
            "lat/lon %(lat)s, %(lon)s is outside the service area (%(area)s) — lat and lon look "
            "swapped: put the latitude in lat and the longitude in lon"), params)
    if datum:
        return Problem(line, column, N_(
            "lat/lon %(lat)s, %(lon)s (%(system)s) is outside the service area (%(area)s) — "
            "these look like %(datum)s coordinates: set coord_system to %(datum)s"),
            {**params, "datum": datum})
    return Problem(line, column, N_(
        "lat/lon %(lat)s, %(lon)s (%(system)s) is outside the service area (%(area)s) — check "
        "the numbers, and that they are decimal degrees"), params)


def _likely_fix(lat: float, lon: float, system: str, area: Area) -> tuple[bool, str | None]:
    """(swapped, datum) of the first reading that lands inside: swapped, then other datums."""
    others = [s for s in TO_WGS84 if s != system]
    readings = [(True, system)] + [(False, s) for s in others] + [(True, s) for s in others]
    for swap, datum in readings:
        a, b = (lon, lat) if swap else (lat, lon)
        if abs(a) <= 90 and inside(TO_WGS84[datum](a, b), area):
            return swap, None if datum == system else datum
    return False, None


# -- probable duplicates: a grid hash, so 100,000 points cost a few set operations -------------

# key = group * _GROUP + lat_cell * _ROW + lon_cell; small enough to stay a machine-size int.
_ROW = 1 << 24
_GROUP = 1 << 50
_FORWARD = (1, _ROW - 1, _ROW, _ROW + 1)
_AROUND = (0, *_FORWARD, *(-k for k in _FORWARD))  # a cell and its eight neighbours
# Distinct points compared per point at most: far above any real neighbourhood, and it keeps a
# pathological file (thousands of jittered points in one spot) linear.
MAX_CANDIDATES = 64
_WGS84_A = 6_378_137.0
_WGS84_E2 = 6.69437999014e-3


def near_twins(groups: list[int], lats: list[float], lons: list[float], metres: float,
               start: int = 0) -> list[tuple[int, int, float]]:
    """(j, i, distance): each point j ≥ start with an earlier point i of its group within
    `metres` (one i per j); points before `start` are only compared with, never reported."""
    if not lats:
        return []
    max_abs_lat = min(max(abs(x) for x in lats), 80.0)
    size = metres / 111_000 / math.cos(math.radians(max_abs_lat))  # ≥ metres both ways
    # int() truncates, so the cells either side of 0 merge into one twice as wide: harmless,
    # a cell only has to be at least `metres` across, and int() is much faster than floor().
    keys = [g * _GROUP + int(la / size) * _ROW + int(lo / size)
            for g, la, lo in zip(groups, lats, lons, strict=True)]
    cells = _shared_cells(keys)
    if not cells:
        return []
    twins, seen, exact = [], defaultdict(list), {}
    for j in (j for j, key in enumerate(keys) if key in cells):
        twin = _twin(j, keys[j], groups, lats, lons, metres, seen, exact)
        if twin is not None and j >= start:
            twins.append((j, *twin))
    return twins


def _twin(j, key, groups, lats, lons, metres, seen, exact) -> tuple[int, float] | None:
    """(i, distance) of an earlier point near j; records j as seen for the points after it."""
    spot = (groups[j], lats[j], lons[j])
    if spot in exact:  # the same coordinates again: no need to compare, nor to keep j
        return exact[spot], 0.0
    exact[spot] = j
    seen[key].append(j)
    checked = 0
    for offset in _AROUND:
        for i in seen.get(key + offset, ()):
            if i == j:
                continue
            distance = flat_distance_m(lats[i], lons[i], lats[j], lons[j])
            if distance <= metres:
                return i, distance
            checked += 1
            if checked >= MAX_CANDIDATES:
                return None
    return None


def flat_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres between points tens of metres apart: the ellipsoid's local radii, mm-exact there."""
    phi = math.radians((lat1 + lat2) / 2)
    w = 1.0 - _WGS84_E2 * math.sin(phi) ** 2
    north = math.radians(lat2 - lat1) * _WGS84_A * (1.0 - _WGS84_E2) / w ** 1.5
    east = math.radians(lon2 - lon1) * _WGS84_A * math.cos(phi) / math.sqrt(w)
    return math.hypot(north, east)


def _shared_cells(keys: list[int]) -> set[int]:
    """Cells holding two points, or a point with one in a neighbouring cell."""
    occupied = set(keys)
    cells = {k for k, n in Counter(keys).items() if n > 1} if len(occupied) < len(keys) else set()
    for offset in _FORWARD:
        hits = occupied.intersection([k + offset for k in occupied])
        cells |= hits
        cells.update(k - offset for k in hits)
    return cells

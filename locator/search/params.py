"""Query parameters of the nearest search and the facility list, checked once for API and pages."""

import math
import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from locator.core import districts
from locator.core.categories import ACCESS_LABELS, AMENITIES, CATEGORIES

MAX_LIMIT = 50
MAX_RADIUS_M = 50_000
MAX_QUERY_CHARS = 200
WHOLE_NUMBER = re.compile(r"[0-9]{1,6}(\.0*)?")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


class ParamError(ValueError):
    """A query parameter is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class NearestParams:
    """A checked nearest-search request."""

    lat: float | None
    lon: float | None
    q: str
    category: str | None
    amenities: tuple[str, ...]
    access: str | None
    limit: int
    radius_m: float | None
    open_now: bool


def nearest_params(args: MultiDict, default_limit: int = 5) -> NearestParams:
    """Check the arguments of /api/nearest and /nearest."""
    q = text_param(args, "q")
    lat, lon = coordinate(args, "lat", 90), coordinate(args, "lon", 180)
    if (lat is None) != (lon is None):
        raise ParamError("give both lat and lon, or neither")
    if lat is None and not q:
        raise ParamError("give lat and lon (WGS-84 decimal degrees), or q (a place name)")
    category = category_param(args)
    return NearestParams(
        lat=lat, lon=lon, q=q, category=category, amenities=amenity_params(args, category),
        access=choice(args, "access", ACCESS_LABELS), limit=limit_param(args, default_limit),
        radius_m=number(args, "radius_m", 1, MAX_RADIUS_M), open_now=flag(args, "open_now"))


@dataclass(frozen=True)
class SearchParams:
    """A checked /api/search request."""

    q: str
    lat: float | None
    lon: float | None
    limit: int


def search_params(args: MultiDict) -> SearchParams:
    """Check the arguments of /api/search: q, and optionally lat/lon and limit."""
    q = text_param(args, "q")
    if not q:
        raise ParamError("give q: a name, a category word or a destination")
    lat, lon = coordinate(args, "lat", 90), coordinate(args, "lon", 180)
    if (lat is None) != (lon is None):
        raise ParamError("give both lat and lon, or neither")
    return SearchParams(q, lat, lon, limit_param(args, 10, 20))


def text_param(args: MultiDict, name: str) -> str:
    """A free-text parameter, trimmed and bounded."""
    value = args.get(name, "").strip()
    if len(value) > MAX_QUERY_CHARS:
        raise ParamError(f"{name} is longer than {MAX_QUERY_CHARS} characters: shorten it")
    return value


def coordinate(args: MultiDict, name: str, bound: float) -> float | None:
    """A latitude or longitude in decimal degrees, or None when absent."""
    if not args.get(name, "").strip():
        return None
    return _finite(args[name], name, -bound, bound)


def number(args: MultiDict, name: str, low: float, high: float) -> float | None:
    """An optional number between low and high."""
    if not args.get(name, "").strip():
        return None
    return _finite(args[name], name, low, high)


def _finite(raw: str, name: str, low: float, high: float) -> float:
    """Parse a finite float within [low, high] or raise ParamError."""
    try:
        value = float(raw)
    except ValueError:
        raise ParamError(f"{name} must be a number, not {raw[:40]!r}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ParamError(f"{name} must be between {low:g} and {high:g}, not {raw[:40]!r}")
    return value


def limit_param(args: MultiDict, default: int, maximum: int = MAX_LIMIT) -> int:
    """How many results: a whole number from 1 to `maximum`."""
    raw = args.get("limit", "").strip()
    if not raw:
        return default
    # "10" and "10.0" are the same whole number (as JSON Schema's integer says).
    if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(float(raw)) <= maximum:
        raise ParamError(f"limit must be a whole number from 1 to {maximum}, not {raw[:40]!r}")
    return int(float(raw))


def district_param(args: MultiDict) -> str | None:
    """A district's name (ending in 区, 县, 市 or 旗), or None when absent."""
    value = args.get("district", "").strip()
    if not value:
        return None
    if not districts.well_formed(value):
        raise ParamError(f"district {value[:40]!r} is not a district's name: give its full name,"
                         " ending in 区, 县, 市 or 旗 (for example 新会区)")
    return value


def category_param(args: MultiDict) -> str | None:
    """A known category key, or None."""
    return choice(args, "category", CATEGORIES)


def choice(args: MultiDict, name: str, allowed) -> str | None:
    """One of `allowed`, or None when absent."""
    value = args.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise ParamError(f"unknown {name} {value[:40]!r}: use one of {', '.join(allowed)}")
    return value


def amenity_params(args: MultiDict, category: str | None) -> tuple[str, ...]:
    """Required amenity tokens: repeated `amenity=` or comma-separated."""
    tokens = [t.strip() for v in args.getlist("amenity") for t in v.split(",") if t.strip()]
    allowed = CATEGORIES[category].amenities if category else AMENITIES
    for token in tokens:
        if token not in allowed:
            where = f"for {category}" if category else "known"
            raise ParamError(f"unknown amenity {token[:40]!r}; {where}: {', '.join(allowed)}")
    return tuple(dict.fromkeys(tokens))


def flag(args: MultiDict, name: str) -> bool:
    """A boolean parameter: true/false, 1/0, yes/no."""
    value = args.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ParamError(f"{name} must be true or false, not {value[:40]!r}")


def bbox_param(args: MultiDict) -> tuple[float, float, float, float] | None:
    """bbox=minlon,minlat,maxlon,maxlat as (min_lat, min_lon, max_lat, max_lon), or None."""
    raw = args.get("bbox", "").strip()
    if not raw:
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise ParamError("bbox must be minlon,minlat,maxlon,maxlat (four numbers)")
    bounds = (180, 90, 180, 90)
    min_lon, min_lat, max_lon, max_lat = (
        _finite(p, "bbox", -b, b) for p, b in zip(parts, bounds, strict=True))
    if min_lon > max_lon or min_lat > max_lat:
        raise ParamError("bbox must be minlon,minlat,maxlon,maxlat with min ≤ max")
    return min_lat, min_lon, max_lat, max_lon

"""Navigate links to AMap, Baidu, Apple Maps and the phone's map app, as their URIs are documented.

Pure functions, no Flask. Coordinates are WGS-84 (as stored): AMap and Baidu are told so with
coordinate=wgs84 / coord_type=wgs84 and convert themselves. Names are user data: every name goes
through quote_plus, exactly as urlencode would quote it (a test holds them equal). The fixed
parts are written out already encoded, because a results page builds twenty of these links and
urlencode would re-quote every constant key and value each time.
"""

from dataclasses import dataclass
from urllib.parse import quote_plus

# Baidu asks callers to name themselves in `src` (webapp.<company>.<app>).
BAIDU_SOURCE = "webapp.locator.xinhui"
MAX_NAME_CHARS = 100


@dataclass(frozen=True)
class NavLink:
    """One navigate link: which app, and the URL that opens it."""

    app: str  # amap | baidu | apple | geo
    url: str


def _coord(value: float) -> str:
    """Six decimals (~0.1 m): enough for a door, short in a URL."""
    return f"{value:.6f}"


def _pair(first: float, second: float) -> str:
    """Two coordinates as one query value ("," encoded, as urlencode does)."""
    return f"{_coord(first)}%2C{_coord(second)}"


def _name(name: str) -> str:
    """A place name as a query value: cut to length, then quoted (user data)."""
    return quote_plus(name[:MAX_NAME_CHARS])


def amap_url(lat: float, lon: float, name: str) -> str:
    """AMap's marker page (longitude first), opening the app where installed."""
    return (f"https://uri.amap.com/marker?position={_pair(lon, lat)}&name={_name(name)}"
            "&coordinate=wgs84&callnative=1")


def baidu_url(lat: float, lon: float, name: str) -> str:
    """Baidu's marker page (latitude first)."""
    quoted = _name(name)
    return (f"https://api.map.baidu.com/marker?location={_pair(lat, lon)}&title={quoted}"
            f"&content={quoted}&coord_type=wgs84&output=html&src={BAIDU_SOURCE}")


def apple_url(lat: float, lon: float) -> str:
    """Apple Maps walking directions to the point."""
    return f"https://maps.apple.com/?daddr={_pair(lat, lon)}&dirflg=w"


def geo_url(lat: float, lon: float) -> str:
    """The geo: URI (RFC 5870) that Android hands to any installed map app."""
    return f"geo:{_coord(lat)},{_coord(lon)}"


def navigate_links(lat: float, lon: float, name: str) -> list[NavLink]:
    """All navigate links for a WGS-84 point, most used in China first."""
    return [NavLink("amap", amap_url(lat, lon, name)), NavLink("baidu", baidu_url(lat, lon, name)),
            NavLink("apple", apple_url(lat, lon)), NavLink("geo", geo_url(lat, lon))]

"""Navigate links to AMap, Baidu, Apple Maps and the phone's own map app (DESIGN.md formats).

Pure functions, no Flask. Coordinates are WGS-84 (as stored): AMap and Baidu are told so with
coordinate=wgs84 / coord_type=wgs84 and convert themselves. Names are user data, so every value
goes through urlencode; nothing is pasted into a URL by string formatting.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

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


def amap_url(lat: float, lon: float, name: str) -> str:
    """AMap's marker page (longitude first), opening the app where installed."""
    query = {"position": f"{_coord(lon)},{_coord(lat)}", "name": name[:MAX_NAME_CHARS],
             "coordinate": "wgs84", "callnative": "1"}
    return "https://uri.amap.com/marker?" + urlencode(query)


def baidu_url(lat: float, lon: float, name: str) -> str:
    """Baidu's marker page (latitude first)."""
    query = {"location": f"{_coord(lat)},{_coord(lon)}", "title": name[:MAX_NAME_CHARS],
             "content": name[:MAX_NAME_CHARS], "coord_type": "wgs84", "output": "html",
             "src": BAIDU_SOURCE}
    return "https://api.map.baidu.com/marker?" + urlencode(query)


def apple_url(lat: float, lon: float) -> str:
    """Apple Maps walking directions to the point."""
    return "https://maps.apple.com/?" + urlencode({"daddr": f"{_coord(lat)},{_coord(lon)}",
                                                   "dirflg": "w"})


def geo_url(lat: float, lon: float) -> str:
    """The geo: URI (RFC 5870) that Android hands to any installed map app."""
    return f"geo:{_coord(lat)},{_coord(lon)}"


def navigate_links(lat: float, lon: float, name: str) -> list[NavLink]:
    """All navigate links for a WGS-84 point, most used in China first."""
    return [NavLink("amap", amap_url(lat, lon, name)), NavLink("baidu", baidu_url(lat, lon, name)),
            NavLink("apple", apple_url(lat, lon)), NavLink("geo", geo_url(lat, lon))]

"""Route links to AMap, Baidu, Apple Maps and the phone's map app, as their URIs are documented.

Pure functions, no Flask. A link starts a route (walking, or transit and car beyond walking
distance) to the place, from the visitor's origin when it is known. Coordinates come in
WGS-84 (as stored):

* AMap's route URI (uri.amap.com/navigation: from, to = lon,lat[,name], mode walk|bus|car)
  documents no `coordinate` parameter and reads AMap's own GCJ-02, so the points are converted
  here; with no origin AMap starts from the phone's position (its documented default, on phones);
* Baidu's web direction URI (api.map.baidu.com/direction: origin, destination =
  latlng:lat,lng|name:…, mode walking|transit|driving) is told coord_type=wgs84 and requires an
  origin, so with none the link is Baidu's marker page (whose "到这里去" routes from the phone);
* Apple Maps takes daddr, saddr when known, and dirflg w|r|d.

Names are user data: every name goes through quote_plus, exactly as urlencode would quote it (a
test holds them equal), after the one character that separates fields inside the value (AMap's
",", Baidu's "|") is replaced by its full-width form. The fixed parts are written out already
encoded, because a results page builds twenty of these links and urlencode would re-quote every
constant key and value each time.
"""

from dataclasses import dataclass
from urllib.parse import quote_plus

from locator.core.geo import wgs84_to_gcj02

# Baidu asks callers to name themselves in `src` (webapp.<company>.<app>); AMap takes any `src`.
BAIDU_SOURCE = "webapp.locator.xinhui"
AMAP_SOURCE = "locator.xinhui"
# Baidu's `region`: the city the route is in (its transit search needs one). The district is
# Xinhui, in Jiangmen.
BAIDU_REGION = "江门"
MAX_NAME_CHARS = 100

WALK, TRANSIT, CAR = "walk", "transit", "car"
MODES = (WALK, TRANSIT, CAR)
_AMAP_MODE = {WALK: "walk", TRANSIT: "bus", CAR: "car"}
_BAIDU_MODE = {WALK: "walking", TRANSIT: "transit", CAR: "driving"}
_APPLE_MODE = {WALK: "w", TRANSIT: "r", CAR: "d"}


@dataclass(frozen=True)
class Place:
    """A named WGS-84 point: the destination, or the visitor's origin."""

    lat: float
    lon: float
    name: str


@dataclass(frozen=True)
class NavLink:
    """One route link: which app, in which mode, and the URL that opens it."""

    app: str  # amap | baidu | apple | geo
    url: str
    mode: str = WALK


def _coord(value: float) -> str:
    """Six decimals (~0.1 m): enough for a door, short in a URL."""
    return f"{value:.6f}"


def _pair(first: float, second: float) -> str:
    """Two coordinates as one query value ("," encoded, as urlencode does)."""
    return f"{_coord(first)}%2C{_coord(second)}"


def _name(name: str) -> str:
    """A place name as a query value: cut to length, then quoted (user data)."""
    return quote_plus(name[:MAX_NAME_CHARS])


def _amap_point(place: Place) -> str:
    """lon,lat,name in GCJ-02 (AMap's own datum): the name last, its commas made full-width."""
    lat, lon = wgs84_to_gcj02(place.lat, place.lon)
    return f"{_pair(lon, lat)}%2C{_name(place.name[:MAX_NAME_CHARS].replace(',', '，'))}"


def _baidu_point(place: Place) -> str:
    """latlng:lat,lng|name:… (latitude first), the name's "|" made full-width."""
    name = _name(place.name[:MAX_NAME_CHARS].replace("|", "｜"))
    return f"latlng%3A{_pair(place.lat, place.lon)}%7Cname%3A{name}"


def amap_url(lat: float, lon: float, name: str, origin: Place | None = None,
             mode: str = WALK) -> str:
    """AMap's route to the point in `mode`, from `origin` or else the phone's position."""
    start = f"from={_amap_point(origin)}&" if origin else ""
    return (f"https://uri.amap.com/navigation?{start}to={_amap_point(Place(lat, lon, name))}"
            f"&mode={_AMAP_MODE[mode]}&callnative=1&src={AMAP_SOURCE}")


def baidu_url(lat: float, lon: float, name: str, origin: Place | None = None,
              mode: str = WALK) -> str:
    """Baidu's route from `origin` in `mode`; its marker page when the origin is unknown."""
    if origin is None:
        quoted = _name(name)
        return (f"https://api.map.baidu.com/marker?location={_pair(lat, lon)}&title={quoted}"
                f"&content={quoted}&coord_type=wgs84&output=html&src={BAIDU_SOURCE}")
    return (f"https://api.map.baidu.com/direction?origin={_baidu_point(origin)}"
            f"&destination={_baidu_point(Place(lat, lon, name))}&mode={_BAIDU_MODE[mode]}"
            f"&region={quote_plus(BAIDU_REGION)}&coord_type=wgs84&output=html&src={BAIDU_SOURCE}")


def apple_url(lat: float, lon: float, origin: Place | None = None, mode: str = WALK) -> str:
    """Apple Maps directions to the point in `mode`, from `origin` when known."""
    start = f"saddr={_pair(origin.lat, origin.lon)}&" if origin else ""
    return f"https://maps.apple.com/?{start}daddr={_pair(lat, lon)}&dirflg={_APPLE_MODE[mode]}"


def geo_url(lat: float, lon: float) -> str:
    """The geo: URI (RFC 5870) that Android hands to any installed map app."""
    return f"geo:{_coord(lat)},{_coord(lon)}"


def navigate_links(lat: float, lon: float, name: str, origin: Place | None = None,
                   mode: str = WALK) -> list[NavLink]:
    """Route links in `mode` for a WGS-84 point, most used in China first, then geo: (no mode:
    any other map app opens at the point)."""
    return [NavLink("amap", amap_url(lat, lon, name, origin, mode), mode),
            NavLink("baidu", baidu_url(lat, lon, name, origin, mode), mode),
            NavLink("apple", apple_url(lat, lon, origin, mode), mode),
            NavLink("geo", geo_url(lat, lon), mode)]

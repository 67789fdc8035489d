"""Folium map shells, base-map providers and display coordinates. No Flask here.

A page's map has two parts. The *shell* (map, base layer, cluster layers, layer control, the
local asset list) depends only on the base-map configuration, the language and the kind of
map, so folium builds it once per combination and the page loads it as a cached script file.
The *data* (origin, results, facilities) changes per request and travels as JSON that
static/js/map.js turns into markers with DOM text, never HTML strings.

Coordinates stay WGS-84 everywhere except here, on the way to the screen: on GCJ-02 base maps
(AMap) every drawn point is shifted with geo.wgs84_to_gcj02.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from locator.core.geo import wgs84_to_gcj02

VENDOR = "/static/vendor/"
LEAFLET_JS = VENDOR + "leaflet-1.9.4/leaflet.js"
LEAFLET_CSS = VENDOR + "leaflet-1.9.4/leaflet.css"
CLUSTER_JS = VENDOR + "leaflet.markercluster-1.5.3/leaflet.markercluster.js"
CLUSTER_CSS = (VENDOR + "leaflet.markercluster-1.5.3/MarkerCluster.css",
               VENDOR + "leaflet.markercluster-1.5.3/MarkerCluster.Default.css")
# Xinhui's centre: where a map starts before the page's data sets the view.
CENTRE = (22.52, 113.03)
MAP_ID = "map_locator"
MIN_ZOOM = 8  # all of Xinhui (and Jiangmen) fits a phone screen at zoom 9
KINDS = ("points", "overview")


@dataclass(frozen=True)
class Provider:
    """A base-map service: tile URL template(s), credit, and the datum it draws in."""

    urls: tuple[str, ...]
    subdomains: str
    attribution: str  # plain text
    gcj02: bool
    max_zoom: int = 18


PROVIDERS = {
    "osm": Provider(("https://tile.openstreetmap.org/{z}/{x}/{y}.png",), "",
                    "© OpenStreetMap contributors", gcj02=False, max_zoom=19),
    "amap": Provider(("https://webrd0{s}.is.autonavi.com/appmaptile"
                      "?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",),
                     "1234", "© 高德地图 AutoNavi", gcj02=True),
    # 天地图 draws in CGCS2000, which matches WGS-84 to centimetres: no shift. Base + labels.
    "tianditu": Provider(tuple(
        f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}" for layer in ("vec", "cva")),
        "01234567", "© 天地图 Tianditu", gcj02=False),
}


@dataclass(frozen=True)
class Tiles:
    """The configured base map, resolved: what a shell needs and what the credit line says."""

    name: str
    urls: tuple[str, ...]
    subdomains: str
    attribution: str
    review_number: str
    gcj02: bool
    max_zoom: int

    @property
    def credit(self) -> str:
        """Attribution and map review number (审图号), plain text, shown under every map."""
        return " · ".join(p for p in (self.attribution, self.review_number) if p)


def resolve_tiles(name: str, *, key: str, attribution: str, review_number: str,
                  url: str) -> Tiles:
    """The base map `name` (a PROVIDERS key) with the settings that adjust it (TILES, TILES_KEY,
    TILES_ATTRIBUTION, MAP_REVIEW_NUMBER, TILE_URL: locator/config.py); blank = the provider's."""
    if name not in PROVIDERS:
        raise ValueError(f"TILES must be one of {', '.join(PROVIDERS)}, not {name!r}")
    provider = PROVIDERS[name]
    urls = tuple(u.replace("{key}", key) for u in provider.urls)
    return Tiles(name=name, urls=(url,) if url else urls,
                 subdomains=provider.subdomains, gcj02=provider.gcj02,
                 attribution=attribution or provider.attribution,
                 review_number=review_number, max_zoom=provider.max_zoom)


def display_point(lat: float, lon: float, tiles: Tiles) -> tuple[float, float]:
    """Where a WGS-84 point is drawn on these tiles (shifted on GCJ-02 maps), 6 decimals."""
    if tiles.gcj02:
        lat, lon = wgs84_to_gcj02(lat, lon)
    return round(lat, 6), round(lon, 6)


@dataclass(frozen=True)
class Shell:
    """A rendered map shell: its script, the files it needs, and its credit line."""

    kind: str
    lang: str
    script: str
    digest: str
    js: tuple[str, ...]
    css: tuple[str, ...]
    credit: str
    div_id: str = MAP_ID


def point_data(origin, points: Iterable[dict], tiles: Tiles) -> dict:
    """The points map's JSON: origin and numbered results at their display positions."""
    data = {"origin": None, "points": []}
    if origin is not None:
        lat, lon = display_point(origin["lat"], origin["lon"], tiles)
        data["origin"] = {"lat": lat, "lon": lon, "label": origin["label"]}
    for p in points:
        lat, lon = display_point(p["lat"], p["lon"], tiles)
        data["points"].append({"lat": lat, "lon": lon, "n": p.get("n"), "name": p["name"],
                               "url": p["url"], "open": p.get("open")})
    return data


def overview_data(records: Iterable[dict], tiles: Tiles, lang: str) -> dict:
    """The overview map's JSON: per category, [lat, lon, id, name] rows (compact for 10,000)."""
    layers: dict[str, list] = {}
    for r in records:
        lat, lon = display_point(r["lat"], r["lon"], tiles)
        name = (r["name_en"] or r["name"]) if lang == "en" else r["name"]
        layers.setdefault(r["category"], []).append([lat, lon, r["id"], name])
    return layers

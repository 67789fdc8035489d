"""Map shells (local assets, escaping, determinism), base-map configuration and GCJ-02 display."""

import json
import re

import pytest

from locator import config, create_app
from locator.core.geo import geodesic_m, wgs84_to_gcj02
from locator.maps import layers, shells
from tests.factories import load, row

ROOM = (22.5290, 113.0310)
NAMES = (("nursing_room", "母婴室"), ("landmark", "<b>地标</b>"))


def test_default_tiles_are_osm_with_attribution():
    tiles = config.from_mapping({}).tiles
    assert tiles.name == "osm" and not tiles.gcj02
    assert tiles.urls == ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",)
    assert "OpenStreetMap" in tiles.credit


def test_tianditu_key_review_number_and_overrides():
    tiles = config.from_mapping({"TILES": "tianditu", "TILES_KEY": "k3y",
                                 "MAP_REVIEW_NUMBER": "GS(2024)0000号"}).tiles
    assert len(tiles.urls) == 2 and all(u.endswith("tk=k3y") for u in tiles.urls)
    assert tiles.credit == "© 天地图 Tianditu · GS(2024)0000号" and not tiles.gcj02
    custom = config.from_mapping({"TILES": "amap", "TILE_URL": "/stub/{z}/{x}/{y}.png",
                                  "TILES_ATTRIBUTION": "Stub"}).tiles
    assert custom.urls == ("/stub/{z}/{x}/{y}.png",) and custom.gcj02 and custom.credit == "Stub"


def test_unknown_tiles_are_refused():
    with pytest.raises(ValueError, match="TILES must be one of"):
        layers.resolve_tiles("google", key="", attribution="", review_number="", url="")


def test_display_point_shifts_only_on_gcj02_tiles():
    osm, amap = config.from_mapping({}).tiles, config.from_mapping({"TILES": "amap"}).tiles
    assert layers.display_point(*ROOM, osm) == ROOM
    shifted = layers.display_point(*ROOM, amap)
    assert shifted == tuple(round(v, 6) for v in wgs84_to_gcj02(*ROOM))
    assert 500 < geodesic_m(*ROOM, *shifted) < 700  # GCJ-02 is ~630 m off in Xinhui


@pytest.mark.parametrize("kind", layers.KINDS)
def test_shell_loads_only_local_vendor_files(kind):
    shell = shells.build_shell(kind, "zh", config.from_mapping({}).tiles, NAMES)
    files = shell.js + shell.css
    assert files and all(f.startswith("/static/vendor/") for f in files)
    for unwanted in ("jquery", "bootstrap", "awesome", "fontawesome", "glyphicons", "http"):
        assert not any(unwanted in f.lower() for f in files)
        assert unwanted not in shell.script.lower() or unwanted == "http"
    assert ("leaflet.markercluster.js" in " ".join(files)) == (kind == "overview")


def test_shell_is_deterministic_and_holds_no_request_data():
    tiles = config.from_mapping({}).tiles
    first = shells.build_shell("overview", "en", tiles, NAMES)
    shells.build_shell.cache_clear()
    again = shells.build_shell("overview", "en", tiles, NAMES)
    assert first == again and first.digest == again.digest
    assert "window.LocatorMap" in first.script and '"nursing_room": marker_cluster_nursing_room' \
        in first.script


def test_shell_escapes_attribution_and_layer_names_for_leaflet_html():
    tiles = config.from_mapping({"TILES_ATTRIBUTION": "<img src=x onerror=alert(1)>",
                                 "MAP_REVIEW_NUMBER": "</script>"}).tiles
    script = shells.build_shell("overview", "zh", tiles, NAMES).script
    assert "<img" not in script and "</script>" not in script and "<b>" not in script
    # Leaflet inserts attribution and layer names as HTML: they arrive as entities.
    attribution = re.search(r'"attribution": ("[^"]*")', script).group(1)
    assert json.loads(attribution) == "&lt;img src=x onerror=alert(1)&gt; · &lt;/script&gt;"
    assert '"\\u0026lt;b\\u0026gt;\\u5730\\u6807\\u0026lt;/b\\u0026gt;" : marker_cluster_landmark' \
        in script


def test_tiles_are_added_by_the_page_script_not_the_shell():
    script = shells.build_shell("points", "zh", config.from_mapping({}).tiles).script
    assert "tile_layer_base0.addTo" not in script  # no tiles fetched for a throw-away view


def test_overview_data_is_compact_and_localised():
    records = [{"id": "a", "category": "landmark", "name": "新会学宫", "name_en": "",
                "lat": 22.5, "lon": 113.0}]
    tiles = config.from_mapping({}).tiles
    expected = {"landmark": [[22.5, 113.0, "a", "新会学宫"]]}
    assert layers.overview_data(records, tiles, "en") == expected


@pytest.fixture
def app_with_tiles(db_path):
    """An app factory on one nursing room and one landmark, for a base-map configuration."""
    load(db_path, row(1, lat=str(ROOM[0]), lon=str(ROOM[1])),
         row(2, category="landmark", lat="22.5200", lon="113.0400"))

    def make(**config):
        return create_app({"TESTING": True, "DATABASE": db_path} | config)
    return make


def island(html: str) -> dict:
    """The map data island of a page."""
    return json.loads(re.search(r'id="map-data"[^>]*>(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize(("tiles", "expected"), [
    ("osm", ROOM), ("tianditu", ROOM),
    ("amap", tuple(round(v, 6) for v in wgs84_to_gcj02(*ROOM))),
])
def test_facility_is_drawn_at_its_display_position(app_with_tiles, tiles, expected):
    client = app_with_tiles(TILES=tiles).test_client()
    query = {"lat": "22.5281", "lon": "113.0310", "category": "nursing_room"}
    data = island(client.get("/nearest", query_string=query).text)
    assert (data["points"][0]["lat"], data["points"][0]["lon"]) == expected
    origin = layers.display_point(22.5281, 113.0310, config.from_mapping({"TILES": tiles}).tiles)
    assert (data["origin"]["lat"], data["origin"]["lon"]) == origin
    page = island(client.get("/facilities/room-1").text)
    assert (page["points"][0]["lat"], page["points"][0]["lon"]) == expected
    points = client.get(island(client.get("/map").text)["url"]).get_json()
    assert tuple(points["nursing_room"][0][:2]) == expected


def test_amap_base_map_leaves_the_navigate_links_datums_alone(app_with_tiles):
    # Baidu is told WGS-84; AMap's route URI has no datum parameter, so it gets GCJ-02 whatever
    # the base map (tests/unit/test_navigate.py checks the formats).
    client = app_with_tiles(TILES="amap").test_client()
    html = client.get("/facilities/room-1").text
    lat, lon = wgs84_to_gcj02(22.529, 113.031)
    assert f"to={lon:.6f}%2C{lat:.6f}%2C" in html
    assert "location=22.529000%2C113.031000" in html and "coord_type=wgs84" in html


def test_every_map_shows_the_credit_and_review_number(app_with_tiles):
    client = app_with_tiles(TILES="amap", MAP_REVIEW_NUMBER="GS(2021)1234号").test_client()
    for path in ("/map", "/facilities/room-1",
                 "/nearest?lat=22.5281&lon=113.031&category=nursing_room"):
        assert "© 高德地图 AutoNavi · GS(2021)1234号" in client.get(path).text, path

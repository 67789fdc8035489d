"""folium's part of the map shells (see maps.py): loaded on first use, as folium is heavy."""

import hashlib
from collections.abc import Iterable
from functools import lru_cache

import folium
from branca.element import CssLink, JavascriptLink, MacroElement
from folium.plugins import MarkerCluster
from folium.template import Template
from markupsafe import escape

from locator.maps.layers import (
    CENTRE,
    CLUSTER_CSS,
    CLUSTER_JS,
    KINDS,
    LEAFLET_CSS,
    LEAFLET_JS,
    MIN_ZOOM,
    Shell,
    Tiles,
)


class LocalMap(folium.Map):
    """folium's Map with Leaflet served by us, and none of jQuery/Bootstrap/Font Awesome."""

    default_js = [("leaflet", LEAFLET_JS)]
    default_css = [("leaflet_css", LEAFLET_CSS)]


class LocalCluster(MarkerCluster):
    """folium's MarkerCluster with Leaflet.markercluster served by us."""

    default_js = [("markerclusterjs", CLUSTER_JS)]
    default_css = [("markerclustercss", CLUSTER_CSS[0]),
                   ("markerclusterdefaultcss", CLUSTER_CSS[1])]


class Registry(MacroElement):
    """Publishes the shell's Leaflet objects to static/js/map.js as window.LocatorMap."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.LocatorMap = {
            map: {{ this.map.get_name() }},
            tiles: [{% for t in this.tiles %}{{ t.get_name() }},{% endfor %}],
            layers: {{ '{' }}{% for key, layer in this.layers %}
                {{ key|tojson }}: {{ layer.get_name() }},{% endfor %}
            },
            gcj02: {{ this.gcj02|tojson }}
        };
        {% endmacro %}
    """)

    def __init__(self, fmap, tiles, layers, gcj02: bool):
        """Remember the elements whose JavaScript names map.js needs."""
        super().__init__()
        self._name, self.map, self.tiles, self.layers, self.gcj02 = (
            "Registry", fmap, tiles, layers, gcj02)


def _named(element, name: str):
    """Fix an element's id so the shell is identical in every worker (folium's are random)."""
    element._id = name
    return element


def _base_layers(fmap, tiles: Tiles) -> list:
    """The tile layer(s), created but not added: map.js adds them once the view is set."""
    attribution = str(escape(tiles.credit))  # Leaflet shows attribution as HTML
    layers = []
    for i, url in enumerate(tiles.urls):
        layer = folium.TileLayer(url, attr=attribution if i == 0 else " ", name=f"base{i}",
                                 max_zoom=tiles.max_zoom, max_native_zoom=tiles.max_zoom,
                                 subdomains=tiles.subdomains or "abc", show=False,
                                 control=False)
        layers.append(_named(layer, f"base{i}").add_to(fmap))
    return layers


def _cluster_layers(fmap, layer_names: Iterable[tuple[str, str]]) -> list:
    """One clustered layer per category, all shown, with a layer control to switch them."""
    layers = []
    for key, label in layer_names:
        cluster = LocalCluster(name=str(escape(label)),
                               options={"chunkedLoading": True, "chunkInterval": 5,
                                        "chunkDelay": 1, "showCoverageOnHover": False})
        layers.append((key, _named(cluster, key).add_to(fmap)))
    if layers:
        _named(folium.LayerControl(collapsed=True), "categories").add_to(fmap)
    return layers


@lru_cache(maxsize=64)
def build_shell(kind: str, lang: str, tiles: Tiles,
                layer_names: tuple[tuple[str, str], ...] = ()) -> Shell:
    """Build (once per arguments) the folium shell of a `points` or `overview` map."""
    if kind not in KINDS:
        raise ValueError(f"unknown map kind {kind!r}")
    fmap = _named(LocalMap(location=CENTRE, zoom_start=13, tiles=None, zoom_control=False),
                  "locator")
    # Leaflet.markercluster needs the map's maxZoom before any tile layer (which we add later);
    # it builds its tree for every zoom level, so stopping at the district's zoom halves it.
    fmap.options.update(max_zoom=tiles.max_zoom, min_zoom=MIN_ZOOM)
    base = _base_layers(fmap, tiles)
    layers = _cluster_layers(fmap, layer_names) if kind == "overview" else []
    Registry(fmap, base, layers, tiles.gcj02).add_to(fmap)
    figure = fmap.get_root()
    figure.render()
    links = list(figure.header._children.values())
    script = figure.script.render()
    return Shell(kind=kind, lang=lang, script=script,
                 digest=hashlib.sha256(script.encode()).hexdigest()[:16],
                 js=tuple(e.url for e in links if isinstance(e, JavascriptLink)),
                 css=tuple(e.url for e in links if isinstance(e, CssLink)),
                 credit=tiles.credit)

"""What the preview page shows of an import: the diff with names, and the points for its map."""

from collections.abc import Mapping

from locator.admin import dragged
from locator.ingest.importer import Diff
from locator.ingest.placing import GEOCODED
from locator.maps.layers import Tiles, display_point

SHOWN = 500  # entries listed per section; the counts are always complete
MAPPED = 2000  # points drawn per kind
MOVED_FIELDS = ("lat", "lon")


def diff_view(diff: Diff, records: list[dict], current: Mapping[str, dict]) -> dict:
    """Added, changed (field by field) and removed facilities with their names, and counts."""
    new = {r["id"]: r for r in records}
    changed = [{"id": k, "name": new[k]["name"],
                "fields": [(f, _shown(old), _shown(value)) for f, old, value in fields]}
               for k, fields in list(diff.changed.items())[:SHOWN]]
    return {
        "added": [new[k] for k in diff.added[:SHOWN]],
        "changed": changed,
        "removed": [current.get(k) or {"id": k, "name": ""} for k in diff.removed[:SHOWN]],
        "counts": {"added": len(diff.added), "changed": len(diff.changed),
                   "removed": len(diff.removed), "unchanged": len(diff.unchanged)},
        "shown": SHOWN,
    }


def map_data(diff: Diff, records: list[dict], current: Mapping[str, dict],
             tiles: Tiles, movable: Mapping[str, str] | None = None) -> dict | None:
    """Added, moved and removed points at their display positions, or None if there are none;
    `movable` (id → what its marker says) are drawn draggable (static/js/preview_drag.js), in
    the datum the tiles draw in."""
    new = {r["id"]: r for r in records}
    moved = [k for k, fields in diff.changed.items()
             if any(f in MOVED_FIELDS for f, _old, _new in fields) and k in current]
    data = {
        "added": [_point(new[k], tiles) for k in diff.added[:MAPPED]],
        "moved": [_point(current[k], tiles)[:2] + _point(new[k], tiles) for k in moved[:MAPPED]],
        "removed": [_point(current[k], tiles) for k in diff.removed[:MAPPED] if k in current],
    }
    data["drag"] = [_draggable(new[k], note, tiles)
                    for k, note in list((movable or {}).items())[:MAPPED]]
    if not any(data.values()):
        return None
    return data | {"tiles": {"urls": list(tiles.urls), "subdomains": tiles.subdomains or "abc",
                             "max_zoom": tiles.max_zoom},
                   "datum": dragged.datum(tiles.gcj02)}


def _draggable(record: dict, note: str, tiles: Tiles) -> dict:
    """A point the admin may drag: its display position, label, note and whether it is
    estimated."""
    lat, lon, label = _point(record, tiles)
    return {"id": record["id"], "lat": lat, "lon": lon, "label": label, "note": note,
            "approximate": record.get("coord_source") == GEOCODED}


def _point(record: dict, tiles: Tiles) -> list:
    """[lat, lon, label] on the base map's datum."""
    lat, lon = display_point(float(record["lat"]), float(record["lon"]), tiles)
    return [lat, lon, f"{record['id']} · {record['name']}"]


def _shown(value: object) -> str:
    """A stored value as text ('' for none; floats exactly)."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)

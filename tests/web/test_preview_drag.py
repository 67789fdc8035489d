"""Points dragged on the preview map travel with the confirm (moved[<id>]=lat,lon): applied as
picked on a map (coord_source map), each checked (a new or geocoded id of this upload, valid
numbers, inside the service area) or the whole confirm refused with nothing applied; a confirm
without them applies the file exactly as previewed."""

import json
import re

import pytest

from locator.core.geo import gcj02_to_wgs84, wgs84_to_gcj02
from locator.store import Store
from tests.admin_support import console_app, dataset, make_admin, signed_in, stored
from tests.factories import csv_bytes, load, row
from tests.geocoder_stubs import StubGeocoder
from tests.web.test_admin_imports import confirm, previewed_sha, upload
from tests.web.test_geocoded_uploads import addresses_csv, console, follow_progress
from tests.web.test_geocoded_uploads import upload as upload_for_geocoding

NEW = "room-4"  # added by the file below; room-1 and room-2 are stored and listed unchanged
INSIDE = "22.52,113.02"  # WGS-84, inside the default service area


@pytest.fixture
def client(db_path):
    """Signed in, on three stored nursing rooms."""
    load(db_path, row(1), row(2), row(3))
    make_admin(db_path)
    return signed_in(console_app(db_path))


def map_data(response) -> dict:
    """The preview map's JSON."""
    html = response.get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="preview-map-data"[^>]*>(.*?)'
                      r'</script>', html, re.S)
    return json.loads(found.group(1))


def previewed(client):
    """Preview a merge adding room-4 (and restating room-1 and room-2 as stored)."""
    response = upload(client, csv_bytes(row(1), row(2), row(4)), mode="merge")
    assert response.status_code == 200
    return response




def last_audit_detail(db_path: str) -> dict:
    """The newest audit entry's detail."""
    store = Store(db_path)
    try:
        return store.audit.entries(per_page=1)[0]["detail"]
    finally:
        store.close()


def test_only_new_points_are_draggable_and_the_form_names_the_maps_datum(client):
    response = previewed(client)
    drag = map_data(response)["drag"]
    assert [p["id"] for p in drag] == [NEW]
    assert drag[0]["approximate"] is False and drag[0]["note"] == "new facility"
    assert map_data(response)["datum"] == "wgs84"
    html = response.get_data(as_text=True)
    assert 'name="moved_datum" value="wgs84"' in html
    assert "moved[" not in html  # the fields are the script's: without it, nothing moves
    assert 'src="/static/js/preview_drag.js?v=' in html


def test_a_dragged_new_point_is_applied_as_picked_on_a_map(client, db_path):
    response = confirm(client, previewed_sha(previewed(client)), **{f"moved[{NEW}]": INSIDE})
    assert response.status_code == 302
    record = stored(db_path)[NEW]
    assert (record["lat"], record["lon"], record["coord_source"]) == (22.52, 113.02, "map")
    assert last_audit_detail(db_path)["placed_by_hand"] == 1


def test_without_moved_fields_the_file_is_applied_as_previewed(client, db_path):
    response = confirm(client, previewed_sha(previewed(client)), moved_datum="wgs84")
    assert response.status_code == 302
    record = stored(db_path)[NEW]
    assert (record["lat"], record["lon"], record["coord_source"]) == (22.504, 113.004, "")
    assert "placed_by_hand" not in last_audit_detail(db_path)


@pytest.mark.parametrize("key, value, words", [
    ("moved[room-1]", INSIDE, "room-1 is not a new or geocoded facility of this file"),
    ("moved[room-3]", INSIDE, "room-3 is not a new or geocoded facility of this file"),
    ("moved[nowhere]", INSIDE, "nowhere is not a new or geocoded facility of this file"),
    (f"moved[{NEW}]", "30.0,120.0", "outside the service area"),
    (f"moved[{NEW}]", "22.52", "is not two numbers"),
    (f"moved[{NEW}]", "22.52,113.02,1", "is not two numbers"),
    (f"moved[{NEW}]", "nan,113.02", "is not two numbers"),
    (f"moved[{NEW}]", "22.52,inf", "is not two numbers"),
    (f"moved[{NEW}]", "north,east", "is not two numbers"),
    (f"moved[{NEW}]", "", "is not two numbers"),
    (f"moved[{NEW}]", "95,113", "is not two numbers"),
    ("moved_datum", "bd09", "datum 'bd09' is not known"),
])
def test_a_bad_dragged_point_refuses_the_confirm_and_applies_nothing(client, db_path, key,
                                                                     value, words):
    sha256 = previewed_sha(previewed(client))
    before = dataset(db_path)
    moves = {f"moved[{NEW}]": INSIDE, key: value}  # one good move does not carry a bad one
    refused = confirm(client, sha256, **moves)
    assert refused.status_code == 422
    assert words in refused.get_data(as_text=True).replace("&#39;", "'")
    assert "Nothing was applied." in refused.get_data(as_text=True)
    assert dataset(db_path) == before
    # The preview is still pending: the same file confirms once the move is right.
    assert confirm(client, sha256, **{f"moved[{NEW}]": INSIDE}).status_code == 302


def test_on_gcj02_tiles_points_are_dragged_in_gcj02_and_stored_in_wgs84(db_path):
    load(db_path, row(1))
    make_admin(db_path)
    client = signed_in(console_app(db_path, TILES="amap"))
    response = upload(client, csv_bytes(row(1), row(4)), mode="merge")
    data = map_data(response)
    assert data["datum"] == "gcj02"
    ((lat, lon),) = [(p["lat"], p["lon"]) for p in data["drag"]]
    assert (lat, lon) == tuple(round(v, 6) for v in wgs84_to_gcj02(22.504, 113.004))
    shown = wgs84_to_gcj02(22.52, 113.02)  # where the admin dropped it on the AMap tiles
    assert confirm(client, previewed_sha(response), moved_datum="gcj02",
                   **{f"moved[{NEW}]": f"{shown[0]:.7f},{shown[1]:.7f}"}).status_code == 302
    record = stored(db_path)[NEW]
    expected = gcj02_to_wgs84(float(f"{shown[0]:.7f}"), float(f"{shown[1]:.7f}"))
    assert (record["lat"], record["lon"]) == tuple(round(v, 7) for v in expected)
    assert abs(record["lat"] - 22.52) < 1e-6 and abs(record["lon"] - 113.02) < 1e-6


def test_geocoded_points_are_marked_approximate_and_a_dragged_one_is_stored_as_map(db_path):
    with StubGeocoder("amap") as stub:
        client = console(db_path, stub)
        started = upload_for_geocoding(client, addresses_csv(2))
        preview_url, _pages = follow_progress(client, started.headers["Location"])
        preview = client.get(preview_url)
        drag = {p["id"]: p for p in map_data(preview)["drag"]}
        assert set(drag) == {"g1", "g2"}
        assert drag["g1"]["approximate"] is True
        assert drag["g1"]["note"] == "estimated from the address: 江门市新会区会城测试路1号"
        done = confirm(client, previewed_sha(preview), moved_datum="wgs84",
                       **{"moved[g1]": INSIDE, "moved[room-1]": INSIDE})
        assert done.status_code == 422  # room-1 is stored and not geocoded: nothing applied
        assert "g1" not in stored(db_path)
        done = confirm(client, previewed_sha(preview), **{"moved[g1]": INSIDE})
        assert done.status_code == 302
    records = stored(db_path)
    assert (records["g1"]["lat"], records["g1"]["lon"]) == (22.52, 113.02)
    assert records["g1"]["coord_source"] == "map"
    assert records["g2"]["coord_source"] == "geocoded"
    assert last_audit_detail(db_path)["placed_by_hand"] == 1

"""Console facility edits and verification (through the importer), dashboard and audit log."""

import datetime
import re

import pytest

from locator.core.clock import SHANGHAI, shanghai_now
from locator.core.records import COLUMNS
from locator.ingest import importer
from locator.store import Store
from tests.admin_support import (
    console_app,
    counting,
    dataset,
    make_admin,
    signed_in,
    stored,
    text,
    token,
)
from tests.factories import load, row

pytestmark = pytest.mark.engines


@pytest.fixture
def app(db_path):
    """The console on three nursing rooms and a landmark (version 1)."""
    load(db_path, row(1, verified_on="2024-05-01"), row(2), row(3),
         row(4, category="landmark", name="圭峰山", name_en="Guifeng Mountain"))
    make_admin(db_path)
    return console_app(db_path)


@pytest.fixture
def client(app):
    """Signed in as the admin, in English."""
    return signed_in(app)


def form_of(client, facility_id: str) -> dict:
    """The edit form's fields as the browser would send them."""
    page = client.get(f"/admin/facilities/{facility_id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', page))
    fields |= {name: value for name, value in
               re.findall(r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>', page)}
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        fields[name] = re.search(r'<option value="([^"]*)" selected', options).group(1)
    # The ticked amenity boxes, sent as the one text field a script may also send.
    fields["amenities"] = ";".join(re.findall(
        r'<input type="checkbox" name="amenity" value="(\w+)" checked>', page))
    fields["based_on"] = re.search(r'name="based_on" value="(\d+)"', page).group(1)
    fields["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return fields


def last_version(db_path: str) -> dict:
    """The newest version's metadata."""
    store = Store(db_path)
    try:
        return store.versions.current()
    finally:
        store.close()


def test_the_form_shows_every_column_but_the_id(client):
    fields = form_of(client, "room-1")
    assert set(COLUMNS) - set(fields) == {"id"}
    assert fields["lat"] == "22.501" and fields["coord_system"] == "wgs84"


def test_an_edit_is_a_new_version_of_kind_edit(client, db_path):
    fields = form_of(client, "room-2") | {"name": "母婴室（二楼）", "floor": "2F",
                                           "amenities": "crib；sink; crib"}
    response = client.post("/admin/facilities/room-2/edit", data=fields)
    assert response.status_code == 302
    record = stored(db_path, "room-2")
    assert (record["name"], record["floor"], record["amenities"]) == (
        "母婴室（二楼）", "2F", "crib;sink")  # normalised exactly as an import would
    version = last_version(db_path)
    assert (version["number"], version["kind"], version["actor"], version["changed"],
            version["filename"]) == (2, "edit", "alice", 1, "room-2")
    assert "Saved room-2 as version 2." in text(client.get(response.location))
    assert "edited room-2" in text(client.get("/admin/history"))


def test_formula_like_text_survives_an_edit(client, db_path):
    fields = form_of(client, "room-2") | {"description": "=1+1 and 'quoted'", "phone": "+86 750"}
    assert client.post("/admin/facilities/room-2/edit", data=fields).status_code == 302
    record = stored(db_path, "room-2")
    assert (record["description"], record["phone"]) == ("=1+1 and 'quoted'", "+86 750")
    assert form_of(client, "room-2")["description"] == "=1+1 and &#39;quoted&#39;"


@pytest.mark.parametrize("field, value, words", [
    ("lat", "abc", "decimal degrees"),
    ("lat", "39.9", "outside"),
    ("name", "", "empty"),
    ("opening_hours", "Mo-Fr 25:00-26:00", "for example Mo-Fr 08:30-17:30"),
    ("amenities", "changing_tabel", "changing_table"),
    ("verified_on", "3/5/2024", "YYYY-MM-DD"),  # year-first forms are converted, not refused
    ("category", "toilet", "nursing_room"),
])
def test_invalid_values_get_the_importers_message_beside_the_field(client, db_path, field,
                                                                   value, words):
    before = dataset(db_path)
    response = client.post("/admin/facilities/room-2/edit",
                           data=form_of(client, "room-2") | {field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    label = re.search(rf'<(label|fieldset) class="[^"]*has-error"[^>]*>\s*(?:<legend>)?[^<]*'
                      rf'<code>{field}</code>(.*?)</\1>', page, re.S)
    assert label and words in text_of(label.group(2)), page[:3000]
    assert "Nothing was saved" in text(response)
    assert dataset(db_path) == before


def test_an_edit_is_checked_by_the_importers_rules_without_a_file(client, db_path, monkeypatch):
    parsed, validated = [], []
    monkeypatch.setattr(importer, "read_table", counting(parsed, importer.read_table))
    monkeypatch.setattr(importer, "validate", counting(validated, importer.validate))
    response = client.post("/admin/facilities/room-2/edit",
                           data=form_of(client, "room-2") | {"lat": "abc", "phone": "1\x002"})
    assert response.status_code == 422
    assert "lat 'abc' is not a number" in text(response)
    # A NUL is the importer's control-character error beside its field (as bytes, it made the
    # one-row file look binary: a general "the file is UTF-16" refusal).
    assert "contains the invisible control character U+0000" in text(response)
    fields = form_of(client, "room-2") | {"description": "'=kept", "floor": "3F"}
    assert client.post("/admin/facilities/room-2/edit", data=fields).status_code == 302
    assert (stored(db_path, "room-2")["description"], len(validated), parsed) == ("'=kept", 2, [])


def text_of(fragment: str) -> str:
    """Text of an HTML fragment."""
    import html
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_gcj02_coordinates_typed_in_the_form_are_stored_as_wgs84(client, db_path):
    from locator.core.geo import wgs84_to_gcj02
    lat, lon = wgs84_to_gcj02(22.52, 113.03)
    fields = form_of(client, "room-2") | {"lat": repr(lat), "lon": repr(lon),
                                           "coord_system": "gcj02"}
    assert client.post("/admin/facilities/room-2/edit", data=fields).status_code == 302
    record = stored(db_path, "room-2")
    assert abs(record["lat"] - 22.52) < 1e-7 and abs(record["lon"] - 113.03) < 1e-7
    assert record["coord_system"] == "wgs84"


def test_an_edit_from_a_stale_form_is_refused(client, db_path):
    fields = form_of(client, "room-2") | {"name": "我的修改"}
    load(db_path, row(1), row(2, name="别人的修改"), row(3), merge=True)
    response = client.post("/admin/facilities/room-2/edit", data=fields)
    assert response.status_code == 409 and "Someone changed the data" in text(response)
    assert stored(db_path, "room-2")["name"] == "别人的修改"


def test_saving_an_unchanged_form_makes_no_version(client, db_path):
    response = client.post("/admin/facilities/room-2/edit", data=form_of(client, "room-2"))
    assert response.status_code == 302
    assert last_version(db_path)["number"] == 1
    assert "Nothing changed for room-2." in text(client.get(response.location))


def test_verify_sets_today_in_shanghai_as_a_new_version(client, db_path):
    response = client.post("/admin/facilities/room-3/verify", data={
        "csrf_token": token(client, "/admin/facilities"), "back": "/admin/facilities?q=room",
        "confirmed": "1"})
    assert response.status_code == 302 and response.location == "/admin/facilities?q=room"
    today = shanghai_now().date().isoformat()
    assert stored(db_path, "room-3")["verified_on"] == today
    version = last_version(db_path)
    assert (version["kind"], version["changed"], version["filename"]) == ("verify", 1, "room-3")
    # Verifying again the same day changes nothing and makes no version.
    client.post("/admin/facilities/room-3/verify",
                data={"csrf_token": token(client, "/admin/facilities"), "back": "https://x/",
                      "confirmed": "1"})
    assert last_version(db_path)["number"] == version["number"]


def test_verify_takes_today_from_the_clock_pages_use(app, db_path):
    # One clock: at 23:30 UTC on Dec 31 it is already Jan 1 in Xinhui, for the console too.
    late = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC).astimezone(SHANGHAI)
    client = signed_in(console_app(db_path, CLOCK=lambda: late))
    client.post("/admin/facilities/room-3/verify",
                data={"csrf_token": token(client, "/admin/facilities"), "confirmed": "1"})
    assert stored(db_path, "room-3")["verified_on"] == "2027-01-01"


def test_edit_and_verify_of_an_unknown_facility_are_404(client, db_path):
    assert client.get("/admin/facilities/nope/edit").status_code == 404
    response = client.post("/admin/facilities/nope/verify",
                           data={"csrf_token": token(client, "/admin/facilities")})
    assert response.status_code == 404
    assert last_version(db_path)["number"] == 1


def test_edits_and_verifications_are_audited(client, db_path):
    client.post("/admin/facilities/room-3/verify",
                data={"csrf_token": token(client, "/admin/facilities"), "confirmed": "1"})
    store = Store(db_path)
    entry = store.audit.entries(per_page=1)[0]
    store.close()
    assert (entry["action"], entry["actor"], entry["address"]) == ("verify", "alice",
                                                                   "127.0.0.1")
    assert entry["detail"]["version"] == 2


def test_facility_list_filters(client):
    page = text(client.get("/admin/facilities?unverified=1"))
    assert "3 facilities match" in page and "room-1" not in page
    page = text(client.get("/admin/facilities?category=landmark"))
    assert "1 facilities match" in page and "圭峰山" in page
    assert "room-2" in text(client.get("/admin/facilities?q=室2"))
    assert "0 facilities match" in text(client.get("/admin/facilities?q=%25"))


def test_dashboard_counts_and_last_import(client):
    page = text(client.get("/admin/"))
    assert "Nursing rooms 3" in page and "Landmarks 1" in page and "Total 4" in page
    assert "Unverified: 3" in page
    assert "Who test" in page and "File test.csv" in page


def test_audit_log_is_paged(client, db_path):
    store = Store(db_path)
    for n in range(60):
        store.audit.record("test", f"actor{n}", "10.0.0.1")
    store.close()
    first = text(client.get("/admin/audit"))
    assert "actor59" in first and "actor5 " not in first and "Page 1 of 2" in first
    second = text(client.get("/admin/audit?page=2"))
    assert "actor5 " in second and "Page 2 of 2" in second


def test_console_pages_are_not_cached_and_carry_the_csp(client):
    response = client.get("/admin/")
    assert "no-store" in response.headers["Cache-Control"]
    assert "script-src 'self' 'nonce-" in response.headers["Content-Security-Policy"]


def test_a_second_app_instance_shares_the_sign_in(app, db_path, client):
    other = console_app(db_path, SECRET_KEY=app.secret_key)
    cookie = client.get_cookie("session").value
    twin = other.test_client()
    twin.set_cookie("session", cookie)
    assert twin.get("/admin/").status_code == 200

"""Text-direction controls (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C) reorder the text
around them on screen: refused in every cell and header name, stripped from file names."""

import datetime
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator.admin import uploads
from locator.core.records import TEXT_COLUMNS
from locator.ingest.importer import ImportSettings, read_import
from locator.store import Store
from tests.admin_support import console_on_three_rooms, text, token
from tests.factories import csv_bytes, row

SETTINGS = ImportSettings(today=datetime.date(2025, 6, 1))
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Printable text around the control: a control character or line break would be reported
# first, by its own message.
AROUND = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)


@given(column=st.sampled_from(TEXT_COLUMNS), before=AROUND, control=st.sampled_from(BIDI),
       after=AROUND)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_direction_control_in_any_text_column_is_refused_where_it_is(column, before, control,
                                                                       after):
    data = csv_bytes(row(1), row(2, **{column: before + control + after}))
    result = read_import(data, "facilities.csv", {}, settings=SETTINGS)
    found = [str(e) for e in result.errors if (e.line, e.column) == (3, column)]
    assert any("text-direction" in e and "U+" in e for e in found), result.errors
    assert not result.ok and result.records == []


def test_the_message_names_the_character_and_the_fix():
    data = csv_bytes(row(1, name="母婴室\u202e1F"))
    (error,) = read_import(data, "facilities.csv", {}, settings=SETTINGS).errors
    assert str(error).startswith("line 2, column name: contains the invisible text-direction "
                                 "character U+202E")
    assert "retyping the cell removes it" in str(error)


def test_a_direction_control_in_a_header_name_is_refused_on_line_1():
    data = "id,category,name\u2067,lat,lon,name_en\na,landmark,A,22.5,113,B\n".encode()
    result = read_import(data, "facilities.csv", {}, settings=SETTINGS)
    assert [str(e) for e in result.errors if e.line == 1 and e.column is None] == [
        "line 1: header cell C contains the invisible text-direction character U+2067 — "
        "delete it (retyping the cell removes it)"]


@pytest.mark.parametrize("sent, kept", [
    ("list\u202excsl.csv", "listxcsl.csv"),
    ("C:\\Users\\me\\\u2066facilities\u2069.xlsx", "facilities.xlsx"),
    ("\u200f\u202e", "upload.csv"),
])
def test_file_names_lose_their_direction_controls(sent, kept):
    assert uploads.clean_filename(sent) == kept


def test_the_cli_stores_the_file_name_without_direction_controls(runner, tmp_path, db_path):
    path = tmp_path / "v1\u202ecsv.exe"
    path.write_bytes(csv_bytes(row(1)))
    result = runner.invoke(args=["facilities", "import", str(path)])
    assert result.exit_code == 0, result.output
    store = Store(db_path)
    try:
        assert store.versions.current()["filename"] == "v1csv.exe"
        assert "\u202e" not in str(store.audit.entries())
    finally:
        store.close()


@pytest.fixture
def console(db_path):
    """A signed-in console client on three nursing rooms (version 1)."""
    return console_on_three_rooms(db_path)


def test_the_console_shows_and_stores_the_file_name_without_direction_controls(console,
                                                                                db_path):
    data = csv_bytes(row(1), row(2), row(3), row(4))
    preview = console.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), "rooms\u202eslx.csv"), "mode": "replace",
        "csrf_token": token(console, "/admin/upload")})
    assert "Preview of roomsslx.csv" in text(preview)
    assert "\u202e" not in preview.get_data(as_text=True)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"',
                    preview.get_data(as_text=True)).group(1)
    console.post("/admin/upload/confirm",
                 data={"sha256": sha, "csrf_token": token(console, "/admin/upload")})
    for page in ("/admin/history", "/admin/audit", "/admin/"):
        assert "\u202e" not in console.get(page).get_data(as_text=True), page
    store = Store(db_path)
    try:
        assert store.versions.current()["filename"] == "roomsslx.csv"
    finally:
        store.close()


def test_the_console_editor_refuses_a_direction_control_beside_the_field(console, db_path):
    page = console.get("/admin/facilities/room-2/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', page))
    fields |= {"csrf_token": token(console, "/admin/facilities/room-2/edit"),
               "based_on": re.search(r'name="based_on" value="(\d+)"', page).group(1),
               "category": "nursing_room", "access": "public", "coord_system": "wgs84",
               "name": "母婴室\u202e2"}
    response = console.post("/admin/facilities/room-2/edit", data=fields)
    assert response.status_code == 422
    assert "text-direction character U+202E" in text(response)

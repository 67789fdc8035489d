"""Export: UTF-8 with BOM, CRLF, no cell a spreadsheet would run, and export → import = identity."""

import io
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator.core.categories import ACCESS_LABELS, CATEGORIES
from locator.core.records import COLUMNS, COORD_SOURCES, MULTILINE_COLUMNS
from locator.ingest.exporter import cell, write_csv, write_csv_stream
from locator.ingest.fields import BIDI
from locator.ingest.importer import ImportSettings, read_import

AREA = ImportSettings().service_area
# The text-direction controls the importer refuses (ingest/fields.BIDI): never valid stored text.
REFUSED = "".join(c for c in map(chr, range(0x2070)) if BIDI.match(c))
HOSTILE = ["=cmd|' /C calc'!A0", "+86 750 1234567", "-1", "@SUM(A1)", "'quoted", "''",
           '"quotes", commas', "<script>alert(1)</script>", "`${alert(1)}`", "🍼 母婴室",
           "=HYPERLINK(\"http://x\")", " leading space kept? no: stripped "]


def text(multiline: bool, max_size: int = 40):
    """Printable text (no control or text-direction characters, which the importer refuses),
    newlines only where the column allows them."""
    alphabet = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"),
                             exclude_characters=REFUSED)
    line = st.text(alphabet, max_size=max_size).map(str.strip)
    if multiline:
        line = st.lists(line, max_size=3).map("\n".join).map(str.strip)
    return st.one_of(line, st.sampled_from(HOSTILE).map(str.strip))


@st.composite
def records(draw):
    """A list of valid stored records with unique ids, hostile text included."""
    ids = draw(st.lists(st.text(string.ascii_lowercase + string.digits + "_-", min_size=1,
                                max_size=12), min_size=1, max_size=8, unique=True))
    out = []
    for facility_id in ids:
        category = draw(st.sampled_from(sorted(CATEGORIES)))
        record = {c: draw(text(c in MULTILINE_COLUMNS)) for c in COLUMNS}
        record |= {
            "id": facility_id, "category": category, "coord_system": "wgs84",
            "name": draw(text(False).filter(bool)),
            "lat": draw(st.floats(AREA[0] + 0.01, AREA[2] - 0.01)),
            "lon": draw(st.floats(AREA[1] + 0.01, AREA[3] - 0.01)),
            "access": draw(st.sampled_from(sorted(ACCESS_LABELS))),
            "amenities": ";".join(draw(st.lists(st.sampled_from(
                CATEGORIES[category].amenities), unique=True, max_size=3))),
            # Routes are stored normalised: non-empty tokens joined by ";".
            "routes": ";".join(t for t in draw(st.lists(text(False), max_size=3))
                               if t and ";" not in t and "；" not in t)
            if CATEGORIES[category].has_routes else "",
            # Aliases are stored normalised the same way (a lone ";" is read back as none).
            "aliases": ";".join(t for t in draw(st.lists(text(False), max_size=3))
                                if t and ";" not in t and "；" not in t),
            "opening_hours": draw(st.sampled_from(["", "24/7", "Mo-Fr 08:30-17:30; PH off"])),
            "verified_on": draw(st.sampled_from(["", "2024-05-31", "2026-01-02"])),
            "coord_source": draw(st.sampled_from(["", *COORD_SOURCES])),
            # Stored with its name: a blank one is imported as the default district.
            "district": draw(st.sampled_from(["新会区", "蓬江区", "连南瑶族自治县"])),
        }
        out.append(record)
    return out


@pytest.mark.slow
@given(records())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_export_then_import_is_the_identity(original):
    exported = write_csv(original)
    result = read_import(exported, "export.csv", {})
    assert result.ok, [str(e) for e in result.errors][:5]
    assert result.records == original


def test_file_shape_bom_crlf_header():
    data = write_csv([])
    assert data == ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()


def test_no_cell_starts_like_a_formula():
    record = dict.fromkeys(COLUMNS, "") | {
        "id": "a", "category": "landmark", "name": "=1+1", "lat": 22.5, "lon": 113.0,
        "phone": "+86 750", "description": "@x", "address": "-3", "source": "\tx"}
    lines = write_csv([record]).decode("utf-8-sig").split("\r\n")
    cells = lines[1].split(",")
    assert all(not c.startswith(("=", "+", "-", "@", "\t")) for c in cells), cells
    assert "'=1+1" in cells and "'+86 750" in cells


def test_cells_exact_floats_blanks_and_every_formula_start_defused():
    assert cell("lat", 22.123456789012345) == repr(22.123456789012345)
    assert float(cell("lon", 113.1 + 1e-13)) == 113.1 + 1e-13
    assert cell("phone", None) == "" and cell("lat", None) == ""
    for start in ("=", "+", "-", "@", "\t", "\r", "'"):
        assert cell("name", start + "x") == "'" + start + "x"
    assert cell("name", "a=b") == "a=b" and cell("id", "-a") == "'-a"


def test_rows_end_in_crlf_and_newlines_inside_cells_stay_quoted():
    record = dict.fromkeys(COLUMNS, "") | {
        "id": "a", "category": "landmark", "name": "A, \"B\"", "lat": 22.5, "lon": 113.0,
        "description": "one\ntwo"}
    text = write_csv([record, record | {"id": "b"}]).decode("utf-8")
    assert text.startswith("\ufeffid,category,name,") and text.endswith("\r\n")
    assert text.count("\r\n") == 3 and '"one\ntwo"' in text and '"A, ""B"""' in text


def test_stream_writes_the_same_bytes_in_chunks_from_a_generator():
    records = [dict.fromkeys(COLUMNS, "") | {"id": f"r{i}", "category": "landmark",
                                              "name": "名", "lat": 22.5, "lon": 113.0,
                                              "coord_system": "wgs84", "access": "public",
                                              "district": "新会区"}
               for i in range(2500)]
    out = io.BytesIO()
    write_csv_stream((r for r in records), out)
    assert out.getvalue() == write_csv(records)
    assert read_import(out.getvalue(), "x.csv", {}).records == records

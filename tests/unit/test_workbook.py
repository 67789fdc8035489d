"""The workbook: the template's header, drop-downs, frozen pane and reference sheet, and the
XLSX export, whose import gives back exactly the records (and so the same CSV export)."""

import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from locator.core.records import COLUMNS, REQUIRED
from locator.ingest import vocabulary, workbook
from locator.ingest.exporter import write_csv
from locator.ingest.importer import read_import
from locator.ingest.vocabulary import column_of
from tests.unit.test_exporter import records


def load(data: bytes) -> openpyxl.Workbook:
    """The workbook in `data`, as openpyxl reads it back."""
    return openpyxl.load_workbook(io.BytesIO(data))


def values(data: bytes) -> list[tuple]:
    """Every row of every sheet, as values."""
    return [row for sheet in load(data).worksheets for row in sheet.iter_rows(values_only=True)]


def record(**fields) -> dict:
    """A stored record: every column present."""
    return dict.fromkeys(COLUMNS, "") | {
        "id": "nr-001", "category": "nursing_room", "name": "母婴室", "lat": 22.5, "lon": 113.0,
        "coord_system": "wgs84", "access": "public", "district": "新会区"} | fields


def test_template_header_is_alias_and_code_which_the_importer_reads_back():
    sheet = load(workbook.write_template()).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["编号 id", "类别 category", "名称 name"]
    assert [column_of(cell) for cell in header] == list(COLUMNS)
    assert sheet.max_row == 1 and sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])


def test_header_cell_is_the_code_for_a_column_without_alias():
    assert workbook.header_cell("town") == "镇街 town"
    assert workbook.header_cell("no_such_column") == "no_such_column"


def test_drop_downs_list_the_codes_the_importer_accepts():
    book = load(workbook.write_template())
    sheet, reference = book.worksheets
    letters = {column: openpyxl.utils.get_column_letter(i)
               for i, column in enumerate(COLUMNS, start=1)}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list" and validation.allow_blank
        assert validation.errorStyle == "warning"  # a typed Chinese label is accepted too
        (target,) = str(validation.sqref).split()
        source = validation.formula1.split("!")[1].replace("$", "")
        first, last = source.split(":")
        codes = [reference[f"A{n}"].value for n in range(int(first[1:]), int(last[1:]) + 1)]
        found[target] = codes
    expected = {column: list(vocabulary.labels(column)) for column in workbook.CODED}
    assert set(expected) >= {"category", "access", "coord_system"}
    assert found == {f"{letters[c]}2:{letters[c]}1048576": codes for c, codes in expected.items()}
    for codes in found.values():
        kind = next(k for k in workbook.CODED if list(vocabulary.labels(k)) == codes)
        assert all(vocabulary.code_of(kind, code) == code for code in codes)


def test_text_columns_are_text_formatted_and_widths_set():
    sheet = load(workbook.write_template()).worksheets[0]
    for index, column in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[openpyxl.utils.get_column_letter(index)]
        assert dimension.width >= 10, column
        assert (dimension.number_format == "@") == (column not in ("lat", "lon")), column


def test_reference_sheet_explains_every_column_and_code_in_both_languages():
    reference = load(workbook.write_template()).worksheets[1]
    rows = [row for row in reference.iter_rows(values_only=True) if any(row)]
    by_first = {row[0]: row for row in rows if row[0]}
    for column in COLUMNS:
        _header, required, zh, en, limit = by_first[workbook.header_cell(column)]
        assert zh and en and zh != en, column
        assert bool(required) == (column in REQUIRED) and limit.isdigit()
    for kind in (*workbook.CODED, "amenity"):
        for code, (zh, en) in vocabulary.labels(kind).items():
            assert by_first[code][2] == zh and by_first[code][3].startswith(en), code
    assert "(coach_stop, bus_stop)" in by_first["shelter"][3]


def test_export_keeps_text_as_text_and_numbers_exact():
    rows = [record(id="0012", phone="07501234567", name="=1+1", floor="-1",
                   lat=22.531234567890124, lon=113.25, description="一\n二")]
    cells = list(load(workbook.write_xlsx(rows)).worksheets[0].iter_rows(min_row=2))[0]
    by_column = dict(zip(COLUMNS, cells, strict=True))
    assert by_column["id"].value == "0012" and by_column["id"].data_type == "s"
    assert by_column["phone"].value == "07501234567"
    assert by_column["name"].value == "'=1+1" and by_column["name"].data_type == "s"
    assert by_column["floor"].value == "'-1"
    assert by_column["lon"].value == 113.25 and by_column["lon"].data_type == "n"
    # 17 significant digits: the importer reads numbers to 15, so this one goes as text.
    assert by_column["lat"].value == "22.531234567890124"
    assert by_column["description"].alignment.wrap_text


def test_export_then_import_gives_the_same_records_and_csv():
    rows = [record(id="0012", phone="07501234567", name="=1+1", lat=22.531234567890124),
            record(id="b", category="bus_stop", name="'quoted", routes="1路;3路",
                   coord_system="wgs84", lat=22.6, lon=113.1, amenities="shelter;bench",
                   opening_hours="Mo-Fr 08:30-17:30; PH off", verified_on="2026-11-28")]
    result = read_import(workbook.write_xlsx(rows), "export.xlsx", {})
    assert result.ok, [str(e) for e in result.errors]
    assert result.records == rows
    assert write_csv(result.records) == write_csv(rows)
    # Compared by values: the file itself carries the moment it was written.
    assert values(workbook.write_xlsx(result.records)) == values(workbook.write_xlsx(rows))


def test_template_alone_is_a_header_only_file():
    result = read_import(workbook.write_template(), "template.xlsx", {}, allow_empty=True)
    assert result.ok and result.records == []


@pytest.mark.slow
@given(records())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_xlsx_export_then_import_is_the_identity(original):
    result = read_import(workbook.write_xlsx(original), "export.xlsx", {})
    assert result.ok, [str(e) for e in result.errors][:5]
    assert result.records == original

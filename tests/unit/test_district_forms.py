"""Issue 12 item 3 through the importer: warnings as a class, dates, DMS, title rows, phones."""

import datetime
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from locator.ingest.importer import Caution, Conversion, ImportSettings, read_import
from locator.ingest.problems import Stored
from tests.factories import csv_bytes, row

TODAY = datetime.date(2026, 11, 30)
SETTINGS = ImportSettings(today=TODAY)
HEADER = ["id", "category", "name", "lat", "lon"]
COLUMNS = ("id", "category", "name", "name_en", "lat", "lon")  # rows with English names


def check(data: bytes, current=None, filename: str = "facilities.csv", merge: bool = False):
    """read_import with a fixed 'today'."""
    return read_import(data, filename, current or {}, settings=SETTINGS, merge=merge)


def workbook(*rows, merge_title: str | None = None) -> bytes:
    """An .xlsx whose first sheet holds `rows`; optionally A1:E1 merged (a title row)."""
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(list(values))
    if merge_title:
        book.active.merge_cells(merge_title)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- warnings: a defined class --------------------------------------------------------------

def test_every_warning_is_a_caution_that_says_what_is_stored():
    current = {f"room-{i}": {} for i in range(10, 20)}
    data = ("新会区母婴室名录（2026年11月）\n"
            + csv_bytes(row(1, name_en="", phone="7506301234", routes="1"),
                        row(2, lat="22.50201"), row(3), columns=(*HEADER, "name_en", "phone",
                                                                  "routes", "colour")).decode()
            + ",,,,,,,\n")
    result = check(data.encode(), current)
    assert result.ok, [str(e) for e in result.errors]
    kinds = {w.message[:30]: w.stored for w in result.warnings}
    assert len(kinds) >= 6 and all(isinstance(w, Caution) for w in result.warnings)
    assert set(kinds.values()) == set(Stored)  # as written, corrected, not imported all occur


def test_a_warning_renders_where_then_warning_then_what_is_stored(chinese):
    result = check(csv_bytes(row(1, phone="7506301234"), columns=(*COLUMNS, "phone")))
    (warning,) = result.warnings
    assert str(warning) == (
        "line 2, column phone: warning: phone 7506301234 looks like a Chinese landline whose "
        "leading 0 the spreadsheet dropped (it stored the number as a number) — check it; "
        "format the column as text to keep the 0 (stored corrected as 0750-6301234)")
    assert warning.render(chinese).startswith("第 2 行，phone 列：警告：phone 7506301234 像是")
    assert warning.render(chinese).endswith("（已更正并保存为 0750-6301234）")


def test_a_corrected_caution_must_name_its_value():
    with pytest.raises(ValueError):
        Caution(2, "phone", "x", {}, stored=Stored.CORRECTED)


def test_warnings_never_block_an_import():
    result = check(csv_bytes(row(1, phone="7506301234", name_en=""), row(2),
                             columns=(*HEADER, "name_en", "phone", "colour")))
    assert result.ok and result.warnings and len(result.records) == 2


# -- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "2026/11/28", "2026年11月28日", "2026.11.28", "2026-11-28", "2026 / 11 / 28", "2026年11月28号",
    "2026-11-28 00:00:00", "2026-11-28T09:30", "2026/11/28 9:30",
])
def test_year_first_dates_are_stored_as_iso(written):
    result = check(csv_bytes(row(1, verified_on=written), columns=(*COLUMNS, "verified_on")))
    assert result.ok, [str(e) for e in result.errors]
    assert result.records[0]["verified_on"] == "2026-11-28"
    expected = [] if written == "2026-11-28" else [
        Conversion(2, "verified_on", written, "2026-11-28")]
    assert result.conversions == expected and result.warnings == []


@given(st.dates(datetime.date(1990, 1, 1), TODAY),
       st.sampled_from(["{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}.{m}.{d}", "{y}-{m}-{d}",
                        "{y}/{m:02}/{d:02}", "{y}年{m:02}月{d:02}日", "{y}.{m:02}.{d:02}"]))
def test_every_year_first_form_of_every_date_reads_back_as_that_date(day, form):
    written = form.format(y=day.year, m=day.month, d=day.day)
    result = check(csv_bytes(row(1, verified_on=written), columns=(*COLUMNS, "verified_on")))
    assert result.records[0]["verified_on"] == day.isoformat()


@pytest.mark.parametrize("written, words", [
    ("2026/2/30", "not a date"), ("28/11/2026", "YYYY-MM-DD"), ("2026/12/25", "future"),
    ("2026年13月1日", "not a date"),
])
def test_impossible_ambiguous_or_future_dates_are_errors(written, words):
    result = check(csv_bytes(row(1, verified_on=written), columns=(*COLUMNS, "verified_on")))
    (error,) = result.errors
    assert (error.line, error.column) == (2, "verified_on") and words in str(error)


def test_an_excel_date_cell_is_stored_as_iso():
    data = workbook([*HEADER, "verified_on"],
                    ["a", "landmark", "圭峰山", 22.5, 113.0, datetime.datetime(2026, 11, 28)],
                    ["b", "landmark", "侨乡", 22.51, 113.01, datetime.date(2026, 11, 27)],
                    ["c", "landmark", "会堂", 22.52, 113.02, datetime.datetime(2026, 11, 26, 10)])
    result = check(data, filename="list.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert [r["verified_on"] for r in result.records] == [
        "2026-11-28", "2026-11-27", "2026-11-26"]


# -- degrees, minutes, seconds --------------------------------------------------------------

@pytest.mark.parametrize("lat, lon, expected", [
    ("22°31′41″N", "113°2′3.6″E", (22.5280556, 113.0343333)),
    ("22°31'41\"N", "113°2'3.6\"E", (22.5280556, 113.0343333)),
    ("22 31 41.5", "113 2 3.6", (22.5281944, 113.0343333)),
    ("北纬22°31′41″", "东经113°2′3.6″", (22.5280556, 113.0343333)),
    ("N 22°31′41″", "E 113°2′3.6″", (22.5280556, 113.0343333)),
    ("22度31分41秒", "113度2分3.6秒", (22.5280556, 113.0343333)),
    ("22°31.5′N", "113°2.06′E", (22.525, 113.0343333)),
    ("22.5281°N", "113.0343°E", (22.5281, 113.0343)),
    ("22°31’41”N", "113°2’3.6”E", (22.5280556, 113.0343333)),
])
def test_dms_coordinates_are_stored_as_decimal_degrees(lat, lon, expected):
    result = check(csv_bytes(row(1, lat=lat, lon=lon)))
    assert result.ok, [str(e) for e in result.errors]
    assert (result.records[0]["lat"], result.records[0]["lon"]) == expected
    assert result.conversions == [Conversion(2, "lat", lat, repr(expected[0])),
                                  Conversion(2, "lon", lon, repr(expected[1]))]


def test_dms_in_gcj02_is_converted_like_decimal_degrees():
    dms = check(csv_bytes(row(1, lat="22°31′41″N", lon="113°2′3.6″E", coord_system="gcj02")))
    decimal = check(csv_bytes(row(1, lat="22.5280556", lon="113.0343333", coord_system="gcj02")))
    assert dms.records == decimal.records


@pytest.mark.parametrize("lat, lon, column, words", [
    ("22°31′41″E", "113°2′3.6″E", "lat", "swapped"),
    ("22°31′41″N", "北纬113°2′3.6″", "lon", "swapped"),
    ("113°2′3.6″E", "22°31′41″N", "lon", "swapped"),  # both columns: both errors
    ("22°61′N", "113°2′3.6″E", "lat", "below 60"),
    ("22°31′61″N", "113°2′3.6″E", "lat", "below 60"),
    ("22.5°31′N", "113°2′3.6″E", "lat", "decimals"),
    ("N22°31′41″S", "113°2′3.6″E", "lat", "not a number"),
    ("22°31′41″X", "113°2′3.6″E", "lat", "not a number"),
])
def test_bad_dms_and_contradicting_hemispheres_are_errors(lat, lon, column, words):
    result = check(csv_bytes(row(1, lat=lat, lon=lon)))
    assert [e.line for e in result.errors] == [2] * len(result.errors)
    assert words in str(next(e for e in result.errors if e.column == column))


def dms_text(value: float, positive: str, negative: str, style: int) -> str:
    """`value` written as degrees, minutes and seconds in one of several notations."""
    hemisphere = positive if value >= 0 else negative
    seconds_total = round(abs(value) * 3600, 4)
    degrees, rest = divmod(seconds_total, 3600)
    minutes, seconds = divmod(rest, 60)
    d, m, s = int(degrees), int(minutes), f"{seconds:.4f}".rstrip("0").rstrip(".")
    chinese = {"N": "北纬", "S": "南纬", "E": "东经", "W": "西经"}[hemisphere]
    return [f"{d}°{m}′{s}″{hemisphere}", f"{d}°{m}'{s}\"{hemisphere}",
            f"{chinese}{d}°{m}′{s}″", f"{hemisphere}{d} {m} {s}", f"{d}度{m}分{s}秒{hemisphere}"
            ][style]


@given(st.floats(22.0, 22.9), st.floats(112.7, 113.35), st.integers(0, 4))
def test_dms_round_trip_within_a_centimetre(lat, lon, style):
    written = dms_text(lat, "N", "S", style), dms_text(lon, "E", "W", style)
    result = check(csv_bytes(row(1, lat=written[0], lon=written[1])))
    assert result.ok, [str(e) for e in result.errors]
    record = result.records[0]
    assert abs(record["lat"] - lat) < 1e-7 and abs(record["lon"] - lon) < 1e-7


@given(st.floats(-89.9, 89.9), st.integers(0, 4))
def test_southern_and_northern_dms_keep_their_sign(lat, style):
    from locator.ingest.coordinates import parse_dms

    value, problem = parse_dms(dms_text(lat, "N", "S", style), "lat")
    assert problem is None and abs(value - lat) < 1e-7


# -- title rows -----------------------------------------------------------------------------

TITLE = "新会区母婴室名录（2026年11月）"
DATE_LINE = "制表日期：2026年11月28日"
CHINESE_HEADER = ["编号", "类别", "名称", "纬度", "经度"]


def test_a_title_and_a_blank_row_above_the_header_are_skipped_in_a_csv():
    data = (f"{TITLE},,,,\n,,,,\n".encode()
            + csv_bytes(row(1), row(2, category="toilet"), columns=HEADER))
    result = check(data)
    (error,) = result.errors
    assert (error.line, error.column) == (5, "category")  # header on line 3: rows from 4


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_read_from_the_header_below_a_title_line(delimiter):
    header = delimiter.join(CHINESE_HEADER)
    data = f"{TITLE}\n{header}\nnr-1{delimiter}母婴室{delimiter}会城母婴室{delimiter}22.52" \
           f"{delimiter}113.03\n"
    result = check(data.encode("gb18030"))
    assert result.ok and result.records[0]["name"] == "会城母婴室"


def test_title_rows_in_a_workbook_keep_the_spreadsheet_line_numbers():
    data = workbook([TITLE], [DATE_LINE], [], CHINESE_HEADER,
                    ["nr-1", "母婴室", "会城母婴室", 22.52, 113.03],
                    ["nr-2", "母婴室", "", 22.53, 113.04], merge_title="A1:E1")
    result = check(data, filename="list.xlsx")
    assert [(e.line, e.column) for e in result.errors] == [(6, "name")]
    fixed = workbook([TITLE], [DATE_LINE], [], CHINESE_HEADER,
                     ["nr-1", "母婴室", "会城母婴室", 22.52, 113.03],
                     ["nr-2", "母婴室", "圭峰母婴室", 22.53, 113.04], merge_title="A1:E1")
    result = check(fixed, filename="list.xlsx")
    assert result.ok and [r["id"] for r in result.records] == ["nr-1", "nr-2"]
    (skipped,) = [w for w in result.warnings if w.column is None]
    assert skipped.stored is Stored.NOT_STORED
    assert str(skipped) == (f"warning: the header row is line 4: the rows above it (lines 1–3, "
                            f"“{TITLE}”) were skipped as a title (not imported)")


def test_a_title_is_quoted_short_and_without_control_characters():
    data = ("\u202e" + "长" * 200 + "\n").encode() + csv_bytes(row(1), columns=COLUMNS)
    (skipped,) = check(data).warnings
    assert skipped.params["title"] == "长" * 80


def test_header_problems_name_the_header_line_below_a_title():
    data = f"{TITLE}\n".encode() + b"id,category,name,lat,lon,name\na,landmark,A,22.5,113,B\n"
    (error,) = check(data).errors
    assert (error.line, error.column) == (2, "name") and "twice" in str(error)


def test_a_header_missing_a_required_column_is_still_found_below_a_title():
    data = f"{TITLE}\n".encode() + b"id,category,name,lat\na,landmark,A,22.5\n"
    (error,) = check(data).errors
    assert (error.line, error.column) == (2, "lon") and "missing" in str(error)


def test_a_file_without_title_reads_as_before():
    result = check(csv_bytes(row(1), row(2)))
    assert result.ok and result.warnings == [] and len(result.records) == 2


# -- phones ---------------------------------------------------------------------------------

@pytest.mark.parametrize("written, stored", [
    ("7506301234", "0750-6301234"),  # Jiangmen: 0750 + 7 digits
    ("7506301234.0", "0750-6301234"),  # a float's text
    ("2083331234", "020-83331234"),  # Guangzhou: 020 + 8 digits
    ("1065529988", "010-65529988"),  # Beijing
    ("75786331234", "0757-86331234"),  # Foshan: 0757 + 8 digits
])
def test_a_number_that_lost_its_leading_zero_is_corrected_with_a_warning(written, stored):
    result = check(csv_bytes(row(1, phone=written), columns=(*COLUMNS, "phone")))
    assert result.ok and result.records[0]["phone"] == stored
    (warning,) = result.warnings
    assert (warning.line, warning.column, warning.stored) == (2, "phone", Stored.CORRECTED)
    assert warning.params["corrected"] == stored and stored in str(warning)


@pytest.mark.parametrize("written", [
    "13800138000", "0750-6301234", "07506301234", "6301234", "750-6301234", "+86 750 6301234",
    "1234567890", "7500301234", "12345", "0750-6301234；13800138000",
])
def test_mobiles_and_numbers_with_their_zero_are_left_alone(written):
    result = check(csv_bytes(row(1, phone=written), columns=(*COLUMNS, "phone")))
    assert result.records[0]["phone"] == written and result.warnings == []


def test_an_xlsx_number_cell_gets_its_zero_back_and_the_diff_shows_the_corrected_value():
    current = {"a": {**dict.fromkeys(("name_en", "coord_system", "address", "address_en", "town",
                                      "floor", "opening_hours", "amenities", "routes",
                                      "description", "description_en", "source",
                                      "verified_on"), ""),
                     "id": "a", "category": "landmark", "name": "圭峰山", "lat": 22.5,
                     "lon": 113.0, "coord_system": "wgs84", "access": "public",
                     "phone": "0750-6300000"}}
    data = workbook([*HEADER, "phone"], ["a", "landmark", "圭峰山", 22.5, 113.0, 7506301234.0])
    result = check(data, current, filename="list.xlsx")
    assert result.ok and result.records[0]["phone"] == "0750-6301234"
    assert result.diff.changed == {"a": [("phone", "0750-6300000", "0750-6301234")]}


def test_many_corrected_phones_are_listed_then_summarised():
    rows = [row(i, phone=f"75063{i:05d}") for i in range(1, 131)]
    result = check(csv_bytes(*rows, columns=(*COLUMNS, "phone")))
    phones = [w for w in result.warnings if w.column == "phone"]
    assert len(phones) == 101 and "30 more phones" in str(phones[-1])
    assert all(r["phone"].startswith("0750-63") for r in result.records)

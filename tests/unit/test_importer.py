"""The importer: real CSV/XLSX bytes in, records or located problems out."""

import csv
import datetime
import io
import random
import time
import zipfile

import openpyxl
import pytest

from locator.core import geo
from locator.core.geo import bd09_to_wgs84, gcj02_to_wgs84, geodesic_m, wgs84_to_gcj02
from locator.core.records import COLUMNS
from locator.ingest.coordinates import near_twins
from locator.ingest.importer import Diff, ImportSettings, Problem, diff_records, read_import
from locator.ingest.problems import ProblemError
from locator.ingest.tables import read_table
from tests.bad_files import BAD, HEADER
from tests.factories import csv_bytes, row

TODAY = datetime.date(2025, 6, 1)
SETTINGS = ImportSettings(today=TODAY)


def check(data: bytes, current=None, filename: str = "facilities.csv", **kwargs):
    """read_import with a fixed 'today'."""
    kwargs.setdefault("settings", SETTINGS)
    return read_import(data, filename, current or {}, **kwargs)


def where(result) -> list[tuple]:
    """(line, column) of each error."""
    return [(e.line, e.column) for e in result.errors]


def stored(i: int = 1, **fields) -> dict:
    """The record the importer makes of factories.row(i, **fields) with no other columns."""
    record = dict.fromkeys(COLUMNS, "") | {"coord_system": "wgs84", "access": "public",
                                           "district": "新会区"}
    record |= row(i, **fields)
    record["lat"], record["lon"] = float(record["lat"]), float(record["lon"])
    return record


RICH = row(1, address="会城, 冈州大道中 1号", description="一楼东侧\n近电梯, 有 \"母婴\" 标识",
           opening_hours="Mo-Fr 08:30-17:30; PH off", amenities="sink; crib;sink",
           verified_on="2024-05-31", phone="+86 750 666 1234", floor="1F")


# -- a valid file ---------------------------------------------------------------------------

def test_valid_rows_become_typed_normalised_records():
    result = check(csv_bytes(RICH, row(2, coord_system="WGS-84", access="customers")))
    assert result.ok and result.errors == [] and result.warnings == []
    first, second = result.records
    assert first == stored(1, **{**RICH, "amenities": "sink;crib"})
    assert first["description"] == "一楼东侧\n近电梯, 有 \"母婴\" 标识"
    assert isinstance(first["lat"], float) and first["coord_system"] == "wgs84"
    assert second["access"] == "customers" and second["coord_system"] == "wgs84"
    assert result.diff.added == ["room-1", "room-2"] and not result.mass_removal
    assert len(result.sha256) == 64


def test_cells_are_stripped_and_list_columns_normalised():
    data = csv_bytes(row(1, name="  母婴室  ", amenities=" shelter ；bench;; shelter ",
                         category="bus_stop", routes=" 1 ; 11；江门站 ;"))
    record = check(data).records[0]
    assert record["name"] == "母婴室"
    assert record["amenities"] == "shelter;bench" and record["routes"] == "1;11;江门站"


def test_columns_may_come_in_any_order_and_optional_ones_be_absent():
    columns = ("lon", "name", "lat", "category", "id")
    result = check(csv_bytes(row(1), columns=columns))
    assert result.records == [stored(1, name_en="")]


def test_header_names_ignore_case_and_spaces():
    columns = ("id", "category", "name", "name_en", "lat", "lon")
    data = b" ID ,Category,NAME,name_en,Lat,LON\n" + csv_bytes(row(1), columns=columns).split(
        b"\n", 1)[1]
    assert check(data).records == [stored(1)]


@pytest.mark.parametrize("text, stored_as", [
    ("'=1+2", "=1+2"), ("'+86 750 666", "+86 750 666"), ("'-5", "-5"), ("'@sum", "@sum"),
    ("''quoted", "'quoted"), ("'quoted", "'quoted"), ("it's", "it's"),
])
def test_one_exporter_apostrophe_is_removed(text, stored_as):
    assert check(csv_bytes(row(1, phone=text))).records[0]["phone"] == stored_as


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(delimiter):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    writer.writerow(dict.fromkeys(COLUMNS, "") | RICH)
    assert check(out.getvalue().encode()).records == check(csv_bytes(RICH)).records


def test_progress_is_reported_every_thousand_rows():
    seen = []
    check(csv_bytes(*(row(i, lat="22.5", lon=str(113.0 + i * 1e-3)) for i in range(2500))),
          progress=seen.append)
    assert seen == [1000, 2000, 2500]


# -- encodings and formats give the same records --------------------------------------------

def xlsx_bytes(rows: list[dict], columns=COLUMNS, numbers: bool = True) -> bytes:
    """A workbook with typed cells where Excel would have them: floats, dates, integers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for r in rows:
        cells = {c: r.get(c, "") or None for c in columns}
        if numbers:
            cells |= {"lat": float(r["lat"]), "lon": float(r["lon"])}
            if r.get("verified_on"):
                cells["verified_on"] = datetime.date.fromisoformat(r["verified_on"])
        sheet.append([cells[c] for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_gbk_bom_crlf_and_xlsx_give_the_same_records_as_utf8():
    rows = [RICH, row(2, name="新会汽车总站", category="coach_stop", routes="广州;深圳")]
    plain = check(csv_bytes(*rows)).records
    utf8 = csv_bytes(*rows).decode()
    variants = {
        "gbk": utf8.encode("gbk"), "gb18030": utf8.encode("gb18030"),
        "bom": b"\xef\xbb\xbf" + utf8.encode(), "crlf": utf8.replace("\n", "\r\n").encode(),
        "xlsx": xlsx_bytes(rows),
    }
    for name, data in variants.items():
        result = check(data, filename=f"upload.{'xlsx' if name == 'xlsx' else 'csv'}")
        assert result.errors == [], name
        assert result.records == plain, name


def test_xlsx_is_recognised_by_content_not_name():
    assert check(xlsx_bytes([row(1)]), filename="export.csv").records == [stored(1)]


def test_xlsx_numbers_dates_and_blank_rows_read_as_excel_shows_them():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "category", "name", "lat", "lon", "phone", "verified_on", "floor"])
    sheet.append(["a", "landmark", "圭峰山", 22.5 + 1e-15, 113, 7506661234,
                  datetime.datetime(2024, 5, 31), 2])
    sheet.append([None] * 8)
    sheet.append(["b", "landmark", "侨乡", 22.51, 113.01])
    sheet.append([None, None])  # trailing blank rows are ignored
    out = io.BytesIO()
    book.save(out)
    result = check(out.getvalue(), filename="list.xlsx")
    first, second = result.records
    # the phone cell was a number, so Excel dropped its 0: restored, with a warning
    assert (first["lat"], first["lon"], first["phone"]) == (22.5, 113.0, "0750-6661234")
    assert (first["verified_on"], first["floor"]) == ("2024-05-31", "2")
    assert second["id"] == "b"
    assert [str(w) for w in result.warnings if w.column is None] == [
        "warning: 1 blank rows were skipped (lines 3) (not imported)"]


def test_quoted_commas_quotes_and_newlines_survive():
    data = (b'id,category,name,lat,lon,description\r\n'
            b'a,landmark,"Hall, east ""gate""",22.5,113.0,"line one\r\nline two, still"\r\n'
            b'b,landmark,B,22.51,113.01,x\r\n')
    result = check(data)
    assert result.records[0]["name"] == 'Hall, east "gate"'
    assert result.records[0]["description"] == "line one\nline two, still"
    assert result.records[1]["id"] == "b"


def test_a_row_spanning_physical_lines_counts_as_one_spreadsheet_line():
    data = csv_bytes(row(1, description="a\nb\nc"), row(2, category="nope"))
    assert where(check(data)) == [(3, "category")]


@pytest.mark.parametrize("data", [
    "會城街道母嬰室,新會區中心醫院,岡州大道中 123 號,圭峰山風景區\n".encode("big5"),
    "東京駅の授乳室です、ベビーベッドあり。新宿区の公園\n".encode("shift_jis"),
    "東京駅の授乳室です、ベビーベッドあり。新宿区の公園\n".encode("euc_jp"),
    "서울역 수유실, 시청 버스정류장, 남산공원, 고속버스터미널\n".encode("euc_kr"),
    "id,name\nx,Müller Straße in Zürich\n".encode("cp1252"),
    "id,name\n母婴室,会城\n".encode("utf-16"),
    "id,name\n母婴室,会城\n".encode("utf-16-le"),
    "id,name,lat\n母婴室,会城,22.5\n".encode() + b"\xff" + "会城\n".encode(),
    b"\xef\xbb\xbfid,name\nx," + "会城".encode("gbk") + b"\n",
], ids=["big5", "shift_jis", "euc_jp", "euc_kr", "cp1252", "utf16-bom", "utf16-le",
        "broken-utf8", "bom-then-gbk"])
def test_other_encodings_are_refused_not_imported_as_mojibake(data):
    result = check(b"id,category,name,lat,lon\n" + data if b"\x00" not in data else data)
    assert where(result) == [(None, None)] and result.records == [] and result.diff is None
    assert "CSV UTF-8" in str(result.errors[0])


# -- errors: one test per class -------------------------------------------------------------



@pytest.mark.parametrize("text, line, column, words", [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_each_error_is_located_and_refuses_the_file(text, line, column, words):
    result = check(text.encode(), {"old": stored(9)})
    assert where(result) == [(line, column)], [str(e) for e in result.errors]
    assert words in str(result.errors[0])
    assert result.records == [] and result.diff is None and not result.ok


def test_repeated_id_names_the_first_line():
    result = check(csv_bytes(row(1), row(2), row(1, lat="22.6")))
    assert result.errors[0].params == {"value": "room-1", "first": 2}


def test_service_area_hint_for_gcj02_numbers_declared_as_wgs84():
    area = (22.0, 112.7, 22.9, 113.0)
    lat, lon = 22.6, 112.998  # just inside; its GCJ-02 reading lies east of the edge
    glat, glon = wgs84_to_gcj02(lat, lon)
    result = check(csv_bytes(row(1, lat=repr(glat), lon=repr(glon))),
                   settings=ImportSettings(service_area=area, today=TODAY))
    assert where(result) == [(2, "lon")]
    assert "set coord_system to gcj02" in str(result.errors[0])


def test_file_over_the_size_limit_is_refused_before_decoding():
    result = check(b"\xff" * 2000, settings=ImportSettings(max_bytes=1000, today=TODAY))
    assert where(result) == [(None, None)] and "limit" in str(result.errors[0])


@pytest.mark.parametrize("data, filename, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
    (b"id,name\n", "list.xlsx", "not a valid .xlsx"),
    (b"PK\x03\x04 not really a zip", "list.xlsx", "ZIP"),
], ids=["xls", "csv-named-xlsx", "broken-zip"])
def test_unreadable_workbooks_are_refused(data, filename, words):
    result = check(data, filename=filename)
    assert where(result) == [(None, None)] and words in str(result.errors[0])


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = check(out.getvalue(), filename="list.xlsx")
    assert where(result) == [(None, None)] and "xlsx" in str(result.errors[0])


def test_xlsx_value_beyond_the_header_is_an_error():
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["a", "landmark", "A", 22.5, 113.0, None, "stray"])
    out = io.BytesIO()
    book.save(out)
    result = check(out.getvalue(), filename="list.xlsx")
    assert where(result) == [(2, None)] and "column G" in str(result.errors[0])


def test_header_only_file_is_allowed_when_asked_or_merging():
    current = {"old": stored(9)}
    emptied = check(HEADER.encode(), current, allow_empty=True)
    assert emptied.ok and emptied.diff.removed == ["old"] and emptied.mass_removal
    merged = check(HEADER.encode(), current, merge=True)
    assert merged.ok and merged.diff.unchanged == ["old"] and not merged.mass_removal


def test_all_errors_of_a_file_are_reported_at_once_in_line_order():
    text = (HEADER + ",verified_on\n"
            "a,landmark,A,22.5,113,\n"
            "Bad Id,landmark,B,22.5,114.5,\n"
            "c,shop,,22.5,113.01,tomorrow\n"
            "a,landmark,D,22.5\n"
            "a,landmark,E,22.52,113.02,2024-01-01\n")
    result = check(text.encode())
    assert where(result) == [(3, "id"), (3, "lon"), (4, "category"), (4, "name"),
                             (4, "verified_on"), (5, None), (6, "id")]
    assert result.records == [] and result.diff is None
    assert str(result.errors[0]).startswith("line 3, column id: id 'Bad Id' is not valid")


def test_missing_columns_stop_row_checks_but_are_all_reported():
    result = check(b"id,name\na,A\n")
    assert where(result) == [(1, "category"), (1, "lat"), (1, "lon")]


# -- warnings -------------------------------------------------------------------------------

def messages(result) -> list[str]:
    """Each warning rendered."""
    return [str(w) for w in result.warnings]


def test_unknown_columns_are_ignored_with_a_warning():
    result = check(csv_bytes(row(1) | {"colour": "red"}, columns=(*COLUMNS, "colour")))
    assert result.ok and "colour" not in result.records[0]
    assert [(w.line, w.column) for w in result.warnings] == [(1, "colour")]


def test_missing_english_names_are_one_summarised_warning():
    result = check(csv_bytes(*(row(i, name_en="") for i in range(1, 15)), row(15)))
    assert result.ok
    assert messages(result) == [
        "column name_en: warning: 14 facilities have no English name (lines 2, 3, 4, 5, 6, 7, "
        "8, 9, 10, 11, …) — English pages show the Chinese name instead; fill in name_en (kept "
        "as written)"]


def test_routes_on_a_landmark_are_kept_with_a_warning():
    result = check(csv_bytes(row(1, category="landmark", routes="1;2")))
    assert result.ok and result.records[0]["routes"] == "1;2"
    assert [w.column for w in result.warnings] == ["routes"]


def test_probable_duplicates_within_15_m_of_the_same_category():
    first = row(1, lat="22.50000", lon="113.00000")
    near = row(2, lat="22.50008", lon="113.00008")  # 12 m from the first
    far = row(3, lat="22.50020", lon="113.00000")  # 22 m from the first, 16 m from the second
    other = row(4, lat="22.50000", lon="113.00000", category="landmark")  # same point
    result = check(csv_bytes(first, near, far, other))
    assert result.ok
    assert [(w.line, w.params["id"], w.params["other"]) for w in result.warnings] == [
        (3, "room-2", "room-1")]
    assert "(line 2)" in str(result.warnings[0]) and "12.1 m" in str(result.warnings[0])


def test_merge_warns_about_a_new_facility_next_to_a_stored_one():
    current = {"old": stored(9, id="old", lat="22.5", lon="113.0")}
    result = check(csv_bytes(row(1, lat="22.50005", lon="113.0")), current, merge=True)
    assert [(w.line, w.params["other"]) for w in result.warnings] == [(2, "old")]
    assert "stored facility old" in str(result.warnings[0])


def test_mass_removal_is_flagged_and_warned():
    current = {f"room-{i}": stored(i) for i in range(1, 6)}
    result = check(csv_bytes(row(1), row(2)), current)
    assert result.ok and result.mass_removal
    assert result.diff.removed == ["room-3", "room-4", "room-5"]
    assert "removes 3 of the 5" in messages(result)[-1]
    assert not check(csv_bytes(row(1), row(2), row(3)), current).mass_removal
    assert not check(csv_bytes(row(1)), current, merge=True).mass_removal


def test_blank_rows_in_the_middle_are_skipped_with_a_warning():
    data = csv_bytes(row(1)) + b",,,,,\n\n" + csv_bytes(row(2)).split(b"\n", 1)[1] + b"\n\n"
    result = check(data)
    assert [r["id"] for r in result.records] == ["room-1", "room-2"]
    assert messages(result) == ["warning: 2 blank rows were skipped (lines 3, 4) (not imported)"]


# -- datums ---------------------------------------------------------------------------------

def test_gcj02_and_bd09_rows_are_converted_to_wgs84():
    data = csv_bytes(row(1, lat="22.52", lon="113.05", coord_system="gcj02"),
                     row(2, lat="22.53", lon="113.06", coord_system="BD-09"))
    first, second = check(data).records
    assert (first["lat"], first["lon"]) == gcj02_to_wgs84(22.52, 113.05)
    assert (second["lat"], second["lon"]) == bd09_to_wgs84(22.53, 113.06)
    assert first["coord_system"] == second["coord_system"] == "wgs84"
    assert 500 < geodesic_m(22.52, 113.05, first["lat"], first["lon"]) < 800


def test_the_coordinate_systems_are_geos_one_table(monkeypatch):
    # A system added to core/geo's table is accepted, converted and listed by the importer:
    # no second list of systems to forget.
    monkeypatch.setitem(geo.TO_WGS84, "shifted", lambda lat, lon: (lat + 0.01, lon))
    shifted = check(csv_bytes(row(1, lat="22.52", lon="113.05", coord_system="shifted")))
    assert shifted.records[0]["lat"] == pytest.approx(22.53)
    refused = [str(e) for e in check(csv_bytes(row(1, coord_system="utm"))).errors]
    assert len(refused) == 1 and "'utm'" in refused[0] and "shifted" in refused[0]


# -- diff -----------------------------------------------------------------------------------

def test_diff_replace_and_merge():
    current = {"room-1": stored(1), "room-2": stored(2), "room-3": stored(3)}
    records = [stored(1), stored(2, name="新名字"), stored(4)]
    replace = diff_records(current, records, merge=False)
    assert (replace.added, replace.removed, replace.unchanged) == (["room-4"], ["room-3"],
                                                                   ["room-1"])
    assert replace.changed == {"room-2": [("name", "母婴室2", "新名字")]}
    assert replace.summary() == "added 1, changed 1, removed 1, unchanged 1"
    merge = diff_records(current, records, merge=True)
    assert merge.removed == [] and merge.unchanged == ["room-1", "room-3"]
    assert merge.summary() == "added 1, changed 1, removed 0, unchanged 2"


def test_diff_treats_a_null_stored_value_as_blank():
    old = stored(1) | {"phone": None}
    assert diff_records({"room-1": old}, [stored(1)], merge=False).unchanged == ["room-1"]


def test_importing_the_same_file_again_changes_nothing():
    first = check(csv_bytes(RICH, row(2)))
    current = {r["id"]: r for r in first.records}
    again = check(csv_bytes(RICH, row(2)), current)
    assert again.diff == Diff(unchanged=["room-1", "room-2"])


# -- problems -------------------------------------------------------------------------------

def test_problem_renders_location_and_translates_message_and_prefix():
    zh = {"line %(line)s, column %(column)s: %(message)s":
          "第 %(line)s 行 %(column)s 列：%(message)s", "unknown %(value)r": "未知 %(value)r"}
    problem = Problem(7, "lat", "unknown %(value)r", {"value": "x"})
    assert str(problem) == "line 7, column lat: unknown 'x'"
    assert problem.render(lambda s: zh.get(s, s)) == "第 7 行 lat 列：未知 'x'"
    assert str(Problem(7, None, "m", {})) == "line 7: m"
    assert str(Problem(None, "name_en", "m", {})) == "column name_en: m"
    assert str(Problem(None, None, "100% sure", {})) == "100% sure"


@pytest.mark.parametrize("data, filename, located", [
    ("id,name\n".encode("utf-16"), "a.csv", (None, None)),  # refused while decoding
    (b"\xef\xbb\xbfid\n\xff\n", "a.csv", (None, None)),  # broken UTF-8 after a BOM
    (b"  \n", "a.csv", (None, None)),  # empty
    (b"\n\nx\n", "a.csv", (1, None)),  # the header line is blank
    (b'id,name\n"a,b\n', "a.csv", (2, None)),  # broken quoting
    (b"PK\x03\x04 not really a zip", "a.xlsx", (None, None)),  # a damaged workbook
], ids=["utf16", "bom-broken", "empty", "blank-header", "quoting", "broken-zip"])
def test_every_refusal_of_a_whole_file_is_one_exception_carrying_its_problem(data, filename,
                                                                            located):
    with pytest.raises(ProblemError) as refused:
        read_table(data, filename)
    problem = refused.value.problem
    assert (problem.line, problem.column) == located
    assert str(refused.value) == str(problem)  # the English text, placeholders filled
    assert where(check(data, filename=filename)) == [located]


# -- the duplicate grid agrees with brute force ---------------------------------------------

def test_near_twins_matches_brute_force():
    rng = random.Random(7)
    centres = [(22.5, 113.0), (-0.00005, 0.00005), (60.0, -30.0)]
    lats, lons, groups = [], [], []
    for _ in range(400):
        lat, lon = rng.choice(centres)
        lats.append(lat + rng.uniform(-3e-4, 3e-4))
        lons.append(lon + rng.uniform(-3e-4, 3e-4))
        groups.append(rng.randrange(2))
    lats[-5:], lons[-5:], groups[-5:] = [lats[0]] * 5, [lons[0]] * 5, [groups[0]] * 5

    def near(i: int, j: int) -> bool:
        return groups[i] == groups[j] and geodesic_m(lats[i], lons[i], lats[j], lons[j]) <= 15

    twins = near_twins(groups, lats, lons, 15)
    assert [j for j, _, _ in twins] == [j for j in range(400) if any(near(i, j)
                                                                     for i in range(j))]
    assert all(i < j and near(i, j) and abs(d - geodesic_m(lats[i], lons[i], lats[j], lons[j]))
               < 0.001 for j, i, d in twins)


def test_thousands_of_facilities_at_one_spot_stay_fast():
    rows = [row(i, lat="22.5", lon="113.0") for i in range(3000)]
    rows += [row(i, lat=str(22.6 + i * 1e-9), lon="113.1") for i in range(3000, 6000)]
    start = time.perf_counter()
    result = check(csv_bytes(*rows))
    assert time.perf_counter() - start < 5
    assert len(result.warnings) == 101 and "5898 more" in str(result.warnings[-1])


def test_a_list_of_addresses_may_leave_out_both_position_columns():
    from locator.core.records import missing_columns

    assert missing_columns({"id", "category", "name", "address"}) == []
    assert missing_columns({"id", "category", "name", "address", "lat"}) == ["lon"]
    assert missing_columns({"id", "category", "name"}) == ["lat", "lon"]

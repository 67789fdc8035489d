"""The reports export for the district's follow-up: every column, labels, formulas defused."""

import csv
import io

import pytest
from openpyxl import load_workbook

from locator.ingest.importer import DEFAULT_SETTINGS
from locator.reports import export, moderation
from locator.reports.intake import submit
from locator.reports.submissions import check_report, check_suggestion
from tests.factories import load, row

T0 = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC: 04:26 the next day in Asia/Shanghai
HOSTILE = "=HYPERLINK(\"http://evil.example\",\"x\")"


@pytest.fixture
def reports(db_path, store):
    """A wrong-position report (hostile note, rejected) and a suggestion, as stored."""
    load(db_path, row(1, name="万达母婴室"))
    report = check_report({"id": "room-1", "category": "nursing_room"},
                          {"kind": "wrong_location", "lat": 22.52, "lon": 113.03,
                           "note": HOSTILE}, DEFAULT_SETTINGS)
    first = submit(store, report, "203.0.113.7", now=T0)
    moderation.reject(store, first, actor="alice", note="@SUM(A1)", now=T0 + 60)
    suggestion = check_suggestion({"category": "nursing_room", "name": "-新店母婴室",
                                   "lat": 22.53, "lon": 113.04, "amenities": ["crib", "sink"]},
                                  DEFAULT_SETTINGS)
    submit(store, suggestion, "203.0.113.8", now=T0 + 120)
    rows, _total = store.reports.page(limit=10)
    return rows


def test_the_csv_has_every_column_defused_with_a_bom(reports):
    data = export.write_csv(reports, {"room-1": "万达母婴室"}, "zh")
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    lines = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(lines[0]) == list(export.COLUMNS)
    suggestion, wrong = lines
    assert (wrong["kind"], wrong["kind_label"], wrong["facility_name"]) == (
        "wrong_location", "地图位置不对", "万达母婴室")
    assert (wrong["status"], wrong["created"], wrong["decided_at"]) == (
        "rejected", "2026-05-29 04:26", "2026-05-29 04:27")
    assert (wrong["lat"], wrong["lon"], wrong["decided_by"]) == ("22.52", "113.03", "alice")
    assert wrong["note"] == "'" + HOSTILE and wrong["decision_note"] == "'@SUM(A1)"
    assert (suggestion["name"], suggestion["amenities"], suggestion["facility_id"]) == (
        "'-新店母婴室", "crib;sink", "")


def test_english_labels_on_request(reports):
    data = export.write_csv(reports, {}, "en").decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(data)))
    assert [line["kind_label"] for line in lines] == ["Suggested place",
                                                      "Wrong position on the map"]
    assert lines[1]["status_label"] == "Rejected"


def test_the_workbook_has_the_same_cells_and_no_formula(reports):
    book = load_workbook(io.BytesIO(export.write_xlsx(reports, {"room-1": "万达母婴室"})))
    sheet = book[export.SHEET]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert tuple(values[0]) == export.COLUMNS
    wrong = dict(zip(export.COLUMNS, values[2], strict=True))
    assert wrong["note"] == "'" + HOSTILE and wrong["lat"] == 22.52 and wrong["id"] == 1
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)

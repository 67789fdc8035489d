"""Warnings and conversions of an import where the admin sees them: the CLI's stderr (located,
exit 0) and the console's preview (in the admin's language)."""

import io

import pytest

from tests.admin_support import console_app, make_admin, signed_in, stored, text, token
from tests.factories import csv_bytes, load, row, xlsx_bytes

TITLE = "新会区母婴室名录（2026年11月）"
COLUMNS = ("id", "category", "name", "name_en", "lat", "lon", "opening_hours", "phone",
           "verified_on")


def district_file() -> bytes:
    """A title row above the header; a phone that lost its 0, a slashed date, Chinese hours and
    a DMS latitude."""
    rows = csv_bytes(row(1), row(2, phone="7506301234", verified_on="2026/11/28",
                                opening_hours="周一至周五 8:30-17:30", lat="22°30′7.2″N"),
                     columns=COLUMNS)
    return f"{TITLE}\n".encode() + rows


EXPECTED_STDERR = [
    f"warning: the header row is line 2: the rows above it (lines 1, “{TITLE}”) were skipped "
    "as a title (not imported)",
    "line 4, column phone: warning: phone 7506301234 looks like a Chinese landline whose leading "
    "0 the spreadsheet dropped (it stored the number as a number) — check it; format the column "
    "as text to keep the 0 (stored corrected as 0750-6301234)",
    "line 4, column lat: note: converted from 22°30′7.2″N → 22.502",
    "line 4, column opening_hours: note: converted from 周一至周五 8:30-17:30 → Mo-Fr 08:30-17:30",
    "line 4, column verified_on: note: converted from 2026/11/28 → 2026-11-28",
]




# -- the CLI --------------------------------------------------------------------------------

@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "import"])
def test_cli_prints_located_warnings_and_notes_on_stderr_and_exits_0(runner, tmp_path, db_path,
                                                                      dry_run):
    path = tmp_path / "district.csv"
    path.write_bytes(district_file())
    result = runner.invoke(args=["facilities", "import", str(path),
                                 *(["--dry-run"] if dry_run else [])])
    assert result.exit_code == 0, result.output
    # The app's log line of the import (locator/web/request_log.py) shares stderr with them.
    logged = [line for line in result.stderr.splitlines() if " INFO locator.actions " in line]
    assert [line for line in result.stderr.splitlines() if line not in logged] == EXPECTED_STDERR
    assert len(logged) == (0 if dry_run else 1)
    assert "warning" not in result.stdout and "added 2" in result.stdout
    if not dry_run:
        record = stored(db_path, "room-2")
        assert (record["phone"], record["verified_on"], record["opening_hours"],
                record["lat"]) == ("0750-6301234", "2026-11-28", "Mo-Fr 08:30-17:30", 22.502)


def test_cli_errors_below_a_title_name_the_spreadsheet_line(runner, tmp_path):
    data = (f"{TITLE}\n\n".encode()
            + csv_bytes(row(1), row(2, lat="22°31′41″E"), columns=COLUMNS))
    path = tmp_path / "district.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["facilities", "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "line 5, column lat: lat '22°31′41″E' has the hemisphere E, which belongs in lon")


# -- the console ----------------------------------------------------------------------------

@pytest.fixture
def console(db_path):
    """The console app on three nursing rooms, room-2 with a phone."""
    load(db_path, row(1), row(2, phone="0750-6300000"), row(3))
    make_admin(db_path)
    return console_app(db_path)


def upload(client, data: bytes, filename: str):
    """Post a file to the upload form, as the browser does."""
    return client.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), filename), "mode": "merge",
        "csrf_token": token(client, "/admin/upload")})


def test_preview_lists_warnings_and_conversions_and_the_corrected_phone_in_the_diff(console):
    client = signed_in(console)
    page = text(upload(client, district_file(), "district.csv"))
    warnings = page[page.index("Warnings: 2"):page.index("Converted values: 3")]
    assert "line 4, column phone: warning: phone 7506301234 looks like" in warnings
    assert "(stored corrected as 0750-6301234)" in warnings
    assert "lines 1, “新会区母婴室名录（2026年11月）”" in warnings
    conversions = page[page.index("Converted values: 3"):]
    assert ("line 4, column opening_hours: converted from 周一至周五 8:30-17:30 → "
            "Mo-Fr 08:30-17:30") in conversions
    assert "line 4, column verified_on: converted from 2026/11/28 → 2026-11-28" in conversions
    changed = page[page.index("Changed"):]
    assert "phone 0750-6300000 0750-6301234" in changed  # field, old, new


def test_preview_shows_them_in_chinese_for_a_chinese_admin(console):
    client = signed_in(console)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = text(upload(client, district_file(), "district.csv"))
    assert "警告：2 条" in page and "已转换的值：3 个" in page
    assert "第 4 行，phone 列：警告：phone 7506301234 像是" in page
    assert "（已更正并保存为 0750-6301234）" in page
    assert "第 4 行，verified_on 列：转换自 2026/11/28 → 2026-11-28" in page


def test_a_refused_file_shows_its_warnings_beside_the_errors(console):
    client = signed_in(console)
    data = xlsx_bytes([TITLE], ["id", "category", "name", "name_en", "lat", "lon", "phone"],
                      ["room-1", "母婴室", "母婴室1", "Room 1", 22.501, 113.001, 7506301234],
                      ["room-2", "toilet", "母婴室2", "Room 2", 22.502, 113.002, ""])
    response = upload(client, data, "district.xlsx")
    page = text(response)
    assert response.status_code == 422
    assert "line 4, column category: unknown category 'toilet'" in page
    assert "line 3, column phone: warning: phone 7506301234" in page

"""The workbook through the CLI and the console: the template, the XLSX export, and the round
trip export → edit in the template → import → export, byte-identical where nothing changed."""

import io
import re

import openpyxl
import pytest

from locator.core.records import COLUMNS
from locator.ingest import workbook
from tests.admin_support import console_on_three_rooms, text
from tests.factories import csv_bytes, row

# As the district holds them: an id with leading zeros, a phone whose 0 Excel would drop, a
# formula-like name, a multi-line description, Chinese hours (stored as OSM), and a point
# given in GCJ-02 (stored converted to WGS-84: a float that needs all 17 digits).
DISTRICT = (
    row(1, id="0012", phone="07506688123", name="=HYPERLINK(\"http://x\")",
        description="二楼东侧\n电梯旁", opening_hours="周一至周五 8:30-17:30"),
    row(2, coord_system="gcj02", lat="22.52", lon="113.03", access="仅限顾客",
        amenities="护理台、婴儿床", verified_on="2026-11-28"),
    row(3, category="bus_stop", name="会城公交站", routes="1路;3路", amenities="shelter"),
)


@pytest.fixture
def cli(runner, tmp_path):
    """Run `facilities ARGS` and return the result; files go to tmp_path."""
    def cli(*args: str):
        result = runner.invoke(args=["facilities", *args])
        assert result.exit_code == 0, result.output
        return result
    return cli


def values(data: bytes) -> list[tuple]:
    """The first sheet's rows as values."""
    return list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(
        values_only=True))


def fill_template(template: bytes, rows: list[tuple]) -> bytes:
    """The template with `rows` pasted below its header, as an admin pastes them."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    for line, values_ in enumerate(rows, start=2):
        for column, value in enumerate(values_, start=1):
            sheet.cell(line, column).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_cli_template_writes_the_workbook_and_refuses_another_suffix(cli, runner, tmp_path):
    path = tmp_path / "模板.xlsx"
    assert "Template written" in cli("template", str(path)).stderr
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [workbook.DATA_SHEET, workbook.REFERENCE_SHEET]
    assert [c.value for c in book.worksheets[0][1]] == list(map(workbook.header_cell, COLUMNS))
    result = runner.invoke(args=["facilities", "template", str(tmp_path / "t.csv")])
    assert result.exit_code != 0 and ".xlsx" in result.stderr


def test_cli_xlsx_export_round_trips_like_the_csv(cli, tmp_path):
    (tmp_path / "district.csv").write_bytes(csv_bytes(*DISTRICT))
    cli("import", str(tmp_path / "district.csv"))
    cli("export", str(tmp_path / "first.csv"))
    cli("export", str(tmp_path / "first.xlsx"))
    result = cli("import", str(tmp_path / "first.xlsx"))
    assert "added 0, changed 0, removed 0, unchanged 3" in result.output
    cli("export", str(tmp_path / "again.csv"))
    cli("export", str(tmp_path / "again.xlsx"))
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "first.csv").read_bytes()
    assert values((tmp_path / "again.xlsx").read_bytes()) == \
        values((tmp_path / "first.xlsx").read_bytes())


def test_export_edit_in_the_template_import_export(cli, tmp_path):
    (tmp_path / "district.csv").write_bytes(csv_bytes(*DISTRICT))
    cli("import", str(tmp_path / "district.csv"))
    cli("export", str(tmp_path / "before.csv"))
    cli("export", str(tmp_path / "before.xlsx"))
    cli("template", str(tmp_path / "template.xlsx"))
    rows = values((tmp_path / "before.xlsx").read_bytes())[1:]
    phone = COLUMNS.index("phone")
    edited = [tuple("0750-1234567" if i == phone and r[0] == "room-3" else v
                    for i, v in enumerate(r)) for r in rows]
    (tmp_path / "filled.xlsx").write_bytes(
        fill_template((tmp_path / "template.xlsx").read_bytes(), edited))
    result = cli("import", str(tmp_path / "filled.xlsx"))
    assert "added 0, changed 1, removed 0, unchanged 2" in result.output
    cli("export", str(tmp_path / "after.csv"))
    before = (tmp_path / "before.csv").read_bytes().split(b"\r\n")
    after = (tmp_path / "after.csv").read_bytes().split(b"\r\n")
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    assert len(changed) == 1 and after[changed[0]].startswith(b"room-3,")
    assert b",0750-1234567," in after[changed[0]]


@pytest.fixture
def console(db_path):
    """A signed-in console on three nursing rooms."""
    return console_on_three_rooms(db_path)


def test_console_template_download(console):
    response = console.get("/admin/template.xlsx")
    assert response.status_code == 200 and response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="facilities-template.xlsx"' in response.headers["Content-Disposition"]
    assert values(response.data) == [tuple(map(workbook.header_cell, COLUMNS))]


def test_console_xlsx_downloads_hold_the_same_data_as_the_csv(console):
    for xlsx, csv in (("/admin/export.xlsx", "/admin/export.csv"),
                      ("/admin/history/1.xlsx", "/admin/history/1.csv")):
        response = console.get(xlsx)
        assert response.status_code == 200
        assert 'filename="facilities-v1.xlsx"' in response.headers["Content-Disposition"]
        rows = values(response.data)
        assert [r[0] for r in rows[1:]] == ["room-1", "room-2", "room-3"]
        csv_ids = [line.split(",")[0] for line in console.get(csv).text.splitlines()[1:]]
        assert csv_ids == ["room-1", "room-2", "room-3"]
    assert console.get("/admin/history/9.xlsx").status_code == 404


def test_console_upload_of_its_own_xlsx_export_changes_nothing(console):
    exported = console.get("/admin/export.xlsx").data
    page = console.get("/admin/upload")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = console.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(exported), "facilities-v1.xlsx"), "mode": "replace",
        "csrf_token": csrf})
    assert response.status_code == 200
    assert "Nothing to change" in text(response) or "nothing to change" in text(response)


def test_upload_page_links_the_template_and_the_column_reference_inside_the_console(console):
    page = console.get("/admin/upload").text
    links = re.findall(r'<a [^>]*href="([^"]+)"', page)
    assert "/admin/template.xlsx" in links and "/admin/columns" in links
    assert all(link.startswith(("/", "?")) for link in links), links  # nothing outside the app
    assert 'href="/admin/export.xlsx"' in console.get("/admin/").text
    assert 'href="/admin/history/1.xlsx"' in console.get("/admin/history").text


def test_column_reference_page_lists_every_column_and_code(console):
    response = console.get("/admin/columns")
    assert response.status_code == 200
    body = text(response)
    for item in workbook.column_help():
        assert item.header in body and item.en in body
    for table in workbook.code_tables():
        for code, zh, en in table.codes:
            assert code in body and zh in body and en in body
    chinese = text(console.get("/admin/columns?lang=zh"))
    assert workbook.column_help()[0].zh in chinese and "设施表的各列" in chinese


def test_column_reference_page_shows_the_sheets_words_in_the_page_language(console):
    # The same msgids as the reference sheet, through the page's catalogue.
    chinese = text(console.get("/admin/columns?lang=zh"))
    english = text(console.get("/admin/columns?lang=en"))
    for note_zh, note_en in zip(workbook.notes(workbook.chinese),
                                workbook.notes(workbook.english), strict=True):
        assert note_zh in chinese and note_en in english
    assert "中文（名称）或两者（名称 name）" in chinese and "所属镇（街道），如 会城街道" in chinese
    assert "中文描述，如位置指引（可换行）" in chinese
    for table in workbook.code_tables():
        assert table.title_zh in chinese and table.title_en in english

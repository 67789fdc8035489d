"""The optional column name_zh_hant: read under its Chinese headers, checked like name, written
by the export and the template, kept by the store (a migration adds it to older databases)."""

import datetime
import io

import openpyxl
import pytest

from locator.core.records import COLUMNS
from locator.core.traditional import for_language
from locator.ingest import workbook
from locator.ingest.exporter import write_csv
from locator.ingest.importer import ImportSettings, read_import
from locator.store import Store, schema
from tests.factories import commit_whole

SETTINGS = ImportSettings(today=datetime.date(2026, 11, 30))
LIBRARY = "景堂图书馆,22.520979,113.040056"


def check(header: str, *cells: str):
    """read_import of a file with `header` after the required columns, one row per cell."""
    lines = [f"id,name,lat,lon,category,{header}"]
    lines += [f"lib-{n},{LIBRARY},landmark,{cell}" for n, cell in enumerate(cells, 1)]
    return read_import("\n".join(lines).encode(), "facilities.csv", {}, settings=SETTINGS)


def test_the_column_comes_last():
    assert COLUMNS[-1] == "name_zh_hant"


@pytest.mark.parametrize("header",
                         ["name_zh_hant", "繁体名称", "繁體名稱", "繁体名称 name_zh_hant"])
def test_read_under_its_headers(header):
    result = check(header, "景堂圖書館")
    assert result.ok, result.errors
    assert result.records[0]["name_zh_hant"] == "景堂圖書館"


def test_optional_and_blank_by_default():
    result = read_import(f"id,name,lat,lon,category\nlib-1,{LIBRARY},landmark\n".encode(),
                         "facilities.csv", {}, settings=SETTINGS)
    assert result.ok and result.records[0]["name_zh_hant"] == ""


@pytest.mark.parametrize("cell", ["景" * 201, "景堂\x07圖書館", '"景堂\n圖書館"'])
def test_checked_like_name(cell):
    result = check("繁体名称", cell)
    assert [(e.line, e.column) for e in result.errors] == [(2, "name_zh_hant")]


def test_the_export_writes_it_and_reads_it_back():
    result = check("繁體名稱", "景堂圖書館")
    text = write_csv(result.records).decode("utf-8-sig")
    assert text.splitlines()[0].endswith(",aliases,district,name_zh_hant")
    again = read_import(text.encode(), "export.csv", {}, settings=SETTINGS)
    assert again.records == result.records


def test_the_template_offers_it_with_its_chinese_header():
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.write_template())).worksheets[0]
    assert [cell.value for cell in sheet[1]][-1] == "繁体名称 name_zh_hant"


def test_it_wins_over_the_conversion():
    record = check("繁体名称", "景堂圖書舘").records[0]
    assert for_language(record, "zh-Hant")["name"] == "景堂圖書舘"
    assert for_language(record | {"name_zh_hant": ""}, "zh-Hant")["name"] == "景堂圖書館"


def test_an_older_database_gets_the_column(tmp_path):
    path = str(tmp_path / "old.sqlite")
    store = Store(path)
    try:
        store.migrate()
        records = check("繁体名称", "").records
        commit_whole(store, records)
        with store.writing():  # as a database from before this migration was
            store.db.execute("ALTER TABLE facilities DROP COLUMN name_zh_hant")
            store.db.execute(f"PRAGMA user_version = {len(schema.MIGRATIONS) - 1}")
        assert "name_zh_hant" not in store.db["facilities"].columns_dict
        store.migrate()
        assert store.facilities.get("lib-1")["name_zh_hant"] == ""
        commit_whole(store, [records[0] | {"name_zh_hant": "景堂圖書館"}])
        assert store.facilities.get("lib-1")["name_zh_hant"] == "景堂圖書館"
    finally:
        store.close()

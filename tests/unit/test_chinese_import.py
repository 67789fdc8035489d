"""Data in as the district writes it: Chinese opening hours through the importer."""

import datetime
import os

import pytest
from babel.support import Translations

from locator.ingest.importer import Conversion, ImportSettings, read_import
from tests.factories import csv_bytes, row
from tests.processes import ROOT

SETTINGS = ImportSettings(today=datetime.date(2026, 11, 30))


def check(data: bytes, current=None):
    """read_import of a CSV with a fixed 'today'."""
    return read_import(data, "facilities.csv", current or {}, settings=SETTINGS)


@pytest.fixture(scope="module")
def chinese():
    """The importer catalogue's gettext in Chinese (compiled as the README says)."""
    folder = os.path.join(ROOT, "locator", "translations")
    if not os.path.exists(os.path.join(folder, "zh", "LC_MESSAGES", "importer.mo")):
        pytest.skip("compile the catalogues first: make (pybabel compile)")
    return Translations.load(folder, ["zh"], domain="importer").ugettext


def test_chinese_hours_are_stored_in_osm_form_and_the_conversion_is_kept():
    result = check(csv_bytes(row(1, opening_hours="周一至周五 8:30-12:00，14:30-17:30；节假日休息"),
                             row(2, opening_hours="Mo-Fr 08:30-17:30"),
                             row(3, opening_hours="24小时开放")))
    assert result.ok, [str(e) for e in result.errors]
    assert [r["opening_hours"] for r in result.records] == [
        "Mo-Fr 08:30-12:00,14:30-17:30; PH off", "Mo-Fr 08:30-17:30", "24/7"]
    assert result.conversions == [
        Conversion(2, "opening_hours", "周一至周五 8:30-12:00，14:30-17:30；节假日休息",
                   "Mo-Fr 08:30-12:00,14:30-17:30; PH off"),
        Conversion(4, "opening_hours", "24小时开放", "24/7")]


def test_converted_hours_compare_equal_to_the_stored_osm():
    first = check(csv_bytes(row(1, opening_hours="每天 9:00-17:00")))
    stored = {r["id"]: r for r in first.records}
    again = check(csv_bytes(row(1, opening_hours="每天9:00-17:00")), current=stored)
    assert again.diff.unchanged == ["room-1"] and not again.diff.changes_anything


@pytest.mark.parametrize("written, example", [
    ("周一至周五 9:00-17:00，周六上午休息", "Mo-Fr 09:00-17:00; Sa off"),
    ("Mo-Fr 25:00-26:00", "Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off"),
    ("随时可来", "Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off"),
])
def test_hours_that_cannot_be_read_name_the_cell_and_show_the_osm_to_write(written, example,
                                                                             chinese):
    result = check(csv_bytes(row(1), row(2, opening_hours=written)))
    (error,) = result.errors
    assert (error.line, error.column) == (3, "opening_hours")
    english, zh = error.render(), error.render(chinese)
    assert english.startswith("line 3, column opening_hours: ") and example in english
    assert zh.startswith("第 3 行，opening_hours 列：") and example in zh and "无法识别" in zh
    for internals in ("expected", "character", "any_rule_separator", "EOI"):
        assert internals not in english and internals not in zh

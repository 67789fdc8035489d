"""Data in as the district writes it: Chinese opening hours through the importer."""

import datetime
import os
import re
import unicodedata

import pytest

from locator.core.records import COLUMNS
from locator.ingest.exporter import write_csv
from locator.ingest.importer import Conversion, ImportSettings, read_import
from locator.ingest.vocabulary import HEADER_ALIASES
from tests.factories import csv_bytes, row, xlsx_bytes
from tests.processes import ROOT

SETTINGS = ImportSettings(today=datetime.date(2026, 11, 30))


def check(data: bytes, current=None):
    """read_import of a CSV with a fixed 'today'."""
    return read_import(data, "facilities.csv", current or {}, settings=SETTINGS)


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


# -- Chinese headers ------------------------------------------------------------------------

def table(header: list[str], *rows: list[str]) -> bytes:
    """A CSV of these cells."""
    return "\n".join(",".join(cells) for cells in (header, *rows)).encode() + b"\n"


def header_warnings(result) -> list[str]:
    """Warnings about the header row (unknown columns)."""
    return [str(w) for w in result.warnings if w.line == 1]


ROOM = ["nr-1", "母婴室", "会城母婴室", "22.53", "113.03"]


@pytest.mark.parametrize("header", [
    ["编号", "类别", "名称", "纬度", "经度"],
    ["编号 id", "类型 category", "名称 name", "纬度 lat", "经度 lon"],
    ["编号(id)", "类别（category）", "名称 name", "lat", "经度"],
    ["\ufeff编号", " 类别 ", "名称", "LAT", "经度"],
])
def test_a_header_cell_may_be_the_code_the_chinese_alias_or_both(header):
    result = check(table(header, ROOM))
    assert result.ok and not header_warnings(result), [str(p) for p in result.errors]
    (record,) = result.records
    assert (record["id"], record["category"], record["name"], record["lat"]) == (
        "nr-1", "nursing_room", "会城母婴室", 22.53)


def test_every_column_has_its_alias():
    header = ["编号", "类别", "名称", "英文名称", "纬度", "经度", "坐标系", "地址", "英文地址",
              "镇（街道）", "楼层", "开放时间", "开放对象", "配套设施", "途经线路", "联系电话",
              "简介", "英文描述", "来源", "核实日期"]
    cells = ROOM[:3] + ["Huicheng nursing room", "22.53", "113.03", "WGS84", "会城大道1号",
                        "1 Huicheng Ave", "会城街道", "1F", "每天 9:00-17:00", "对公众开放",
                        "护理台、婴儿床", "", "0750-1234567", "一楼", "1F", "区妇联",
                        "2026-11-28"]
    result = check(table(header, cells))
    assert result.ok and not header_warnings(result), [str(p) for p in result.errors]
    (record,) = result.records
    assert (record["town"], record["amenities"], record["opening_hours"], record["phone"],
            record["verified_on"]) == ("会城街道", "changing_table;crib", "Mo-Su 09:00-17:00",
                                       "0750-1234567", "2026-11-28")


def test_two_cells_naming_one_column_is_an_error_naming_both(chinese):
    result = check(table(["编号", "类别", "名称", "name", "纬度", "经度"],
                         ["nr-1", "母婴室", "甲", "乙", "22.53", "113.03"]))
    (error,) = result.errors
    assert (error.line, error.column) == (1, "name")
    assert "'名称' in column C and 'name' in column D" in str(error)
    assert "C 列的 '名称' 和 D 列的 'name'" in error.render(chinese)


def test_an_alias_paired_with_another_code_is_not_taken_for_either():
    result = check(table(["编号", "类别", "名称 lat", "纬度", "经度"], ROOM))
    assert [(e.line, e.column) for e in result.errors] == [(1, "name")]


# -- Chinese values -------------------------------------------------------------------------

@pytest.mark.parametrize("written, code", [
    ("母婴室", "nursing_room"), ("哺乳室", "nursing_room"), ("母婴休息室", "nursing_room"),
    ("nursing_room", "nursing_room"), ("长途车站", "coach_stop"), ("客运站", "coach_stop"),
    ("汽车站", "coach_stop"), ("长途汽车站", "coach_stop"), ("公交站", "bus_stop"),
    ("公交车站", "bus_stop"), ("公交站台", "bus_stop"), ("景点", "landmark"), ("地标", "landmark"),
])
def test_categories_accept_the_app_s_label_and_synonyms(written, code):
    result = check(csv_bytes(row(1, category=written)))
    assert result.ok and result.records[0]["category"] == code


def test_amenity_lists_take_labels_synonyms_and_any_separator():
    result = check(csv_bytes(
        row(1, amenities="护理台、婴儿床"), row(2, amenities="尿布台；哺乳椅，热水, sink"),
        row(3, amenities="婴儿护理台;changing_table、无障碍通行")))
    assert result.ok, [str(e) for e in result.errors]
    assert [r["amenities"] for r in result.records] == [
        "changing_table;crib", "changing_table;nursing_chair;hot_water;sink",
        "changing_table;wheelchair"]


@pytest.mark.parametrize("column, written, code", [
    ("access", "对公众开放", "public"), ("access", "仅限顾客", "customers"),
    ("access", "请向工作人员询问", "ask_staff"), ("access", "", "public"),
    ("coord_system", "百度坐标", "wgs84"), ("coord_system", "ＧＣＪ－０２", "wgs84"),
    ("coord_system", "WGS-84", "wgs84"),
])
def test_access_and_coordinate_systems_accept_chinese(column, written, code):
    result = check(csv_bytes(row(1, **{column: written})))
    assert result.ok and result.records[0][column] == code  # points are stored as WGS-84


def test_a_chinese_coordinate_system_converts_the_point():
    as_baidu = check(csv_bytes(row(1, coord_system="百度坐标"))).records[0]
    as_code = check(csv_bytes(row(1, coord_system="bd09"))).records[0]
    assert (as_baidu["lat"], as_baidu["lon"]) == (as_code["lat"], as_code["lon"])


@pytest.mark.parametrize("column, written, shown", [
    ("category", "厕所", "母婴室 (nursing_room), 长途车站 (coach_stop), 公交站 (bus_stop), "
                        "地标 (landmark)"),
    ("access", "员工", "对公众开放 (public), 仅限顾客 (customers)"),
    ("coord_system", "北京54", "GPS 坐标 (wgs84), 高德/腾讯坐标 (gcj02), 百度坐标 (bd09)"),
    ("amenities", "护理台、电视", "护理台 (changing_table), 哺乳椅 (nursing_chair)"),
])
def test_an_unknown_value_lists_the_allowed_ones_with_labels(column, written, shown, chinese):
    (error,) = check(csv_bytes(row(1, **{column: written}))).errors
    assert error.column == column and shown in error.render(chinese)
    english = str(error)
    assert "Nursing rooms / 母婴室 (nursing_room)" in english or column != "category"


def test_export_writes_codes_so_the_round_trip_is_exact():
    first = check(csv_bytes(row(1, category="哺乳室", amenities="护理台、婴儿床",
                                access="仅限顾客", opening_hours="周一至周五 8:30-17:30")))
    exported = write_csv(first.records)
    assert "nursing_room" in exported.decode("utf-8-sig") and "changing_table;crib" in \
        exported.decode("utf-8-sig")
    again = check(exported, current={r["id"]: r for r in first.records})
    assert again.records == first.records and not again.diff.changes_anything


def test_a_workbook_with_chinese_headers_and_values_reads_the_same_as_codes():
    chinese = xlsx_bytes(["编号 id", "类别 category", "名称 name", "纬度 lat", "经度 lon",
                          "开放时间 opening_hours", "设施设备 amenities"],
                         ["nr-1", "哺乳室", "会城母婴室", 22.53, 113.03, "工作日 8:30-17:30",
                          "尿布台，哺乳椅"])
    codes = xlsx_bytes(["id", "category", "name", "lat", "lon", "opening_hours", "amenities"],
                       ["nr-1", "nursing_room", "会城母婴室", 22.53, 113.03,
                        "Mo-Fr 08:30-17:30", "changing_table;nursing_chair"])
    from_chinese = check_xlsx(chinese)
    assert from_chinese.ok and from_chinese.records == check_xlsx(codes).records
    assert [c.line for c in from_chinese.conversions] == [2]


def check_xlsx(data: bytes):
    """read_import of a workbook."""
    return read_import(data, "facilities.xlsx", {}, settings=SETTINGS)


def test_the_format_doc_lists_every_header_alias():
    with open(os.path.join(ROOT, "docs", "csv-format.md"), encoding="utf-8") as fh:
        section = fh.read().split("## Chinese headers and values", 1)[1].split("\n## ", 1)[0]
    documented = {}
    for line in section.splitlines():
        if cells := re.fullmatch(r"\| `(\w+)` \| (.+) \|", line):
            for alias in cells.group(2).split(", "):
                documented[unicodedata.normalize("NFKC", alias)] = cells.group(1)
    # coord_source and aliases have their aliases ready; the columns come with issue 12.
    assert documented == {a: c for a, c in HEADER_ALIASES.items() if c in COLUMNS}

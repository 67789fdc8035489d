"""The workbook's and the importer's words come from the gettext catalogues: no Chinese display
text is written into their code again (a third language is one new catalogue), and the
catalogue gives back the words the workbook has always shown."""

import ast
import io
import re

import openpyxl
import pytest

from locator.ingest import vocabulary, workbook
from tests.processes import ROOT

# Han ideographs, kana and hangul: the letters of a Chinese, Japanese or Korean word. The
# separators 、 and ； are punctuation an admin types, not words, so they are allowed.
CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
                 "\U00020000-\U0003134f]")
# What an admin writes, not what the app shows: header aliases, value synonyms, and the
# example cell values the help text quotes.
INPUT_TABLES = {"HEADER_ALIASES", "SYNONYMS", "EXAMPLES"}
CHECKED = ("locator/ingest/workbook.py", "locator/ingest/vocabulary.py")


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of the module, its classes and its functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def input_tables(tree: ast.Module) -> set[int]:
    """The ids of every node inside an assignment to one of INPUT_TABLES."""
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in INPUT_TABLES for t in targets):
                found.update(id(inner) for inner in ast.walk(node))
    return found


def hard_coded_words(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string in `source` that holds a CJK letter and is neither a
    docstring nor part of an input table (comments are not in the tree)."""
    tree = ast.parse(source)
    allowed = docstrings(tree) | input_tables(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in allowed and CJK.search(node.value)]


@pytest.mark.parametrize("path", CHECKED)
def test_no_chinese_display_text_is_hard_coded(path):
    with open(f"{ROOT}/{path}", encoding="utf-8") as fh:
        found = hard_coded_words(fh.read())
    assert not found, (f"{path}: display text belongs in the catalogue (an English msgid "
                       f"marked N_ in the code, the Chinese in importer.po): {found}")


def test_the_check_finds_a_label_written_into_the_code():
    source = ('"""名称 → name."""\n'
              'HEADER_ALIASES = {"名称": "name"}\n'
              'LABELS = {"wgs84": ("GPS 坐标", "GPS")}\n'
              'def f():\n    """说明."""\n    return f"{1} 是 yes"\n')
    assert hard_coded_words(source) == [(3, "GPS 坐标"), (6, " 是 yes")]


def test_the_workbook_shows_the_words_it_always_showed_from_the_catalogue():
    book = openpyxl.load_workbook(io.BytesIO(workbook.write_template()))
    assert book.sheetnames == ["设施 Facilities", "说明 Reference"]
    data, reference = book.worksheets
    rows = [row for row in reference.iter_rows(values_only=True) if any(row)]
    assert rows[0][0] == "设施表填写说明 How to fill in the facility list"
    assert rows[1][2].endswith("表头可写代码（name）、中文（名称）或两者（名称 name）。")
    assert rows[1][3].endswith("the code (name), the Chinese name (名称) or both (名称 name).")
    assert rows[5] == ("表头 Header", "必填 Required", "说明", "Meaning", "最长 Max")
    by_first = {row[0]: row for row in rows}
    assert by_first["编号 id"][1:4] == (
        "是 yes",
        "唯一编号：1–64 个小写字母、数字、- 或 _，如 nr-001；用于网址和比较版本，不要更改",
        "Stable unique id: 1–64 lowercase letters, digits, - or _ (e.g. nr-001); used in "
        "links and to compare versions, so keep it unchanged")
    assert by_first["描述 description"][2:4] == (
        "中文描述，如位置指引（可换行）",
        "Description in Chinese, e.g. how to find it (may span lines)")
    assert by_first["镇街 town"][2:4] == (
        "所属镇（街道），如 会城街道", "Town or subdistrict, e.g. 会城街道")
    assert by_first["坐标系 Coordinate systems"] == ("坐标系 Coordinate systems",) + (None,) * 4
    assert by_first["代码 Code"][:4] == ("代码 Code", None, "中文", "English")
    assert by_first["gcj02"][2:4] == ("高德/腾讯坐标", "AMap/Tencent")
    validation = data.data_validations.dataValidation[0]
    assert validation.error == (
        "不在列表中。可填代码或中文名称（见“说明”表）。"
        "Not in the list: use a code or its Chinese label (see the Reference sheet).")


def test_coordinate_labels_come_from_the_catalogue_and_are_read_back():
    assert vocabulary.labels("coord_system") == {
        "wgs84": ("GPS 坐标", "GPS"), "gcj02": ("高德/腾讯坐标", "AMap/Tencent"),
        "bd09": ("百度坐标", "Baidu")}
    assert vocabulary.labels("coord_source") == {
        "survey": ("实地测量", "surveyed on site"), "map": ("地图选点", "picked on a map"),
        "geocoded": ("根据地址估算", "estimated from the address")}
    assert vocabulary.code_of("coord_system", "百度坐标") == "bd09"
    assert vocabulary.code_of("coord_source", "根据地址估算") == "geocoded"


def test_a_language_without_a_catalogue_gets_the_english_words():
    # What a third language shows before its catalogue is written: the msgids, filled in.
    column = workbook.column_help()[0]
    assert column.text(lambda msgid: msgid) == column.en
    assert workbook.notes(lambda msgid: msgid)[0].endswith("or both (名称 name).")

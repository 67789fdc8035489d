"""Records → the facilities workbook (.xlsx): the template an admin fills in, and the export.

The template is the export of no records. Its first sheet has the header as `名称 name` (the
Chinese alias, a space, the code: the importer reads it), drop-down lists of the codes of the
coded columns, a frozen header, widths and text-formatted text columns (so that Excel keeps the
0 of 0750… and the leading zeros of an id); the second sheet explains every column and code in
Chinese and English. Export then import is the identity, as with the CSV: text is written as
text cells with the CSV's formula guard, and lat/lon as numbers when the importer reads them
back exactly, else as the CSV's text.
"""

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from locator.core.categories import CATEGORIES
from locator.core.records import COLUMNS, MAX_LENGTH, MULTILINE_COLUMNS, REQUIRED
from locator.ingest import exporter, vocabulary

DATA_SHEET = "设施 Facilities"
REFERENCE_SHEET = "说明 Reference"
TEXT_FORMAT = "@"
EXCEL_ROWS = 1_048_576
# The coded columns that get a drop-down; coord_source only once the records have it.
CODED = tuple(c for c in ("category", "access", "coord_system", "coord_source") if c in COLUMNS)
_NUMBER_COLUMNS = frozenset({"lat", "lon"})
# Excel caps a validation's input message at 255 characters and its title at 32.
_PROMPT_LIMIT = 255
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# Widths in characters: wide enough for a typical value, so the sheet reads without resizing.
WIDTHS = {
    "id": 14, "category": 16, "name": 28, "name_en": 28, "lat": 14, "lon": 14,
    "coord_system": 14, "coord_source": 14, "address": 36, "address_en": 36, "town": 14,
    "floor": 10, "opening_hours": 36, "access": 14, "amenities": 36, "routes": 24, "phone": 18,
    "description": 40, "description_en": 40, "source": 24, "verified_on": 14,
}

# What each column means, in Chinese and English: the reference sheet's text.
COLUMN_HELP = {
    "id": ("唯一编号：1–64 个小写字母、数字、- 或 _，如 nr-001；用于网址和比较版本，不要更改",
           "Stable unique id: 1–64 lowercase letters, digits, - or _ (e.g. nr-001); used in "
           "links and to compare versions, so keep it unchanged"),
    "category": ("设施类别：填代码或中文名称，见下表",
                 "Kind of facility: the code or its Chinese label, see the table below"),
    "name": ("中文名称，公众看到的名称", "Chinese display name, as visitors see it"),
    "name_en": ("英文名称", "English name"),
    "lat": ("纬度，十进制度，如 22.5291（坐标系见 coord_system）",
            "Latitude in decimal degrees, e.g. 22.5291 (in the coord_system)"),
    "lon": ("经度，十进制度，如 113.0814（坐标系见 coord_system）",
            "Longitude in decimal degrees, e.g. 113.0814 (in the coord_system)"),
    "coord_system": ("lat/lon 的坐标系；空白即 wgs84（GPS），见下表",
                     "Coordinate system of lat/lon; blank means wgs84 (GPS), see below"),
    "coord_source": ("位置如何得到：实地测量、地图选点或根据地址估算；空白即未说明，见下表",
                     "How the position was obtained: measured on site, picked on a map or "
                     "estimated from the address; blank means not stated, see below"),
    "address": ("中文地址", "Address in Chinese"),
    "address_en": ("英文地址", "Address in English"),
    "town": ("所属镇（街道），如 会城街道", "Town or subdistrict (镇/街道), e.g. 会城街道"),
    "floor": ("楼层，如 1F、B1", "Floor, e.g. 1F, B1"),
    "opening_hours": ("开放时间：如 周一至周五 8:30-12:00，14:30-17:30、每天 8:00-17:30、"
                      "24小时、节假日休息，或 OSM 写法 Mo-Fr 08:30-17:30; PH off；空白即未知",
                      "Opening hours: common Chinese forms (每天 8:00-17:30, 24小时, 节假日休息) "
                      "or OSM syntax such as Mo-Fr 08:30-17:30; PH off; blank means unknown"),
    "access": ("开放对象：填代码或中文名称；空白即 public（向公众开放），见下表",
               "Who may use it: the code or its Chinese label; blank means public, see below"),
    "amenities": ("设施设备：多个用 ; 、 或 , 分隔，填代码或中文名称，见下表",
                  "Amenities, separated by ; 、 or , : codes or Chinese labels, see below"),
    "routes": ("途经线路（仅车站）：多个用 ; 分隔，如 1路;3路",
               "Stops only: route numbers or destinations separated by ; (e.g. 1路;3路)"),
    "phone": ("联系电话（本列为文本，开头的 0 会保留）",
              "Phone number (a text column, so a leading 0 stays)"),
    "description": ("中文描述，如位置指引", "Description in Chinese, e.g. how to find it"),
    "description_en": ("英文描述", "Description in English"),
    "source": ("数据来源，如 区卫健局 2026 年清单", "Where this record comes from"),
    "verified_on": ("最近一次实地核实的日期，如 2026-11-28；空白即未核实",
                    "Date last checked on site, e.g. 2026-11-28; blank means "
                    "unverified (shown to visitors as such)"),
}

NOTES = (
    ("第 1 行是表头，请保留；每行填写一个设施。"
     "表头可写代码（name）、中文（名称）或两者（名称 name）。",
     "Row 1 is the header: keep it; one facility per row. A header may be the code (name), "
     "the Chinese name (名称) or both (名称 name)."),
    ("下拉列表列出代码；也可填写下表中的中文名称。",
     "The drop-down lists show the codes; the Chinese labels in the tables below are "
     "accepted too."),
    ("导入时每个错误都给出行号和列名，行号与表格相同（表头为第 1 行）；"
     "有任何错误时不会导入任何内容。",
     "Every error on import names the line, as the spreadsheet numbers it (the header is "
     "line 1), and the column; a file with any error changes nothing."),
    ("导出的文字若以 = + - @ 或 ' 开头，前面加了一个 '，以免被当作公式；导入时会去掉。",
     "Exported text that starts with = + - @ or ' has one ' put before it, so that no "
     "spreadsheet runs it as a formula; the import removes it."),
)

_KIND_TITLES = {
    "category": ("类别", "Categories"),
    "access": ("开放对象", "Access"),
    "coord_system": ("坐标系", "Coordinate systems"),
    "coord_source": ("坐标来源", "Coordinate sources"),
    "amenity": ("设施设备", "Amenities"),
}


def header_cell(column: str) -> str:
    """A column's header as the template writes it: '名称 name', or the code if it has no alias."""
    alias = next((a for a, c in vocabulary.HEADER_ALIASES.items() if c == column), None)
    return f"{alias} {column}" if alias else column


def write_template() -> bytes:
    """The empty template: the header, drop-downs and the reference sheet."""
    return write_xlsx(())


def write_xlsx(records: Iterable[Mapping]) -> bytes:
    """The workbook of `records` (WGS-84, the template's layout), as bytes."""
    book = Workbook(write_only=True)  # streamed: a 100,000-row export stays small in memory
    data = book.create_sheet(DATA_SHEET)
    reference = book.create_sheet(REFERENCE_SHEET)
    ranges = _write_reference(reference)
    _layout(data, ranges)
    data.append([_header(data, column) for column in COLUMNS])
    for record in records:
        data.append([_cell(data, column, record.get(column)) for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _layout(sheet, ranges: dict[str, str]) -> None:
    """Widths, text format, frozen header and drop-downs (before any row: write-only sheets)."""
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = WIDTHS.get(column, 16)
        if column not in _NUMBER_COLUMNS:
            dimension.number_format = TEXT_FORMAT
        if column in ranges:
            sheet.data_validations.append(_drop_down(column, ranges[column], letter))
    sheet.freeze_panes = "A2"


def _drop_down(column: str, source: str, letter: str) -> DataValidation:
    """A list of the codes of `column`; a typed label only warns, since the importer takes it."""
    codes = "\n".join(f"{code} = {zh}" for code, (zh, _en) in vocabulary.labels(column).items())
    prompt = codes if len(codes) <= _PROMPT_LIMIT else codes[:_PROMPT_LIMIT - 1] + "…"
    validation = DataValidation(
        type="list", formula1=source, allow_blank=True, errorStyle="warning",
        showErrorMessage=True, showInputMessage=True, promptTitle=header_cell(column)[:32],
        prompt=prompt, errorTitle=header_cell(column)[:32],
        error="不在列表中。可填代码或中文名称（见“说明”表）。Not in the list: use a code or its "
              "Chinese label (see the Reference sheet).")
    validation.add(f"{letter}2:{letter}{EXCEL_ROWS}")
    return validation


def _header(sheet, column: str) -> Cell:
    """A bold, shaded header cell."""
    cell = WriteOnlyCell(sheet, header_cell(column))
    cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    return cell


def _cell(sheet, column: str, value: object) -> Cell | None:
    """A data cell: text as text (formula-guarded as in the CSV), lat/lon as exact numbers."""
    if value is None or value == "":
        return None
    if column in _NUMBER_COLUMNS:
        number = float(value)
        # The importer reads a number cell to 15 significant digits (what Excel shows); a
        # value that needs more (a converted or dragged point) is written as the CSV's text.
        if float(f"{number:.15g}") == number:
            return WriteOnlyCell(sheet, number)
        value = repr(number)
    cell = WriteOnlyCell(sheet, exporter.cell(column, value))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    cell.number_format = TEXT_FORMAT
    if column in MULTILINE_COLUMNS and "\n" in cell.value:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


@dataclass(frozen=True)
class ColumnHelp:
    """One column as the reference explains it."""

    column: str
    header: str  # as the template writes it: 名称 name
    required: bool
    zh: str
    en: str
    max_length: int


@dataclass(frozen=True)
class CodeTable:
    """The codes of one coded column (or of the amenities), each with its Chinese and English
    label; `kind` as vocabulary.labels names it."""

    kind: str
    title_zh: str
    title_en: str
    codes: tuple[tuple[str, str, str], ...]  # (code, zh, en)


def column_help() -> list[ColumnHelp]:
    """Every column, in file order, with its meaning and limits: the reference's first table."""
    out = []
    for column in COLUMNS:
        # A column added without help text still gets a row (tests demand the text).
        zh, en = COLUMN_HELP.get(column, (column, column))
        if column in MULTILINE_COLUMNS:
            zh, en = zh + "（可换行）", en + " (may span lines)"
        out.append(ColumnHelp(column, header_cell(column), column in REQUIRED, zh, en,
                              MAX_LENGTH[column]))
    return out


def code_tables() -> list[CodeTable]:
    """The code tables: each coded column's, then the amenities' (with the categories each
    amenity is for, when not all)."""
    tables = []
    for kind in (*CODED, "amenity"):
        title_zh, title_en = _KIND_TITLES.get(kind, (kind, kind))
        codes = tuple((code, zh, en + _categories_of(code) if kind == "amenity" else en)
                      for code, (zh, en) in vocabulary.labels(kind).items())
        tables.append(CodeTable(kind, title_zh, title_en, codes))
    return tables


def _write_reference(sheet) -> dict[str, str]:
    """The reference sheet; returns each coded column's code range, for its drop-down."""
    for letter, width in zip("ABCDE", (22, 10, 50, 60, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    rows: list[list] = []

    def add(*values, bold: bool = False) -> None:
        """Append one row; bold for titles and table headers."""
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cell.alignment = wrap
            if bold:
                cell.font = _HEADER_FONT
            cells.append(cell)
        rows.append(cells)

    add("设施表填写说明 How to fill in the facility list", bold=True)
    for zh, en in NOTES:
        add("", "", zh, en)
    add()
    add("表头 Header", "必填 Required", "说明", "Meaning", "最长 Max", bold=True)
    for item in column_help():
        add(item.header, "是 yes" if item.required else "", item.zh, item.en,
            str(item.max_length))
    ranges = {}
    for table in code_tables():
        add()
        add(f"{table.title_zh} {table.title_en}", bold=True)
        add("代码 Code", "", "中文", "English", bold=True)
        first = len(rows) + 1
        for code, zh, en in table.codes:
            add(code, "", zh, en)
        ranges[table.kind] = f"{quote_sheetname(REFERENCE_SHEET)}!$A${first}:$A${len(rows)}"
    for cells in rows:
        sheet.append(cells)
    return ranges


def _categories_of(amenity: str) -> str:
    """' (nursing_room, landmark)': the categories an amenity may be given to."""
    keys = [key for key, category in CATEGORIES.items() if amenity in category.amenities]
    return f" ({', '.join(keys)})" if len(keys) < len(CATEGORIES) else ""

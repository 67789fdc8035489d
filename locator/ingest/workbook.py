"""Records → the facilities workbook (.xlsx): the template an admin fills in, and the export.

The template is the export of no records. Its first sheet has the header as `名称 name` (the
Chinese alias, a space, the code: the importer reads it), drop-down lists of the codes of the
coded columns, a frozen header, widths and text-formatted text columns (so that Excel keeps the
0 of 0750… and the leading zeros of an id); the second sheet explains every column and code in
Chinese and English. Export then import is the identity, as with the CSV: text is written as
text cells with the CSV's formula guard, and lat/lon as numbers when the importer reads them
back exactly, else as the CSV's text.

Every word the sheets show is an English msgid in the importer's catalogue, written side by
side with its Chinese (`设施 Facilities`); the console's column page shows the same msgids in
the page's language.
"""

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from babel import Locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from locator.core.catalogue import N_, translate
from locator.core.categories import CATEGORIES
from locator.core.records import COLUMNS, MAX_LENGTH, MULTILINE_COLUMNS, REQUIRED
from locator.ingest import exporter, vocabulary

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
    "description": 40, "description_en": 40, "source": 24, "verified_on": 14, "aliases": 28,
    "district": 12,
    "name_zh_hant": 28,
}

# What each column means (msgids: the English; the Chinese is in importer.po). %(…)s stands for
# an example cell value (EXAMPLES) or, in NOTES, the name column's header forms.
COLUMN_HELP = {
    "id": N_("Stable unique id: 1–64 lowercase letters, digits, - or _ (e.g. nr-001); used in "
             "links and to compare versions, so keep it unchanged"),
    "category": N_("Kind of facility: the code or its Chinese label, see the table below"),
    "name": N_("Chinese display name, as visitors see it"),
    "name_en": N_("English name"),
    "lat": N_("Latitude in decimal degrees, e.g. 22.5291 (in the coord_system)"),
    "lon": N_("Longitude in decimal degrees, e.g. 113.0814 (in the coord_system)"),
    "coord_system": N_("Coordinate system of lat/lon; blank means wgs84 (GPS), see below"),
    "coord_source": N_("How the position was obtained: measured on site, picked on a map or "
                       "estimated from the address; blank means not stated, see below"),
    "aliases": N_("Other names people use (former names, short names), separated by ; — "
                  "search finds the facility by each"),
    "name_zh_hant": N_("Traditional Chinese name, only where the automatic conversion of the "
                       "name is wrong; blank means converted from the name"),
    "address": N_("Address in Chinese"),
    "address_en": N_("Address in English"),
    "town": N_("Town or subdistrict, e.g. %(town)s"),
    "floor": N_("Floor, e.g. 1F, B1"),
    "opening_hours": N_("Opening hours: common Chinese forms (%(hours)s) or OSM syntax such as "
                        "Mo-Fr 08:30-17:30; PH off; blank means unknown"),
    "access": N_("Who may use it: the code or its Chinese label; blank means public, see below"),
    "amenities": N_("Amenities, separated by ; 、 or , : codes or Chinese labels, see below"),
    "routes": N_("Stops only: route numbers or destinations separated by ; (e.g. %(routes)s)"),
    "phone": N_("Phone number (a text column, so a leading 0 stays)"),
    "description": N_("Description in Chinese, e.g. how to find it"),
    "description_en": N_("Description in English"),
    "source": N_("Where this record comes from"),
    "verified_on": N_("Date last checked on site, e.g. 2026-11-28; blank means "
                      "unverified (shown to visitors as such)"),
    "district": N_("District or county the facility belongs to; blank means the site's "
                   "default district. A replace changes only the districts the file lists"),
}
MULTILINE = N_("%(meaning)s (may span lines)")

NOTES = (
    N_("Row 1 is the header: keep it; one facility per row. A header may be the code "
       "(%(code)s), the Chinese name (%(alias)s) or both (%(both)s)."),
    N_("The drop-down lists show the codes; the Chinese labels in the tables below are "
       "accepted too."),
    N_("Every error on import names the line, as the spreadsheet numbers it (the header is "
       "line 1), and the column; a file with any error changes nothing."),
    N_("Exported text that starts with = + - @ or ' has one ' put before it, so that no "
       "spreadsheet runs it as a formula; the import removes it."),
)

# Example cell values the help text shows: what an admin types, the same in every language.
EXAMPLES = {"town": "会城街道", "routes": "1路;3路", "hours": "每天 8:00-17:30, 24小时, 节假日休息"}

_KIND_TITLES = {
    "category": N_("Categories"),
    "access": N_("Access"),
    "coord_system": N_("Coordinate systems"),
    "coord_source": N_("Coordinate sources"),
    "amenity": N_("Amenities"),
}

# Typing a value that is not in a drop-down only warns: the importer takes labels too.
NOT_IN_LIST = N_("Not in the list: use a code or its Chinese label (see the Reference sheet).")

Gettext = Callable[[str], str]  # msgid → its text in one language


def chinese(msgid: str) -> str:
    """`msgid` in Chinese, from the catalogue."""
    return translate(msgid, "zh")


def english(msgid: str) -> str:
    """`msgid` in English: the msgid itself."""
    return msgid


def say(msgid: str, gettext: Gettext) -> str:
    """`msgid` through `gettext`, its placeholders filled with the examples and header forms."""
    text = gettext(msgid)
    if "%(" not in msgid:
        return text
    return text % {**EXAMPLES, "code": "name", "alias": _alias("name"),
                   "both": header_cell("name")}


def both(msgid: str, separator: str = " ") -> str:
    """'设施 Facilities': the Chinese and the English of `msgid` side by side (the English alone
    if the catalogue has no Chinese for it)."""
    zh, en = say(msgid, chinese), say(msgid, english)
    return en if zh == en else f"{zh}{separator}{en}"


def notes(gettext: Gettext) -> list[str]:
    """The notes above the column table, through `gettext`."""
    return [say(note, gettext) for note in NOTES]


def header_cell(column: str) -> str:
    """A column's header as the template writes it: '名称 name', or the code if it has no alias."""
    alias = _alias(column)
    return f"{alias} {column}" if alias else column


def _alias(column: str) -> str | None:
    """The column's first Chinese header alias (名称), if it has one."""
    return next((a for a, c in vocabulary.HEADER_ALIASES.items() if c == column), None)


# The sheets' names, read from the catalogue once.
DATA_SHEET = both(N_("Facilities"))
REFERENCE_SHEET = both(N_("Reference"))


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
        error=both(NOT_IN_LIST, separator=""))
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
    meaning: str  # msgid
    max_length: int

    def text(self, gettext: Gettext) -> str:
        """What the column means, through `gettext`."""
        meaning = say(self.meaning, gettext)
        if self.column in MULTILINE_COLUMNS:
            return gettext(MULTILINE) % {"meaning": meaning}
        return meaning

    @property
    def zh(self) -> str:
        """The meaning in Chinese."""
        return self.text(chinese)

    @property
    def en(self) -> str:
        """The meaning in English."""
        return self.text(english)


@dataclass(frozen=True)
class CodeTable:
    """The codes of one coded column (or of the amenities), each with its Chinese and English
    label; `kind` as vocabulary.labels names it."""

    kind: str
    title: str  # msgid
    codes: tuple[tuple[str, str, str], ...]  # (code, zh, en)

    @property
    def title_zh(self) -> str:
        """The table's title in Chinese."""
        return chinese(self.title)

    @property
    def title_en(self) -> str:
        """The table's title in English."""
        return self.title


def column_help() -> list[ColumnHelp]:
    """Every column, in file order, with its meaning and limits: the reference's first table."""
    # A column added without help text still gets a row (tests demand the text).
    return [ColumnHelp(column, header_cell(column), column in REQUIRED,
                       COLUMN_HELP.get(column, column), MAX_LENGTH[column])
            for column in COLUMNS]


def code_tables() -> list[CodeTable]:
    """The code tables: each coded column's, then the amenities' (with the categories each
    amenity is for, when not all)."""
    tables = []
    for kind in (*CODED, "amenity"):
        codes = tuple((code, zh, en + _categories_of(code) if kind == "amenity" else en)
                      for code, (zh, en) in vocabulary.labels(kind).items())
        tables.append(CodeTable(kind, _KIND_TITLES.get(kind, kind), codes))
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

    add(both(N_("How to fill in the facility list")), bold=True)
    for zh, en in zip(notes(chinese), notes(english), strict=True):
        add("", "", zh, en)
    add()
    add(both(N_("Header")), both(N_("Required")), chinese(N_("Meaning")), N_("Meaning"),
        both(N_("Max")), bold=True)
    for item in column_help():
        add(item.header, both(N_("yes")) if item.required else "", item.zh, item.en,
            str(item.max_length))
    ranges = {}
    for table in code_tables():
        add()
        add(f"{table.title_zh} {table.title_en}", bold=True)
        # Each language's name in itself, as a language switch shows it.
        add(both(N_("Code")), "", Locale("zh").get_display_name(),
            Locale("en").get_display_name(), bold=True)
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

"""Bytes of a CSV or XLSX file → a header and rows of text cells, as a spreadsheet shows them."""

import csv
import datetime
import io
import re
import unicodedata
import warnings
import xml.parsers.expat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import openpyxl
from openpyxl.packaging.manifest import Manifest
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
from openpyxl.xml.functions import fromstring

from locator.core.records import COLUMNS, missing_columns
from locator.ingest import vocabulary
from locator.ingest.decoding import decode
from locator.ingest.problems import N_, Problem, ProblemError

# What spreadsheets separate cells with: comma, semicolon (in decimal-comma locales), tab.
DELIMITERS = ",;\t"
_QUOTED = re.compile('"[^"]*"?')  # a quoted header name, whose commas are not delimiters
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the pre-2007 .xls format
# A workbook part unpacks to at most this many times its packed size. Measured: sheets 6-10,
# a sheet of a million formatted empty rows 20.5, the other parts 1.4-6.5; a zip bomb ~1,000.
# Judged per part, so that a part of incompressible padding cannot lend its allowance to one
# that is a bomb. Parts under PART_FLOOR are not judged: tiny parts' ratios say nothing.
MAX_PART_EXPANSION = 50
PART_FLOOR = 64 * 1024
# All parts together: the 100,000-row benchmark list is a 76 MB sheet; openpyxl parses a whole
# shared-strings part before the first row, so its size alone must be bounded.
MAX_XLSX_UNPACKED = 100_000_000
# openpyxl parses the shared-strings part whole, at about the cost of a cell per string, before
# the first row: a part may list at most this many strings per packed byte (at least 1,000).
# The synthetic 100,000-row list, more regular than real data, packs 2.9 bytes a string;
# strings of "ab" packed 45 times listed 2.3 a byte, many times a normal file's parsing work.
MAX_STRINGS_PER_PACKED_BYTE = 1
# Rows × columns read from a sheet (an empty row counts one): the 100,000-row list has 2
# million cells. Without it, a sheet of empty cells reaches tens of millions within the limits
# above, and openpyxl builds every one of them.
MAX_XLSX_CELLS = 3_000_000
# Excel's last row. openpyxl yields an empty row for each row number a sheet skips, so one cell
# numbered far down would otherwise be millions of rows to read.
EXCEL_ROWS = 1_048_576
# A facility list has 20 known columns, and exports from other systems bring a few dozen more
# (ignored with a warning). A row using more than this is not a facility list; past 18,278
# (ZZZ) a column would not even have a letter to name it by in a message.
MAX_COLUMNS = 1000
# A district list may start with a title, a date line or blank rows above its header: the
# header is looked for in this many first rows, as the first naming at least HEADER_NAMES
# known columns (all the required ones, when some row does).
HEADER_SEARCH_ROWS = 20
HEADER_NAMES = 3
TITLE_SHOWN = 80  # characters of the title a warning quotes (without control characters)
# Excel shows at most 15 significant digits; more is binary noise (22.500000000000004).
_FLOAT_FORMAT = "{:.15g}"


@dataclass
class Table:
    """The header row and the data rows (row i is spreadsheet line i + header_line + 1),
    trailing blanks cut.

    `ragged` tables (XLSX) have rows of any width: a sheet has no field count, only cells.
    `header_line` is the header's spreadsheet line: rows above it (a title) were skipped, and
    `title` is the first text among them.
    """

    header: list[str]
    rows: list[list[str]]
    ragged: bool = False
    header_line: int = 1
    title: str = ""


def read_table(data: bytes, filename: str, *, max_unpacked: int = MAX_XLSX_UNPACKED,
               max_cells: int = MAX_XLSX_CELLS) -> Table:
    """The table in `data`: XLSX when it is a ZIP archive, else CSV. ProblemError if unreadable."""
    if not data.strip():
        raise ProblemError(Problem(None, None, N_(
            "the file is empty — export the facility list with its header row and upload again")))
    if data.startswith(OLE2_MAGIC):
        raise ProblemError(Problem(None, None, N_(
            "this is an old Excel .xls workbook — save it as .xlsx or \"CSV UTF-8\" and upload "
            "that")))
    if data.startswith(ZIP_MAGIC):
        return _to_table(_xlsx_rows(data, max_unpacked, max_cells), ragged=True)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ProblemError(Problem(None, None, N_(
            "%(name)s is not a valid .xlsx workbook — save it again from Excel, or as \"CSV "
            "UTF-8\""), {"name": filename}))
    return _to_table(_csv_rows(data), ragged=False)


def _to_table(rows: list[list[str]], ragged: bool) -> Table:
    """Split off the header and drop the fully blank rows at the end."""
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ProblemError(Problem(None, None, N_(
            "the file is empty — export the facility list with its header row and upload again")))
    _check_widths(rows)
    start = header_index(rows)
    if not any(cell.strip() for cell in rows[start]):
        raise ProblemError(Problem(1, None, N_(
            "the first row is blank and no row below it is a header row — the header row (id, "
            "category, name, lat, lon, …) must come before the facilities")))
    title = next((c.strip() for row in rows[:start] for c in row if c.strip()), "")
    title = "".join(c for c in title if unicodedata.category(c)[0] != "C")[:TITLE_SHOWN]
    return Table(rows[start], rows[start + 1:], ragged, start + 1, title)


def header_index(rows: list[list[str]]) -> int:
    """The header's row: the first naming every required column and HEADER_NAMES known ones,
    else the first naming HEADER_NAMES known ones (its missing columns are then reported),
    else the first row."""
    fallback = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {vocabulary.column_of(cell.strip().lstrip("\ufeff")) for cell in row[:200]}
        known = names.intersection(COLUMNS)
        if len(known) >= HEADER_NAMES:
            if not missing_columns(known):
                return index
            fallback = index if fallback is None else fallback
    return fallback or 0


def _check_widths(rows: list[list[str]]) -> None:
    """Refuse the first row that uses more than MAX_COLUMNS columns (trailing blanks are free)."""
    if max(map(len, rows)) <= MAX_COLUMNS:  # the usual case, decided in C
        return
    for line, row in enumerate(rows, start=1):
        if len(row) > MAX_COLUMNS and (used := _used_width(row)) > MAX_COLUMNS:
            raise ProblemError(Problem(line, None, N_(
                "the row uses %(count)s columns, more than a facility list can have (at most "
                "%(limit)s) — delete the columns you do not need, or copy only the facility "
                "list to a new sheet and save that"), {"count": used, "limit": MAX_COLUMNS}))


def _used_width(row: list[str]) -> int:
    """The row's width without the blank cells at its end."""
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return end


def _csv_rows(data: bytes) -> list[list[str]]:
    """Every CSV row, quoted commas and newlines kept; ProblemError on broken quoting."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text), strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)  # keeps the rows read before a quoting error, for its line number
    except csv.Error as exc:
        raise ProblemError(Problem(len(rows) + 1, None, N_(
            "the CSV quoting is broken here (%(reason)s) — a cell that starts with a double "
            "quote must end with one, and quotes inside it are written twice (\"\")"),
            {"reason": str(exc)})) from None
    return rows


def _dialect(text: str) -> type[csv.Dialect]:
    """Excel's CSV dialect, with the delimiter the header row uses most (comma, semicolon, tab)."""
    # Counted, not csv.Sniffer: its regular expressions are quadratic in the line's length (a
    # long header of ',"' stalls it); counting is one linear pass per delimiter.
    header = _first_delimited_line(text)
    delimiter = max(DELIMITERS, key=header.count)  # a tie goes to the comma, listed first
    if delimiter == "," or not header.count(delimiter):
        return csv.excel
    return type("Counted", (csv.excel,), {"delimiter": delimiter})


def _first_delimited_line(text: str) -> str:
    """The first of the first lines that holds a delimiter outside quotes (a title line above
    the header may hold none), without its quoted parts; else the first line."""
    lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    unquoted = [_QUOTED.sub("", line) for line in lines]
    return next((line for line in unquoted if any(d in line for d in DELIMITERS)), unquoted[0])


def _xlsx_rows(data: bytes, max_unpacked: int, max_cells: int) -> list[list[str]]:
    """Every row of the first sheet as text, read streaming with cached formula values."""
    _check_expansion(data, max_unpacked)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it drops; irrelevant for reading values.
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                _check_shared_strings(archive)
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                sheet.reset_dimensions()  # a stale <dimension> tag would cut rows off
                return _sheet_rows(sheet.iter_rows(values_only=True), max_cells)
            finally:
                book.close()
    except ProblemError:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged archive fails anywhere inside zipfile,
        # zlib, the XML parser or openpyxl (the fuzz tests found zlib.error, ParseError, …).
        raise ProblemError(Problem(None, None, N_(
            "the file is a ZIP archive but not a readable .xlsx workbook (%(reason)s) — save it "
            "again from Excel, or as \"CSV UTF-8\""), {"reason": str(exc)[:200]})) from None


def _sheet_rows(rows: Iterable[tuple], max_cells: int) -> list[list[str]]:
    """The rows as text; refused on the row past Excel's last, or past `max_cells` cells."""
    out, cells = [], 0
    for values in rows:
        if len(out) == EXCEL_ROWS:
            raise ProblemError(Problem(EXCEL_ROWS + 1, None, N_(
                "the sheet goes on past row %(limit)s, the last row Excel has — delete the "
                "rows below the list, or save it again from Excel"), {"limit": EXCEL_ROWS}))
        cells += len(values) or 1
        if cells > max_cells:
            raise ProblemError(Problem(len(out) + 1, None, N_(
                "the sheet has more than %(limit)s cells (rows × columns), far more than a "
                "facility list — delete the unused rows and columns below and to the right "
                "of the list, or copy only the list to a new workbook"), {"limit": max_cells}))
        out.append([_cell_text(v) for v in values])
    return out


def _check_expansion(data: bytes, max_unpacked: int) -> None:
    """Refuse archives that unpack to far more than a real workbook of their size would."""
    # The sizes are the archive's own claims: zipfile reads no part past its claimed size (its
    # CRC check fails instead), so bounding the claims bounds what is unpacked.
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        # A damaged directory can claim an unknown zip version (NotImplementedError) or point
        # before the start of the file, not only fail the signature check.
        raise ProblemError(Problem(None, None, N_(
            "the file is a damaged ZIP/.xlsx archive (%(reason)s) — save it again from Excel"),
            {"reason": str(exc)})) from None
    for part in parts:
        if part.file_size > max(MAX_PART_EXPANSION * part.compress_size, PART_FLOOR):
            raise ProblemError(Problem(None, None, N_(
                "a part of the workbook unpacks to %(ratio)s times its packed size, as zip "
                "bombs do (a real sheet: 5 to 20 times) — save it again from Excel, or save "
                "the list as \"CSV UTF-8\""),
                {"ratio": part.file_size // max(part.compress_size, 1)}))
    unpacked = sum(part.file_size for part in parts)
    if unpacked > max_unpacked:
        raise ProblemError(Problem(None, None, N_(
            "the workbook unpacks to %(size)s MB, too much for a facility list — remove other "
            "sheets and images, or save the list as \"CSV UTF-8\""),
            {"size": unpacked // 1_000_000}))


def _check_shared_strings(archive: zipfile.ZipFile) -> None:
    """Refuse a shared-strings part that lists more strings than its packed size allows."""
    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    part = manifest.find(SHARED_STRINGS)  # found as openpyxl finds it: by content type
    if part is None:
        return
    info = archive.getinfo(part.PartName.lstrip("/"))
    limit = max(MAX_STRINGS_PER_PACKED_BYTE * info.compress_size, 1000)
    with archive.open(info) as source:
        if _has_more_elements(source, "si", limit):
            raise ProblemError(Problem(None, None, N_(
                "the workbook lists more than %(limit)s texts in %(size)s KB, far more than "
                "real data packs into that space, as zip bombs do — save it again from "
                "Excel, or save the list as \"CSV UTF-8\""),
                {"limit": limit, "size": info.compress_size // 1024}))


class _Enough(Exception):
    """Stops the parser once the count is over its limit."""


def _has_more_elements(source: IO[bytes], name: str, limit: int) -> bool:
    """True when the XML in `source` has more than `limit` elements `name` (any namespace)."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    seen = 0

    def start(tag: str, _attributes: dict) -> None:
        nonlocal seen
        if tag == name or tag.endswith("}" + name):
            seen += 1
            if seen > limit:
                raise _Enough

    # expat, not ElementTree: it keeps no element, so counting a million costs no memory.
    parser.StartElementHandler = start
    try:
        while chunk := source.read(1 << 16):
            parser.Parse(chunk, False)
    except _Enough:
        return True
    return False


def _cell_text(value: object) -> str:
    """A cell's value as the text Excel shows: 22.5 not 22.500000000000004, 7 not 7.0, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else \
            _FLOAT_FORMAT.format(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)

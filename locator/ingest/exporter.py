"""Records → the facilities CSV: UTF-8 with BOM, CRLF, WGS-84, safe to open in a spreadsheet.

Export then import is the identity: lat/lon are written as repr(float), which reads back to the
same float, and the apostrophe that defuses formula-like text is the one the importer removes.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import BinaryIO

from locator.core.records import COLUMNS

BOM = "\ufeff"
# A cell starting with one of these is a formula (or DDE call) to Excel and LibreOffice;
# a leading apostrophe makes it plain text. Text starting with an apostrophe gets one too,
# so that the importer can always remove exactly one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_NUMBER_COLUMNS = frozenset({"lat", "lon"})
_CHUNK_ROWS = 1000


def write_csv(records: Iterable[Mapping]) -> bytes:
    """The whole CSV file as bytes."""
    out = io.BytesIO()
    write_csv_stream(records, out)
    return out.getvalue()


def write_csv_stream(records: Iterable[Mapping], fh: BinaryIO) -> None:
    """Write the CSV to a binary file (e.g. sys.stdout.buffer), a thousand rows at a time."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    for count, record in enumerate(records, start=1):
        writer.writerow([cell(column, record.get(column)) for column in COLUMNS])
        if count % _CHUNK_ROWS == 0:
            _flush(buffer, fh)
    _flush(buffer, fh)


def _flush(buffer: io.StringIO, fh: BinaryIO) -> None:
    """Move the buffered text to `fh` as UTF-8."""
    fh.write(buffer.getvalue().encode("utf-8"))
    buffer.seek(0)
    buffer.truncate()


def cell(column: str, value: object) -> str:
    """One cell's text: exact floats for lat/lon, formula-like text defused."""
    if value is None:
        return ""
    if column in _NUMBER_COLUMNS:
        return repr(float(value))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text

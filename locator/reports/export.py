"""Reports → a CSV or XLSX file for the district's follow-up (no Flask: the CLI may write it too).

One row per report, its details spread into columns (a pin, hours, amenities; a suggestion's
name, category and floor), times in Asia/Shanghai. Text a visitor wrote is defused exactly as
the facilities export defuses it (locator/ingest/exporter.py): a cell that would start a
formula gets an apostrophe, and in the workbook every text cell is a string cell.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font

from locator.core.catalogue import translate
from locator.core.clock import SHANGHAI
from locator.ingest.exporter import BOM, cell
from locator.reports.kinds import KIND_LABELS, STATUSES

COLUMNS = ("id", "kind", "kind_label", "facility_id", "facility_name", "status",
           "status_label", "created", "note", "lat", "lon", "opening_hours", "amenities",
           "category", "name", "floor", "decided_by", "decided_at", "decision_note",
           "duplicate_of", "version")
NUMBERS = frozenset({"id", "lat", "lon", "duplicate_of", "version"})
SHEET = "reports"
WIDTHS = {"note": 50, "decision_note": 40, "facility_name": 24, "name": 24, "kind_label": 22}


def local_time(unix: float | None) -> str:
    """A Unix time as 'YYYY-MM-DD HH:MM' in Asia/Shanghai ('' for none)."""
    if unix is None:
        return ""
    return datetime.fromtimestamp(unix, SHANGHAI).strftime("%Y-%m-%d %H:%M")


def row(report: Mapping, names: Mapping[str, str], lang: str) -> dict:
    """One report as the export's cells (not yet defused), labels in `lang`."""
    details = report["details"]
    amenities = details.get("amenities", [])
    return {
        "id": report["id"], "kind": report["kind"],
        "kind_label": translate(KIND_LABELS.get(report["kind"], report["kind"]), lang),
        "facility_id": report["facility_id"] or "",
        "facility_name": names.get(report["facility_id"], ""),
        "status": report["status"],
        "status_label": translate(STATUSES.get(report["status"], report["status"]), lang),
        "created": local_time(report["created_at"]), "note": report["note"] or "",
        "lat": details.get("lat"), "lon": details.get("lon"),
        "opening_hours": details.get("opening_hours", ""),
        "amenities": ";".join(amenities) if isinstance(amenities, list) else str(amenities),
        "category": details.get("category", ""), "name": details.get("name", ""),
        "floor": details.get("floor", ""), "decided_by": report["decided_by"] or "",
        "decided_at": local_time(report["decided_at"]),
        "decision_note": report["decision_note"] or "",
        "duplicate_of": report["duplicate_of"], "version": report["version"]}


def _text(column: str, value: object) -> str:
    """A cell's text: numbers as they are, everything else defused as the facilities CSV does."""
    if value is None:
        return ""
    if column in NUMBERS:
        return repr(float(value)) if column in ("lat", "lon") else str(int(value))
    return cell(column, value)


def write_csv(reports: Iterable[Mapping], names: Mapping[str, str], lang: str = "zh") -> bytes:
    """The reports as a CSV file: UTF-8 with BOM, CRLF, the header the column codes."""
    buffer = io.StringIO(newline="")
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for report in reports:
        cells = row(report, names, lang)
        writer.writerow([_text(c, cells[c]) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def write_xlsx(reports: Iterable[Mapping], names: Mapping[str, str], lang: str = "zh") -> bytes:
    """The reports as a workbook: one sheet, numbers as numbers, text as string cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = WIDTHS.get(column, 14)
    sheet.freeze_panes = "A2"
    header = []
    for column in COLUMNS:
        head = WriteOnlyCell(sheet, column)
        head.font = Font(bold=True)
        header.append(head)
    sheet.append(header)
    for report in reports:
        cells = row(report, names, lang)
        sheet.append([_xlsx_cell(sheet, c, cells[c]) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, column: str, value: object) -> Cell | None:
    """One workbook cell: a number, or string text defused as in the CSV (never a formula)."""
    if value is None or value == "":
        return None
    if column in NUMBERS:
        return WriteOnlyCell(sheet, float(value) if column in ("lat", "lon") else int(value))
    written = WriteOnlyCell(sheet, cell(column, value))
    written.data_type = "s"  # a string whatever it starts with
    if "\n" in written.value:
        written.alignment = Alignment(wrap_text=True, vertical="top")
    return written

"""Pathological but small files: each is refused with a located message in bounded time and
memory, never a traceback (issue 10, "pathological but small files")."""

import datetime

from bad_files import HEADER
from factories import csv_bytes, row

from locator.importer import ImportSettings, read_import

TODAY = datetime.date(2025, 6, 1)
SETTINGS = ImportSettings(today=TODAY)


def check(data: bytes, filename: str = "facilities.csv", current=None, **kwargs):
    """read_import with a fixed 'today'."""
    return read_import(data, filename, current or {}, settings=SETTINGS, **kwargs)


def where(result) -> list[tuple]:
    """(line, column) of each error."""
    return [(e.line, e.column) for e in result.errors]


# -- columns ----------------------------------------------------------------------------------

def test_a_header_past_the_last_lettered_column_is_refused_on_line_1():
    # 18,279 columns: one past ZZZ, where openpyxl's get_column_letter raised ValueError.
    header = HEADER + "," + ",".join(f"extra{i}" for i in range(18_274))
    result = check((header + "\na,landmark,A,22.5,113\n").encode())
    assert where(result) == [(1, None)]
    assert "18279 columns" in str(result.errors[0]) and "1000" in str(result.errors[0])


def test_a_data_row_past_the_column_limit_is_refused_on_its_line():
    data = csv_bytes(row(1)).decode() + "b,landmark,B,22.5,113" + ",x" * 2000 + "\n"
    result = check(data.encode())
    assert where(result) == [(3, None)] and "2005 columns" in str(result.errors[0])


def test_trailing_blank_cells_do_not_count_as_columns():
    pad = "," * 20_000  # an export of a sheet whose formatting reaches far to the right
    data = f"{HEADER}{pad}\na,landmark,A,22.5,113{pad}\n".encode()
    result = check(data)
    assert result.ok and [r["id"] for r in result.records] == ["a"]

"""Pathological but small files: each is refused with a located message in bounded time and
memory, never a traceback (issue 10, "pathological but small files")."""

import datetime
import subprocess
import sys

import pytest
from bad_files import HEADER
from factories import csv_bytes, row

from locator import tables
from locator.importer import ImportSettings, read_import
from tests.processes import ROOT

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


# -- the delimiter ----------------------------------------------------------------------------

def test_a_100_kb_header_of_quote_comma_is_read_in_bounded_time():
    # csv.Sniffer took 30 s on this header (quadratic). Run in a child process with a timeout,
    # so that a regression fails the test instead of stalling the suite.
    script = ("import time; from locator.importer import read_import\n"
              "data = b',\"' * 50_000 + b'\\n'\n"
              "start = time.perf_counter(); result = read_import(data, 'x.csv', {})\n"
              "print(time.perf_counter() - start); print(result.errors[0])\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    seconds, message = done.stdout.splitlines()
    assert float(seconds) < 2, seconds  # the issue asks for a bounded cost; ~10 ms measured
    assert message.startswith("line 1: ")


@pytest.mark.parametrize("header, delimiter", [
    ("id;category;name;lat;lon", ";"), ("id\tcategory\tname\tlat\tlon", "\t"),
    ('"id;x",category,name,lat,lon', ","), ('id;"a,b,c,d";category;name;lat;lon', ";"),
    ("id", ","),
])
def test_the_delimiter_is_the_one_the_header_uses_most_outside_quotes(header, delimiter):
    assert tables._dialect(header + "\n").delimiter == delimiter

"""Export as CSV vs as XLSX (the template's layout), and reading each back, for N records.

Run: `python -m bench.workbook_bench [N ...]` (default 70 1000 10000). Prints a table of
seconds, file sizes and, for the workbook, what it unpacks to against the importer's limit.
"""

import io
import sys
import time
import zipfile

from bench.make_dataset import dataset_csv
from locator.ingest import exporter, workbook
from locator.ingest.importer import read_import
from locator.ingest.tables import MAX_XLSX_UNPACKED


def timed(fn, *args):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def row(n: int) -> str:
    """One table row for n records."""
    records = read_import(dataset_csv(n), "bench.csv", {}).records
    csv_s, csv_data = timed(exporter.write_csv, records)
    xlsx_s, xlsx_data = timed(workbook.write_xlsx, records)
    read_csv_s, from_csv = timed(read_import, csv_data, "x.csv", {})
    read_xlsx_s, from_xlsx = timed(read_import, xlsx_data, "x.xlsx", {})
    assert from_csv.records == records and from_xlsx.records == records
    unpacked = sum(p.file_size for p in zipfile.ZipFile(io.BytesIO(xlsx_data)).infolist())
    return (f"| {n:,} | {csv_s:.2f} | {xlsx_s:.2f} | {len(csv_data) / 1e6:.2f} | "
            f"{len(xlsx_data) / 1e6:.2f} | {unpacked / 1e6:.1f} "
            f"({unpacked / MAX_XLSX_UNPACKED:.0%}) | {read_csv_s:.2f} | {read_xlsx_s:.2f} |")


def main(sizes: list[int]) -> None:
    """Print the table."""
    print("| records | CSV export s | XLSX export s | CSV MB | XLSX MB | XLSX unpacked MB "
          "(of limit) | CSV import s | XLSX import s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        print(row(n))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [70, 1000, 10000])

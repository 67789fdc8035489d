"""The importer on the worst pathological files vs a normal file of the same size and format.

Run: `python -m bench.bad_files_bench`. Each row is the median of RUNS runs of read_import
(decode, parse, validate, diff) on one file, next to a real facility list of about the same
number of bytes; "× normal" is their ratio, measured in the same run.
"""

import io
import random
import statistics
import time
import zipfile
import zlib

import openpyxl

from bench.make_dataset import dataset_csv, synthetic_records
from locator.core.records import COLUMNS
from locator.ingest import tables
from locator.ingest.importer import read_import

RUNS = 3
HEADER = "id,category,name,lat,lon"
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                  b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
# Just under tables.MAX_PART_EXPANSION: the most a part may unpack to and still be read.
RATIO = tables.MAX_PART_EXPANSION * 0.9


def normal_csv(size: int) -> bytes:
    """A real facility list of about `size` bytes as CSV."""
    per_row = len(dataset_csv(1000)) / 1000
    return dataset_csv(max(int(size / per_row), 1))


def normal_xlsx(size: int) -> bytes:
    """A real facility list of about `size` bytes as a workbook."""
    per_row = len(_workbook_of(1000)) / 1000
    return _workbook_of(max(int(size / per_row), 1))


def _workbook_of(n: int) -> bytes:
    """The synthetic dataset's first n rows, typed as Excel would hold them."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    for r in synthetic_records(n):
        sheet.append([float(r[c]) if c in ("lat", "lon") else (r[c] or None) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_parts(parts: dict[str, bytes], stored: dict[str, bytes] | None = None,
               content_types: bytes = b"") -> bytes:
    """A small valid workbook with these parts added or replaced."""
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["a", "landmark", "A", 22.5, 113.0])
    source_bytes = io.BytesIO()
    book.save(source_bytes)
    source = zipfile.ZipFile(source_bytes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename in parts:
                continue
            body = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", content_types + b"</Types>")
            archive.writestr(info.filename, body)
        for name, body in parts.items():
            archive.writestr(name, body, compresslevel=9)
        for name, body in (stored or {}).items():
            archive.writestr(name, body, zipfile.ZIP_STORED)
    return out.getvalue()


def deflating_to(ratio: float, plain: bytes, noisy, units: int) -> list[bytes]:
    """`units` copies of `plain`, every k-th replaced by noisy(rng): they deflate ~`ratio`×."""
    rng = random.Random(1)

    def build(k: int, n: int) -> list[bytes]:
        return [noisy(rng) if i % k == 0 else plain for i in range(n)]

    k = 1
    while True:  # the sparsest noise that still keeps the sample under `ratio`
        sample = b"".join(build(k * 2, 20_000))
        if len(sample) / len(zlib.compress(sample, 9)) > ratio:
            break
        k *= 2
    return build(k, units)


def strings_bomb_behind_padding() -> bytes:
    """The issue's case, scaled down: strings deflating ~400×, padded with noise."""
    table = b'<sst xmlns="%s">' % MAIN_NS + b"<si><t>ab</t></si>" * 1_700_000 + b"</sst>"
    return with_parts({"xl/sharedStrings.xml": table},
                      {"xl/media/padding.bin": random.Random(1).randbytes(1_500_000)},
                      SHARED_STRINGS)


def shared_strings_deflating_to(ratio: float, count: int) -> bytes:
    """A shared-strings part of `count` strings, mostly "ab", deflating ~`ratio`×; unused."""
    body = b"".join(deflating_to(ratio, b"<si><t>ab</t></si>",
                                 lambda rng: b"<si><t>%x</t></si>" % rng.getrandbits(64), count))
    table = b'<sst xmlns="%s">' % MAIN_NS + body + b"</sst>"
    return with_parts({"xl/sharedStrings.xml": table}, content_types=SHARED_STRINGS)


def entity_bomb() -> bytes:
    """Billion laughs: a few hundred bytes of DTD that expand to 10⁹ characters."""
    entities = b'<!ENTITY a0 "ha">' + b"".join(
        b'<!ENTITY a%d "%s">' % (i, b"&a%d;" % (i - 1) * 10) for i in range(1, 10))
    table = (b'<?xml version="1.0"?><!DOCTYPE sst [' + entities + b']><sst xmlns="%s">'
             b"<si><t>&a9;</t></si></sst>" % MAIN_NS)
    return with_parts({"xl/sharedStrings.xml": table}, content_types=SHARED_STRINGS)


def empty_cells_to_the_cell_limit() -> bytes:
    """Rows of 1,000 empty cells under the per-part limit, until past MAX_XLSX_CELLS."""
    rows = tables.MAX_XLSX_CELLS // 1000 + 1
    cells = deflating_to(RATIO, b"<c/>", lambda rng: b'<c x="%x"/>' % rng.getrandbits(32),
                         rows * 1000)
    body = b"".join(b'<row r="%d">' % (r + 1) + b"".join(cells[r * 1000:(r + 1) * 1000])
                    + b"</row>" for r in range(rows))
    sheet = b'<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (MAIN_NS, body)
    return with_parts({"xl/worksheets/sheet1.xml": sheet})


def far_down_row(number: int) -> bytes:
    """A header and one cell in row `number`: openpyxl yields every empty row before it."""
    header = b"".join(b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (
        letter.encode(), name.encode()) for letter, name in zip("ABCDE", HEADER.split(","),
                                                                strict=True))
    sheet = (b'<worksheet xmlns="%s"><sheetData><row r="1">%s</row><row r="%d">'
             b'<c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
             % (MAIN_NS, header, number))
    return with_parts({"xl/worksheets/sheet1.xml": sheet})


CASES = [
    ("CSV: header of ',\"' × 50,000 (csv.Sniffer: ~30 s)",
     lambda: (b',"' * 50_000 + b"\n", "x.csv"), normal_csv),
    ("CSV: header of 18,279 columns", lambda: (
        (HEADER + ",x" * 18_274 + "\na,landmark,A,22.5,113\n").encode(), "x.csv"), normal_csv),
    ("CSV: 5 rows, each with 20,000 blank cells (accepted)", lambda: (
        "".join(line + "," * 20_000 + "\n" for line in (
            HEADER, *(f"a{i},landmark,A,22.5,113" for i in range(4)))).encode(), "x.csv"),
     normal_csv),
    ("XLSX: 30 MB of shared strings behind 1.5 MB of padding", lambda: (
        strings_bomb_behind_padding(), "x.xlsx"), normal_xlsx),
    (f"XLSX: 1 M shared strings at {RATIO:.0f}× (just under the part limit)", lambda: (
        shared_strings_deflating_to(RATIO, 1_000_000), "x.xlsx"), normal_xlsx),
    ("XLSX: 1 M shared strings, under 1 a packed byte (accepted)", lambda: (
        shared_strings_deflating_to(17, 1_000_000), "x.xlsx"), normal_xlsx),
    ("XLSX: one cell in row 100,000,000", lambda: (far_down_row(100_000_000), "x.xlsx"),
     normal_xlsx),
    ("XLSX: billion laughs in the shared strings", lambda: (entity_bomb(), "x.xlsx"),
     normal_xlsx),
    (f"XLSX: empty cells at {RATIO:.0f}×, past {tables.MAX_XLSX_CELLS:,} cells", lambda: (
        empty_cells_to_the_cell_limit(), "x.xlsx"), normal_xlsx),
]


def seconds(data: bytes, filename: str) -> tuple[float, str]:
    """Median seconds of read_import on `data`, and the first error (or "accepted")."""
    runs, outcome = [], ""
    for _ in range(RUNS):
        start = time.perf_counter()
        result = read_import(data, filename, {})
        runs.append(time.perf_counter() - start)
        outcome = str(result.errors[0])[:60] if result.errors else "accepted"
    return statistics.median(runs), outcome


def main() -> None:
    """Print one table row per case."""
    print(f"median of {RUNS} runs of read_import each\n")
    print("| file | KB | s | normal file s | × normal | outcome |")
    print("|---|---:|---:|---:|---:|---|")
    for name, build, normal in CASES:
        data, filename = build()
        bad, outcome = seconds(data, filename)
        base, _ = seconds(normal(len(data)), filename)
        print(f"| {name} | {len(data) // 1024:,} | {bad:.3f} | {base:.3f} | {bad / base:.1f} "
              f"| {outcome} |", flush=True)


if __name__ == "__main__":
    main()

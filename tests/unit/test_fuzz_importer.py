"""Fuzzing the importer: any bytes, and mutations of valid CSV and XLSX files, give either
records or clean located errors — never an exception, never a change to the stored data."""

import io
import os

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator import datasets
from locator.ingest.importer import read_import
from locator.store import Store
from tests.processes import ROOT

with open(os.path.join(ROOT, "facilities.csv"), "rb") as _fh:
    SAMPLE = _fh.read()
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NASTY = [b'"', b",", b"\n", b"\r", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"=", b"'", b";",
         "母婴".encode(), "母婴".encode("gb18030"), b"\x80", b"nan", b"1e999", b"PK\x03\x04"]


def xlsx_bytes() -> bytes:
    """The sample data as a workbook."""
    book = openpyxl.Workbook()
    sheet = book.active
    for line in SAMPLE.decode("utf-8").splitlines()[:1]:
        sheet.append(line.split(","))
    sheet.append(["x-1", "landmark", "地标", "", 22.5, 113.0])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = xlsx_bytes()


@st.composite
def mutated(draw, original: bytes) -> bytes:
    """`original` with a few random edits: replace, insert, delete, truncate, repeat."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "repeat"]))
        piece = draw(st.one_of(st.sampled_from(NASTY), st.binary(min_size=1, max_size=8)))
        if edit == "replace":
            data[at:at + len(piece)] = piece
        elif edit == "insert":
            data[at:at] = piece
        elif edit == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif edit == "truncate":
            del data[at:]
        else:
            data[at:at] = data[max(0, at - 60):at]
    return bytes(data)


def assert_clean(data: bytes, filename: str = "fuzz.csv") -> None:
    """read_import answers with records, or with errors and nothing else."""
    result = read_import(data, filename, {})
    if result.ok:
        assert result.records and result.diff is not None
    else:
        assert result.records == [] and result.diff is None
        assert all(str(e) for e in result.errors)


@given(st.binary(max_size=3000))
@FUZZ
def test_arbitrary_bytes(data):
    assert_clean(data)


@given(mutated(SAMPLE))
@FUZZ
def test_mutated_csv(data):
    assert_clean(data)


@given(mutated(XLSX))
@FUZZ
def test_mutated_xlsx(data):
    assert_clean(data, "fuzz.xlsx")


@given(st.lists(mutated(SAMPLE), min_size=1, max_size=4))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_refused_files_never_change_the_store(tmp_path_factory, files):
    path = str(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite")
    store = Store(path)
    store.migrate()
    datasets.apply_import(store, datasets.check_file(store, SAMPLE, "facilities.csv"),
                          "facilities.csv", actor="t")
    before = store.facilities.all()
    for data in files:
        if not datasets.check_file(store, data, "fuzz.csv").result.ok:
            assert store.facilities.all() == before and len(store.versions.all()) == 1
    store.close()

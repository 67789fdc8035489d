"""The facilities CLI: import (replace, merge, dry run), export, history, rollback, init."""

import re

import pytest

from locator.store import Store
from tests.bad_files import BAD
from tests.factories import csv_bytes, row

pytestmark = pytest.mark.engines

README = "README.md"


def ids(db_path: str) -> list[str]:
    """The ids in the stored dataset."""
    store = Store(db_path)
    try:
        return [r["id"] for r in store.facilities.all()]
    finally:
        store.close()


def invoke(runner, *args: str):
    """Run `facilities ARGS`."""
    return runner.invoke(args=["facilities", *args])


def test_import_replace_then_merge_then_dry_run(runner, write, db_path):
    first = write("a.csv", csv_bytes(row(1), row(2), row(3)))
    result = invoke(runner, "import", first)
    assert result.exit_code == 0, result.output
    assert "added 3" in result.output and "room-1" in result.output
    merge = write("b.csv", csv_bytes(row(2, name="新名字"), row(4)))
    result = invoke(runner, "import", merge, "--merge")
    assert result.exit_code == 0, result.output
    assert ids(db_path) == ["room-1", "room-2", "room-3", "room-4"]
    assert "room-2: name" in result.output
    replace = write("c.csv", csv_bytes(row(1), row(2, name="新名字"), row(4)))
    result = invoke(runner, "import", replace, "--dry-run")
    assert result.exit_code == 0 and "removed" in result.output and "room-3" in result.output
    assert ids(db_path) == ["room-1", "room-2", "room-3", "room-4"]
    assert invoke(runner, "import", replace).exit_code == 0
    assert ids(db_path) == ["room-1", "room-2", "room-4"]


def test_invalid_file_exits_non_zero_with_errors_on_stderr(runner, write, db_path):
    invoke(runner, "import", write("ok.csv", csv_bytes(row(1))))
    bad = write("bad.csv", csv_bytes(row(1), row(2, category="toilet"), row(3, lat="abc")))
    result = invoke(runner, "import", bad)
    assert result.exit_code != 0
    assert re.search(r"line 3, column category", result.stderr)
    assert re.search(r"line 4, column lat", result.stderr)
    assert result.stdout == ""
    assert ids(db_path) == ["room-1"]


def test_mass_removal_needs_yes(runner, write, db_path):
    invoke(runner, "import", write("a.csv", csv_bytes(*[row(i) for i in range(1, 11)])))
    small = write("b.csv", csv_bytes(row(1), row(2)))
    result = invoke(runner, "import", small)
    assert result.exit_code != 0 and "--yes" in result.stderr
    assert len(ids(db_path)) == 10
    assert invoke(runner, "import", small, "--yes").exit_code == 0
    assert ids(db_path) == ["room-1", "room-2"]


def test_header_only_needs_allow_empty(runner, write, db_path):
    invoke(runner, "import", write("a.csv", csv_bytes(row(1))))
    empty = write("empty.csv", csv_bytes())
    assert invoke(runner, "import", empty, "--yes").exit_code != 0
    assert ids(db_path) == ["room-1"]
    assert invoke(runner, "import", empty, "--yes", "--allow-empty").exit_code == 0
    assert ids(db_path) == []


def test_history_and_rollback_restore_exact_records(runner, write, db_path):
    invoke(runner, "import", write("v1.csv", csv_bytes(row(1), row(2, floor="B1"))))
    v1 = invoke(runner, "export", "-").stdout_bytes
    invoke(runner, "import", write("v2.csv", csv_bytes(row(2, floor="3F"), row(5))), "--yes")
    result = invoke(runner, "rollback", "1")
    assert result.exit_code == 0 and "as version 3" in result.output
    assert invoke(runner, "export", "-").stdout_bytes == v1
    history = invoke(runner, "history").output.splitlines()
    assert [line.split()[0] for line in history] == ["3", "2", "1"]
    assert "rollback to 1" in history[0] and "v2.csv" in history[1]
    result = invoke(runner, "rollback", "42")
    assert result.exit_code != 0 and "no version 42" in result.stderr


def test_export_round_trips_through_import(runner, write, db_path):
    hostile = row(1, name="=cmd|' /C calc'!A0", phone="+86 750 1234567",
                  description='引号 "quoted", 逗号\n第二行 🍼')
    invoke(runner, "import", write("a.csv", csv_bytes(hostile, row(2))))
    exported = invoke(runner, "export", "-").stdout_bytes
    assert exported.startswith(b"\xef\xbb\xbf")
    assert b"\r\n'=cmd" not in exported and b",'=cmd|" in exported
    before = Store(db_path).facilities.all()
    result = invoke(runner, "import", write("again.csv", exported))
    assert "added 0, changed 0, removed 0, unchanged 2" in result.output
    assert Store(db_path).facilities.all() == before


def test_export_to_file(runner, write, tmp_path):
    invoke(runner, "import", write("a.csv", csv_bytes(row(1))))
    out = tmp_path / "out.csv"
    assert invoke(runner, "export", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,category,name")


def test_init_loads_sample_once(runner, db_path):
    result = invoke(runner, "init")
    assert result.exit_code == 0 and "Loaded 7 facilities" in result.output
    assert "version 1" in invoke(runner, "init").output
    assert len(Store(db_path).versions.all()) == 1


def test_progress_bar_for_large_files(runner, write):
    from bench.make_dataset import dataset_csv

    result = invoke(runner, "import", write("big.csv", dataset_csv(6000)))
    assert result.exit_code == 0, result.output
    assert "Checking" in result.stderr


@pytest.mark.parametrize("text, line, column, words", [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_every_bad_file_class_leaves_the_stored_dataset_unchanged(
        runner, write, text, line, column, words):
    invoke(runner, "import", write("good.csv", csv_bytes(row(1), row(2))))
    before = invoke(runner, "export", "-").stdout_bytes
    result = invoke(runner, "import", write("bad.csv", text.encode()))
    assert result.exit_code != 0
    where = f"line {line}, column {column}" if column else f"line {line}" if line else ""
    assert where in result.stderr and words in result.stderr, result.stderr
    assert invoke(runner, "export", "-").stdout_bytes == before
    assert [line.split()[0] for line in invoke(runner, "history").output.splitlines()] == ["1"]

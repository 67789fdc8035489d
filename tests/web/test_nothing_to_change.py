"""An import, rollback or verification that changes nothing says so and creates no version."""

import io
import re

import pytest

from locator import datasets
from locator.store import Store
from tests.admin_support import console_on_three_rooms, text, token
from tests.factories import csv_bytes, load, row

NOTHING = "nothing to change"


def version_count(db_path: str) -> int:
    """How many dataset versions there are."""
    store = Store(db_path)
    try:
        return len(store.versions.all())
    finally:
        store.close()


@pytest.fixture
def write(tmp_path):
    """Write a CSV of rows to a named file in tmp_path and return its path."""
    def write(name: str, *rows: dict) -> str:
        path = tmp_path / name
        path.write_bytes(csv_bytes(*rows))
        return str(path)
    return write


def invoke(runner, *args: str):
    """Run `facilities ARGS`."""
    return runner.invoke(args=["facilities", *args])


# -- the CLI ----------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [(), ("--merge",), ("--dry-run",), ("--yes",)])
def test_importing_the_current_data_again_creates_no_version(runner, write, db_path, options):
    assert invoke(runner, "import", write("v1.csv", row(1), row(2))).exit_code == 0
    result = invoke(runner, "import", write("again.csv", row(1), row(2)), *options)
    assert result.exit_code == 0, result.output
    assert "added 0, changed 0, removed 0, unchanged 2" in result.output
    assert NOTHING in result.output.lower() and "Imported as version" not in result.output
    assert version_count(db_path) == 1


def test_a_merge_of_rows_already_stored_creates_no_version(runner, write, db_path):
    invoke(runner, "import", write("v1.csv", row(1), row(2), row(3)))
    result = invoke(runner, "import", write("part.csv", row(2)), "--merge")
    assert result.exit_code == 0 and NOTHING in result.output.lower()
    assert version_count(db_path) == 1


def test_an_empty_file_on_an_empty_dataset_creates_no_version(runner, write, db_path):
    result = invoke(runner, "import", write("empty.csv"), "--allow-empty")
    assert result.exit_code == 0 and NOTHING in result.output.lower()
    assert version_count(db_path) == 0


def test_a_rollback_to_the_current_data_creates_no_version(runner, write, db_path):
    invoke(runner, "import", write("v1.csv", row(1), row(2)))
    invoke(runner, "import", write("v2.csv", row(1), row(2, name="新")))
    assert invoke(runner, "rollback", "1").exit_code == 0  # version 3 = version 1's data
    for number in ("1", "3"):
        result = invoke(runner, "rollback", number)
        assert result.exit_code == 0 and NOTHING in result.output.lower(), result.output
        assert "Restored" not in result.output
    assert version_count(db_path) == 3


def test_the_store_is_never_given_an_empty_version(db_path):
    load(db_path, row(1))
    store = Store(db_path)
    try:
        checked = datasets.check_file(store, csv_bytes(row(1)), "same.csv")
        assert checked.result.ok and not checked.result.diff.changes_anything
        with pytest.raises(datasets.NothingToChange):
            datasets.apply_import(store, checked, "same.csv", actor="t")
        with pytest.raises(datasets.NothingToChange):
            datasets.rollback(store, 1, actor="t")
        assert len(store.versions.all()) == 1
    finally:
        store.close()


# -- the console ------------------------------------------------------------------------------

@pytest.fixture
def console(db_path):
    """A signed-in console client on three nursing rooms (version 1)."""
    return console_on_three_rooms(db_path)


def upload(client, data: bytes, mode: str = "replace"):
    """Post a file to the upload form."""
    return client.post("/admin/upload", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), "same.csv"), "mode": mode,
        "csrf_token": token(client, "/admin/upload")})


@pytest.mark.parametrize("rows, mode", [((1, 2, 3), "replace"), ((2,), "merge")])
def test_the_preview_of_a_file_that_changes_nothing_offers_no_confirm(console, db_path, rows,
                                                                      mode):
    preview = upload(console, csv_bytes(*(row(i) for i in rows)), mode)
    assert preview.status_code == 200
    page = text(preview)
    assert "Nothing to change" in page and "no version was created" in page
    assert "Confirm and apply" not in page and 'name="sha256"' not in preview.get_data(
        as_text=True)
    store = Store(db_path)
    try:
        assert store.db.execute("SELECT count(*) FROM pending_uploads").fetchone()[0] == 0
    finally:
        store.close()
    assert version_count(db_path) == 1


def test_the_console_rollback_to_the_current_data_offers_nothing(console, db_path):
    load(db_path, row(1), row(2), row(4))  # version 2
    load(db_path, row(1), row(2), row(3))  # version 3: version 1's data again
    page = console.get("/admin/history/1/rollback")
    assert "Nothing to change" in text(page) and "Restore version 1" not in text(page)
    response = console.post("/admin/history/1/rollback",
                            data={"csrf_token": token(console, "/admin/history")})
    assert response.status_code == 302
    assert "Nothing to change" in text(console.get(response.location))
    assert version_count(db_path) == 3


def test_verifying_twice_on_one_day_creates_one_version(console, db_path):
    for _ in range(2):
        response = console.post("/admin/facilities/room-2/verify", data={
            "confirmed": "1", "csrf_token": token(console, "/admin/facilities")})
    assert re.search("Nothing changed for room-2", text(console.get(response.location)))
    assert version_count(db_path) == 2

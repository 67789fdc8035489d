"""`facilities copy SRC DEST`: a whole dataset with its history, between SQLite and PostgreSQL
in both directions, exactly; refused, changing nothing, where it cannot be done. The other
engine's database comes from the `postgres_cluster` fixture: without PostgreSQL those tests
skip, saying what to install."""

import pytest

import locator.store.postgres.connection as postgres_connection
from locator import create_app, datasets
from locator.core.nearest import find_nearest
from locator.store import COPIED_TABLES, Store
from tests.admin_support import USER, make_admin
from tests.factories import load, row

# The `engine` of the database the app (and so `db_path`) runs on: the source, or the target.
pytestmark = pytest.mark.engines


def history(db_path: str) -> None:
    """Several imports, a merge, a rollback, an admin, a visitor's report: a real history."""
    load(db_path, *(row(i) for i in range(1, 40)))
    load(db_path, *(row(i, floor=f"{i}F") for i in range(1, 30)))
    load(db_path, row(99, name="新的母婴室", name_en="New room"), merge=True)
    store = Store(db_path)
    try:
        datasets.rollback(store, 2, actor="alice")
        store.reports.add("closed", "room-3", {}, "门锁了", clients=("a" * 64, ""), at=1.0e9)
    finally:
        store.close()
    make_admin(db_path)


def everything(db_path: str) -> dict:
    """All that a copy must carry over, read back through the store's own methods."""
    store = Store(db_path)
    try:
        versions = store.versions.all()
        found = find_nearest(store.facilities, 22.51, 113.01, k=5, category="nursing_room")
        return {
            "versions": versions,
            "records": {v["number"]: store.versions.records(v["number"]) for v in versions},
            "facilities": store.facilities.all(),
            "tables": {t: store.table_rows(t)[1] for t in COPIED_TABLES if t != "versions"},
            "nearest": [(h.record["id"], h.distance_m) for h in found.hits],
            "search": [r["id"] for r in store.facilities.search("母婴室1")],
            "terms": store.facilities.terms_from("mu", 50),
            "integrity": store.integrity_ok(),
        }
    finally:
        store.close()


def comparable(state: dict) -> dict:
    """The state without the engine's own row keys (fids), which a copy may number anew."""
    return state | {"terms": [(term, source, start) for term, _, source, start in state["terms"]]}


@pytest.fixture
def other(engine, tmp_path, request):
    """A new, empty database on the other engine than the test's own."""
    if engine == "sqlite":
        return request.getfixturevalue("postgres_cluster").new_schema()
    return str(tmp_path / "copy.sqlite")


def test_a_copy_carries_every_version_table_and_index_and_copies_back_exactly(
        runner, db_path, other, tmp_path):
    history(db_path)
    before = everything(db_path)
    done = runner.invoke(args=["facilities", "copy", db_path, other])
    assert done.exit_code == 0, done.output
    assert "Copied version 4 with 29 facilities" in done.output
    assert comparable(everything(other)) == comparable(before)
    back = str(tmp_path / "back.sqlite")
    assert runner.invoke(args=["facilities", "copy", other, back]).exit_code == 0
    assert comparable(everything(back)) == comparable(before)


def test_the_copy_goes_on_where_the_source_stopped(runner, db_path, other):
    history(db_path)
    assert runner.invoke(args=["facilities", "copy", db_path, other]).exit_code == 0
    assert load(other, row(1)) == 5  # the next version number
    store = Store(other)
    try:
        # New audit entries and reports are numbered after the copied ones, never on top.
        entries = store.audit.entries(per_page=2)
        assert entries[0]["id"] > entries[1]["id"]
        assert store.reports.add("gone", "room-1", {}, "", clients=("b" * 64, ""), at=2.0e9) > 1
        assert store.admins.add("bob", "x") is not None and store.admins.add(USER, "x") is None
    finally:
        store.close()


def test_copy_refuses_a_destination_with_data_and_changes_nothing(runner, db_path, other):
    history(db_path)
    load(other, row(7))
    before = everything(other)
    done = runner.invoke(args=["facilities", "copy", db_path, other])
    assert done.exit_code == 1
    assert "Error: the destination already holds data" in done.output
    assert everything(other) == before


def test_copy_refuses_a_source_without_a_dataset(runner, db_path, other):
    Store(db_path).migrate()
    done = runner.invoke(args=["facilities", "copy", db_path, other])
    assert done.exit_code == 1
    assert "Error: the source holds no dataset version; nothing to copy" in done.output


@pytest.mark.sqlite_only
def test_copy_refuses_a_missing_source_file_without_creating_it(runner, tmp_path):
    missing = tmp_path / "missing.sqlite"
    done = runner.invoke(args=["facilities", "copy", str(missing), str(tmp_path / "to.sqlite")])
    assert done.exit_code == 1
    assert "no such database file" in done.output
    assert not missing.exists() and not (tmp_path / "to.sqlite").exists()


@pytest.mark.parametrize("command", [["facilities", "history"], ["reports", "list"],
                                     ["facilities", "init"]])
def test_an_unreachable_database_ends_a_command_with_one_plain_line(tmp_path, monkeypatch,
                                                                     command):
    monkeypatch.setattr(postgres_connection, "POOL_TIMEOUT_S", 0.5)
    url = f"postgresql://nobody@/locator?host={tmp_path}/no-server"
    app = create_app({"TESTING": True, "DATABASE": url})
    done = app.test_cli_runner().invoke(args=command)
    assert done.exit_code == 1
    assert done.output.startswith("Error: the database cannot be reached or opened (")
    assert "Traceback" not in done.output and done.output.count("\n") == 1
    postgres_connection.close_pools()

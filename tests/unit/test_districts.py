"""Several districts in one database: the district column, what a replace, merge or rollback
may touch, and where the store keeps districts (versions, admins, the migration)."""

import sqlite3

import pytest

from locator import datasets
from locator.core import districts
from locator.core.records import COLUMNS
from locator.ingest.districts import DistrictRule
from locator.ingest.importer import ImportSettings, read_import
from locator.store import Store
from tests.factories import commit_whole, csv_bytes, row

XINHUI, PENGJIANG, TAISHAN = "新会区", "蓬江区", "台山市"
COLUMNS_WITH_DISTRICT = ("id", "category", "name", "name_en", "lat", "lon", "district")


def place(i: int, district: str = XINHUI, **fields) -> dict:
    """A valid row in `district`."""
    return row(i, district=district, **fields)


def file(*rows: dict, columns=COLUMNS_WITH_DISTRICT) -> bytes:
    """A CSV of `rows` with the district column."""
    return csv_bytes(*rows, columns=columns)


def where(result) -> list[tuple]:
    """(line, column) of each error."""
    return [(e.line, e.column) for e in result.errors]


def imported(store, data: bytes, **options) -> datasets.Applied:
    """Check and apply `data` (the checks must pass)."""
    checked = datasets.check_file(store, data, "f.csv", **options)
    assert checked.result.ok, [str(e) for e in checked.result.errors]
    return datasets.apply_import(store, checked, "f.csv", actor="test")


def by_district(store) -> dict[str, list[str]]:
    """Stored ids by district."""
    out: dict[str, list[str]] = {}
    for record in store.facilities.all():
        out.setdefault(record["district"], []).append(record["id"])
    return out


# -- names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [XINHUI, TAISHAN, "开平市", "连南瑶族自治县", "阿拉善左旗"])
def test_county_level_names_are_well_formed(name):
    assert districts.well_formed(name)


@pytest.mark.parametrize("name", ["", "区", "新会", "Xinhui", "新会区,蓬江区", "新会 区",
                                  "新" * 20 + "区"])
def test_other_text_is_not_a_district_name(name):
    assert not districts.well_formed(name)


# -- the column ----------------------------------------------------------------------------

def test_an_absent_or_blank_district_is_the_default_and_the_chinese_header_is_read():
    absent = read_import(csv_bytes(row(1)), "f.csv", {})
    assert absent.ok and absent.records[0]["district"] == XINHUI
    data = "编号,类别,名称,纬度,经度,所属区县\nroom-1,母婴室,甲,22.5,113.0,蓬江区\n" \
           "room-2,母婴室,乙,22.51,113.01,\n"
    result = read_import(data.encode(), "f.csv", {})
    assert [r["district"] for r in result.records] == [PENGJIANG, XINHUI]
    assert result.districts == (XINHUI, PENGJIANG)  # sorted by code point


def test_the_default_district_comes_from_the_settings():
    settings = ImportSettings(districts=DistrictRule(TAISHAN))
    assert read_import(csv_bytes(row(1)), "f.csv", {}, settings=settings
                       ).records[0]["district"] == TAISHAN


def test_a_blank_district_without_a_default_is_an_error_on_its_line():
    settings = ImportSettings(districts=DistrictRule(""))
    result = read_import(file(place(1, ""), place(2, PENGJIANG)), "f.csv", {}, settings=settings)
    assert where(result) == [(2, "district")]
    assert "no default district" in str(result.errors[0])


def test_a_name_that_is_no_district_is_an_error_that_says_how_to_write_it():
    result = read_import(file(place(1, "Xinhui"), place(2, "新会区;蓬江区")), "f.csv", {})
    assert where(result) == [(2, "district"), (3, "district")]
    assert "ending in 区、县、市、旗" in str(result.errors[0])


def test_only_the_configured_districts_are_accepted_when_a_list_is_set():
    settings = ImportSettings(districts=DistrictRule(XINHUI, (XINHUI, PENGJIANG)))
    result = read_import(file(place(1), place(2, TAISHAN)), "f.csv", {}, settings=settings)
    assert where(result) == [(3, "district")]
    assert str(result.errors[0]).endswith("use one of: 新会区、蓬江区")


def test_the_district_error_is_translated(chinese):
    result = read_import(file(place(1, "Xinhui")), "f.csv", {})
    assert "不是区县名称" in result.errors[0].render(chinese)


# -- replace and merge ---------------------------------------------------------------------

def test_a_replace_replaces_only_the_districts_its_rows_are_in(store):
    imported(store, file(place(1), place(2), place(3, PENGJIANG), place(4, PENGJIANG)))
    checked = datasets.check_file(store, file(place(1, name_en="new")), "f.csv")
    result = checked.result
    assert result.districts == (XINHUI,)
    assert result.diff.removed == ["room-2"] and list(result.diff.changed) == ["room-1"]
    assert sorted(result.diff.unchanged) == ["room-3", "room-4"]
    assert not result.mass_removal
    datasets.apply_import(store, checked, "f.csv", actor="test")
    assert by_district(store) == {XINHUI: ["room-1"], PENGJIANG: ["room-3", "room-4"]}


def test_a_point_placed_by_hand_keeps_the_diff_within_the_replaced_districts(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    checked = datasets.check_file(store, file(place(1), place(3)), "f.csv")
    moved = datasets.placed_by_hand(checked, {"room-3": (22.51, 113.01)})
    assert moved.result.diff.added == ["room-3"] and moved.result.diff.removed == []
    assert "room-2" in moved.result.diff.unchanged
    datasets.apply_import(store, moved, "f.csv", actor="test")
    assert by_district(store) == {XINHUI: ["room-1", "room-3"], PENGJIANG: ["room-2"]}


def test_a_mass_removal_is_counted_within_the_replaced_districts(store):
    imported(store, file(place(1), place(2), place(3), *[place(i, PENGJIANG) for i in range(4, 9)]))
    result = datasets.check_file(store, file(place(1)), "f.csv").result
    assert result.mass_removal and len(result.diff.removed) == 2


def test_a_merge_writes_its_rows_and_removes_nothing(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    applied = imported(store, file(place(3, PENGJIANG)), merge=True)
    assert applied.diff.added == ["room-3"] and applied.diff.removed == []
    assert store.versions.current()["districts"] == [PENGJIANG]


def test_an_empty_replace_empties_only_the_admins_districts(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    checked = datasets.check_file(store, file(), "f.csv", allow_empty=True, scope=[PENGJIANG])
    assert checked.result.districts == (PENGJIANG,) and checked.result.diff.removed == ["room-2"]
    datasets.apply_import(store, checked, "f.csv", actor="test")
    assert by_district(store) == {XINHUI: ["room-1"]}


def test_a_header_only_replace_counts_the_facilities_of_its_scope(store):
    imported(store, file(place(1), place(2, PENGJIANG), place(3, PENGJIANG)))
    result = datasets.check_file(store, file(), "f.csv", scope=[PENGJIANG]).result
    assert "delete all 2 facilities" in str(result.errors[0])


# -- scope and ids -------------------------------------------------------------------------

def test_a_row_outside_the_admins_districts_is_an_error_naming_them(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    result = datasets.check_file(store, file(place(1), place(2, PENGJIANG)), "f.csv",
                                 scope=[XINHUI]).result
    assert where(result) == [(3, "district")]
    assert str(result.errors[0]) == (
        "line 3, column district: district 蓬江区 is outside your districts (新会区) — remove "
        "this row, or ask an admin of 蓬江区 to import it")


def test_an_id_stored_in_another_district_is_an_error(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    for merge in (False, True):
        result = datasets.check_file(store, file(place(1), place(2)), "f.csv", merge=merge).result
        assert where(result) == [(3, "id")], merge
        assert "already belongs to a facility in 蓬江区, not 新会区" in str(result.errors[0])


def test_a_file_covering_both_districts_may_move_a_facility_between_them(store):
    imported(store, file(place(1), place(2, PENGJIANG), place(3, PENGJIANG)))
    applied = imported(store, file(place(1), place(2), place(3, PENGJIANG)))
    assert list(applied.diff.changed) == ["room-2"]
    assert by_district(store) == {XINHUI: ["room-1", "room-2"], PENGJIANG: ["room-3"]}


def test_a_limited_admin_cannot_remove_another_districts_facility(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    with pytest.raises(datasets.OutOfScope):
        datasets.remove_facility(store, "room-2", actor="test", scope=[XINHUI])
    datasets.remove_facility(store, "room-1", actor="test", scope=[XINHUI])
    assert store.versions.current()["districts"] == [XINHUI]


def test_an_edit_of_another_districts_facility_is_refused_for_a_limited_admin(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    values = datasets.record_values(store.facilities.get("room-2")) | {"name": "改"}
    result = datasets.check_record(store, "room-2", values, scope=[XINHUI]).result
    assert where(result) == [(2, "district")]


# -- versions, history, rollback -----------------------------------------------------------

def test_each_version_records_the_districts_it_touched_in_its_row_and_audit(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    imported(store, file(place(3, PENGJIANG)), merge=True)
    assert [v["districts"] for v in store.versions.all()] == [[PENGJIANG], [XINHUI, PENGJIANG]]
    assert store.audit.entries()[0]["detail"]["districts"] == [PENGJIANG]


def test_history_is_filtered_by_district(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    imported(store, file(place(3, PENGJIANG)), merge=True)
    imported(store, file(place(1, name_en="x")), merge=True)
    assert [v["number"] for v in datasets.history(store, XINHUI)] == [3, 1]
    assert [v["number"] for v in datasets.history(store, PENGJIANG)] == [2, 1]
    assert [v["number"] for v in datasets.history(store)] == [3, 2, 1]
    assert datasets.history(store, TAISHAN) == []


def test_a_limited_rollback_restores_only_that_admins_districts(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    imported(store, file(place(1, name_en="later"), place(3)))
    imported(store, file(place(2, PENGJIANG, name_en="later"), place(4, PENGJIANG)))
    applied = datasets.rollback(store, 1, actor="test", scope=[XINHUI])
    assert applied.diff.removed == ["room-3"] and list(applied.diff.changed) == ["room-1"]
    now = store.facilities.by_id()
    assert now["room-1"]["name_en"] == "Nursing room 1"
    assert now["room-2"]["name_en"] == "later" and "room-4" in now  # 蓬江区 as it is now
    assert store.versions.current()["districts"] == [XINHUI]
    assert store.versions.current()["restored_from"] == 1


def test_an_unlimited_rollback_restores_every_district_exactly(store):
    imported(store, file(place(1), place(2, PENGJIANG)))
    imported(store, file(place(3, PENGJIANG)))
    applied = datasets.rollback(store, 1, actor="test")
    assert store.facilities.by_id().keys() == {"room-1", "room-2"}
    assert applied.diff.removed == ["room-3"]
    assert store.versions.current()["districts"] == [PENGJIANG]


# -- the store -----------------------------------------------------------------------------

def test_admins_keep_their_districts(store):
    with store.writing():
        limited = store.admins.add("pj", "hash", [PENGJIANG, XINHUI])
        store.admins.add("all", "hash")
    assert store.admins.by_name("pj")["districts"] == [XINHUI, PENGJIANG]  # sorted
    assert store.admins.by_name("all")["districts"] is None
    with store.writing():
        assert store.admins.set_districts("all", [TAISHAN])
        assert store.admins.set_districts("pj", None)
        assert not store.admins.set_districts("nobody", None)
        store.admins.add_session("t", limited, 0.0, 100.0, "")
    assert store.admins.by_name("all")["districts"] == [TAISHAN]
    assert store.admins.session_admin("t", 1.0)["districts"] is None


def test_the_api_filter_reads_one_district(store):
    imported(store, file(place(1), place(2, PENGJIANG), place(3, PENGJIANG)))
    page = store.facilities.after("", 10, district=PENGJIANG)
    assert [r["id"] for r in page.records] == ["room-2", "room-3"] and page.matched == 2


def test_the_migration_keeps_old_rows_blank_and_they_read_as_the_default(db_path):
    store = Store(db_path)
    store.migrate()
    # A database as the previous release left it: one migration fewer, no district columns.
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 11")
    conn.execute("DROP INDEX facilities_district")
    for table, column in (("facilities", "district"), ("versions", "districts"),
                          ("admins", "districts")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.commit()
    conn.close()
    store.close()
    store = Store(db_path)
    store.migrate()
    # As the previous release stored it: every column but district.
    legacy = {c: "" for c in COLUMNS if c != "district"} | row(1) | {
        "lat": 22.501, "lon": 113.001, "coord_system": "wgs84", "access": "public"}
    commit_whole(store, [legacy])
    assert store.facilities.get("room-1")["district"] == ""
    # Read as the default above the store: an import of the same row changes nothing.
    result = datasets.check_file(store, csv_bytes(row(1)), "f.csv").result
    assert result.ok and not result.diff.changes_anything
    claimed = datasets.claim_blank_districts(store, TAISHAN, actor="test")
    assert list(claimed.diff.changed) == ["room-1"]
    assert store.facilities.get("room-1")["district"] == TAISHAN
    assert store.versions.current()["kind"] == "districts"
    assert datasets.claim_blank_districts(store, TAISHAN, actor="test") is None
    store.close()

"""The store: migrations, R*Tree and full-text kept in step, versions, audit log."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locator.core.nearest import Extent
from locator.core.records import blank_record
from locator.store import DatabaseError, StaleDataset, Store, WriteFailed
from tests.factories import commit_whole, in_transaction, query_plan

pytestmark = pytest.mark.engines


def record(i: int, **fields) -> dict:
    """A stored-form record (floats for lat/lon)."""
    r = blank_record() | {"id": f"f-{i}", "category": "landmark", "name": f"地标{i}",
                          "lat": 22.5 + i / 1000, "lon": 113.0 + i / 1000,
                          "coord_system": "wgs84", "access": "public"}
    return r | fields




def test_migrate_twice_is_harmless(db_path):
    store = Store(db_path)
    store.migrate()
    commit_whole(store, [record(1)])
    store.migrate()
    assert store.facilities.count() == 1
    store.close()


@pytest.mark.sqlite_only
def test_sqlite_is_migrated_into_wal_mode(store):
    assert store.db.journal_mode == "wal"
    assert store.db.execute("PRAGMA user_version").fetchone()[0] >= 3


@pytest.mark.sqlite_only
def test_extents_follow_each_version_and_the_upgrade_fills_them(db_path):
    store = Store(db_path)
    store.migrate()
    commit_whole(store, [record(1, lat=22.5, lon=113.0), record(2, lat=22.6, lon=113.1)])
    assert store.facilities.extent() == Extent(2, 22.5, 113.0, 22.6, 113.1)
    commit_whole(store, [record(2, lat=22.6, lon=113.1)])
    assert store.facilities.extent() == Extent(1, 22.6, 113.1, 22.6, 113.1)
    assert store.facilities.extent("coach_stop") is None
    # A database made before the extents table: the upgrade computes them from the rows.
    with store.writing():
        store.db.execute("DROP TABLE category_extents")
        store.db.execute("PRAGMA user_version = 5")
    store.migrate()
    assert store.facilities.extent() == Extent(1, 22.6, 113.1, 22.6, 113.1)


def in_box(store: Store, *box: float) -> list[dict]:
    """The facilities exactly inside the box (min_lat, min_lon, max_lat, max_lon), by id."""
    return store.facilities.after("", 10_000, box=box).records


@pytest.mark.sqlite_only
def test_rtree_follows_insert_update_delete(store):
    commit_whole(store, [record(1), record(2)])
    assert [r["id"] for r in in_box(store, 22.5005, 113.0005, 22.5015, 113.0015)] == ["f-1"]
    commit_whole(store, [record(1, lat=22.7, lon=113.2), record(2)])
    assert in_box(store, 22.5005, 113.0005, 22.5015, 113.0015) == []
    assert [r["id"] for r in in_box(store, 22.69, 113.19, 22.71, 113.21)] == ["f-1"]
    commit_whole(store, [record(2)])
    assert in_box(store, 22.0, 112.0, 23.0, 114.0)[0]["id"] == "f-2"
    rtree_rows = store.db.execute("SELECT count(*) FROM facility_rtree").fetchone()[0]
    assert rtree_rows == 1


def test_in_box_uses_exact_coordinates_not_float32(store):
    # 32-bit floats cannot tell these apart; the exact test on the main table must.
    commit_whole(store, [record(1, lat=22.5000001, lon=113.0),
                         record(2, lat=22.5000003, lon=113.0)])
    hits = in_box(store, 22.5000002, 112.9, 22.6, 113.1)
    assert [r["id"] for r in hits] == ["f-2"]


@pytest.mark.parametrize("text, expected", [
    ("景", ["f-1"]), ("景堂", ["f-1"]), ("景堂图书馆", ["f-1"]), ("图书", ["f-1"]),
    ("library", ["f-1"]), ("LIBRARY", ["f-1"]), ("仁寿路", ["f-1"]), ("学宫", ["f-2"]),
    ("宫", ["f-2"]), ("100%", []), ("_", []), ('"', []), ("博物馆", ["f-2"]), ("   ", []),
])
def test_search_finds_chinese_and_english_substrings(store, text, expected):
    commit_whole(store, [record(1, name="景堂图书馆", name_en="Jingtang Library",
                                  address="会城仁寿路16号"),
                         record(2, name="新会学宫", name_en="Confucian academy",
                                address="新会区博物馆")])
    assert [r["id"] for r in store.facilities.search(text)] == expected


def test_search_follows_updates(store):
    commit_whole(store, [record(1, name="旧名字")])
    commit_whole(store, [record(1, name="新名字")])
    assert store.facilities.search("旧名字") == [] and store.facilities.search("旧") == []
    assert [r["id"] for r in store.facilities.search("新名字")] == ["f-1"]


def test_versions_read_back_the_records_they_were_given(store):
    first = [record(1), record(2)]
    v1 = commit_whole(store, first, filename="a.csv", sha256="abc")
    v2 = commit_whole(store, [record(2, name="改")])
    assert (v1, v2) == (1, 2)
    assert store.versions.records(1) == first
    meta = store.versions.get(2)
    assert (meta["added"], meta["changed"], meta["removed"], meta["total"]) == (0, 1, 1, 1)
    assert [v["number"] for v in store.versions.all()] == [2, 1]
    assert store.versions.get(1)["filename"] == "a.csv"
    assert store.versions.records(9) is None


def test_stale_expected_version_changes_nothing(store):
    commit_whole(store, [record(1)])
    with pytest.raises(StaleDataset):
        commit_whole(store, [record(5)], expected_version=0)
    assert [r["id"] for r in store.facilities.all()] == ["f-1"]
    assert store.versions.current()["number"] == 1


def test_failed_write_rolls_back_everything(store):
    commit_whole(store, [record(1)])
    bad = record(2, name=None)  # NOT NULL violation half-way through the write
    with pytest.raises(DatabaseError):
        commit_whole(store, [record(3), bad])
    assert [r["id"] for r in store.facilities.all()] == ["f-1"]
    assert store.versions.current()["number"] == 1
    assert store.integrity_ok()


def test_audit_log_pages_newest_first(store):
    for i in range(5):
        store.audit.record("login", f"user{i}", "127.0.0.1", {"n": i})
    page = store.audit.entries(page=1, per_page=2)
    assert [e["actor"] for e in page] == ["user4", "user3"]
    assert store.audit.entries(page=3, per_page=2)[0]["detail"] == {"n": 0}
    assert store.audit.count() == 5


def test_counts_by_category(store):
    commit_whole(store, [record(1), record(2, category="bus_stop")])
    assert store.facilities.counts_by_category() == {"landmark": 1, "bus_stop": 1}


@pytest.mark.sqlite_only
def test_bulk_versions_rebuild_indexes_consistently(store):
    many = [record(i, lat=22.2 + i / 10000, lon=113.0) for i in range(3000)]
    commit_whole(store, many)  # bulk: every row is new
    moved = [record(i, name=f"新地标{i}", lat=22.7, lon=113.2 + i / 100000) if i < 2500
             else many[i] for i in range(3000)]
    commit_whole(store, moved)  # bulk again: 2,500 of 3,000 rows change
    # One row: the triggers' path.
    commit_whole(store, moved[:2999] + [record(2999, name="单独改名")])
    db = store.db
    assert db.execute("SELECT count(*) FROM facility_rtree").fetchone()[0] == 3000
    assert db.execute("SELECT bulk FROM index_sync").fetchone()[0] == 0
    assert len(in_box(store, 22.69, 113.19, 22.71, 113.3)) == 2500
    assert [r["id"] for r in store.facilities.search("新地标2499")] == ["f-2499"]
    assert store.facilities.search("地标10") and not store.facilities.search("新地标2500")
    assert [r["id"] for r in store.facilities.search("单独改名")] == ["f-2999"]
    assert db.execute("INSERT INTO facilities_fts (facilities_fts) VALUES ('integrity-check')")
    assert store.integrity_ok()


def test_search_ignores_control_characters(store):
    commit_whole(store, [record(1, name="景堂图书馆")])
    assert [r["id"] for r in store.facilities.search("景堂\x00图书")] == ["f-1"]
    assert store.facilities.search("\x00\x00\x00") == []
    assert store.facilities.search("a\x00\x01") == []


def test_a_nested_writing_joins_the_outer_transaction(store):
    with pytest.raises(RuntimeError), store.writing():
        with store.writing():
            store.audit.record("inner", "test")
        raise RuntimeError("a later step of the same change fails")
    assert store.audit.count() == 0  # the inner step went back with it
    with store.writing():
        with store.writing():
            store.audit.record("inner", "test")
        assert in_transaction(store)  # the inner block did not commit on its own
    assert store.audit.count() == 1


def test_a_burst_is_one_audit_entry_per_window_found_through_an_index(store):
    def refused(actor: str, at: float) -> None:
        with store.writing():
            store.audit.record_burst("login_throttled", actor, "192.0.2.1", {"throttle": "address"},
                              now=1e9 + at, window_s=900)

    for at in (0, 10, 899):
        refused("alice", at)
    refused("alice", 901)  # the window has passed: a new entry
    refused("bob", 902)  # another key: its own entry
    entries = store.audit.entries()
    assert [(e["actor"], e["detail"]) for e in entries] == [
        ("bob", {"throttle": "address", "count": 1}),
        ("alice", {"throttle": "address", "count": 1}),
        ("alice", {"throttle": "address", "count": 3})]
    assert "audit_log_action" in query_plan(
        store, "SELECT id, at, detail FROM audit_log WHERE action = 'a' AND actor = 'b'"
        " AND address = 'c' ORDER BY id DESC LIMIT 1")


# A dataset for paging: names, addresses, categories and positions overlap independently; "É"
# and "é" only match each other through the full-text index's Unicode case folding.
PAGED_NAMES = ("景堂图书馆", "母婴室", "Jingtang Library", "École", "公交站")
CATEGORIES = ("landmark", "nursing_room", "bus_stop")
PAGED = [record(i, name=f"{PAGED_NAMES[i % 5]}{i}", category=CATEGORIES[i % 3],
                address=f"会城{'仁寿路中心路'[i % 4:i % 4 + 2]}{i}号",
                lat=22.5 + (i % 7) / 100, lon=113.0 + (i % 9) / 100) for i in range(1, 90)]
TEXTS = ["", "图书", "景堂图书馆", "library", "LIBRARY", "母婴室1", "école", "寿路", "路1", "1号",
         "%", "_", "\x00", "不存在"]


def walk_pages(store: Store, limit: int, drive_at_most: int, **filters) -> tuple[list, set]:
    """Every page of facilities.after, following the last id: the ids and the matched counts."""
    ids, matched, after = [], set(), ""
    store.facilities.drive_at_most = drive_at_most
    while True:
        page = store.facilities.after(after, limit, **filters)
        ids += [r["id"] for r in page.records]
        matched.add(page.matched)
        assert len(page.records) == limit or not page.more
        if not page.more:
            return ids, matched
        after = page.records[-1]["id"]


@pytest.fixture(scope="module")
def paged_store(tmp_path_factory):
    """A store holding PAGED (module-wide: hypothesis runs many examples on it)."""
    store = Store(str(tmp_path_factory.mktemp("paged") / "locator.sqlite"))
    store.migrate()
    commit_whole(store, PAGED)
    yield store
    store.close()


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 30), text=st.sampled_from(TEXTS),
       category=st.none() | st.sampled_from(CATEGORIES),
       box=st.none() | st.tuples(*[st.integers(0, 10).map(lambda n: n / 100)] * 4))
def test_pages_hold_exactly_the_search_matches_whichever_index_drives(
        paged_store, limit, text, category, box):
    if box is not None:
        lats, lons = sorted(box[:2]), sorted(box[2:])
        box = (22.5 + lats[0], 113.0 + lons[0], 22.5 + lats[1], 113.0 + lons[1])
    # The text filter finds what search finds (same index, same rules), without its cap.
    found = {r["id"] for r in paged_store.facilities.search(text, limit=1000)} if text else None
    expected = sorted(r["id"] for r in PAGED
                      if (found is None or r["id"] in found)
                      and (category is None or r["category"] == category)
                      and (box is None or (box[0] <= r["lat"] <= box[2]
                                           and box[1] <= r["lon"] <= box[3])))
    for drive_at_most in (0, 10**9):  # every filter tested row by row; the smallest index drives
        ids, matched = walk_pages(paged_store, limit, drive_at_most, text=text,
                                  category=category, box=box)
        assert ids == expected and matched == {len(expected)}, drive_at_most


def test_a_page_is_read_in_one_snapshot(store):
    commit_whole(store, [record(i) for i in range(1, 6)])
    with store.reading():
        first = store.facilities.after("", 2)
        other = Store(store.path)
        commit_whole(other, [record(9)])  # a new version lands between two pages
        other.close()
        second = store.facilities.after(first.records[-1]["id"], 2)
    assert [r["id"] for r in first.records + second.records] == ["f-1", "f-2", "f-3", "f-4"]
    assert first.matched == second.matched == 5
    assert [r["id"] for r in store.facilities.after("", 2).records] == ["f-9"]


@pytest.mark.sqlite_only
def test_a_new_database_and_its_wal_and_shm_are_for_the_owner_only(db_path):
    import os
    import stat

    old_umask = os.umask(0o022)  # the usual umask: SQLite alone would make the file 0644
    store = Store(db_path)
    store.migrate()  # WAL mode; the open connection keeps the -wal and -shm files
    try:
        for path in (db_path, db_path + "-wal", db_path + "-shm"):
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    finally:
        store.close()
        os.umask(old_umask)


def test_a_write_waiting_too_long_for_another_writer_fails_cleanly(db_path):
    Store(db_path).migrate()
    other = Store(db_path)
    other_writing = other.writing()
    other_writing.__enter__()  # a long import holding the write lock
    store = Store(db_path, timeout=0.1)
    try:
        with pytest.raises(WriteFailed, match="another change is being saved"), store.writing():
            store.audit.record("edit", "alice")
    finally:
        other_writing.__exit__(None, None, None)
        other.close()
        store.close()
    store = Store(db_path)
    try:
        assert store.audit.count() == 0
    finally:
        store.close()


def test_postgres_text_search_and_boxes_and_knn_can_use_their_indexes(postgres_cluster):
    store = Store(postgres_cluster.new_schema())
    try:
        store.migrate()
        commit_whole(store, [record(i) for i in range(50)])
        store.conn.execute("SET enable_seqscan = off")  # a table this small is read whole
        plans = {
            "facilities_text": "SELECT fid FROM facilities f WHERE (f.name || E'\\x1f' ||"
                               " f.name_en || E'\\x1f' || f.address || E'\\x1f' ||"
                               " f.address_en) ILIKE '%地标1%'",
            "facilities_geom": "SELECT fid FROM facilities f WHERE f.geom &&"
                               " ST_MakeEnvelope(113.0, 22.5, 113.01, 22.51, 4326)",
            "facilities_geog": "SELECT fid FROM facilities ORDER BY geog <->"
                               " ST_SetSRID(ST_MakePoint(113.0, 22.5), 4326)::geography LIMIT 5",
        }
        for index, sql in plans.items():
            assert index in query_plan(store, sql), index
    finally:
        store.close()


def test_postgres_a_large_version_brings_the_planners_statistics_with_it(postgres_cluster):
    store = Store(postgres_cluster.new_schema())
    try:
        store.migrate()
        commit_whole(store, [record(i, lat=22.2 + i / 10000) for i in range(2500)])
        # Never analysed is -1: the planner would guess and sort a whole category.
        tuples = store.conn.execute("SELECT reltuples FROM pg_class WHERE oid ="
                                    " 'facilities'::regclass").fetchone()[0]
        assert tuples == 2500
    finally:
        store.close()

"""Versions store what changed (keyframes and deltas) and still read back exactly as committed."""

import json
import os
import sqlite3
import tempfile
import zlib

import pytest
import sqlite_utils
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from locator import datasets
from locator.core.records import COLUMNS
from locator.ingest import exporter
from locator.store import Store, schema, version_deltas
from tests.factories import commit_whole, csv_bytes, load_synthetic, query, row

pytestmark = pytest.mark.engines

# -- the delta itself -------------------------------------------------------------------------

_IDS = [f"room-{i}" for i in range(1, 7)]
_VALUES = st.one_of(st.sampled_from(["", "母婴室", "=1+1", "'quoted", "B1"]),
                    st.integers(-2, 2), st.sampled_from([0.0, -0.0, 1.0, 22.5]))


@st.composite
def record_lists(draw) -> list[dict]:
    """Records with distinct ids, in any order, whose values may differ only in JSON type or
    in the order of their keys."""
    ids = draw(st.permutations(_IDS).map(lambda p: p[:draw(st.integers(0, len(_IDS)))]))
    keys = draw(st.permutations(["name", "lat"]))
    return [{"id": i} | {k: draw(_VALUES) for k in keys} for i in ids]


def _json(records) -> str:
    """What the old full snapshot stored: equal JSON means an exact copy."""
    return json.dumps(records, ensure_ascii=False)


def _retyped(value):
    """A value equal to `value` that JSON writes differently (1 and 1.0, 0.0 and -0.0)."""
    if isinstance(value, float):
        return int(value) if value else -value
    return float(value) if isinstance(value, int) else value


@st.composite
def edited(draw, before: list[dict]) -> list[dict]:
    """`before` with records kept, dropped, changed, retyped or with keys reordered, new ones
    added, in the same order or shuffled."""
    after = []
    for r in before:
        how = draw(st.sampled_from(["keep", "drop", "change", "retype", "reorder"]))
        if how == "change":
            r = r | {"name": draw(_VALUES)}
        elif how == "retype":
            r = {k: _retyped(v) for k, v in r.items()}
        elif how == "reorder":
            r = dict(reversed(list(r.items())))
        if how != "drop":
            after.append(r)
    taken = {r["id"] for r in before}
    after += [r for r in draw(record_lists()) if r["id"] not in taken]
    return draw(st.permutations(after)) if draw(st.booleans()) else after


@given(st.one_of(st.tuples(record_lists(), record_lists()),
                 record_lists().flatmap(lambda b: st.tuples(st.just(b), edited(b)))))
def test_a_delta_replays_to_exactly_the_new_records(pair):
    before, after = pair
    change = version_deltas.diff(before, after)
    assert _json(version_deltas.replay(before, [change])) == _json(after)


def test_a_delta_holds_only_what_changed_and_an_order_only_when_needed():
    before = [{"id": "b", "v": 1}, {"id": "a", "v": 2}]
    assert version_deltas.diff(before, [{"id": "b", "v": 1}, {"id": "a", "v": 3}]) == {
        "remove": [], "upsert": [{"id": "a", "v": 3}]}
    assert version_deltas.diff(before, [{"id": "a", "v": 2}, {"id": "b", "v": 1}])["order"] == "id"
    # 1.0 == 1, but JSON (and so the old snapshot) writes them differently.
    assert version_deltas.diff(before, [{"id": "b", "v": 1.0}, {"id": "a", "v": 2}])["upsert"] \
        == [{"id": "b", "v": 1.0}]


def test_repeated_ids_are_stored_as_a_keyframe():
    chain = version_deltas.Chain(1, 10**6, 0)
    twice = [{"id": "a"}, {"id": "a"}]
    assert version_deltas.encode([{"id": "a"}], twice, chain).snapshot is not None
    assert version_deltas.encode(twice, [{"id": "a"}], chain).snapshot is not None


# -- random histories through the real import and rollback code -------------------------------

_NAMES = ["母婴室", "Nursing room", "=cmd|' /C calc'!A0", "'引号", "地标 🍼"]


@st.composite
def facility_rows(draw, ids) -> list[dict]:
    """Valid CSV rows for these ids, with drawn names, floors and verification dates."""
    return [row(int(i.split("-")[1]), name=draw(st.sampled_from(_NAMES)) + i,
                floor=draw(st.sampled_from(["", "1F", "B1"])),
                verified_on=draw(st.sampled_from(["", "2026-11-30"]))) for i in ids]


@st.composite
def operations(draw) -> tuple:
    """One step of an admin's history: a replace import, a merge, a one-row edit, a removal
    or a rollback (to a version drawn as a fraction of those that exist)."""
    kind = draw(st.sampled_from(["replace", "merge", "edit", "remove", "rollback"]))
    if kind == "replace":
        ids = draw(st.permutations(_IDS).map(lambda p: p[:draw(st.integers(1, len(_IDS)))]))
        return kind, draw(facility_rows(ids))
    if kind in ("merge", "edit"):
        ids = draw(st.lists(st.sampled_from(_IDS), min_size=1, max_size=1 if kind == "edit" else 3,
                            unique=True))
        return kind, draw(facility_rows(ids))
    return kind, draw(st.floats(0, 1, exclude_max=True))


class History:
    """A store driven through datasets.*, and what each version held when it was made."""

    def __init__(self, store: Store):
        """Start from an empty store."""
        self.store, self.committed, self.exports = store, {}, {}

    def run(self, kind: str, arg) -> None:
        """Apply one drawn operation; note the new version's records and current export."""
        try:
            number, records = self._apply(kind, arg)
        except datasets.NothingToChange:
            return
        self.committed[number] = records
        self.exports[number] = exporter.write_csv(self.store.facilities.all())

    def _apply(self, kind: str, arg) -> tuple[int, list[dict]]:
        """The version written, and the records it was given."""
        store = self.store
        if kind == "rollback":
            if not self.committed:
                raise datasets.NothingToChange
            target = sorted(self.committed)[int(arg * len(self.committed))]
            return datasets.rollback(store, target, actor="test").version, self.committed[target]
        rows = arg
        if kind == "remove":
            rows = [r | {"lat": repr(r["lat"]), "lon": repr(r["lon"])}
                    for r in store.facilities.all()[1:]]
        merge = kind in ("merge", "edit")
        before = store.facilities.by_id()
        checked = datasets.check_file(store, csv_bytes(*rows), "h.csv", merge=merge,
                                      allow_empty=True)
        result = checked.result
        assert result.ok, [str(e) for e in result.errors]
        version_kind = "edit" if kind == "edit" else "import"
        applied = datasets.apply_import(store, checked, "h.csv", actor="test", kind=version_kind)
        return applied.version, datasets.merged(before, result.records) if merge else result.records


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations(), min_size=1, max_size=15), st.sampled_from([2, 3, 50]))
def test_every_version_reads_back_and_rolls_back_exactly(steps, keyframe_every):
    with tempfile.TemporaryDirectory() as folder:
        store = Store(os.path.join(folder, "h.sqlite"))
        store.migrate()
        store.versions.keyframe_every = keyframe_every
        try:
            history = History(store)
            for kind, arg in steps:
                history.run(kind, arg)
            forms = sorted(set(_forms(store.path).values()))
            made = len(history.committed)
            event(f"{made if made < 5 else '5 or more'} versions stored as {'+'.join(forms)}")
            for number, records in history.committed.items():
                stored = store.versions.records(number)
                assert _json(stored) == _json(records), number
                # "Download version N" gives the same bytes as when it was made.
                assert exporter.write_csv(stored) == exporter.write_csv(records)
            for number, export in history.exports.items():
                try:
                    datasets.rollback(store, number, actor="test")
                except datasets.NothingToChange:
                    pass
                assert exporter.write_csv(store.facilities.all()) == export, number
        finally:
            store.close()


def test_cli_rollback_to_every_version_exports_the_same_bytes(runner, tmp_path, db_path):
    exports = {}
    for number, ids in enumerate([(1, 2, 3), (2, 3, 4), (4, 3, 2, 1), (1,), (5, 1), (5,)], 1):
        path = tmp_path / f"v{number}.csv"
        path.write_bytes(csv_bytes(*(row(i, floor=f"{number}F") for i in ids)))
        assert runner.invoke(args=["facilities", "import", str(path), "--yes"]).exit_code == 0
        exports[number] = runner.invoke(args=["facilities", "export", "-"]).stdout_bytes
    forms = _forms(db_path)
    assert "delta" in forms.values() and list(forms.values()).count("snapshot") >= 2, forms
    for number, export in exports.items():
        runner.invoke(args=["facilities", "rollback", str(number)])
        assert runner.invoke(args=["facilities", "export", "-"]).stdout_bytes == export, number


def _forms(db_path: str) -> dict[int, str]:
    """Each version's stored form: "snapshot" (a keyframe) or "delta"."""
    rows = query(db_path, "SELECT number, snapshot IS NOT NULL FROM versions ORDER BY number")
    return {n: "snapshot" if keyframe else "delta" for n, keyframe in rows}


# -- the size figure ----------------------------------------------------------------------------

def file_bytes(store: Store) -> int:
    """The database file's size, after moving the WAL's pages into it."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return os.path.getsize(store.path)


TODAY = "2026-11-30"


def one_row_edits(store: Store, count: int) -> None:
    """`count` console-style edits: mark one facility verified today, each a new version."""
    for record in [r for r in store.facilities.all() if r["verified_on"] != TODAY][:count]:
        data = exporter.write_csv([record | {"verified_on": TODAY}])
        checked = datasets.check_file(store, data, "edit.csv", merge=True)
        datasets.apply_import(store, checked, record["id"], actor="test", kind="edit")


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_twenty_one_row_edits_of_20000_rows_grow_the_database_by_at_most_1_mb(db_path):
    # The file itself, free pages included: the full-text index is merged into one segment
    # after a bulk rebuild, or the first edits would set off a merge that rewrites it (~3 MB).
    load_synthetic(db_path, 20_000)
    store = Store(db_path)
    try:
        before = file_bytes(store)
        one_row_edits(store, 20)
        grown = file_bytes(store) - before
        assert store.versions.current()["number"] == 21
        assert set(_forms(db_path).values()) == {"snapshot", "delta"}
        assert grown <= 1_000_000, grown
        assert [r["verified_on"] for r in store.versions.records(21)[:20]] == ["2026-11-30"] * 20
    finally:
        store.close()


# -- the migration ------------------------------------------------------------------------------

def _old_database(path: str, versions: list[list[dict]]) -> None:
    """A database at the schema before deltas, each version a full snapshot as that code
    packed it (zlib level 1 of the JSON list), the facilities table at the last version."""
    db = sqlite_utils.Database(path)
    done = schema.MIGRATIONS.index(schema._version_deltas)
    with db.conn:
        for step in schema.MIGRATIONS[:done]:
            step(db)
        db.execute(f"PRAGMA user_version = {done}")
        for number, records in enumerate(versions, 1):
            snapshot = zlib.compress(json.dumps(records, ensure_ascii=False).encode(), 1)
            db.execute("INSERT INTO versions (number, created_at, actor, kind, total, snapshot)"
                       " VALUES (?, '2026-01-01T00:00:00+00:00', 'old', 'import', ?, ?)",
                       [number, len(records), snapshot])
        db["facilities"].insert_all(versions[-1])
    db.close()


def _version_bytes(db_path: str, columns: str = "snapshot, delta") -> int:
    """How many bytes the versions' snapshots and deltas (or only the given columns) take."""
    total = " + ".join(f"coalesce(length({c}), 0)" for c in columns.split(", "))
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT sum({total}) FROM versions").fetchone()[0]




def _stored_record(i: int, **fields) -> dict:
    """A record as the store keeps it (floats for lat and lon)."""
    r = row(i, **fields)
    return {c: "" for c in COLUMNS} | r | {"lat": float(r["lat"]), "lon": float(r["lon"])}


@pytest.mark.sqlite_only
def test_migration_turns_full_snapshots_into_deltas_that_read_back_identically(db_path):
    versions = [[_stored_record(i) for i in range(1, 200)]]
    for n in range(1, 30):  # one-row edits, a removal now and then, a reordering once
        records = [r | {"floor": f"{n}F"} if r["id"] == f"room-{n}" else r for r in versions[-1]]
        versions.append(records[:-1] if n % 7 == 0 else records)
    versions.append(list(reversed(versions[-1])))
    _old_database(db_path, versions)
    size_before = _version_bytes(db_path, "snapshot")
    store = Store(db_path)
    try:
        store.migrate()
        for number, records in enumerate(versions, 1):
            assert _json(store.versions.records(number)) == _json(records), number
        forms = _forms(db_path)
        assert forms[1] == "snapshot" and list(forms.values()).count("delta") >= 25, forms
        # Again (a second process, or an upgrade re-run): nothing changes.
        stored = store.db.execute("SELECT snapshot, delta FROM versions").fetchall()
        with store.writing():
            store.db.execute(f"PRAGMA user_version = {len(schema.MIGRATIONS) - 1}")
        store.migrate()
        assert store.db.execute("SELECT snapshot, delta FROM versions").fetchall() == stored
        # The next version is written as a delta on top of the converted ones.
        number = commit_whole(store, versions[0])
        assert _forms(db_path)[number] == "delta"
        assert _json(store.versions.records(number)) == _json(versions[0])
        assert _version_bytes(db_path) < size_before / 5
    finally:
        store.close()


@pytest.mark.parametrize("keyframe_every", [1, 4])
def test_reading_any_version_replays_at_most_keyframe_every_minus_one_deltas(store,
                                                                           keyframe_every):
    store.versions.keyframe_every = keyframe_every
    records = [_stored_record(i) for i in range(1, 100)]
    for n in range(10):
        records = [r | {"floor": f"{n}F"} if r["id"] == "room-1" else r for r in records]
        commit_whole(store, records)
    keyframes = [n for n, form in _forms(store.path).items() if form == "snapshot"]
    assert keyframes == list(range(1, 11, keyframe_every))

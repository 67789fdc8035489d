"""Dataset versions in SQLite: keyframes and deltas (version_deltas), committed atomically."""

import json
from collections.abc import Mapping, Sequence

import locator.store.sqlite.connection as connection
import locator.store.version_deltas as version_deltas
from locator.store.contracts import Change, StaleDataset

_VCOLS = ("number, created_at, actor, kind, filename, sha256, mode, added, changed, removed,"
          " unchanged, total, restored_from, districts")


class SqliteVersions:
    """The versions table (contracts.VersionRepository); commit() writes the facilities too."""

    def __init__(self, store):
        """Work over the store's connection, its transactions and its other repositories."""
        self._store, self._db = store, store.db
        # A keyframe at least every this many versions (tests lower it to reach keyframes).
        self.keyframe_every = version_deltas.KEYFRAME_EVERY

    def current(self) -> dict | None:
        """The newest dataset version's metadata, or None before the first import."""
        rows = self._db.query(f"SELECT {_VCOLS} FROM versions ORDER BY number DESC LIMIT 1")
        return next(_metadata(rows), None)

    def current_number(self) -> int:
        """The newest version's number, 0 before the first import."""
        row = self._db.execute("SELECT max(number) FROM versions").fetchone()
        return row[0] or 0

    def all(self) -> list[dict]:
        """Every version's metadata, newest first."""
        return list(_metadata(self._db.query(f"SELECT {_VCOLS} FROM versions"
                                             " ORDER BY number DESC")))

    def get(self, number: int) -> dict | None:
        """One version's metadata, or None."""
        if not connection.is_integer(number):
            return None
        rows = self._db.query(f"SELECT {_VCOLS} FROM versions WHERE number = ?", [number])
        return next(_metadata(rows), None)

    def last_of(self, kind: str) -> dict | None:
        """The newest version of one kind ("import", "rollback", "edit"…), or None."""
        rows = self._db.query(f"SELECT {_VCOLS} FROM versions WHERE kind = ?"
                              " ORDER BY number DESC LIMIT 1", [kind])
        return next(_metadata(rows), None)

    def records(self, number: int) -> list[dict] | None:
        """The records that version `number` made the dataset, exactly as committed, or None."""
        rows = self._chain(number)
        if not rows:
            return None
        deltas = (version_deltas.unpack(delta) for _, _, delta in rows[1:])
        return version_deltas.replay(version_deltas.unpack(rows[0][1]), deltas)

    def commit(self, records: Sequence[dict], change: Change, *, actor: str, kind: str,
               filename: str = "", sha256: str = "", mode: str = "replace",
               restored_from: int | None = None, expected_version: int | None = None,
               address: str = "", notes: Mapping[str, object] | None = None,
               districts: Sequence[str] = ()) -> int:
        """Make `records` the dataset as one new version, atomically; return its number
        (`notes`: more for its audit entry's detail; `districts`: those it touched)."""
        with self._store.writing():
            number = self.current_number()
            if expected_version is not None and expected_version != number:
                raise StaleDataset(f"dataset is at version {number}, not {expected_version}")
            stored = self._stored_form(number, records)
            self._store.facilities.write(records, change)
            number += 1
            self._db.execute(
                "INSERT INTO versions (number, created_at, actor, kind, filename, sha256, mode,"
                " added, changed, removed, unchanged, total, restored_from, snapshot, delta,"
                " districts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [number, connection.now_iso(), actor, kind, filename, sha256, mode,
                 len(change.added), len(change.changed), len(change.removed), change.unchanged,
                 len(records), restored_from, stored.snapshot, stored.delta,
                 json.dumps(list(districts), ensure_ascii=False)])
            detail = {"version": number, "file": filename, "added": len(change.added),
                      "changed": len(change.changed), "removed": len(change.removed)}
            if restored_from is not None:  # the audit log says which version came back
                detail["restored_from"] = restored_from
            if districts:  # which districts' facilities this version changed
                detail["districts"] = list(districts)
            detail.update(notes or {})
            self._store.audit.record(kind, actor, address, detail)
        return number

    def _chain(self, number: int) -> list[tuple[int, bytes | None, bytes | None]]:
        """(number, snapshot, delta) from the newest keyframe up to version `number`; [] if
        there is no such version."""
        if not connection.is_integer(number):
            return []
        with self._store.reading():
            rows = self._db.execute(
                "SELECT number, snapshot, delta FROM versions WHERE number <= :n AND number >="
                " (SELECT number FROM versions WHERE number <= :n AND snapshot IS NOT NULL"
                "  ORDER BY number DESC LIMIT 1) ORDER BY number", {"n": number}).fetchall()
        return rows if rows and rows[-1][0] == number else []

    def _stored_form(self, previous: int, records: Sequence[dict]) -> version_deltas.Stored:
        """How to store `records` as the version after `previous`: a delta or a keyframe."""
        rows = self._chain(previous)
        if not rows:
            return version_deltas.encode(None, records, None)
        deltas = [version_deltas.unpack(delta) for _, _, delta in rows[1:]]
        chain = None
        for _, snapshot, delta in rows:
            chain = version_deltas.grown(chain, version_deltas.Stored(snapshot, delta))
        before = version_deltas.replay(version_deltas.unpack(rows[0][1]), deltas)
        return version_deltas.encode(before, records, chain, every=self.keyframe_every)


def _metadata(rows):
    """Version rows with their districts as a list ([] for a version made before districts)."""
    for row in rows:
        yield row | {"districts": json.loads(row["districts"]) if row["districts"] else []}

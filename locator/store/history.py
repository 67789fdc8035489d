"""What both engines' history repositories share. Versions: one read back from its keyframe and
deltas, the next stored as a delta or a keyframe, committed with the facilities and its audit
entry in one transaction (each engine supplies `current_number`, `_chain`, `_insert_version`).
The audit log: entries as JSON, a burst counted into one entry (each engine supplies `_newest`,
`_set_detail`, `_insert`, `_page`). The SQL stays in the engines."""

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence

import locator.store.values as values
import locator.store.version_deltas as version_deltas
from locator.store.contracts import Change, StaleDataset

# A version's metadata as both engines read it (its districts decoded by `metadata`).
VERSION_COLUMNS = ("number, created_at, actor, kind, filename, sha256, mode, added, changed,"
                   " removed, unchanged, total, restored_from, districts")
# A versions row as _insert_version writes it.
VERSION_ROW = ("number, created_at, actor, kind, filename, sha256, mode, added, changed, removed,"
               " unchanged, total, restored_from, snapshot, delta, districts")


def metadata(rows: Iterable[dict]) -> Iterator[dict]:
    """Version rows with their districts as a list ([] for a version made before districts)."""
    for row in rows:
        yield row | {"districts": json.loads(row["districts"]) if row["districts"] else []}


class VersionHistory:
    """The engine-neutral half of a versions repository (contracts.VersionRepository)."""

    def __init__(self, store):
        """Work over the store's transactions and its other repositories."""
        self._store = store
        # A keyframe at least every this many versions (tests lower it to reach keyframes).
        self.keyframe_every = version_deltas.KEYFRAME_EVERY

    def records(self, number: int) -> list[dict] | None:
        """The records that version `number` made the dataset, exactly as committed, or None."""
        rows = self._chain(number) if values.is_integer(number) else []
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
            # writing() holds the write lock: no other version can be made until this commits,
            # so the number read here is still the newest when the row is inserted.
            number = self.current_number()
            if expected_version is not None and expected_version != number:
                raise StaleDataset(f"dataset is at version {number}, not {expected_version}")
            stored = self._stored_form(number, records)
            self._store.facilities.write(records, change)
            number += 1
            self._insert_version(
                [number, values.now_iso(), actor, kind, filename, sha256, mode,
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

    def adopt(self, records: Sequence[dict]) -> None:
        """Make `records` (the newest version's, copied in) the facilities of an empty table."""
        ids = [r["id"] for r in records]
        self._store.facilities.write(records, Change(added=ids, changed=[], removed=[],
                                                     unchanged=0))

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

    # -- each engine's SQL -------------------------------------------------------------------

    def current_number(self) -> int:
        """The newest version's number, 0 before the first import."""
        raise NotImplementedError

    def _chain(self, number: int) -> list[tuple[int, bytes | None, bytes | None]]:
        """(number, snapshot, delta) from the newest keyframe up to version `number`; [] if
        there is no such version."""
        raise NotImplementedError

    def _insert_version(self, row: list) -> None:
        """Insert one versions row: number, created_at, actor, kind, filename, sha256, mode,
        added, changed, removed, unchanged, total, restored_from, snapshot, delta, districts
        (a JSON list)."""
        raise NotImplementedError


class AuditHistory:
    """The engine-neutral half of an audit log (contracts.AuditLog)."""

    def record(self, action: str, actor: str, address: str = "",
               detail: dict | None = None) -> None:
        """Record who did what, when and from where."""
        self._insert(values.now_iso(), actor, address, action, _json(detail or {}))

    def record_burst(self, action: str, actor: str, address: str, detail: dict, *, now: float,
                     window_s: float) -> None:
        """Count one more `action` into this actor's and address's entry begun in the last
        `window_s` seconds, or begin one: a burst of refusals is one entry with a count."""
        newest = self._newest(action, actor, address)
        if newest is not None and newest[1] >= values.iso(now - window_s):
            counted = json.loads(newest[2])
            counted["count"] = counted.get("count", 1) + 1
            self._set_detail(newest[0], _json(counted))
            return
        self._insert(values.iso(now), actor, address, action, _json(detail | {"count": 1}))

    def entries(self, *, page: int = 1, per_page: int = 50) -> list[dict]:
        """One page of entries (id, at, actor, address, action, detail as a dict), newest
        first."""
        rows = self._page(per_page, max(page - 1, 0) * per_page)
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    # -- each engine's SQL -------------------------------------------------------------------

    def _newest(self, action: str, actor: str, address: str) -> tuple | None:
        """(id, at, detail text) of the newest entry of `action` by this actor and address."""
        raise NotImplementedError

    def _set_detail(self, entry_id: int, detail: str) -> None:
        """Replace one entry's detail (JSON text)."""
        raise NotImplementedError

    def _insert(self, at: str, actor: str, address: str, action: str, detail: str) -> None:
        """Add one entry (detail as JSON text)."""
        raise NotImplementedError

    def _page(self, limit: int, offset: int) -> list[dict]:
        """Entries as rows (detail as JSON text), newest first."""
        raise NotImplementedError


def _json(detail: dict) -> str:
    """An entry's detail as stored: JSON, Chinese as it is."""
    return json.dumps(detail, ensure_ascii=False)

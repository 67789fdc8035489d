"""The facility store: the only module with SQL. Schema, migrations, R*Tree, full-text, versions."""

import contextlib
import json
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from . import schema
from .records import COLUMNS

_COLS = ", ".join(COLUMNS)
_FCOLS = ", ".join(f"f.{c}" for c in COLUMNS)


class StaleDataset(Exception):
    """The dataset changed since the caller looked: it must preview again."""


@dataclass(frozen=True)
class Change:
    """What a new version does to the facilities table, by id."""

    added: Sequence[str]
    changed: Sequence[str]
    removed: Sequence[str]
    unchanged: int


class Store:
    """One connection to the facility database. Not shared across threads."""

    def __init__(self, path: str, *, timeout: float = 10.0):
        """Open `path` (created if missing) with a busy timeout."""
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        # NORMAL is durable against a crashed process in WAL mode; power loss may cost the
        # last commit, never the database's integrity.
        conn.execute("PRAGMA synchronous = NORMAL")
        self.db = sqlite_utils.Database(conn)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def migrate(self) -> None:
        """Create or upgrade the schema; safe to run again, also from several processes."""
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        with self.writing():
            schema.migrate(self.db)

    # -- transactions -----------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator["Store"]:
        """One write transaction, locked at once so that two writers never deadlock."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def reading(self) -> Iterator["Store"]:
        """One read snapshot: every query inside sees the same dataset version."""
        conn = self.db.conn
        if conn.in_transaction:
            yield self
            return
        conn.execute("BEGIN")
        try:
            yield self
        finally:
            conn.execute("COMMIT")

    # -- facilities -------------------------------------------------------------------------

    def count(self) -> int:
        """How many facilities there are."""
        return self.db.execute("SELECT count(*) FROM facilities").fetchone()[0]

    def counts_by_category(self) -> dict[str, int]:
        """Facility counts keyed by category."""
        rows = self.db.execute("SELECT category, count(*) FROM facilities GROUP BY category")
        return dict(rows.fetchall())

    def facilities(self, category: str | None = None) -> list[dict]:
        """Every facility (optionally of one category), ordered by id."""
        if category is None:
            return list(self.db.query(f"SELECT {_COLS} FROM facilities ORDER BY id"))
        sql = f"SELECT {_COLS} FROM facilities WHERE category = ? ORDER BY id"
        return list(self.db.query(sql, [category]))

    def facilities_by_id(self) -> dict[str, dict]:
        """Every facility keyed by id: what a new import is compared with."""
        return {r["id"]: r for r in self.facilities()}

    def facility(self, facility_id: str) -> dict | None:
        """One facility by id, or None."""
        rows = self.db.query(f"SELECT {_COLS} FROM facilities WHERE id = ?", [facility_id])
        return next(iter(rows), None)

    def in_box(self, min_lat: float, min_lon: float, max_lat: float, max_lon: float,
               category: str | None = None) -> list[dict]:
        """Facilities whose exact position lies in the box, found through the R*Tree."""
        # The R*Tree holds 32-bit floats rounded outwards, so overlap predicates find every
        # candidate; the exact test runs on the main table's 64-bit coordinates.
        sql = (f"SELECT {_FCOLS} FROM facility_rtree r JOIN facilities f ON f.fid = r.fid"
               " WHERE r.max_lat >= :min_lat AND r.min_lat <= :max_lat"
               " AND r.max_lon >= :min_lon AND r.min_lon <= :max_lon"
               " AND f.lat BETWEEN :min_lat AND :max_lat AND f.lon BETWEEN :min_lon AND :max_lon")
        params = {"min_lat": min_lat, "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon}
        if category is not None:
            sql += " AND f.category = :category"
            params["category"] = category
        return list(self.db.query(sql, params))

    def search(self, text: str, limit: int = 10) -> list[dict]:
        """Facilities whose name or address contains `text` (Chinese or English substring)."""
        text = text.strip()
        if not text:
            return []
        if len(text) >= 3:
            # trigram FTS finds any substring of 3+ characters; quoting makes it one phrase.
            phrase = '"' + text.replace('"', '""') + '"'
            sql = (f"SELECT {_FCOLS} FROM facilities_fts JOIN facilities f"
                   " ON f.fid = facilities_fts.rowid WHERE facilities_fts MATCH ?")
            params: list = [phrase]
        else:
            # Trigrams cannot match 1-2 characters: scan, which is fine at district scale.
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where = " OR ".join(f"f.{c} LIKE ? ESCAPE '\\'" for c in schema.TEXT_SEARCH_COLUMNS)
            sql = f"SELECT {_FCOLS} FROM facilities f WHERE {where}"
            params = [pattern] * len(schema.TEXT_SEARCH_COLUMNS)
        sql += " ORDER BY instr(f.name, ?) = 0, length(f.name), f.id LIMIT ?"
        return list(self.db.query(sql, [*params, text, limit]))

    # -- versions ---------------------------------------------------------------------------

    def current_version(self) -> dict | None:
        """The newest dataset version's metadata, or None before the first import."""
        rows = self.db.query(f"SELECT {_VCOLS} FROM versions ORDER BY number DESC LIMIT 1")
        return next(iter(rows), None)

    def versions(self) -> list[dict]:
        """Every version's metadata, newest first."""
        return list(self.db.query(f"SELECT {_VCOLS} FROM versions ORDER BY number DESC"))

    def version(self, number: int) -> dict | None:
        """One version's metadata, or None."""
        rows = self.db.query(f"SELECT {_VCOLS} FROM versions WHERE number = ?", [number])
        return next(iter(rows), None)

    def version_records(self, number: int) -> list[dict] | None:
        """The full snapshot of records that version `number` made the dataset, or None."""
        row = self.db.execute("SELECT snapshot FROM versions WHERE number = ?",
                              [number]).fetchone()
        return None if row is None else json.loads(zlib.decompress(row[0]))

    def commit_version(self, records: Sequence[dict], change: Change, *, actor: str, kind: str,
                       filename: str = "", sha256: str = "", mode: str = "replace",
                       restored_from: int | None = None, expected_version: int | None = None,
                       address: str = "") -> int:
        """Make `records` the dataset as one new version, atomically; return its number."""
        with self.writing():
            current = self.current_version()
            number = current["number"] if current else 0
            if expected_version is not None and expected_version != number:
                raise StaleDataset(f"dataset is at version {number}, not {expected_version}")
            self._apply(records, change)
            number += 1
            self.db.execute(
                "INSERT INTO versions (number, created_at, actor, kind, filename, sha256, mode,"
                " added, changed, removed, unchanged, total, restored_from, snapshot)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [number, _now(), actor, kind, filename, sha256, mode, len(change.added),
                 len(change.changed), len(change.removed), change.unchanged, len(records),
                 restored_from, _pack(records)])
            detail = {"version": number, "file": filename, "added": len(change.added),
                      "changed": len(change.changed), "removed": len(change.removed)}
            self.audit(kind, actor, address, detail)
        return number

    def _apply(self, records: Sequence[dict], change: Change) -> None:
        """Write the added, changed and removed facilities of one version."""
        conn = self.db.conn
        conn.executemany("DELETE FROM facilities WHERE id = ?", [(i,) for i in change.removed])
        wanted = set(change.added) | set(change.changed)
        rows = [tuple(r[c] for c in COLUMNS) for r in records if r["id"] in wanted]
        marks = ", ".join("?" for _ in COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id")
        conn.executemany(f"INSERT INTO facilities ({_COLS}) VALUES ({marks})"
                         f" ON CONFLICT(id) DO UPDATE SET {updates}", rows)

    # -- audit log --------------------------------------------------------------------------

    def audit(self, action: str, actor: str, address: str = "", detail: dict | None = None) -> None:
        """Record who did what, when and from where."""
        self.db.execute(
            "INSERT INTO audit_log (at, actor, address, action, detail) VALUES (?, ?, ?, ?, ?)",
            [_now(), actor, address, action, json.dumps(detail or {}, ensure_ascii=False)])

    def audit_entries(self, *, page: int = 1, per_page: int = 50) -> list[dict]:
        """One page of the audit log, newest first."""
        offset = max(page - 1, 0) * per_page
        rows = self.db.query("SELECT id, at, actor, address, action, detail FROM audit_log"
                             " ORDER BY id DESC LIMIT ? OFFSET ?", [per_page, offset])
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def audit_count(self) -> int:
        """How many audit entries there are."""
        return self.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    def integrity_ok(self) -> bool:
        """Whether SQLite's integrity check passes."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_VCOLS = ("number, created_at, actor, kind, filename, sha256, mode, added, changed, removed,"
          " unchanged, total, restored_from")


def _now() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _pack(records: Sequence[dict]) -> bytes:
    """A version snapshot: the records as compressed JSON."""
    return zlib.compress(json.dumps(list(records), ensure_ascii=False).encode(), 1)

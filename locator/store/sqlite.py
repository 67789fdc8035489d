"""The facility store: the only module with SQL. Schema, migrations, R*Tree, full-text, versions."""

import contextlib
import json
import os
import sqlite3
import unicodedata
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from locator.core.nearest import Extent
from locator.core.records import COLUMNS
from locator.store import schema, version_deltas
from locator.store.contracts import Change, FacilityPage, StaleDataset, WriteFailed

_COLS = ", ".join(COLUMNS)
# A version that rewrites this many rows, and at least a quarter of the dataset, rebuilds the
# R*Tree and full-text index in bulk instead of row by row (about 5× faster).
BULK_FROM_ROWS = 2000
_FCOLS = ", ".join(f"f.{c}" for c in COLUMNS)
# Trigram full-text search finds substrings of this many characters or more.
FTS_FROM_CHARS = 3
# A filtered page is found through an index (R*Tree, full-text or category) when that index lists
# at most this many candidates: each is looked up by rowid, which costs several times more than
# testing a row read in order, and then sorted by id. A broader filter is tested row by row while
# the id index is read in order, which stops as soon as the page is full.
DRIVE_AT_MOST = 20_000


# SQLite's words for a write the storage refused, and what to tell the person.
WRITE_FAILURES = {
    "database or disk is full": "the disk is full",
    "readonly database": "the database file or its folder is read-only",
    "disk I/O error": "the disk reported an I/O error",
    "unable to open database file": "the database file cannot be opened for writing",
    # Another writer (a long import) held the lock for the whole busy timeout.
    "database is locked": "another change is being saved; try again in a minute",
}


@contextlib.contextmanager
def _write_failures() -> Iterator[None]:
    """Turn SQLite's storage errors into WriteFailed with a plain reason."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        reason = next((r for key, r in WRITE_FAILURES.items() if key in str(exc)), None)
        if reason is None:
            raise
        raise WriteFailed(f"could not write the database: {reason}; nothing was changed") \
            from exc


def _connect(target: str, timeout: float, uri: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (we open transactions ourselves)."""
    conn = sqlite3.connect(target, timeout=timeout, isolation_level=None,
                           check_same_thread=False, uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    # NORMAL is durable against a crashed process in WAL mode; power loss may cost the last
    # commit, never the database's integrity.
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _create_private(path: str) -> None:
    """Create the database file for its owner only (0600), unless it exists: it holds password
    and session hashes, and SQLite would create it 0644. Its -wal and -shm get the same mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        pass  # it exists, or cannot be created: SQLite opens it or says why it cannot


def _inode(path: str) -> int | None:
    """The file's inode number, or None if it is gone."""
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _read_only_uri(path: str) -> str:
    """How to read a database on read-only storage (e.g. a published replica).

    WAL needs a writable -shm file; without one SQLite can still read a cleanly closed
    database as immutable, or one whose -wal and -shm exist in read-only mode.
    """
    mode = "mode=ro" if os.path.exists(path + "-wal") else "immutable=1"
    return f"file:{urllib.parse.quote(os.path.abspath(path))}?{mode}"


def _roll_back(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is open; a failed rollback must not hide the first error."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


class Store:
    """One connection to the facility database. Not shared across threads."""

    def __init__(self, path: str, *, timeout: float = 10.0):
        """Open `path` (created if missing) with a busy timeout."""
        self.path, self.read_only = path, False
        _create_private(path)
        try:
            conn = _connect(path, timeout)
        except sqlite3.OperationalError:
            if not os.path.isfile(path):
                raise
            conn = _connect(_read_only_uri(path), timeout, uri=True)
            self.read_only = True
        self.inode = _inode(path)
        self.db = sqlite_utils.Database(conn)
        self._writing = False
        # A keyframe at least every this many versions (tests lower it to reach keyframes).
        self.keyframe_every = version_deltas.KEYFRAME_EVERY

    def reusable(self) -> bool:
        """Whether this connection may serve another request: writable, and the file at its
        path is still the one it opened (a published replica may be swapped in by rename)."""
        return not self.read_only and self.inode == _inode(self.path)

    def end_request(self) -> None:
        """Leave no transaction open between requests."""
        _roll_back(self.db.conn)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def migrate(self) -> None:
        """Create or upgrade the schema; safe to run again, also from several processes."""
        # An up-to-date database is not written to, so that reads work on read-only media.
        if schema.is_current(self.db):
            return
        with _write_failures():
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
        with self.writing():
            schema.migrate(self.db)

    # -- transactions -----------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator["Store"]:
        """One write transaction, locked at once so that two writers never deadlock.

        A writing() inside another joins it: steps that belong together (an import and the
        removal of its previewed file) are written together or not at all.
        """
        if self._writing:
            yield self
            return
        conn = self.db.conn
        with _write_failures():
            conn.execute("BEGIN IMMEDIATE")
            self._writing = True
            try:
                yield self
                conn.execute("COMMIT")
            except BaseException:
                _roll_back(conn)
                raise
            finally:
                self._writing = False

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

    def search(self, text: str, limit: int = 10) -> list[dict]:
        """Facilities whose name or address contains `text` (Chinese or English substring)."""
        text = _search_text(text)
        if not text:
            return []
        if len(text) >= FTS_FROM_CHARS:
            sql = (f"SELECT {_FCOLS} FROM facilities_fts JOIN facilities f"
                   " ON f.fid = facilities_fts.rowid WHERE facilities_fts MATCH ?")
            params: list = [_fts_phrase(text)]
        else:
            # Trigrams cannot match 1-2 characters: scan, which is fine at district scale.
            where = " OR ".join(f"f.{c} LIKE ? ESCAPE '\\'" for c in schema.TEXT_SEARCH_COLUMNS)
            sql = f"SELECT {_FCOLS} FROM facilities f WHERE {where}"
            params = [_like_pattern(text)] * len(schema.TEXT_SEARCH_COLUMNS)
        sql += " ORDER BY instr(f.name, ?) = 0, length(f.name), f.id LIMIT ?"
        return list(self.db.query(sql, [*params, text, limit]))

    def facilities_after(self, after: str, limit: int, *, text: str = "",
                         category: str | None = None,
                         box: tuple[float, float, float, float] | None = None,
                         drive_at_most: int = DRIVE_AT_MOST) -> FacilityPage:
        """Up to `limit` facilities with id > `after`, by id, that pass every filter (text as in
        search, category, box as min_lat, min_lon, max_lat, max_lon), and how many pass in all."""
        filters = [f for f in (_text_filter(text), _category_filter(category), _box_filter(box))
                   if f is not None]
        with self.reading():
            driver = self._driver(filters, drive_at_most)
            where = " AND ".join(f.driving() if f is driver else f.test for f in filters) or "1"
            params = {k: v for f in filters for k, v in f.params.items()}
            matched = self.db.execute(f"SELECT count(*) FROM facilities f WHERE {where}",
                                      params).fetchone()[0]
            # Nothing matched: spare the second pass (a short text query reads every row).
            rows = [] if not matched else list(self.db.query(
                f"SELECT {_FCOLS} FROM facilities f WHERE {where} AND f.id > :after"
                " ORDER BY f.id LIMIT :limit", params | {"after": after, "limit": limit + 1}))
        return FacilityPage(rows[:limit], matched, more=len(rows) > limit)

    def _driver(self, filters: list["_Filter"], at_most: int) -> "_Filter | None":
        """The filter whose index lists the fewest candidates, if at most `at_most` of them."""
        best, fewest = None, at_most + 1
        for f in filters:
            if f.candidates:
                # LIMIT stops the count early: the cost is bounded by the threshold.
                sql = f"SELECT count(*) FROM ({f.candidates} LIMIT :cap)"
                found = self.db.execute(sql, f.params | {"cap": fewest}).fetchone()[0]
                if found < fewest:
                    best, fewest = f, found
        return best

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
        if not _is_sqlite_integer(number):
            return None
        rows = self.db.query(f"SELECT {_VCOLS} FROM versions WHERE number = ?", [number])
        return next(iter(rows), None)

    def version_records(self, number: int) -> list[dict] | None:
        """The records that version `number` made the dataset, exactly as committed, or None."""
        rows = self._chain(number)
        if not rows:
            return None
        deltas = (version_deltas.unpack(delta) for _, _, delta in rows[1:])
        return version_deltas.replay(version_deltas.unpack(rows[0][1]), deltas)

    def _chain(self, number: int) -> list[tuple[int, bytes | None, bytes | None]]:
        """(number, snapshot, delta) from the newest keyframe up to version `number`; [] if
        there is no such version."""
        if not _is_sqlite_integer(number):
            return []
        with self.reading():
            rows = self.db.execute(
                "SELECT number, snapshot, delta FROM versions WHERE number <= :n AND number >="
                " (SELECT number FROM versions WHERE number <= :n AND snapshot IS NOT NULL"
                "  ORDER BY number DESC LIMIT 1) ORDER BY number", {"n": number}).fetchall()
        return rows if rows and rows[-1][0] == number else []

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
            stored = self._stored_form(number, records)
            self._apply(records, change)
            self.db.execute("DELETE FROM category_extents")
            self.db.execute(schema.REFRESH_EXTENTS)
            number += 1
            self.db.execute(
                "INSERT INTO versions (number, created_at, actor, kind, filename, sha256, mode,"
                " added, changed, removed, unchanged, total, restored_from, snapshot, delta)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [number, _now(), actor, kind, filename, sha256, mode, len(change.added),
                 len(change.changed), len(change.removed), change.unchanged, len(records),
                 restored_from, stored.snapshot, stored.delta])
            detail = {"version": number, "file": filename, "added": len(change.added),
                      "changed": len(change.changed), "removed": len(change.removed)}
            self.audit(kind, actor, address, detail)
        return number

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

    def _apply(self, records: Sequence[dict], change: Change) -> None:
        """Write the added, changed and removed facilities of one version."""
        touched = len(change.added) + len(change.changed) + len(change.removed)
        bulk = touched >= BULK_FROM_ROWS and touched * 4 >= len(records)
        if bulk:
            self.db.execute("UPDATE index_sync SET bulk = 1")
        self._write_rows(records, change)
        if bulk:
            self._rebuild_indexes()
            self.db.execute("UPDATE index_sync SET bulk = 0")

    def _rebuild_indexes(self) -> None:
        """Rebuild the R*Tree and the full-text index from the facilities table."""
        self.db.execute("DELETE FROM facility_rtree")
        self.db.execute("INSERT INTO facility_rtree SELECT fid, lat, lat, lon, lon FROM facilities")
        self.db.execute("INSERT INTO facilities_fts (facilities_fts) VALUES ('rebuild')")
        # One segment now, not the many a rebuild leaves: otherwise the next small edits set off
        # FTS5's automerge, which rewrites the whole index (~3 MB at 20,000 rows) at once.
        self.db.execute("INSERT INTO facilities_fts (facilities_fts) VALUES ('optimize')")

    def _write_rows(self, records: Sequence[dict], change: Change) -> None:
        """Delete the removed ids and upsert the added and changed records."""
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

    def audit_burst(self, action: str, actor: str, address: str, detail: dict, *, now: float,
                    window_s: float) -> None:
        """Count one more `action` into this actor's and address's entry begun in the last
        `window_s` seconds, or begin one: a burst of refusals is one entry with a count."""
        row = self.db.execute("SELECT id, at, detail FROM audit_log WHERE action = ?"
                              " AND actor = ? AND address = ? ORDER BY id DESC LIMIT 1",
                              [action, actor, address]).fetchone()
        if row is not None and row[1] >= _iso(now - window_s):
            counted = json.loads(row[2])
            counted["count"] = counted.get("count", 1) + 1
            self.db.execute("UPDATE audit_log SET detail = ? WHERE id = ?",
                            [json.dumps(counted, ensure_ascii=False), row[0]])
            return
        self.db.execute(
            "INSERT INTO audit_log (at, actor, address, action, detail) VALUES (?, ?, ?, ?, ?)",
            [_iso(now), actor, address, action,
             json.dumps(detail | {"count": 1}, ensure_ascii=False)])

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

    # -- nearest search (used by locator/core/nearest.py) ----------------------------------------

    def extent(self, category: str | None = None) -> Extent | None:
        """Count and bounding box of the facilities (of one category), or None if there are none."""
        sql = "SELECT count, min_lat, min_lon, max_lat, max_lon FROM category_extents"
        if category is not None:
            row = self.db.execute(sql + " WHERE category = ?", [category]).fetchone()
            return None if row is None else Extent(*row)
        return _union([Extent(*row) for row in self.db.execute(sql)])

    def candidates_in_box(self, min_lat: float, min_lon: float, max_lat: float, max_lon: float,
                          *, category: str | None = None, access: str | None = None,
                          amenities: Sequence[str] = ()) -> list[tuple[int, str, float, float]]:
        """(fid, id, lat, lon) of the facilities in the box that pass the filters."""
        # The R*Tree holds 32-bit floats rounded outwards, so its overlap test finds every
        # candidate and the exact test on the 64-bit coordinates decides. The unary + keeps
        # the planner from driving the query with the category index (a quarter of the table)
        # instead of the R*Tree.
        sql = ("SELECT f.fid, f.id, f.lat, f.lon FROM facility_rtree r"
               " JOIN facilities f ON f.fid = r.fid"
               " WHERE r.max_lat >= ? AND r.min_lat <= ? AND r.max_lon >= ? AND r.min_lon <= ?"
               " AND f.lat BETWEEN ? AND ? AND f.lon BETWEEN ? AND ?")
        params: list = [min_lat, max_lat, min_lon, max_lon, min_lat, max_lat, min_lon, max_lon]
        if category is not None:
            sql += " AND +f.category = ?"
            params.append(category)
        if access is not None:
            sql += " AND f.access = ?"
            params.append(access)
        for token in amenities:
            # Tokens are [a-z_]: dropping spaces and fencing with ';' matches whole tokens only.
            sql += " AND instr(';' || replace(f.amenities, ' ', '') || ';', ?) > 0"
            params.append(f";{token};")
        return self.db.execute(sql, params).fetchall()

    def by_fids(self, fids: Sequence[int]) -> dict[int, dict]:
        """Full records keyed by fid, for the given fids (missing ones are left out)."""
        if not fids:
            return {}
        marks = ", ".join("?" for _ in fids)
        rows = self.db.execute(f"SELECT fid, {_COLS} FROM facilities WHERE fid IN ({marks})",
                               list(fids))
        return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}


    # -- admin console (locator/admin/accounts.py, sessions.py, uploads.py, admin*.py) -------------

    def add_admin(self, username: str, password_hash: str) -> int | None:
        """Create an admin account; None when the name is taken."""
        try:
            cursor = self.db.execute(
                "INSERT INTO admins (username, password_hash, created_at) VALUES (?, ?, ?)",
                [username, password_hash, _now()])
        except sqlite3.IntegrityError:
            return None
        return cursor.lastrowid

    def set_admin_password(self, username: str, password_hash: str) -> bool:
        """Change an admin's password and end their sessions; False when there is no such admin."""
        with self.writing():
            admin = self.admin_by_name(username)
            if admin is None:
                return False
            self.db.execute("UPDATE admins SET password_hash = ? WHERE id = ?",
                            [password_hash, admin["id"]])
            self.db.execute("DELETE FROM admin_sessions WHERE admin_id = ?", [admin["id"]])
        return True

    def admin_by_name(self, username: str) -> dict | None:
        """One admin account (id, username, password_hash, created_at), or None."""
        rows = self.db.query("SELECT id, username, password_hash, created_at FROM admins"
                             " WHERE username = ?", [username])
        return next(iter(rows), None)

    def login_failure_times(self, *, since: float, username: str | None = None,
                            address: str | None = None) -> list[float]:
        """When logins failed since `since` (Unix time), for an account, an address or both."""
        where, params = ["at >= ?"], [since]
        for column, value in (("username", username), ("address", address)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self.db.execute(f"SELECT at FROM login_failures WHERE {' AND '.join(where)}"
                               " ORDER BY at", params)
        return [row[0] for row in rows]

    def add_login_failure(self, at: float, username: str, address: str) -> None:
        """Count one failed (or not yet successful) login."""
        self.db.execute("INSERT INTO login_failures (at, username, address) VALUES (?, ?, ?)",
                        [at, username, address])

    def forget_login_failures(self, *, username: str | None = None, address: str = "",
                              before: float | None = None) -> None:
        """Clear one account's failures from one address (it logged in from there), or every
        failure older than `before`."""
        if username is not None:
            self.db.execute("DELETE FROM login_failures WHERE username = ? AND address = ?",
                            [username, address])
        if before is not None:
            self.db.execute("DELETE FROM login_failures WHERE at < ?", [before])

    def add_session(self, token_hash: str, admin_id: int, created_at: float, expires_at: float,
                    address: str) -> None:
        """Record a signed-in session (by the hash of its token)."""
        self.db.execute("INSERT INTO admin_sessions (token_hash, admin_id, created_at,"
                        " expires_at, address) VALUES (?, ?, ?, ?, ?)",
                        [token_hash, admin_id, created_at, expires_at, address])

    def session_admin(self, token_hash: str, now: float) -> dict | None:
        """The admin (id, username) of an unexpired session and its expires_at, or None."""
        rows = self.db.query("SELECT a.id, a.username, s.expires_at FROM admin_sessions s"
                             " JOIN admins a"
                             " ON a.id = s.admin_id WHERE s.token_hash = ? AND s.expires_at > ?",
                             [token_hash, now])
        return next(iter(rows), None)

    def end_sessions(self, *, token_hash: str | None = None, before: float | None = None) -> None:
        """End one session (logout), or drop every session that expired before `before`."""
        if token_hash is not None:
            self.db.execute("DELETE FROM admin_sessions WHERE token_hash = ?", [token_hash])
        if before is not None:
            self.db.execute("DELETE FROM admin_sessions WHERE expires_at < ?", [before])

    def save_pending_upload(self, admin_id: int, sha256: str, filename: str, mode: str,
                            based_on: int, created_at: float, data: bytes) -> None:
        """Keep a previewed file until it is confirmed (one per admin and content)."""
        self.db.execute("INSERT OR REPLACE INTO pending_uploads (admin_id, sha256, filename,"
                        " mode, based_on, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [admin_id, sha256, filename, mode, based_on, created_at, data])

    def pending_upload(self, admin_id: int, sha256: str) -> dict | None:
        """A previewed file with its name, mode, base version and time, or None."""
        rows = self.db.query("SELECT admin_id, sha256, filename, mode, based_on, created_at,"
                             " data FROM pending_uploads WHERE admin_id = ? AND sha256 = ?",
                             [admin_id, sha256])
        return next(iter(rows), None)

    def drop_pending_uploads(self, *, admin_id: int | None = None, sha256: str | None = None,
                             before: float | None = None) -> None:
        """Forget one admin's previewed file, or every one kept since before `before`."""
        if admin_id is not None:
            self.db.execute("DELETE FROM pending_uploads WHERE admin_id = ? AND sha256 = ?",
                            [admin_id, sha256])
        if before is not None:
            self.db.execute("DELETE FROM pending_uploads WHERE created_at < ?", [before])

    def unverified_count(self) -> int:
        """How many facilities have never been checked on site."""
        return self.db.execute("SELECT count(*) FROM facilities WHERE verified_on = ''"
                               ).fetchone()[0]

    def last_version_of(self, kind: str) -> dict | None:
        """The newest version of one kind ("import", "rollback", "edit"…), or None."""
        rows = self.db.query(f"SELECT {_VCOLS} FROM versions WHERE kind = ?"
                             " ORDER BY number DESC LIMIT 1", [kind])
        return next(iter(rows), None)

    def facility_page(self, *, category: str | None = None, unverified: bool = False,
                      text: str = "", limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        """One page of facilities (by id) matching the filters, and how many match in all."""
        where, params = ["1"], []
        if category:
            where.append("category = ?")
            params.append(category)
        if unverified:
            where.append("verified_on = ''")
        if text:
            pattern = _like_pattern(text)
            where.append("(id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\'"
                         " OR name_en LIKE ? ESCAPE '\\')")
            params += [pattern] * 3
        sql = " WHERE " + " AND ".join(where)
        total = self.db.execute("SELECT count(*) FROM facilities" + sql, params).fetchone()[0]
        rows = self.db.query(f"SELECT {_COLS} FROM facilities{sql} ORDER BY id LIMIT ? OFFSET ?",
                             [*params, limit, offset])
        return list(rows), total


@dataclass(frozen=True)
class _Filter:
    """One condition on `facilities f`: a test of each row, and the SELECT of the fids an index
    can list as candidates ("" if none can) plus what those candidates still need checked."""

    test: str
    params: dict
    candidates: str = ""
    exact: str = ""

    def driving(self) -> str:
        """The condition with the index listing the rows to look at."""
        listed = f"f.fid IN ({self.candidates})"
        return f"{listed} AND {self.exact}" if self.exact else listed


def _text_filter(text: str) -> _Filter | None:
    """Name or address contains `text`, as Store.search finds it; None when no text is given."""
    if not text:
        return None
    text = _search_text(text)
    if not text:
        return _Filter("0", {})  # only control characters: nothing can match
    if len(text) < FTS_FROM_CHARS:
        where = " OR ".join(f"f.{c} LIKE :pattern ESCAPE '\\'"
                            for c in schema.TEXT_SEARCH_COLUMNS)
        return _Filter(f"({where})", {"pattern": _like_pattern(text)})
    matches = "SELECT rowid FROM facilities_fts WHERE facilities_fts MATCH :phrase"
    # "+": a membership test, built once, that must not drive the query.
    return _Filter(f"+f.fid IN ({matches})", {"phrase": _fts_phrase(text)}, matches)


def _category_filter(category: str | None) -> _Filter | None:
    """Of this category; None when no category is given."""
    if category is None:
        return None
    return _Filter("+f.category = :category", {"category": category},
                   "SELECT fid FROM facilities WHERE category = :category")


def _box_filter(box: tuple[float, float, float, float] | None) -> _Filter | None:
    """Exactly inside the box (min_lat, min_lon, max_lat, max_lon); None when no box is given."""
    if box is None:
        return None
    params = dict(zip(("min_lat", "min_lon", "max_lat", "max_lon"), box, strict=True))
    exact = "f.lat BETWEEN :min_lat AND :max_lat AND f.lon BETWEEN :min_lon AND :max_lon"
    # The R*Tree's 32-bit bounds, rounded outwards, overlap every candidate; `exact` decides.
    overlap = ("SELECT fid FROM facility_rtree WHERE max_lat >= :min_lat AND min_lat <= :max_lat"
               " AND max_lon >= :min_lon AND min_lon <= :max_lon")
    return _Filter(exact, params, overlap, exact)


def _union(extents: list[Extent]) -> Extent | None:
    """The extent of several categories together."""
    if not extents:
        return None
    return Extent(sum(e.count for e in extents), min(e.min_lat for e in extents),
                  min(e.min_lon for e in extents), max(e.max_lat for e in extents),
                  max(e.max_lon for e in extents))


_VCOLS = ("number, created_at, actor, kind, filename, sha256, mode, added, changed, removed,"
          " unchanged, total, restored_from")


def _now() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(unix_time: float) -> str:
    """A Unix time as the audit log writes times: UTC, ISO 8601, to the second."""
    return datetime.fromtimestamp(unix_time, UTC).isoformat(timespec="seconds")


def _search_text(text: str) -> str:
    """A text query without control characters, trimmed."""
    # Stored text holds no control characters (the importer refuses them), and FTS5's
    # query parser stops at a NUL: drop them from the query.
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def _fts_phrase(text: str) -> str:
    """An FTS5 query for `text` as one phrase: trigrams then find it as any substring."""
    return '"' + text.replace('"', '""') + '"'


# -- admin console helpers --------------------------------------------------------------------

def _like_pattern(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching `text` anywhere, wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _is_sqlite_integer(number: int) -> bool:
    """Whether SQLite can hold `number` (a bigger one, from a URL, raised OverflowError)."""
    return -(2**63) <= number < 2**63

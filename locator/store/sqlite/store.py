"""Store: one SQLite connection, its transactions and migrations, and the repositories over it."""

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence

import sqlite_utils

import locator.store.schema as schema
import locator.store.sqlite.connection as connection
from locator.store.contracts import copied_table
from locator.store.sqlite.admins import SqliteAdmins
from locator.store.sqlite.audit import SqliteAuditLog
from locator.store.sqlite.facilities import SqliteFacilities
from locator.store.sqlite.geocodes import SqliteGeocodes
from locator.store.sqlite.jobs import SqliteImportJobs
from locator.store.sqlite.reports import SqliteReports
from locator.store.sqlite.uploads import SqlitePendingUploads
from locator.store.sqlite.versions import SqliteVersions


class SqliteStore:
    """One connection to the facility database. Not shared across threads."""

    def __init__(self, path: str, *, timeout: float = 10.0):
        """Open `path` (created if missing) with a busy timeout."""
        self.path, self.read_only = path, False
        connection.create_private(path)
        try:
            conn = connection.connect(path, timeout)
        except sqlite3.OperationalError:
            if not os.path.isfile(path):
                raise
            conn = connection.connect(connection.read_only_uri(path), timeout, uri=True)
            self.read_only = True
        self.inode = connection.inode(path)
        self.db = sqlite_utils.Database(conn)
        self._writing = False
        self.facilities = SqliteFacilities(self)
        self.audit = SqliteAuditLog(self)
        self.versions = SqliteVersions(self)
        self.admins = SqliteAdmins(self)
        self.uploads = SqlitePendingUploads(self)
        self.geocodes = SqliteGeocodes(self)
        self.jobs = SqliteImportJobs(self)
        self.reports = SqliteReports(self)

    def reusable(self) -> bool:
        """Whether this connection may serve another request: writable, and the file at its
        path is still the one it opened (a published replica may be swapped in by rename)."""
        return not self.read_only and self.inode == connection.inode(self.path)

    def end_request(self) -> None:
        """Leave no transaction open between requests."""
        connection.roll_back(self.db.conn)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def migrate(self) -> None:
        """Create or upgrade the schema; safe to run again, also from several processes."""
        # An up-to-date database is not written to, so that reads work on read-only media.
        if schema.is_current(self.db):
            return
        with connection.write_failures():
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
        with self.writing():
            schema.migrate(self.db)

    def integrity_ok(self) -> bool:
        """Whether SQLite's integrity check passes."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def table_rows(self, table: str) -> tuple[list[str], list[tuple]]:
        """The column names and every row, by key, of one of COPIED_TABLES."""
        cursor = self.db.execute(f"SELECT * FROM {copied_table(table)} ORDER BY 1, 2")
        return [d[0] for d in cursor.description], cursor.fetchall()

    def add_table_rows(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert rows as they are, keys included, into one of COPIED_TABLES."""
        marks = ", ".join("?" for _ in columns)
        self.db.conn.executemany(f"INSERT INTO {copied_table(table)} ({', '.join(columns)})"
                                 f" VALUES ({marks})", rows)

    @contextlib.contextmanager
    def writing(self) -> Iterator["SqliteStore"]:
        """One write transaction, locked at once so that two writers never deadlock.

        A writing() inside another joins it: steps that belong together (an import and the
        removal of its previewed file) are written together or not at all.
        """
        if self._writing:
            yield self
            return
        conn = self.db.conn
        with connection.write_failures():
            conn.execute("BEGIN IMMEDIATE")
            self._writing = True
            try:
                yield self
                conn.execute("COMMIT")
            except BaseException:
                connection.roll_back(conn)
                raise
            finally:
                self._writing = False

    @contextlib.contextmanager
    def reading(self) -> Iterator["SqliteStore"]:
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

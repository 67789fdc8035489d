"""Store on PostgreSQL: one pooled connection, its transactions and migrations, and the
repositories over it. The same contracts as the SQLite engine (store/contracts.py)."""

import contextlib
from collections.abc import Iterator, Sequence

import psycopg

import locator.store.postgres.connection as connection
import locator.store.postgres.schema as schema
from locator.store.contracts import copied_table
from locator.store.postgres.admins import PostgresAdmins
from locator.store.postgres.audit import PostgresAuditLog
from locator.store.postgres.facilities import PostgresFacilities
from locator.store.postgres.geocodes import PostgresGeocodes
from locator.store.postgres.jobs import PostgresImportJobs
from locator.store.postgres.reports import PostgresReports
from locator.store.postgres.uploads import PostgresPendingUploads
from locator.store.postgres.versions import PostgresVersions


class PostgresStore:
    """One connection to a PostgreSQL database, borrowed from this process's pool. Not shared
    across threads."""

    def __init__(self, url: str, *, timeout: float = connection.LOCK_TIMEOUT_S):
        """Borrow a connection for `url` (a postgresql:// URL) from the pool; a write waits at
        most `timeout` seconds for another writer."""
        self.path, self._lock_timeout_ms = url, int(timeout * 1000)
        self._pool = connection.pool(url)
        self.conn: psycopg.Connection = self._pool.getconn()
        self._writing = False
        self.facilities = PostgresFacilities(self)
        self.audit = PostgresAuditLog(self)
        self.versions = PostgresVersions(self)
        self.admins = PostgresAdmins(self)
        self.uploads = PostgresPendingUploads(self)
        self.geocodes = PostgresGeocodes(self)
        self.jobs = PostgresImportJobs(self)
        self.reports = PostgresReports(self)

    def reusable(self) -> bool:
        """False: between requests the pool keeps the connection, not the thread."""
        return False

    def end_request(self) -> None:
        """Leave no transaction open between requests."""
        connection.roll_back(self.conn)

    def close(self) -> None:
        """Give the connection back to the pool (closed by it if broken)."""
        if self.conn is not None:
            connection.roll_back(self.conn)
            self._pool.putconn(self.conn)
            self.conn = None

    def migrate(self) -> None:
        """Create or upgrade the schema; safe to run again, also from several servers at once
        (an advisory lock makes them take turns)."""
        if schema.is_current(self.conn):
            return
        with self.writing():
            schema.migrate(self.conn)

    def integrity_ok(self) -> bool:
        """Whether the tables answer and the facility indexes agree with the table."""
        with self.reading():
            rows = connection.value(self.conn, "SELECT count(*) FROM facilities")
            extents = connection.value(self.conn,
                                       "SELECT coalesce(sum(count), 0) FROM category_extents")
        return rows == extents

    def table_rows(self, table: str) -> tuple[list[str], list[tuple]]:
        """The column names and every row, by key, of one of COPIED_TABLES."""
        with self.conn.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {copied_table(table)} ORDER BY 1, 2")
            return [d.name for d in cursor.description], cursor.fetchall()

    def add_table_rows(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert rows as they are, keys included, into one of COPIED_TABLES; an identity key
        then continues after the largest copied."""
        marks = ", ".join("%s" for _ in columns)
        with self.conn.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {copied_table(table)} ({', '.join(columns)})"
                               f" OVERRIDING SYSTEM VALUE VALUES ({marks})", rows)
            if "id" in columns:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                               f" max(id)) FROM {table} HAVING max(id) IS NOT NULL")

    @contextlib.contextmanager
    def writing(self) -> Iterator["PostgresStore"]:
        """One write transaction that takes the write lock at once, as SQLite's BEGIN IMMEDIATE
        does: writers take turns, so the version a writer reads stays the newest until it
        commits. A writing() inside another joins it."""
        if self._writing:
            yield self
            return
        conn = self.conn
        with connection.write_failures():
            conn.execute("BEGIN")
            self._writing = True
            try:
                conn.execute(f"SET LOCAL lock_timeout = {self._lock_timeout_ms}")
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [schema.WRITE_LOCK])
                yield self
                conn.execute("COMMIT")
            except BaseException:
                connection.roll_back(conn)
                raise
            finally:
                self._writing = False

    @contextlib.contextmanager
    def reading(self) -> Iterator["PostgresStore"]:
        """One read snapshot (REPEATABLE READ): every query inside sees the same version."""
        conn = self.conn
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            yield self
            return
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield self
        finally:
            connection.roll_back(conn)

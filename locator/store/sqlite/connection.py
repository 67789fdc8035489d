"""Opening an SQLite database (private file, read-only fallback), its storage errors, its times."""

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterator

from locator.store.contracts import WriteFailed

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
def write_failures() -> Iterator[None]:
    """Turn SQLite's storage errors into WriteFailed with a plain reason."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        reason = next((r for key, r in WRITE_FAILURES.items() if key in str(exc)), None)
        if reason is None:
            raise
        raise WriteFailed(f"could not write the database: {reason}; nothing was changed") \
            from exc


def connect(target: str, timeout: float, uri: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (we open transactions ourselves)."""
    conn = sqlite3.connect(target, timeout=timeout, isolation_level=None,
                           check_same_thread=False, uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    # NORMAL is durable against a crashed process in WAL mode; power loss may cost the last
    # commit, never the database's integrity.
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def create_private(path: str) -> None:
    """Create the database file for its owner only (0600), unless it exists: it holds password
    and session hashes, and SQLite would create it 0644. Its -wal and -shm get the same mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        pass  # it exists, or cannot be created: SQLite opens it or says why it cannot


def inode(path: str) -> int | None:
    """The file's inode number, or None if it is gone."""
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def read_only_uri(path: str) -> str:
    """How to read a database on read-only storage (e.g. a published replica).

    WAL needs a writable -shm file; without one SQLite can still read a cleanly closed
    database as immutable, or one whose -wal and -shm exist in read-only mode.
    """
    mode = "mode=ro" if os.path.exists(path + "-wal") else "immutable=1"
    return f"file:{urllib.parse.quote(os.path.abspath(path))}?{mode}"


def roll_back(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is open; a failed rollback must not hide the first error."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass

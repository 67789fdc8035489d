"""Connecting to PostgreSQL: one pool per process and database, its storage errors in plain
words, and the small cursor helpers every repository uses."""

import contextlib
import os
import threading
from collections.abc import Iterator

import psycopg
import psycopg_pool
from psycopg.rows import dict_row

from locator.store.contracts import WriteFailed

# A write waits this long for another writer's lock (an import) before giving up, as SQLite's
# busy timeout does.
LOCK_TIMEOUT_S = 10.0
# Connections a process keeps open: a gunicorn worker serves one request at a time per thread.
POOL_MAX = 8
# How long a request waits for a connection (all in use, or the server down) before failing.
POOL_TIMEOUT_S = 10.0

# What to tell the person when the server refuses a write, by SQLSTATE class or code.
WRITE_FAILURES = {
    "53100": "the database server's disk is full",
    "25006": "the database is a read-only replica",
    "55P03": "another change is being saved; try again in a minute",
    "57P01": "the database server is restarting",
    "08": "the database server cannot be reached",
}

_pools: dict[tuple[int, str], psycopg_pool.ConnectionPool] = {}
_pools_lock = threading.Lock()


def is_postgres(target: str) -> bool:
    """Whether a LOCATOR_DATABASE value names a PostgreSQL database rather than a file."""
    return target.startswith(("postgresql://", "postgres://"))


def pool(url: str) -> psycopg_pool.ConnectionPool:
    """This process's pool for `url` (made on first use: a forked worker makes its own)."""
    key = (os.getpid(), url)
    with _pools_lock:
        found = _pools.get(key)
        if found is None:
            found = _pools[key] = psycopg_pool.ConnectionPool(
                url, min_size=1, max_size=POOL_MAX, open=True, timeout=POOL_TIMEOUT_S,
                kwargs={"autocommit": True}, check=psycopg_pool.ConnectionPool.check_connection,
                name="locator")
        return found


def close_pools() -> None:
    """Close this process's pools (tests, and before a fork: children open their own)."""
    with _pools_lock:
        for (pid, _url), found in list(_pools.items()):
            if pid == os.getpid():
                found.close()
        _pools.clear()


def sqlstate_reason(exc: psycopg.Error) -> str | None:
    """The plain reason for a storage error, or None when it is not one."""
    state = getattr(exc, "sqlstate", None) or ""
    if isinstance(exc, psycopg.OperationalError) and not state:
        return WRITE_FAILURES["08"]  # the connection broke before the server answered
    for key, reason in WRITE_FAILURES.items():
        if state.startswith(key):
            return reason
    return None


@contextlib.contextmanager
def write_failures() -> Iterator[None]:
    """Turn the server's storage errors into WriteFailed with a plain reason."""
    try:
        yield
    except psycopg.Error as exc:
        reason = sqlstate_reason(exc)
        if reason is None:
            raise
        raise WriteFailed(f"could not write the database: {reason}; nothing was changed") \
            from exc


def roll_back(conn: psycopg.Connection) -> None:
    """Roll back if a transaction is open; a failed rollback must not hide the first error."""
    try:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
    except psycopg.Error:
        pass


def rows(conn: psycopg.Connection, sql: str, params=None) -> list[dict]:
    """Every row of a query as a dict."""
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(sql, params).fetchall()


def first(conn: psycopg.Connection, sql: str, params=None) -> dict | None:
    """The first row of a query as a dict, or None."""
    found = rows(conn, sql, params)
    return found[0] if found else None


def value(conn: psycopg.Connection, sql: str, params=None):
    """The first column of the first row (None when there is no row)."""
    row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]

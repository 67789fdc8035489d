"""Every SQL statement: contracts.py says what a storage engine provides (one Protocol per
concern: facilities, versions, audit log, admins, pending uploads, reports, and the connection);
sqlite/ and postgres/ are the two engines, schema.py SQLite's migrations (postgres/schema.py
PostgreSQL's), version_deltas.py how versions are kept, values.py what both write alike.

Callers import from here, never from an engine: `from locator.store import Store, WriteFailed`.
`Store(target)` opens the engine the target names. Modules inside the store import each other
by their full names (`import locator.store.schema as schema`), never through this package: it
imports the engines, so that would be a cycle.
"""

import sqlite3

from locator.store.contracts import (
    COPIED_TABLES,
    Change,
    FacilityPage,
    StaleDataset,
    StoreConnection,
    WriteFailed,
)
from locator.store.postgres import DatabaseError as PostgresError
from locator.store.postgres import DatabaseUnavailable as PostgresUnavailable
from locator.store.postgres import PostgresStore, is_postgres
from locator.store.postgres.archive import ArchiveError
from locator.store.postgres.archive import dump as dump_archive
from locator.store.postgres.archive import restore as restore_archive
from locator.store.sqlite import SqliteStore

# What either engine raises when the database cannot be reached or read (see web/health.py).
DatabaseError = (sqlite3.Error, PostgresError)
# What it raises when the database is unreachable or refuses to open (not a failed statement).
DatabaseUnavailable = (sqlite3.OperationalError, PostgresUnavailable)


class Store:
    """The database a LOCATOR_DATABASE value names: a postgresql:// URL opens PostgreSQL
    (a connection from this process's pool), anything else is an SQLite file path.

    Calling it returns that engine's store; as a type it stands for either
    (contracts.StoreConnection).
    """

    def __new__(cls, target: str, **options) -> StoreConnection:
        """Open `target` (options: e.g. timeout, how long a write waits for another writer)."""
        if is_postgres(target):
            return PostgresStore(target, **options)
        return SqliteStore(target, **options)


__all__ = ["COPIED_TABLES", "ArchiveError", "Change", "DatabaseError", "DatabaseUnavailable",
           "FacilityPage", "StaleDataset", "Store", "WriteFailed", "dump_archive", "is_postgres",
           "restore_archive"]

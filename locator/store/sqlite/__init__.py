"""The SQLite engine: SqliteStore (one connection, its transactions and migrations) and one
module per repository it exposes, each implementing its Protocol in locator/store/contracts.py.
Its migrations are in locator/store/schema.py."""

import sqlite3

from locator.store.sqlite.store import SqliteStore

# What this engine raises when the database cannot be reached or read (see web/health.py).
DatabaseError = sqlite3.Error

__all__ = ["DatabaseError", "SqliteStore"]

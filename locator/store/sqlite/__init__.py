"""The SQLite engine: Store (one connection, its transactions and migrations) and one module per
repository it exposes (facilities, versions, audit, admins, uploads), each implementing its
Protocol in locator/store/contracts.py. Every SQL statement of the app is in this package and
in locator/store/schema.py."""

import sqlite3

from locator.store.sqlite.store import Store

# What this engine raises when the database cannot be reached or read (see web/health.py).
DatabaseError = sqlite3.Error

__all__ = ["DatabaseError", "Store"]

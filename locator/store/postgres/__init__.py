"""The PostgreSQL + PostGIS engine: PostgresStore (a pooled psycopg connection, its
transactions and migrations) and one module per repository, each implementing its Protocol in
locator/store/contracts.py as locator/store/sqlite/ does for SQLite."""

import psycopg

from locator.store.postgres.connection import is_postgres
from locator.store.postgres.store import PostgresStore

# What this engine raises when the database cannot be reached or read (see web/health.py).
DatabaseError = psycopg.Error
# Unreachable, restarting, out of connections (the pool's timeout is one of these).
DatabaseUnavailable = psycopg.OperationalError

__all__ = ["DatabaseError", "DatabaseUnavailable", "PostgresStore", "is_postgres"]

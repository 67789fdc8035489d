"""Previewed files kept until confirmed, in PostgreSQL."""

import locator.store.postgres.connection as connection


class PostgresPendingUploads:
    """The pending_uploads table (contracts.PendingUploads)."""

    def __init__(self, store):
        """Work over the store's connection."""
        self._store = store

    def save(self, admin_id: int, sha256: str, filename: str, mode: str, based_on: int,
             created_at: float, data: bytes) -> None:
        """Keep a previewed file until it is confirmed (one per admin and content)."""
        self._store.conn.execute(
            "INSERT INTO pending_uploads (admin_id, sha256, filename, mode, based_on, created_at,"
            " data) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (admin_id, sha256) DO UPDATE"
            " SET filename = excluded.filename, mode = excluded.mode,"
            " based_on = excluded.based_on, created_at = excluded.created_at,"
            " data = excluded.data", [admin_id, sha256, filename, mode, based_on, created_at,
                                      data])

    def get(self, admin_id: int, sha256: str) -> dict | None:
        """A previewed file with its name, mode, base version and time, or None."""
        return connection.first(self._store.conn, "SELECT admin_id, sha256, filename, mode,"
                                " based_on, created_at, data FROM pending_uploads"
                                " WHERE admin_id = %s AND sha256 = %s", [admin_id, sha256])

    def drop(self, *, admin_id: int | None = None, sha256: str | None = None,
             before: float | None = None) -> None:
        """Forget one admin's previewed file, or every one kept since before `before`."""
        if admin_id is not None:
            self._store.conn.execute("DELETE FROM pending_uploads WHERE admin_id = %s"
                                     " AND sha256 = %s", [admin_id, sha256])
        if before is not None:
            self._store.conn.execute("DELETE FROM pending_uploads WHERE created_at < %s",
                                     [before])

"""Previewed files kept until confirmed, in SQLite."""


class SqlitePendingUploads:
    """The pending_uploads table (contracts.PendingUploads)."""

    def __init__(self, store):
        """Work over the store's connection."""
        self._db = store.db

    def save(self, admin_id: int, sha256: str, filename: str, mode: str, based_on: int,
             created_at: float, data: bytes) -> None:
        """Keep a previewed file until it is confirmed (one per admin and content)."""
        self._db.execute("INSERT OR REPLACE INTO pending_uploads (admin_id, sha256, filename,"
                         " mode, based_on, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [admin_id, sha256, filename, mode, based_on, created_at, data])

    def get(self, admin_id: int, sha256: str) -> dict | None:
        """A previewed file with its name, mode, base version and time, or None."""
        rows = self._db.query("SELECT admin_id, sha256, filename, mode, based_on, created_at,"
                              " data FROM pending_uploads WHERE admin_id = ? AND sha256 = ?",
                              [admin_id, sha256])
        return next(iter(rows), None)

    def drop(self, *, admin_id: int | None = None, sha256: str | None = None,
             before: float | None = None) -> None:
        """Forget one admin's previewed file, or every one kept since before `before`."""
        if admin_id is not None:
            self._db.execute("DELETE FROM pending_uploads WHERE admin_id = ? AND sha256 = ?",
                             [admin_id, sha256])
        if before is not None:
            self._db.execute("DELETE FROM pending_uploads WHERE created_at < ?", [before])

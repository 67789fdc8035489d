"""Background checks of uploaded files (the console's geocoding), their progress in SQLite."""


class SqliteImportJobs:
    """The import_jobs table (contracts.ImportJobs)."""

    def __init__(self, store):
        """Work over the store's connection and its transactions."""
        self._store, self._db = store, store.db

    def start(self, admin_id: int, sha256: str, at: float) -> None:
        """A job for this admin's pending upload is running (replacing an earlier one)."""
        with self._store.writing():
            self._db.execute(
                "INSERT OR REPLACE INTO import_jobs (admin_id, sha256, state, done, total,"
                " message, started_at, updated_at) VALUES (?, ?, 'running', 0, 0, '', ?, ?)",
                [admin_id, sha256, at, at])

    def advance(self, admin_id: int, sha256: str, done: int, total: int, at: float) -> None:
        """done of total steps are done (also the job's heartbeat)."""
        with self._store.writing():
            self._db.execute("UPDATE import_jobs SET done = ?, total = ?, updated_at = ?"
                             " WHERE admin_id = ? AND sha256 = ?",
                             [done, total, at, admin_id, sha256])

    def finish(self, admin_id: int, sha256: str, state: str, message: str, at: float) -> None:
        """The job ended: state "done", or "failed" with what went wrong."""
        with self._store.writing():
            self._db.execute("UPDATE import_jobs SET state = ?, message = ?, updated_at = ?"
                             " WHERE admin_id = ? AND sha256 = ?",
                             [state, message, at, admin_id, sha256])

    def get(self, admin_id: int, sha256: str) -> dict | None:
        """The job (state, done, total, message, started_at, updated_at), or None."""
        rows = self._db.query("SELECT admin_id, sha256, state, done, total, message, started_at,"
                              " updated_at FROM import_jobs WHERE admin_id = ? AND sha256 = ?",
                              [admin_id, sha256])
        return next(iter(rows), None)

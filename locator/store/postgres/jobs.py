"""Background checks of uploaded files (the console's geocoding), their progress in PostgreSQL."""

import locator.store.postgres.connection as connection


class PostgresImportJobs:
    """The import_jobs table (contracts.ImportJobs)."""

    def __init__(self, store):
        """Work over the store's connection and its transactions."""
        self._store = store

    def start(self, admin_id: int, sha256: str, at: float) -> None:
        """A job for this admin's pending upload is running (replacing an earlier one)."""
        with self._store.writing():
            self._store.conn.execute(
                "INSERT INTO import_jobs (admin_id, sha256, state, done, total, message,"
                " started_at, updated_at) VALUES (%s, %s, 'running', 0, 0, '', %s, %s)"
                " ON CONFLICT (admin_id, sha256) DO UPDATE SET state = 'running', done = 0,"
                " total = 0, message = '', started_at = excluded.started_at,"
                " updated_at = excluded.updated_at", [admin_id, sha256, at, at])

    def advance(self, admin_id: int, sha256: str, done: int, total: int, at: float) -> None:
        """done of total steps are done (also the job's heartbeat)."""
        with self._store.writing():
            self._store.conn.execute("UPDATE import_jobs SET done = %s, total = %s,"
                                     " updated_at = %s WHERE admin_id = %s AND sha256 = %s",
                                     [done, total, at, admin_id, sha256])

    def finish(self, admin_id: int, sha256: str, state: str, message: str, at: float) -> None:
        """The job ended: state "done", or "failed" with what went wrong."""
        with self._store.writing():
            self._store.conn.execute("UPDATE import_jobs SET state = %s, message = %s,"
                                     " updated_at = %s WHERE admin_id = %s AND sha256 = %s",
                                     [state, message, at, admin_id, sha256])

    def get(self, admin_id: int, sha256: str) -> dict | None:
        """The job (state, done, total, message, started_at, updated_at), or None."""
        return connection.first(self._store.conn, "SELECT admin_id, sha256, state, done, total,"
                                " message, started_at, updated_at FROM import_jobs"
                                " WHERE admin_id = %s AND sha256 = %s", [admin_id, sha256])

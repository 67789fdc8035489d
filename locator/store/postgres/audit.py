"""The audit log in PostgreSQL: who did what, when and from where (store/history.py)."""

import locator.store.postgres.connection as connection
from locator.store.history import AuditHistory


class PostgresAuditLog(AuditHistory):
    """The audit_log table (contracts.AuditLog)."""

    def __init__(self, store):
        """Work over the store's connection."""
        self._store = store

    def count(self) -> int:
        """How many audit entries there are."""
        return connection.value(self._store.conn, "SELECT count(*) FROM audit_log")

    def _newest(self, action: str, actor: str, address: str) -> tuple | None:
        """(id, at, detail) of the newest such entry, through the audit_log_action index."""
        return self._store.conn.execute("SELECT id, at, detail FROM audit_log WHERE action = %s"
                                        " AND actor = %s AND address = %s"
                                        " ORDER BY id DESC LIMIT 1",
                                        [action, actor, address]).fetchone()

    def _set_detail(self, entry_id: int, detail: str) -> None:
        """Replace one entry's detail."""
        self._store.conn.execute("UPDATE audit_log SET detail = %s WHERE id = %s",
                                 [detail, entry_id])

    def _insert(self, at: str, actor: str, address: str, action: str, detail: str) -> None:
        """Add one entry."""
        self._store.conn.execute("INSERT INTO audit_log (at, actor, address, action, detail)"
                                 " VALUES (%s, %s, %s, %s, %s)",
                                 [at, actor, address, action, detail])

    def _page(self, limit: int, offset: int) -> list[dict]:
        """Entries newest first."""
        return connection.rows(self._store.conn, "SELECT id, at, actor, address, action,"
                               " detail FROM audit_log ORDER BY id DESC LIMIT %s OFFSET %s",
                               [limit, offset])

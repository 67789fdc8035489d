"""The audit log in SQLite: who did what, when and from where (store/history.py)."""

from locator.store.history import AuditHistory


class SqliteAuditLog(AuditHistory):
    """The audit_log table (contracts.AuditLog)."""

    def __init__(self, store):
        """Work over the store's connection."""
        self._db = store.db

    def count(self) -> int:
        """How many audit entries there are."""
        return self._db.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    def _newest(self, action: str, actor: str, address: str) -> tuple | None:
        """(id, at, detail) of the newest such entry, through the audit_log_action index."""
        return self._db.execute("SELECT id, at, detail FROM audit_log WHERE action = ?"
                                " AND actor = ? AND address = ? ORDER BY id DESC LIMIT 1",
                                [action, actor, address]).fetchone()

    def _set_detail(self, entry_id: int, detail: str) -> None:
        """Replace one entry's detail."""
        self._db.execute("UPDATE audit_log SET detail = ? WHERE id = ?", [detail, entry_id])

    def _insert(self, at: str, actor: str, address: str, action: str, detail: str) -> None:
        """Add one entry."""
        self._db.execute("INSERT INTO audit_log (at, actor, address, action, detail)"
                         " VALUES (?, ?, ?, ?, ?)", [at, actor, address, action, detail])

    def _page(self, limit: int, offset: int) -> list[dict]:
        """Entries newest first."""
        return list(self._db.query("SELECT id, at, actor, address, action, detail FROM audit_log"
                                   " ORDER BY id DESC LIMIT ? OFFSET ?", [limit, offset]))

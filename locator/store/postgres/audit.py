"""The audit log in PostgreSQL: who did what, when and from where."""

import json

import locator.store.postgres.connection as connection
import locator.store.values as values


class PostgresAuditLog:
    """The audit_log table (contracts.AuditLog)."""

    def __init__(self, store):
        """Work over the store's connection."""
        self._store = store

    def record(self, action: str, actor: str, address: str = "",
               detail: dict | None = None) -> None:
        """Record who did what, when and from where."""
        self._insert(values.now_iso(), actor, address, action, detail or {})

    def record_burst(self, action: str, actor: str, address: str, detail: dict, *, now: float,
                     window_s: float) -> None:
        """Count one more `action` into this actor's and address's entry begun in the last
        `window_s` seconds, or begin one: a burst of refusals is one entry with a count."""
        conn = self._store.conn
        row = conn.execute("SELECT id, at, detail FROM audit_log WHERE action = %s"
                           " AND actor = %s AND address = %s ORDER BY id DESC LIMIT 1",
                           [action, actor, address]).fetchone()
        if row is not None and row[1] >= values.iso(now - window_s):
            counted = json.loads(row[2])
            counted["count"] = counted.get("count", 1) + 1
            conn.execute("UPDATE audit_log SET detail = %s WHERE id = %s",
                         [json.dumps(counted, ensure_ascii=False), row[0]])
            return
        self._insert(values.iso(now), actor, address, action, detail | {"count": 1})

    def entries(self, *, page: int = 1, per_page: int = 50) -> list[dict]:
        """One page of the audit log, newest first."""
        offset = max(page - 1, 0) * per_page
        rows = connection.rows(self._store.conn, "SELECT id, at, actor, address, action, detail"
                               " FROM audit_log ORDER BY id DESC LIMIT %s OFFSET %s",
                               [per_page, offset])
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def count(self) -> int:
        """How many audit entries there are."""
        return connection.value(self._store.conn, "SELECT count(*) FROM audit_log")

    def _insert(self, at: str, actor: str, address: str, action: str, detail: dict) -> None:
        """Add one entry."""
        self._store.conn.execute(
            "INSERT INTO audit_log (at, actor, address, action, detail)"
            " VALUES (%s, %s, %s, %s, %s)",
            [at, actor, address, action, json.dumps(detail, ensure_ascii=False)])

"""The audit log in SQLite: who did what, when and from where."""

import json

import locator.store.values as values


class SqliteAuditLog:
    """The audit_log table (contracts.AuditLog)."""

    def __init__(self, store):
        """Work over the store's connection."""
        self._db = store.db

    def record(self, action: str, actor: str, address: str = "",
               detail: dict | None = None) -> None:
        """Record who did what, when and from where."""
        self._insert(values.now_iso(), actor, address, action, detail or {})

    def record_burst(self, action: str, actor: str, address: str, detail: dict, *, now: float,
                     window_s: float) -> None:
        """Count one more `action` into this actor's and address's entry begun in the last
        `window_s` seconds, or begin one: a burst of refusals is one entry with a count."""
        row = self._db.execute("SELECT id, at, detail FROM audit_log WHERE action = ?"
                               " AND actor = ? AND address = ? ORDER BY id DESC LIMIT 1",
                               [action, actor, address]).fetchone()
        if row is not None and row[1] >= values.iso(now - window_s):
            counted = json.loads(row[2])
            counted["count"] = counted.get("count", 1) + 1
            self._db.execute("UPDATE audit_log SET detail = ? WHERE id = ?",
                             [json.dumps(counted, ensure_ascii=False), row[0]])
            return
        self._insert(values.iso(now), actor, address, action, detail | {"count": 1})

    def entries(self, *, page: int = 1, per_page: int = 50) -> list[dict]:
        """One page of the audit log, newest first."""
        offset = max(page - 1, 0) * per_page
        rows = self._db.query("SELECT id, at, actor, address, action, detail FROM audit_log"
                              " ORDER BY id DESC LIMIT ? OFFSET ?", [per_page, offset])
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def count(self) -> int:
        """How many audit entries there are."""
        return self._db.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    def _insert(self, at: str, actor: str, address: str, action: str, detail: dict) -> None:
        """Add one entry."""
        self._db.execute(
            "INSERT INTO audit_log (at, actor, address, action, detail) VALUES (?, ?, ?, ?, ?)",
            [at, actor, address, action, json.dumps(detail, ensure_ascii=False)])

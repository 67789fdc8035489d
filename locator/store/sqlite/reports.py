"""Visitors' reports and suggestions, their moderation, and the weekly client secrets in SQLite."""

import json
from collections.abc import Sequence

import locator.store.values as values

_SELECT = f"SELECT {', '.join(values.REPORT_COLUMNS)} FROM reports"


class SqliteReports:
    """The reports and report_secrets tables (contracts.ReportRepository)."""

    def __init__(self, store):
        """Work over the store's connection and its transactions."""
        self._store, self._db = store, store.db

    def add(self, kind: str, facility_id: str, details: dict, note: str, *,
            clients: tuple[str, str], at: float) -> int:
        """Store one report or suggestion as new; its id."""
        cursor = self._db.execute(
            "INSERT INTO reports (kind, facility_id, details, note, client, client_prev,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [kind, facility_id, json.dumps(details, ensure_ascii=False, sort_keys=True), note,
             clients[0], clients[1], at])
        return cursor.lastrowid

    def get(self, report_id: int) -> dict | None:
        """One report (details decoded), or None."""
        rows = self._db.execute(f"{_SELECT} WHERE id = ?", [report_id]).fetchall()
        return values.report(rows[0]) if rows else None

    def page(self, *, status: str | None = None, kind: str | None = None,
             facility_id: str | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[dict], int]:
        """Reports newest first, filtered, one page of them and how many match in all."""
        where, params = [], []
        for column, value in (("status", status), ("kind", kind), ("facility_id", facility_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        total = self._db.execute(f"SELECT count(*) FROM reports{clause}", params).fetchone()[0]
        rows = self._db.execute(f"{_SELECT}{clause} ORDER BY id DESC LIMIT ? OFFSET ?",
                                [*params, limit, offset]).fetchall()
        return [values.report(row) for row in rows], total

    def counts_by_status(self) -> dict[str, int]:
        """How many reports have each status; statuses without reports are absent."""
        rows = self._db.execute("SELECT status, count(*) FROM reports GROUP BY status")
        return dict(rows.fetchall())

    def window(self, since: float,
               clients: Sequence[str] | None = None) -> tuple[int, float | None]:
        """How many reports arrived since `since` (from these clients, or from anyone), and
        when the oldest of them did."""
        if clients is None:
            row = self._db.execute("SELECT count(*), min(created_at) FROM reports"
                                   " WHERE created_at >= ?", [since]).fetchone()
        else:
            marks = ", ".join("?" for _ in clients)
            row = self._db.execute(f"SELECT count(*), min(created_at) FROM reports"
                                   f" WHERE client IN ({marks}) AND created_at >= ?",
                                   [*clients, since]).fetchone()
        return row[0], row[1]

    def said(self, facility_id: str, kinds: Sequence[str],
             since: float) -> dict[str, tuple[int, float]]:
        """For each kind visitors reported about a facility since `since` (rejected reports
        left out): how many distinct clients said it, and when the latest did."""
        marks = ", ".join("?" for _ in kinds)
        # A report counts as a new client unless an earlier one (same facility and kind) came
        # from the same HMAC, under this week's secret or last week's.
        rows = self._db.execute(
            f"SELECT r.kind, sum(NOT EXISTS (SELECT 1 FROM reports e WHERE e.facility_id ="
            f" r.facility_id AND e.kind = r.kind AND e.created_at >= ? AND e.status != 'rejected'"
            f" AND e.id < r.id AND e.client != '' AND e.client IN (r.client, r.client_prev))),"
            f" max(r.created_at) FROM reports r WHERE r.facility_id = ? AND r.kind IN ({marks})"
            f" AND r.created_at >= ? AND r.status != 'rejected' GROUP BY r.kind",
            [since, facility_id, *kinds, since]).fetchall()
        return {kind: (clients, latest) for kind, clients, latest in rows}

    def decide(self, report_id: int, status: str, *, actor: str, at: float, note: str = "",
               duplicate_of: int | None = None, version: int | None = None) -> bool:
        """Move a new report to `status`; False when it is not new (decided already)."""
        cursor = self._db.execute(
            "UPDATE reports SET status = ?, decided_at = ?, decided_by = ?, decision_note = ?,"
            " duplicate_of = ?, version = ? WHERE id = ? AND status = 'new'",
            [status, at, actor, note, duplicate_of, version, report_id])
        return cursor.rowcount == 1

    def forget_clients(self, before: float) -> None:
        """Blank the client HMACs of reports older than `before`."""
        # client_prev is only ever set beside client, so "client != ''" finds them all, through
        # the partial index reports_kept_clients.
        self._db.execute("UPDATE reports SET client = '', client_prev = ''"
                         " WHERE client != '' AND created_at < ?", [before])

    def forget_secrets(self, before_week: int) -> None:
        """Delete the secrets of weeks before `before_week`."""
        self._db.execute("DELETE FROM report_secrets WHERE week < ?", [before_week])

    def secret(self, week: int, fresh: bytes) -> bytes:
        """This week's secret (`fresh` becomes it if there is none yet); secrets older than
        last week's are deleted, since no HMAC is made under them any more."""
        self._db.execute("INSERT OR IGNORE INTO report_secrets (week, secret) VALUES (?, ?)",
                         [week, fresh])
        self.forget_secrets(week - 1)
        return self._db.execute("SELECT secret FROM report_secrets WHERE week = ?",
                                [week]).fetchone()[0]

    def previous_secret(self, week: int) -> bytes | None:
        """Last week's secret, if it was made."""
        row = self._db.execute("SELECT secret FROM report_secrets WHERE week = ?",
                               [week - 1]).fetchone()
        return row[0] if row else None

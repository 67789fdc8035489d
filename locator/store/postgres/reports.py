"""Visitors' reports and suggestions, their moderation, and the weekly client secrets in
PostgreSQL."""

import json
from collections.abc import Sequence

import locator.store.postgres.connection as connection
import locator.store.values as values

_SELECT = f"SELECT {', '.join(values.REPORT_COLUMNS)} FROM reports"


class PostgresReports:
    """The reports and report_secrets tables (contracts.ReportRepository)."""

    def __init__(self, store):
        """Work over the store's connection and its transactions."""
        self._store = store

    @property
    def _conn(self):
        """The store's connection."""
        return self._store.conn

    def add(self, kind: str, facility_id: str, details: dict, note: str, *,
            clients: tuple[str, str], at: float) -> int:
        """Store one report or suggestion as new; its id."""
        return connection.value(
            self._conn, "INSERT INTO reports (kind, facility_id, details, note, client,"
            " client_prev, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [kind, facility_id, json.dumps(details, ensure_ascii=False, sort_keys=True), note,
             clients[0], clients[1], at])

    def get(self, report_id: int) -> dict | None:
        """One report (details decoded), or None."""
        if not -(2**63) <= report_id < 2**63:
            return None
        row = self._conn.execute(f"{_SELECT} WHERE id = %s", [report_id]).fetchone()
        return values.report(row) if row else None

    def page(self, *, status: str | None = None, kind: str | None = None,
             facility_id: str | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[dict], int]:
        """Reports newest first, filtered, one page of them and how many match in all."""
        where, params = [], []
        for column, value in (("status", status), ("kind", kind), ("facility_id", facility_id)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        total = connection.value(self._conn, f"SELECT count(*) FROM reports{clause}", params)
        rows = self._conn.execute(f"{_SELECT}{clause} ORDER BY id DESC LIMIT %s OFFSET %s",
                                  [*params, limit, offset]).fetchall()
        return [values.report(row) for row in rows], total

    def counts_by_status(self) -> dict[str, int]:
        """How many reports have each status; statuses without reports are absent."""
        return dict(self._conn.execute(
            "SELECT status, count(*) FROM reports GROUP BY status").fetchall())

    def window(self, since: float,
               clients: Sequence[str] | None = None) -> tuple[int, float | None]:
        """How many reports arrived since `since` (from these clients, or from anyone), and
        when the oldest of them did."""
        if clients is None:
            row = self._conn.execute("SELECT count(*), min(created_at) FROM reports"
                                     " WHERE created_at >= %s", [since]).fetchone()
        else:
            row = self._conn.execute("SELECT count(*), min(created_at) FROM reports"
                                     " WHERE client = ANY(%s) AND created_at >= %s",
                                     [list(clients), since]).fetchone()
        return row[0], row[1]

    def said(self, facility_id: str, kinds: Sequence[str],
             since: float) -> dict[str, tuple[int, float]]:
        """For each kind visitors reported about a facility since `since` (rejected reports
        left out): how many distinct clients said it, and when the latest did."""
        # A report counts as a new client unless an earlier one (same facility and kind) came
        # from the same HMAC, under this week's secret or last week's.
        rows = self._conn.execute(
            "SELECT r.kind, sum((NOT EXISTS (SELECT 1 FROM reports e WHERE e.facility_id ="
            " r.facility_id AND e.kind = r.kind AND e.created_at >= %(since)s"
            " AND e.status != 'rejected' AND e.id < r.id AND e.client != ''"
            " AND e.client IN (r.client, r.client_prev)))::int), max(r.created_at)"
            " FROM reports r WHERE r.facility_id = %(facility)s AND r.kind = ANY(%(kinds)s)"
            " AND r.created_at >= %(since)s AND r.status != 'rejected' GROUP BY r.kind",
            {"since": since, "facility": facility_id, "kinds": list(kinds)}).fetchall()
        return {kind: (clients, latest) for kind, clients, latest in rows}

    def decide(self, report_id: int, status: str, *, actor: str, at: float, note: str = "",
               duplicate_of: int | None = None, version: int | None = None) -> bool:
        """Move a new report to `status`; False when it is not new (decided already)."""
        cursor = self._conn.execute(
            "UPDATE reports SET status = %s, decided_at = %s, decided_by = %s,"
            " decision_note = %s, duplicate_of = %s, version = %s"
            " WHERE id = %s AND status = 'new'",
            [status, at, actor, note, duplicate_of, version, report_id])
        return cursor.rowcount == 1

    def forget_clients(self, before: float) -> None:
        """Blank the client HMACs of reports older than `before`."""
        self._conn.execute("UPDATE reports SET client = '', client_prev = ''"
                           " WHERE client != '' AND created_at < %s", [before])

    def forget_secrets(self, before_week: int) -> None:
        """Delete the secrets of weeks before `before_week`."""
        self._conn.execute("DELETE FROM report_secrets WHERE week < %s", [before_week])

    def secret(self, week: int, fresh: bytes) -> bytes:
        """This week's secret (`fresh` becomes it if there is none yet); secrets older than
        last week's are deleted, since no HMAC is made under them any more."""
        self._conn.execute("INSERT INTO report_secrets (week, secret) VALUES (%s, %s)"
                           " ON CONFLICT (week) DO NOTHING", [week, fresh])
        self.forget_secrets(week - 1)
        return connection.value(self._conn, "SELECT secret FROM report_secrets WHERE week = %s",
                                [week])

    def previous_secret(self, week: int) -> bytes | None:
        """Last week's secret, if it was made."""
        return connection.value(self._conn, "SELECT secret FROM report_secrets WHERE week = %s",
                                [week - 1])

"""Admin accounts, sessions and the login throttle's failures in SQLite."""

import sqlite3
from collections.abc import Sequence

import locator.store.values as values


class SqliteAdmins:
    """The admins, admin_sessions and login_failures tables (contracts.AdminRepository)."""

    def __init__(self, store):
        """Work over the store's connection and its transactions."""
        self._store, self._db = store, store.db

    def add(self, username: str, password_hash: str,
            districts: Sequence[str] | None = None) -> int | None:
        """Create an admin account (limited to `districts`, None: every district); None when
        the name is taken."""
        try:
            cursor = self._db.execute(
                "INSERT INTO admins (username, password_hash, created_at, districts)"
                " VALUES (?, ?, ?, ?)",
                [username, password_hash, values.now_iso(), values.districts_text(districts)])
        except sqlite3.IntegrityError:
            return None
        return cursor.lastrowid

    def set_districts(self, username: str, districts: Sequence[str] | None) -> bool:
        """Limit an admin to `districts` (None: every district); False when there is no such
        admin."""
        cursor = self._db.execute("UPDATE admins SET districts = ? WHERE username = ?",
                                  [values.districts_text(districts), username])
        return cursor.rowcount > 0

    def set_password(self, username: str, password_hash: str) -> bool:
        """Change an admin's password and end their sessions; False when there is no such admin."""
        with self._store.writing():
            admin = self.by_name(username)
            if admin is None:
                return False
            self._db.execute("UPDATE admins SET password_hash = ? WHERE id = ?",
                             [password_hash, admin["id"]])
            self._db.execute("DELETE FROM admin_sessions WHERE admin_id = ?", [admin["id"]])
        return True

    def by_name(self, username: str) -> dict | None:
        """One admin account (id, username, password_hash, created_at, districts), or None."""
        rows = self._db.query("SELECT id, username, password_hash, created_at, districts"
                              " FROM admins WHERE username = ?", [username])
        return next(map(values.with_districts, rows), None)

    def login_failure_times(self, *, since: float, username: str | None = None,
                            address: str | None = None) -> list[float]:
        """When logins failed since `since` (Unix time), for an account, an address or both."""
        where, params = ["at >= ?"], [since]
        for column, value in (("username", username), ("address", address)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self._db.execute(f"SELECT at FROM login_failures WHERE {' AND '.join(where)}"
                                " ORDER BY at", params)
        return [row[0] for row in rows]

    def add_login_failure(self, at: float, username: str, address: str) -> None:
        """Count one failed (or not yet successful) login."""
        self._db.execute("INSERT INTO login_failures (at, username, address) VALUES (?, ?, ?)",
                         [at, username, address])

    def forget_login_failures(self, *, username: str | None = None, address: str = "",
                              before: float | None = None) -> None:
        """Clear one account's failures from one address (it logged in from there), or every
        failure older than `before`."""
        if username is not None:
            self._db.execute("DELETE FROM login_failures WHERE username = ? AND address = ?",
                             [username, address])
        if before is not None:
            self._db.execute("DELETE FROM login_failures WHERE at < ?", [before])

    def add_session(self, token_hash: str, admin_id: int, created_at: float, expires_at: float,
                    address: str) -> None:
        """Record a signed-in session (by the hash of its token)."""
        self._db.execute("INSERT INTO admin_sessions (token_hash, admin_id, created_at,"
                         " expires_at, address) VALUES (?, ?, ?, ?, ?)",
                         [token_hash, admin_id, created_at, expires_at, address])

    def session_admin(self, token_hash: str, now: float) -> dict | None:
        """The admin (id, username, districts) of an unexpired session and its expires_at, or
        None."""
        rows = self._db.query("SELECT a.id, a.username, a.districts, s.expires_at"
                              " FROM admin_sessions s JOIN admins a ON a.id = s.admin_id"
                              " WHERE s.token_hash = ? AND s.expires_at > ?", [token_hash, now])
        return next(map(values.with_districts, rows), None)

    def end_sessions(self, *, token_hash: str | None = None,
                     before: float | None = None) -> None:
        """End one session (logout), or drop every session that expired before `before`."""
        if token_hash is not None:
            self._db.execute("DELETE FROM admin_sessions WHERE token_hash = ?", [token_hash])
        if before is not None:
            self._db.execute("DELETE FROM admin_sessions WHERE expires_at < ?", [before])

"""Admin accounts, sessions and the login throttle's failures in PostgreSQL."""

from collections.abc import Sequence

import locator.store.postgres.connection as connection
import locator.store.values as values


class PostgresAdmins:
    """The admins, admin_sessions and login_failures tables (contracts.AdminRepository)."""

    def __init__(self, store):
        """Work over the store's connection and its transactions."""
        self._store = store

    @property
    def _conn(self):
        """The store's connection."""
        return self._store.conn

    def add(self, username: str, password_hash: str,
            districts: Sequence[str] | None = None) -> int | None:
        """Create an admin account (limited to `districts`, None: every district); None when
        the name is taken."""
        # ON CONFLICT rather than catching the violation, which would abort a caller's transaction.
        return connection.value(self._conn, "INSERT INTO admins (username, password_hash,"
                                " created_at, districts) VALUES (%s, %s, %s, %s)"
                                " ON CONFLICT (username) DO NOTHING RETURNING id",
                                [username, password_hash, values.now_iso(),
                                 values.districts_text(districts)])

    def set_districts(self, username: str, districts: Sequence[str] | None) -> bool:
        """Limit an admin to `districts` (None: every district); False when there is no such
        admin."""
        cursor = self._conn.execute("UPDATE admins SET districts = %s WHERE username = %s",
                                    [values.districts_text(districts), username])
        return cursor.rowcount > 0

    def set_password(self, username: str, password_hash: str) -> bool:
        """Change an admin's password and end their sessions; False when there is no such admin."""
        with self._store.writing():
            admin = self.by_name(username)
            if admin is None:
                return False
            self._conn.execute("UPDATE admins SET password_hash = %s WHERE id = %s",
                               [password_hash, admin["id"]])
            self._conn.execute("DELETE FROM admin_sessions WHERE admin_id = %s", [admin["id"]])
        return True

    def by_name(self, username: str) -> dict | None:
        """One admin account (id, username, password_hash, created_at, districts), or None."""
        rows = connection.rows(self._conn, "SELECT id, username, password_hash, created_at,"
                               " districts FROM admins WHERE username = %s", [username])
        return next(map(values.with_districts, rows), None)

    def login_failure_times(self, *, since: float, username: str | None = None,
                            address: str | None = None) -> list[float]:
        """When logins failed since `since` (Unix time), for an account, an address or both."""
        where, params = ["at >= %s"], [since]
        for column, value in (("username", username), ("address", address)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        rows = self._conn.execute(f"SELECT at FROM login_failures WHERE {' AND '.join(where)}"
                                  " ORDER BY at", params)
        return [row[0] for row in rows]

    def add_login_failure(self, at: float, username: str, address: str) -> None:
        """Count one failed (or not yet successful) login."""
        self._conn.execute("INSERT INTO login_failures (at, username, address)"
                           " VALUES (%s, %s, %s)", [at, username, address])

    def forget_login_failures(self, *, username: str | None = None, address: str = "",
                              before: float | None = None) -> None:
        """Clear one account's failures from one address (it logged in from there), or every
        failure older than `before`."""
        if username is not None:
            self._conn.execute("DELETE FROM login_failures WHERE username = %s AND address = %s",
                               [username, address])
        if before is not None:
            self._conn.execute("DELETE FROM login_failures WHERE at < %s", [before])

    def add_session(self, token_hash: str, admin_id: int, created_at: float, expires_at: float,
                    address: str) -> None:
        """Record a signed-in session (by the hash of its token)."""
        self._conn.execute("INSERT INTO admin_sessions (token_hash, admin_id, created_at,"
                           " expires_at, address) VALUES (%s, %s, %s, %s, %s)",
                           [token_hash, admin_id, created_at, expires_at, address])

    def session_admin(self, token_hash: str, now: float) -> dict | None:
        """The admin (id, username, districts) of an unexpired session and its expires_at, or
        None."""
        rows = connection.rows(self._conn, "SELECT a.id, a.username, a.districts, s.expires_at"
                               " FROM admin_sessions s JOIN admins a ON a.id = s.admin_id"
                               " WHERE s.token_hash = %s AND s.expires_at > %s",
                               [token_hash, now])
        return next(map(values.with_districts, rows), None)

    def end_sessions(self, *, token_hash: str | None = None,
                     before: float | None = None) -> None:
        """End one session (logout), or drop every session that expired before `before`."""
        if token_hash is not None:
            self._conn.execute("DELETE FROM admin_sessions WHERE token_hash = %s", [token_hash])
        if before is not None:
            self._conn.execute("DELETE FROM admin_sessions WHERE expires_at < %s", [before])

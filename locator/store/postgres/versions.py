"""Dataset versions in PostgreSQL: keyframes and deltas (store/history.py), committed
atomically."""

import locator.store.postgres.connection as connection
import locator.store.values as values
from locator.store.history import VERSION_COLUMNS, VERSION_ROW, VersionHistory, metadata


class PostgresVersions(VersionHistory):
    """The versions table (contracts.VersionRepository); commit() writes the facilities too."""

    @property
    def _conn(self):
        """The store's connection."""
        return self._store.conn

    def current(self) -> dict | None:
        """The newest dataset version's metadata, or None before the first import."""
        rows = connection.rows(self._conn, f"SELECT {VERSION_COLUMNS} FROM versions"
                               " ORDER BY number DESC LIMIT 1")
        return next(metadata(rows), None)

    def current_number(self) -> int:
        """The newest version's number, 0 before the first import."""
        return connection.value(self._conn, "SELECT max(number) FROM versions") or 0

    def all(self) -> list[dict]:
        """Every version's metadata, newest first."""
        return list(metadata(connection.rows(
            self._conn, f"SELECT {VERSION_COLUMNS} FROM versions ORDER BY number DESC")))

    def get(self, number: int) -> dict | None:
        """One version's metadata, or None."""
        if not values.is_integer(number):
            return None
        rows = connection.rows(self._conn, f"SELECT {VERSION_COLUMNS} FROM versions"
                               " WHERE number = %s", [number])
        return next(metadata(rows), None)

    def last_of(self, kind: str) -> dict | None:
        """The newest version of one kind ("import", "rollback", "edit"…), or None."""
        rows = connection.rows(self._conn, f"SELECT {VERSION_COLUMNS} FROM versions"
                               " WHERE kind = %s ORDER BY number DESC LIMIT 1", [kind])
        return next(metadata(rows), None)

    def _chain(self, number: int) -> list[tuple[int, bytes | None, bytes | None]]:
        """(number, snapshot, delta) from the newest keyframe up to version `number`."""
        with self._store.reading():
            rows = self._conn.execute(
                "SELECT number, snapshot, delta FROM versions WHERE number <= %(n)s AND number >="
                " (SELECT number FROM versions WHERE number <= %(n)s AND snapshot IS NOT NULL"
                "  ORDER BY number DESC LIMIT 1) ORDER BY number", {"n": number}).fetchall()
        return rows if rows and rows[-1][0] == number else []

    def _insert_version(self, row: list) -> None:
        """Insert one versions row."""
        marks = ", ".join("%s" for _ in row)
        self._conn.execute(f"INSERT INTO versions ({VERSION_ROW}) VALUES ({marks})", row)

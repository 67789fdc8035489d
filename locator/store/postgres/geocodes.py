"""The geocoder's answers kept by provider and address, in PostgreSQL."""

from collections.abc import Sequence

import locator.store.postgres.connection as connection

_FIELDS = ("address", "found", "lat", "lon", "precision", "level", "label", "asked_at")


class PostgresGeocodes:
    """The geocode_cache table (contracts.GeocodeCache)."""

    def __init__(self, store):
        """Work over the store's connection and its transactions."""
        self._store = store

    def get_many(self, provider: str, addresses: Sequence[str]) -> dict[str, dict]:
        """The kept answers of `provider` for those of `addresses` it has answered, by address."""
        rows = connection.rows(self._store.conn, f"SELECT {', '.join(_FIELDS)} FROM geocode_cache"
                               " WHERE provider = %s AND address = ANY(%s)",
                               [provider, list(addresses)])
        return {row["address"]: row for row in rows}

    def save(self, provider: str, address: str, *, at: float, lat: float | None = None,
             lon: float | None = None, precision: str = "", level: str = "",
             label: str = "") -> None:
        """Keep one answer: a WGS-84 point, or (lat None) "no such place"; replaces an older."""
        with self._store.writing():
            self._store.conn.execute(
                "INSERT INTO geocode_cache (provider, address, found, lat, lon, precision, level,"
                " label, asked_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (provider, address) DO UPDATE SET found = excluded.found,"
                " lat = excluded.lat, lon = excluded.lon, precision = excluded.precision,"
                " level = excluded.level, label = excluded.label, asked_at = excluded.asked_at",
                [provider, address, int(lat is not None), lat, lon, precision, level, label, at])

    def count(self) -> int:
        """How many answers are kept."""
        return connection.value(self._store.conn, "SELECT count(*) FROM geocode_cache")

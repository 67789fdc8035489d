"""The geocoder's answers kept by provider and address, in SQLite."""

from collections.abc import Sequence

_FIELDS = ("address", "found", "lat", "lon", "precision", "level", "label", "asked_at")


class SqliteGeocodes:
    """The geocode_cache table (contracts.GeocodeCache)."""

    def __init__(self, store):
        """Work over the store's connection and its transactions."""
        self._store, self._db = store, store.db

    def get_many(self, provider: str, addresses: Sequence[str]) -> dict[str, dict]:
        """The kept answers of `provider` for those of `addresses` it has answered, by address."""
        found = {}
        # Chunks: SQLite allows a limited number of parameters in one statement.
        for start in range(0, len(addresses), 500):
            chunk = list(addresses[start:start + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"SELECT {', '.join(_FIELDS)} FROM geocode_cache"
                f" WHERE provider = ? AND address IN ({marks})", [provider, *chunk])
            found.update((row[0], dict(zip(_FIELDS, row, strict=True))) for row in rows)
        return found

    def save(self, provider: str, address: str, *, at: float, lat: float | None = None,
             lon: float | None = None, precision: str = "", level: str = "",
             label: str = "") -> None:
        """Keep one answer: a WGS-84 point, or (lat None) "no such place"; replaces an older."""
        with self._store.writing():
            self._db.execute(
                "INSERT OR REPLACE INTO geocode_cache (provider, address, found, lat, lon,"
                " precision, level, label, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [provider, address, int(lat is not None), lat, lon, precision, level, label, at])

    def count(self) -> int:
        """How many answers are kept."""
        return self._db.execute("SELECT count(*) FROM geocode_cache").fetchone()[0]

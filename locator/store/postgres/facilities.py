"""The facilities in PostgreSQL: lookups, search (pg_trgm), filtered pages, the nearest search's
queries (GiST boxes, and KNN by `<->` on geography), and writing a version's rows by COPY."""

from collections.abc import Iterator, Sequence

import locator.store.postgres.connection as connection
import locator.store.postgres.schema as schema
from locator.core.nearest import Extent, KnnRow, KnnStart
from locator.core.records import COLUMNS
from locator.store.contracts import Change, FacilityPage
from locator.store.values import like_pattern, search_text

_COLS = ", ".join(COLUMNS)
_FCOLS = ", ".join(f"f.{c}" for c in COLUMNS)
_LAST = chr(0x10FFFF)  # sorts after any character: [p, p + _LAST) holds what begins with p
_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"
# A version that rewrites this many rows, and at least a quarter of the dataset, refreshes the
# planner's statistics in its own transaction (ANALYZE samples: ~0.1 s at a million rows).
ANALYZE_FROM_ROWS = 2000
# The nearest search reads KNN candidates in batches of this many times k (then four times more):
# the first batch alone settles nearly every search, and each row more costs the server.
KNN_BATCH_PER_K = 2
KNN_MIN_BATCH = 8
# The extents of every category together: what extent(None) answers.
_ALL_EXTENTS = ("SELECT sum(count)::bigint AS count, min(min_lat) AS min_lat,"
                " min(min_lon) AS min_lon, max(max_lat) AS max_lat, max(max_lon) AS max_lon"
                " FROM category_extents HAVING count(*) > 0")


class PostgresFacilities:
    """The facilities table with its GiST and trigram indexes and category extents
    (contracts.FacilityRepository)."""

    def __init__(self, store):
        """Work over the store's connection and its read snapshots."""
        self._store = store

    @property
    def _conn(self):
        """The store's connection (taken from the pool when the store opened)."""
        return self._store.conn

    def reading(self):
        """One read snapshot of the store (see Store.reading)."""
        return self._store.reading()

    def count(self) -> int:
        """How many facilities there are."""
        return connection.value(self._conn, "SELECT count(*) FROM facilities")

    def counts_by_category(self) -> dict[str, int]:
        """Facility counts keyed by category."""
        return dict(self._conn.execute(
            "SELECT category, count(*) FROM facilities GROUP BY category").fetchall())

    def unverified_count(self) -> int:
        """How many facilities have never been checked on site."""
        return connection.value(self._conn,
                                "SELECT count(*) FROM facilities WHERE verified_on = ''")

    def all(self, category: str | None = None) -> list[dict]:
        """Every facility (optionally of one category), ordered by id."""
        if category is None:
            return connection.rows(self._conn, f"SELECT {_COLS} FROM facilities ORDER BY id")
        return connection.rows(self._conn, f"SELECT {_COLS} FROM facilities"
                               " WHERE category = %s ORDER BY id", [category])

    def by_id(self) -> dict[str, dict]:
        """Every facility keyed by id: what a new import is compared with."""
        return {r["id"]: r for r in self.all()}

    def get(self, facility_id: str) -> dict | None:
        """One facility by id, or None."""
        return connection.first(self._conn, f"SELECT {_COLS} FROM facilities WHERE id = %s",
                                [facility_id])

    def search(self, text: str, limit: int = 10) -> list[dict]:
        """Facilities whose name or address contains `text` (Chinese or English substring)."""
        text = search_text(text)
        if not text:
            return []
        return connection.rows(
            self._conn, f"SELECT {_FCOLS} FROM facilities f WHERE {_TEXT_MATCH}"
            " ORDER BY strpos(f.name, %(text)s) = 0, length(f.name), f.id LIMIT %(limit)s",
            {"pattern": like_pattern(text), "text": text, "limit": limit})

    def terms_from(self, prefix: str, limit: int) -> list[tuple[str, int, str, int]]:
        """(term, fid, source, start) of the search terms that begin with `prefix`, in term
        order (a term before its extensions), at most `limit`: one range of one index."""
        return self._conn.execute(
            "SELECT term, fid, source, start FROM search_terms WHERE term >= %s AND term < %s"
            " ORDER BY term, fid, source, start LIMIT %s",
            [prefix, prefix + _LAST, limit]).fetchall()

    def spellings(self, buckets: Sequence[str]) -> list[str]:
        """The Latin words and terms of these buckets (core/terms.spelling_bucket)."""
        return [row[0] for row in self._conn.execute(
            "SELECT term FROM search_spellings WHERE bucket = ANY(%s) ORDER BY bucket, term",
            [list(buckets)])]

    def after(self, after: str, limit: int, *, text: str = "", category: str | None = None,
              box: tuple[float, float, float, float] | None = None,
              district: str | None = None) -> FacilityPage:
        """Up to `limit` facilities with id > `after`, by id, that pass every filter (text as in
        search, category, box as min_lat, min_lon, max_lat, max_lon, district by its exact
        name), and how many pass in all."""
        where, params = _filters(category, district=district)
        where.insert(0, "TRUE")
        if text:
            text = search_text(text)
            where.append(_TEXT_MATCH if text else "FALSE")
            params["pattern"] = like_pattern(text)
        if box is not None:
            where.append(_BOX_MATCH)
            params |= dict(zip(("min_lat", "min_lon", "max_lat", "max_lon"), box, strict=True))
        clause = " AND ".join(where)
        with self.reading():
            matched = connection.value(self._conn,
                                       f"SELECT count(*) FROM facilities f WHERE {clause}", params)
            rows = [] if not matched else connection.rows(
                self._conn, f"SELECT {_FCOLS} FROM facilities f WHERE {clause}"
                " AND f.id > %(after)s ORDER BY f.id LIMIT %(limit)s",
                params | {"after": after, "limit": limit + 1})
        return FacilityPage(rows[:limit], matched, more=len(rows) > limit)

    def page(self, *, category: str | None = None, unverified: bool = False, text: str = "",
             limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        """One page of facilities (by id) matching the filters, and how many match in all."""
        where, params = ["TRUE"], {}
        if category:
            where.append("f.category = %(category)s")
            params["category"] = category
        if unverified:
            where.append("f.verified_on = ''")
        if text:
            where.append("(f.id ILIKE %(pattern)s OR f.name ILIKE %(pattern)s"
                         " OR f.name_en ILIKE %(pattern)s)")
            params["pattern"] = like_pattern(text)
        sql = "FROM facilities f WHERE " + " AND ".join(where)
        total = connection.value(self._conn, f"SELECT count(*) {sql}", params)
        rows = connection.rows(self._conn, f"SELECT {_FCOLS} {sql} ORDER BY f.id"
                               " LIMIT %(limit)s OFFSET %(offset)s",
                               params | {"limit": limit, "offset": offset})
        return rows, total

    # -- the nearest search (locator/core/nearest.py) -----------------------------------------

    def extent(self, category: str | None = None) -> Extent | None:
        """Count and bounding box of the facilities (of one category), or None if there are none."""
        sql = "SELECT count, min_lat, min_lon, max_lat, max_lon FROM category_extents"
        if category is not None:
            row = self._conn.execute(sql + " WHERE category = %s", [category]).fetchone()
            return None if row is None else Extent(*row)
        extents = [Extent(*row) for row in self._conn.execute(sql)]
        if not extents:
            return None
        return Extent(sum(e.count for e in extents), min(e.min_lat for e in extents),
                      min(e.min_lon for e in extents), max(e.max_lat for e in extents),
                      max(e.max_lon for e in extents))

    def candidates_in_box(self, min_lat: float, min_lon: float, max_lat: float, max_lon: float,
                          *, category: str | None = None, access: str | None = None,
                          amenities: Sequence[str] = ()) -> list[tuple[int, str, float, float]]:
        """(fid, id, lat, lon) of the facilities in the box that pass the filters."""
        where, params = _filters(category, access, amenities)
        params |= {"min_lat": min_lat, "min_lon": min_lon, "max_lat": max_lat,
                   "max_lon": max_lon}
        sql = f"SELECT fid, id, lat, lon FROM facilities f WHERE {_BOX_MATCH}"
        return self._conn.execute(" AND ".join([sql, *where]), params).fetchall()

    def nearest_first(self, lat: float, lon: float, *, category: str | None = None,
                      access: str | None = None, amenities: Sequence[str] = (),
                      k: int = 1) -> KnnStart:
        """The category's extent and its first KNN candidates (as nearest_candidates' first
        batch, with their records) in one statement: one round trip, one snapshot."""
        where, params = _filters(category, access, amenities)
        size = _first_batch(k)
        extent = ("SELECT count, min_lat, min_lon, max_lat, max_lon FROM category_extents"
                  " WHERE category = %(category)s") if category is not None else _ALL_EXTENTS
        # Ties at the batch's end need no order by fid here: a search that reaches the end of
        # an incomplete batch starts again through nearest_candidates. The size is inlined, as
        # in a plain KNN query's LIMIT, so that a prepared statement's plan knows it.
        rows = self._conn.execute(
            f"SELECT e.*, c.* FROM ({extent}) e LEFT JOIN (SELECT f.fid,"
            f" f.geog <-> {_POINT}::geography AS knn, {_FCOLS} FROM facilities f"
            f" WHERE {' AND '.join(['TRUE', *where])} ORDER BY f.geog <-> {_POINT}::geography"
            f" LIMIT {size}) c ON TRUE", params | {"lat": lat, "lon": lon}).fetchall()
        if not rows:
            return KnnStart(None, [], True)
        found = [_knn_row(row[5], row[6], row[7:]) for row in rows if row[5] is not None]
        return KnnStart(Extent(*rows[0][:5]), found, len(found) < size)

    def nearest_candidates(self, lat: float, lon: float, *, category: str | None = None,
                           access: str | None = None, amenities: Sequence[str] = (),
                           k: int = 1) -> Iterator[KnnRow]:
        """(fid, id, lat, lon, knn_m, record) of the facilities that pass the filters, in the
        order of PostGIS's KNN distance knn_m (`<->` on geography, by the GiST index); read in
        growing batches for as long as the caller iterates."""
        where, params = _filters(category, access, amenities)
        params |= {"lat": lat, "lon": lon}
        # Ordered by the distance alone: a tie-break (", fid") makes PostgreSQL sort the whole
        # category instead of walking the index. Each batch is a longer prefix read again (no
        # OFFSET): it holds every row nearer than its last, so the rows not yet seen come after.
        sql = (f"SELECT fid, geog <-> {_POINT}::geography AS knn, {_FCOLS} FROM facilities f"
               f" WHERE {' AND '.join(['TRUE', *where])}"
               f" ORDER BY geog <-> {_POINT}::geography LIMIT ")
        seen, size = set(), _first_batch(k)
        while True:
            batch = self._conn.execute(sql + str(size), params).fetchall()
            for row in batch:
                if row[0] not in seen:
                    seen.add(row[0])
                    yield _knn_row(row[0], row[1], row[2:])
            if len(batch) < size:
                return
            size *= 4

    def by_fids(self, fids: Sequence[int]) -> dict[int, dict]:
        """Full records keyed by fid, for the given fids (missing ones are left out)."""
        if not fids:
            return {}
        found = connection.rows(self._conn, f"SELECT fid, {_COLS} FROM facilities"
                                " WHERE fid = ANY(%s)", [list(fids)])
        return {row.pop("fid"): row for row in found}

    def places(self, fids: Sequence[int]) -> dict[int, tuple[str, str, float, float]]:
        """(id, name, lat, lon) keyed by fid: what ranking needs, without whole records."""
        if not fids:
            return {}
        rows = self._conn.execute("SELECT fid, id, name, lat, lon FROM facilities"
                                  " WHERE fid = ANY(%s)", [list(fids)])
        return {row[0]: tuple(row[1:]) for row in rows}

    # -- writing (PostgresVersions.commit) ------------------------------------------------------

    def write(self, records: Sequence[dict], change: Change) -> None:
        """Write the added, changed and removed facilities of one version, their search terms
        and the category extents."""
        conn = self._conn
        gone = [*change.changed, *change.removed]
        if gone:
            conn.execute("DELETE FROM search_terms WHERE fid IN"
                         " (SELECT fid FROM facilities WHERE id = ANY(%s))", [gone])
        if change.removed:
            conn.execute("DELETE FROM facilities WHERE id = ANY(%s)", [list(change.removed)])
        wanted = set(change.added) | set(change.changed)
        rows = [r for r in records if r["id"] in wanted]
        if rows:
            self._upsert(rows)
            fids = dict(conn.execute("SELECT id, fid FROM facilities WHERE id = ANY(%s)",
                                     [[r["id"] for r in rows]]).fetchall())
            schema.write_terms(conn, [(fids[r["id"]], r) for r in rows])
        schema.refresh_extents(conn)
        touched = len(rows) + len(change.removed)
        if touched >= ANALYZE_FROM_ROWS and touched * 4 >= len(records):
            # Fresh statistics with the data: without them, right after a first large import
            # the planner guessed 2 rows and sorted a whole category instead of walking the
            # KNN index (300 ms at 1M) until autovacuum came by.
            conn.execute("ANALYZE facilities")
            conn.execute("ANALYZE search_terms")

    def _upsert(self, rows: list[dict]) -> None:
        """Insert or replace these records by id, through a COPY into a temporary table."""
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id")
        types = ", ".join(f"{c} double precision" if c in ("lat", "lon") else f"{c} text"
                          for c in COLUMNS)
        with self._conn.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE incoming ({types})")
            with cursor.copy(f"COPY incoming ({_COLS}) FROM STDIN") as copy:
                for record in rows:
                    # A version committed before a column existed lacks it: blank.
                    copy.write_row([record.get(c, "") for c in COLUMNS])
            cursor.execute(f"INSERT INTO facilities ({_COLS}) SELECT {_COLS} FROM incoming"
                           f" ON CONFLICT (id) DO UPDATE SET {updates}")
            cursor.execute("DROP TABLE incoming")


# Name or address contains :pattern (ASCII letters in either case): one trigram index.
_TEXT_MATCH = f"({schema.SEARCHED.replace('name', 'f.name').replace('address', 'f.address')})" \
              " ILIKE %(pattern)s"
# Exactly inside the box: the GiST index on geom finds candidates, the doubles decide.
_BOX_MATCH = ("f.geom && ST_MakeEnvelope(%(min_lon)s, %(min_lat)s, %(max_lon)s, %(max_lat)s,"
              " 4326) AND f.lat BETWEEN %(min_lat)s AND %(max_lat)s"
              " AND f.lon BETWEEN %(min_lon)s AND %(max_lon)s")


def _first_batch(k: int) -> int:
    """How many KNN candidates to read first for k nearest."""
    return max(KNN_MIN_BATCH, KNN_BATCH_PER_K * k)


def _knn_row(fid: int, knn_m: float, values: Sequence) -> KnnRow:
    """A KNN candidate from its fid, KNN distance and its COLUMNS' values."""
    record = dict(zip(COLUMNS, values, strict=True))
    return fid, record["id"], record["lat"], record["lon"], knn_m, record


def _filters(category: str | None, access: str | None = None, amenities: Sequence[str] = (),
             district: str | None = None) -> tuple[list[str], dict]:
    """Exact-value filters (category, access, district) and whole equipment tokens as
    conditions on `facilities f`, with their parameters."""
    where, params = [], {}
    for column, value in (("category", category), ("access", access), ("district", district)):
        if value is not None:
            where.append(f"f.{column} = %({column})s")
            params[column] = value
    for n, token in enumerate(amenities):
        # Tokens are [a-z_]: dropping spaces and fencing with ';' matches whole tokens only.
        where.append(f"strpos(';' || replace(f.amenities, ' ', '') || ';', %(amenity{n})s) > 0")
        params[f"amenity{n}"] = f";{token};"
    return where, params

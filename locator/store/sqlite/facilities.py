"""The facilities in SQLite: lookups, search, filtered pages, the nearest search's queries, and
writing a version's rows with the R*Tree and full-text index kept in step."""

from collections.abc import Sequence

import locator.store.schema as schema
from locator.core.nearest import Extent
from locator.core.records import COLUMNS
from locator.store.contracts import Change, FacilityPage
from locator.store.sqlite.filters import (
    RTREE_OVERLAP,
    Filter,
    box_filter,
    category_filter,
    contains,
    district_filter,
    like_pattern,
    search_text,
    text_filter,
)

_COLS = ", ".join(COLUMNS)
_LAST = chr(0x10FFFF)  # sorts after any character: [p, p + _LAST) holds what begins with p
_FCOLS = ", ".join(f"f.{c}" for c in COLUMNS)
# A version that rewrites this many rows, and at least a quarter of the dataset, rebuilds the
# R*Tree and full-text index in bulk instead of row by row, which is much cheaper then.
BULK_FROM_ROWS = 2000
# A filtered page is found through an index (R*Tree, full-text or category) when that index lists
# at most this many candidates: each is looked up by rowid, which costs several times more than
# testing a row read in order, and then sorted by id. A broader filter is tested row by row while
# the id index is read in order, which stops as soon as the page is full.
DRIVE_AT_MOST = 20_000


class SqliteFacilities:
    """The facilities table with its R*Tree, full-text index and category extents
    (contracts.FacilityRepository)."""

    def __init__(self, store):
        """Work over the store's connection and its read snapshots."""
        self._store, self._db = store, store.db
        # after() drives by an index listing at most this many candidates (tests vary it).
        self.drive_at_most = DRIVE_AT_MOST

    def reading(self):
        """One read snapshot of the store (see Store.reading)."""
        return self._store.reading()

    def count(self) -> int:
        """How many facilities there are."""
        return self._db.execute("SELECT count(*) FROM facilities").fetchone()[0]

    def counts_by_category(self) -> dict[str, int]:
        """Facility counts keyed by category."""
        rows = self._db.execute("SELECT category, count(*) FROM facilities GROUP BY category")
        return dict(rows.fetchall())

    def unverified_count(self) -> int:
        """How many facilities have never been checked on site."""
        return self._db.execute("SELECT count(*) FROM facilities WHERE verified_on = ''"
                                ).fetchone()[0]

    def all(self, category: str | None = None) -> list[dict]:
        """Every facility (optionally of one category), ordered by id."""
        if category is None:
            return list(self._db.query(f"SELECT {_COLS} FROM facilities ORDER BY id"))
        sql = f"SELECT {_COLS} FROM facilities WHERE category = ? ORDER BY id"
        return list(self._db.query(sql, [category]))

    def by_id(self) -> dict[str, dict]:
        """Every facility keyed by id: what a new import is compared with."""
        return {r["id"]: r for r in self.all()}

    def get(self, facility_id: str) -> dict | None:
        """One facility by id, or None."""
        rows = self._db.query(f"SELECT {_COLS} FROM facilities WHERE id = ?", [facility_id])
        return next(iter(rows), None)

    def search(self, text: str, limit: int = 10) -> list[dict]:
        """Facilities whose name or address contains `text` (Chinese or English substring)."""
        text = search_text(text)
        if not text:
            return []
        match = text_filter(text)
        if match.candidates:
            # Joined, not match.driving()'s "fid IN (…)", which first builds a list of the fids.
            found = f"({match.candidates}) m JOIN facilities f ON f.fid = m.rowid"
        else:
            found = f"facilities f WHERE {match.test}"
        sql = (f"SELECT {_FCOLS} FROM {found}"
               " ORDER BY instr(f.name, :text) = 0, length(f.name), f.id LIMIT :limit")
        return list(self._db.query(sql, match.params | {"text": text, "limit": limit}))

    def terms_from(self, prefix: str, limit: int) -> list[tuple[str, int, str, int]]:
        """(term, fid, source, start) of the search terms that begin with `prefix`, in term
        order (a term before its extensions), at most `limit`: one range of one index."""
        rows = self._db.execute(
            "SELECT term, fid, source, start FROM search_terms WHERE term >= ? AND term < ?"
            " LIMIT ?", [prefix, prefix + _LAST, limit])
        return rows.fetchall()

    def spellings(self, buckets: Sequence[str]) -> list[str]:
        """The Latin words and terms of these buckets (core/terms.spelling_bucket)."""
        marks = ", ".join("?" for _ in buckets)
        return [row[0] for row in self._db.execute(
            f"SELECT term FROM search_spellings WHERE bucket IN ({marks})", list(buckets))]

    def after(self, after: str, limit: int, *, text: str = "", category: str | None = None,
              box: tuple[float, float, float, float] | None = None,
              district: str | None = None) -> FacilityPage:
        """Up to `limit` facilities with id > `after`, by id, that pass every filter (text as in
        search, category, box as min_lat, min_lon, max_lat, max_lon, district), and how many
        pass in all."""
        filters = [f for f in (text_filter(text), category_filter(category), box_filter(box),
                               district_filter(district)) if f is not None]
        with self.reading():
            driver = self._driver(filters, self.drive_at_most)
            where = " AND ".join(f.driving() if f is driver else f.test for f in filters) or "1"
            params = {k: v for f in filters for k, v in f.params.items()}
            matched = self._db.execute(f"SELECT count(*) FROM facilities f WHERE {where}",
                                       params).fetchone()[0]
            # Nothing matched: spare the second pass (a short text query reads every row).
            rows = [] if not matched else list(self._db.query(
                f"SELECT {_FCOLS} FROM facilities f WHERE {where} AND f.id > :after"
                " ORDER BY f.id LIMIT :limit", params | {"after": after, "limit": limit + 1}))
        return FacilityPage(rows[:limit], matched, more=len(rows) > limit)

    def _driver(self, filters: list[Filter], at_most: int) -> Filter | None:
        """The filter whose index lists the fewest candidates, if at most `at_most` of them."""
        best, fewest = None, at_most + 1
        for f in filters:
            if f.candidates:
                # LIMIT stops the count early: the cost is bounded by the threshold.
                sql = f"SELECT count(*) FROM ({f.candidates} LIMIT :cap)"
                found = self._db.execute(sql, f.params | {"cap": fewest}).fetchone()[0]
                if found < fewest:
                    best, fewest = f, found
        return best

    def page(self, *, category: str | None = None, unverified: bool = False, text: str = "",
             limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        """One page of facilities (by id) matching the filters, and how many match in all."""
        where, params = ["1"], {}
        if category:
            where.append("f.category = :category")
            params["category"] = category
        if unverified:
            where.append("f.verified_on = ''")
        if text:
            where.append(contains(("id", "name", "name_en")))
            params["pattern"] = like_pattern(text)
        sql = "FROM facilities f WHERE " + " AND ".join(where)
        total = self._db.execute(f"SELECT count(*) {sql}", params).fetchone()[0]
        rows = self._db.query(f"SELECT {_FCOLS} {sql} ORDER BY f.id LIMIT :limit OFFSET :offset",
                              params | {"limit": limit, "offset": offset})
        return list(rows), total

    # -- the nearest search (locator/core/nearest.py) -----------------------------------------

    def extent(self, category: str | None = None) -> Extent | None:
        """Count and bounding box of the facilities (of one category), or None if there are none."""
        sql = "SELECT count, min_lat, min_lon, max_lat, max_lon FROM category_extents"
        if category is not None:
            row = self._db.execute(sql + " WHERE category = ?", [category]).fetchone()
            return None if row is None else Extent(*row)
        return _union([Extent(*row) for row in self._db.execute(sql)])

    def candidates_in_box(self, min_lat: float, min_lon: float, max_lat: float, max_lon: float,
                          *, category: str | None = None, access: str | None = None,
                          amenities: Sequence[str] = ()) -> list[tuple[int, str, float, float]]:
        """(fid, id, lat, lon) of the facilities in the box that pass the filters."""
        # Joined, not box.driving()'s "fid IN (…)", which first builds a list of the fids. The
        # category's test ("+") cannot take over from the R*Tree with its index (a quarter of
        # the table).
        box = box_filter((min_lat, min_lon, max_lat, max_lon))
        where, params = [RTREE_OVERLAP, box.exact], dict(box.params)
        if category is not None:
            kind = category_filter(category)
            where.append(kind.test)
            params |= kind.params
        if access is not None:
            where.append("f.access = :access")
            params["access"] = access
        for n, token in enumerate(amenities):
            # Tokens are [a-z_]: dropping spaces and fencing with ';' matches whole tokens only.
            where.append(f"instr(';' || replace(f.amenities, ' ', '') || ';', :amenity{n}) > 0")
            params[f"amenity{n}"] = f";{token};"
        sql = ("SELECT f.fid, f.id, f.lat, f.lon FROM facility_rtree"
               " JOIN facilities f ON f.fid = facility_rtree.fid WHERE " + " AND ".join(where))
        return self._db.execute(sql, params).fetchall()

    def by_fids(self, fids: Sequence[int]) -> dict[int, dict]:
        """Full records keyed by fid, for the given fids (missing ones are left out)."""
        if not fids:
            return {}
        marks = ", ".join("?" for _ in fids)
        rows = self._db.execute(f"SELECT fid, {_COLS} FROM facilities WHERE fid IN ({marks})",
                                list(fids))
        return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}

    def places(self, fids: Sequence[int]) -> dict[int, tuple[str, str, float, float]]:
        """(id, name, lat, lon) keyed by fid: what ranking needs, without whole records."""
        if not fids:
            return {}
        marks = ", ".join("?" for _ in fids)
        rows = self._db.execute(f"SELECT fid, id, name, lat, lon FROM facilities"
                                f" WHERE fid IN ({marks})", list(fids))
        return {row[0]: row[1:] for row in rows}

    # -- writing (SqliteVersions.commit) --------------------------------------------------------

    def write(self, records: Sequence[dict], change: Change) -> None:
        """Write the added, changed and removed facilities of one version and their extents."""
        touched = len(change.added) + len(change.changed) + len(change.removed)
        bulk = touched >= BULK_FROM_ROWS and touched * 4 >= len(records)
        if bulk:
            self._db.execute("UPDATE index_sync SET bulk = 1")
        old = [] if bulk else self._old_terms([*change.changed, *change.removed])
        self._write_rows(records, change)
        self._write_terms(records, change, bulk, old)
        if bulk:
            self._rebuild_indexes()
            self._db.execute("UPDATE index_sync SET bulk = 0")
        self._db.execute("DELETE FROM category_extents")
        self._db.execute(schema.REFRESH_EXTENTS)

    def _rebuild_indexes(self) -> None:
        """Rebuild the R*Tree and the full-text index from the facilities table."""
        self._db.execute("DELETE FROM facility_rtree")
        self._db.execute("INSERT INTO facility_rtree"
                         " SELECT fid, lat, lat, lon, lon FROM facilities")
        self._db.execute("INSERT INTO facilities_fts (facilities_fts) VALUES ('rebuild')")
        # One segment now, not the many a rebuild leaves: otherwise the next small edits set off
        # FTS5's automerge, which rewrites the whole index (~3 MB at 20,000 rows) at once.
        self._db.execute("INSERT INTO facilities_fts (facilities_fts) VALUES ('optimize')")

    def _old_terms(self, ids: Sequence[str]) -> list[tuple[int, dict]]:
        """(fid, searched values) of facilities about to change or go, read before they do."""
        old = []
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = list(ids[start:start + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(f"SELECT fid, {', '.join(schema.TERM_COLUMNS)} FROM facilities"
                                    f" WHERE id IN ({marks})", chunk)
            old.extend((row[0], dict(zip(schema.TERM_COLUMNS, row[1:], strict=True)))
                       for row in rows)
        return old

    def _write_terms(self, records: Sequence[dict], change: Change, bulk: bool,
                     old: list[tuple[int, dict]]) -> None:
        """The search terms of a version: the old terms of changed and removed facilities
        deleted and the new ones of added and changed inserted (all of them again, in bulk)."""
        conn = self._db.conn
        if bulk:
            conn.execute("DELETE FROM search_terms")
            conn.execute("DELETE FROM search_spellings")
            fids = dict(conn.execute("SELECT id, fid FROM facilities"))
            schema.write_terms(conn, [(fids[r["id"]], r) for r in records])
            return
        schema.delete_terms(conn, old)
        ids = set(change.added) | set(change.changed)
        wanted = [r for r in records if r["id"] in ids]
        fids = {}
        for start in range(0, len(wanted), 500):
            chunk = [r["id"] for r in wanted[start:start + 500]]
            marks = ", ".join("?" for _ in chunk)
            fids.update(conn.execute(f"SELECT id, fid FROM facilities WHERE id IN ({marks})",
                                     chunk))
        schema.write_terms(conn, [(fids[r["id"]], r) for r in wanted])

    def _write_rows(self, records: Sequence[dict], change: Change) -> None:
        """Delete the removed ids and upsert the added and changed records."""
        conn = self._db.conn
        conn.executemany("DELETE FROM facilities WHERE id = ?", [(i,) for i in change.removed])
        wanted = set(change.added) | set(change.changed)
        # A version committed before a column existed lacks it: blank, as the migration left it.
        rows = [tuple(r.get(c, "") for c in COLUMNS) for r in records if r["id"] in wanted]
        marks = ", ".join("?" for _ in COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id")
        conn.executemany(f"INSERT INTO facilities ({_COLS}) VALUES ({marks})"
                         f" ON CONFLICT(id) DO UPDATE SET {updates}", rows)


def _union(extents: list[Extent]) -> Extent | None:
    """The extent of several categories together."""
    if not extents:
        return None
    return Extent(sum(e.count for e in extents), min(e.min_lat for e in extents),
                  min(e.min_lon for e in extents), max(e.max_lat for e in extents),
                  max(e.max_lon for e in extents))

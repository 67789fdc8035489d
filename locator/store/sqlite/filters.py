"""The conditions a facility query is built from: text (full-text or LIKE), category, box."""

from dataclasses import dataclass

import locator.store.schema as schema
from locator.store.values import like_pattern, search_text

# Trigram full-text search finds substrings of this many characters or more.
FTS_FROM_CHARS = 3
# The R*Tree's 32-bit bounds, rounded outwards, overlap every facility in the box (and a few
# more): the exact test on the 64-bit coordinates decides.
RTREE_OVERLAP = ("facility_rtree.max_lat >= :min_lat AND facility_rtree.min_lat <= :max_lat"
                 " AND facility_rtree.max_lon >= :min_lon AND facility_rtree.min_lon <= :max_lon")


@dataclass(frozen=True)
class Filter:
    """One condition on `facilities f`: a test of each row, and the SELECT of the fids an index
    can list as candidates ("" if none can) plus what those candidates still need checked."""

    test: str
    params: dict
    candidates: str = ""
    exact: str = ""

    def driving(self) -> str:
        """The condition with the index listing the rows to look at."""
        listed = f"f.fid IN ({self.candidates})"
        return f"{listed} AND {self.exact}" if self.exact else listed


def text_filter(text: str) -> Filter | None:
    """Name or address contains `text`, as search() finds it; None when no text is given."""
    if not text:
        return None
    text = search_text(text)
    if not text:
        return Filter("0", {})  # only control characters: nothing can match
    if len(text) < FTS_FROM_CHARS:
        # Trigrams cannot match 1-2 characters: scan, which is fine at district scale.
        return Filter(contains(schema.TEXT_SEARCH_COLUMNS), {"pattern": like_pattern(text)})
    matches = "SELECT rowid FROM facilities_fts WHERE facilities_fts MATCH :phrase"
    # "+": a membership test, built once, that must not drive the query.
    return Filter(f"+f.fid IN ({matches})", {"phrase": fts_phrase(text)}, matches)


def category_filter(category: str | None) -> Filter | None:
    """Of this category; None when no category is given."""
    if category is None:
        return None
    return Filter("+f.category = :category", {"category": category},
                  "SELECT fid FROM facilities WHERE category = :category")


def district_filter(district: str | None) -> Filter | None:
    """In this district; None when no district is given."""
    if district is None:
        return None
    return Filter("f.district = :district", {"district": district},
                  "SELECT fid FROM facilities WHERE district = :district")


def box_filter(box: tuple[float, float, float, float] | None) -> Filter | None:
    """Exactly inside the box (min_lat, min_lon, max_lat, max_lon); None when no box is given."""
    if box is None:
        return None
    params = dict(zip(("min_lat", "min_lon", "max_lat", "max_lon"), box, strict=True))
    exact = "f.lat BETWEEN :min_lat AND :max_lat AND f.lon BETWEEN :min_lon AND :max_lon"
    return Filter(exact, params, f"SELECT fid FROM facility_rtree WHERE {RTREE_OVERLAP}", exact)


def contains(columns: tuple[str, ...]) -> str:
    """Any of these columns of `facilities f` contains :pattern (a like_pattern)."""
    return "(" + " OR ".join(f"f.{c} LIKE :pattern ESCAPE '\\'" for c in columns) + ")"


def fts_phrase(text: str) -> str:
    """An FTS5 query for `text` as one phrase: trigrams then find it as any substring."""
    return '"' + text.replace('"', '""') + '"'

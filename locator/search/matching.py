"""One search box for everything a visitor types: a facility's name, English name, former
name, pinyin or initials, a typo of them, a category word, or a destination.

Matching reads the store's search terms (core/terms.py) by prefix, one index range per query;
a typo is looked for only when nothing matches well, among the terms of the query's first
letter and about its length (as Elasticsearch's fuzzy queries keep a prefix). Ranking combines
how well a facility matched with its distance from the visitor when known; ties by name.
"""

import heapq
import math
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from locator.core import terms
from locator.core.geo import geodesic_m
from locator.core.nearest import find_nearest
from locator.core.traditional import to_simplified
from locator.maps.layers import CENTRE
from locator.search import words
from locator.store import Store

MAX_QUERY_CHARS = 100
# Every way a result can have matched (the API's matched.how).
HOWS = ("exact", "prefix", "alias", "pinyin", "typo", "route", "category_word")
MAX_WORDS = 5  # words of a query matched one by one
CANDIDATE_TERMS = 200  # terms read per lookup: bounds the cost of a one-letter query
TYPO_CANDIDATES = 20
# How well a term matched, by what it was made from and whether the query is all of it
# (start 0 and equal), its beginning (start 0) or the beginning of a later word.
_SCORES = {  # (source, "equal" | "prefix" | "later") → (how, score)
    (terms.NAME, "equal"): ("exact", 100), (terms.NAME, "prefix"): ("prefix", 80),
    (terms.NAME, "later"): ("prefix", 60),
    (terms.ALIAS, "equal"): ("alias", 95), (terms.ALIAS, "prefix"): ("alias", 75),
    (terms.ALIAS, "later"): ("alias", 55),
    (terms.PINYIN, "equal"): ("pinyin", 90), (terms.PINYIN, "prefix"): ("pinyin", 72),
    (terms.PINYIN, "later"): ("pinyin", 50),
    (terms.INITIALS, "equal"): ("pinyin", 80), (terms.INITIALS, "prefix"): ("pinyin", 65),
    (terms.ROUTE, "equal"): ("route", 90), (terms.ROUTE, "prefix"): ("route", 80),
    (terms.ROUTE, "later"): ("route", 85),  # "江门—深圳": the destination is the later word
}
METRES_PER_DEGREE = 111_320  # of latitude; of longitude times cos(latitude)
GOOD_ENOUGH = 60  # below this, typos are looked for too
_TYPO_SCORE = 45
FIELDS = {terms.ALIAS: "aliases", terms.ROUTE: "routes"}


@dataclass(frozen=True)
class Match:
    """One facility found, how (`how`, in which `field`, by which `text`), its score and its
    distance from the visitor (None when the position is unknown)."""

    record: dict
    how: str
    field: str
    text: str
    score: float
    distance_m: float | None


@dataclass(frozen=True)
class Found:
    """What a query found: a category it named (key, the word), and the facilities."""

    category: tuple[str, str] | None
    matches: list[Match]


def find(store: Store, query: str, *, lat: float | None = None, lon: float | None = None,
         limit: int = 10) -> Found:
    """The facilities `query` asks for, best first, read in one snapshot of the store; a query
    in Traditional characters (長途汽車站) is read in Simplified too, as the data is kept, and
    the better reading wins (as typed on a tie: 乾务镇 is Simplified, though 乾 reads as 干)."""
    query = query[:MAX_QUERY_CHARS]
    found = _find(store, query, lat, lon, limit)
    simplified = to_simplified(query)
    if simplified == query:
        return found
    read_simplified = _find(store, simplified, lat, lon, limit)
    return read_simplified if _strength(read_simplified) > _strength(found) else found


def _strength(found: Found) -> tuple[bool, float]:
    """How well a reading of a query matched: a category it named, else its best score."""
    return found.category is not None, max((m.score for m in found.matches), default=-1.0)


def _find(store: Store, query: str, lat: float | None, lon: float | None, limit: int) -> Found:
    """`find` for the query as given."""
    with store.reading():
        category = words.category_of(query)
        if category is not None:
            return Found(category, _nearest_of(store, category, lat, lon, limit))
        destination = words.destination_of(query)
        if destination is not None:
            served = _ranked(store, _lookup(store, terms.fold(destination), {terms.ROUTE}),
                             lat, lon, limit)
            if served:
                return Found(None, served)
        best = _lookup(store, terms.fold(query))
        if max((b[3] for b in best.values()), default=0) < GOOD_ENOUGH:
            for fid, found in _every_word(store, query).items():
                if fid not in best or found[3] > best[fid][3]:
                    best[fid] = found
        return Found(None, _ranked(store, best, lat, lon, limit))


def _nearest_of(store: Store, category: tuple[str, str], lat: float | None, lon: float | None,
                limit: int) -> list[Match]:
    """The nearest facilities of a category named by a word (from the district's centre when
    the visitor's position is unknown)."""
    origin = (lat, lon) if lat is not None else CENTRE
    found = find_nearest(store.facilities, *origin, k=limit, category=category[0])
    return [Match(hit.record, "category_word", "category", category[1], 0,
                  hit.distance_m if lat is not None else None) for hit in found.hits]


def _lookup(store: Store, folded: str,
            sources: set[str] | None = None) -> dict[int, tuple[str, str, str, float]]:
    """fid → (how, source, term, score) of the best term each facility matched by."""
    if not folded:
        return {}
    best: dict[int, tuple[str, str, str, float]] = {}
    for term, fid, source, start in store.facilities.terms_from(folded, CANDIDATE_TERMS):
        if sources is not None and source not in sources:
            continue
        how, score = _SCORES.get((source, _position(term, folded, start)), ("prefix", 0))
        if fid not in best or score > best[fid][3]:
            best[fid] = (how, source, term, score)
    if sources is None and max((b[3] for b in best.values()), default=0) < GOOD_ENOUGH:
        for fid, found in _typos(store, folded).items():
            best.setdefault(fid, found)
    return best


def _every_word(store: Store, query: str) -> dict[int, tuple[str, str, str, float]]:
    """Facilities that match each word of a several-word query ("Xinhui Station" finds Xinhui
    Railway Station): how the weakest word matched, scored by the words' mean."""
    typed = [w for w in (terms.fold(w) for w in words.normal(query).split()[:MAX_WORDS]) if w]
    if len(typed) < 2:
        return {}
    found: dict[int, list[tuple[str, str, str, float]]] | None = None
    for word in typed:
        matched = {fid: best for fid, best in _lookup(store, word).items() if best[3] > 0}
        found = ({fid: [best] for fid, best in matched.items()} if found is None else
                 {fid: [*found[fid], best] for fid, best in matched.items() if fid in found})
        if not found:
            return {}
    out = {}
    for fid, each in found.items():
        how, source, term, _score = min(each, key=lambda b: b[3])
        out[fid] = (how, source, term, sum(b[3] for b in each) / len(each) - 5)
    return out


def _position(term: str, folded: str, start: int) -> str:
    """Whether the query is all of the field, its beginning, or the beginning of a later word
    (core/terms.Term's start: 0 the field, n > 0 a suffix, -(n + 1) the n-th word alone)."""
    if start > 0 or start < -1:
        return "later"
    if start == -1:
        return "prefix"
    return "equal" if term == folded else "prefix"


def _typos(store: Store, folded: str) -> dict[int, tuple[str, str, str, float]]:
    """Facilities whose Latin terms are within a few edits of the query (same first letter;
    a swap of two neighbouring letters is one edit)."""
    if not (folded.isascii() and folded.isalpha() and len(folded) >= 4):
        return {}
    allowed = 1 if len(folded) <= 6 else 2 if len(folded) <= 12 else 3
    lengths = range(max(4, len(folded) - allowed), len(folded) + allowed + 1)
    spellings = store.facilities.spellings([terms.spelling_bucket(folded[0], n)
                                            for n in lengths])
    close = process.extract(folded, spellings, scorer=OSA.distance,
                            score_cutoff=allowed, limit=TYPO_CANDIDATES)
    if not close:
        return {}
    out: dict[int, tuple[str, str, str, float]] = {}
    budget = CANDIDATE_TERMS
    for spelling, distance, _n in close:  # closest first
        # The terms that begin with the word as it should be spelled.
        for term, fid, source, _start in store.facilities.terms_from(spelling, budget):
            score = _TYPO_SCORE - 5 * distance
            if fid not in out or score > out[fid][3]:
                out[fid] = ("typo", source, term, score)
            budget -= 1
        if budget <= 0:
            break
    return out


def _ranked(store: Store, best: dict[int, tuple[str, str, str, float]], lat: float | None,
            lon: float | None, limit: int) -> list[Match]:
    """The matched facilities ranked by match and distance, ties by name, then id. Ranking reads
    only each candidate's name and position (a flat-earth distance is exact enough for a
    logarithmic penalty); the winners are read whole, with their exact geodesic distance."""
    places = store.facilities.places(list(best))
    if lat is None:
        ranked = [(-best[fid][3], name, facility_id, fid)
                  for fid, (facility_id, name, _lat, _lon) in places.items()]
    else:
        ky, kx = METRES_PER_DEGREE, METRES_PER_DEGREE * math.cos(math.radians(lat))
        ranked = [(-(best[fid][3] - far(math.hypot((f_lat - lat) * ky, (f_lon - lon) * kx))),
                   name, facility_id, fid)
                  for fid, (facility_id, name, f_lat, f_lon) in places.items()]
    top = heapq.nsmallest(limit, ranked)
    records = store.facilities.by_fids([fid for *_, fid in top])
    matches = []
    for score, _name, _id, fid in top:
        record = records[fid]
        how, source, term, _score = best[fid]
        distance = geodesic_m(lat, lon, record["lat"], record["lon"]) if lat is not None else None
        field, text = _matched_field(record, source, term)
        matches.append(Match(record, how, field, text, -score, distance))
    return matches


def far(distance_m: float) -> float:
    """Points taken off for distance: ~3 at 500 m, 10 at 4.5 km, 20 at 50 km, at most 30; so a
    good match far away still beats a poor one nearby."""
    return min(30.0, 10 * math.log10(1 + distance_m / 500))


def _matched_field(record: dict, source: str, term: str) -> tuple[str, str]:
    """The field a term came from and that field's text (the one alias or route matched)."""
    if source in FIELDS:
        column = FIELDS[source]
        for item in terms.split_list(record[column]):
            if any(t.text == term for t in terms.record_terms({column: item})):
                return column, item
        return column, record[column]
    if source == terms.NAME and not terms.fold(record["name"]).endswith(term):
        return "name_en", record["name_en"]
    return "name", record["name"]

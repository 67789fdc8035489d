"""Exact k-nearest facilities by WGS-84 geodesic distance, found through the R*Tree. No Flask.

How a search runs: query the R*Tree for a box that provably holds the whole geodesic circle of
radius r around the origin (`circle_box`); rank the candidates; if k matches lie within r,
nothing outside the box can beat them, so the answer is exact. Otherwise search again with r set
to the k-th best distance found (which then always suffices), or a larger r if fewer than k
matched. The first r comes from the dataset's density, so most searches need one box query.

Geodesic distances (Karney, through PROJ) are computed only for candidates whose
cheap spherical distance could still place them in the top k; `SPHERE_ERROR` bounds that
shortcut (proof below).
"""

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from locator.core.geo import geodesic_m

# WGS-84.
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
# Meridional radius of curvature M is smallest at the equator, a(1-e²); the largest radius of
# curvature anywhere is at the poles, where M = N = a/sqrt(1-e²).
_M_MIN = _A * (1 - _E2)
_RADIUS_MAX = _A / math.sqrt(1 - _E2)

# Why the sphere is within 0.504 % of the ellipsoid, everywhere, at any distance:
# in geodetic coordinates the ellipsoid's line element is ds² = M² dφ² + N² cos²φ dλ², the
# sphere's (radius R, same φ, λ) is R² dφ² + R² cos²φ dλ². Their ratio lies between
# min(M, N)/R and max(M, N)/R, so between _M_MIN/R and _RADIUS_MAX/R, for every path. The
# geodesic g is the shortest ellipsoidal path, the great-circle distance c the shortest
# spherical one, so (_M_MIN/R)·c <= g <= (_RADIUS_MAX/R)·c. R midway makes both sides
# |g - c| <= SPHERE_ERROR·c with SPHERE_ERROR = (_RADIUS_MAX - _M_MIN) / (2R) = 0.00504.
SPHERE_RADIUS = (_M_MIN + _RADIUS_MAX) / 2
SPHERE_ERROR = (_RADIUS_MAX - _M_MIN) / (2 * SPHERE_RADIUS)
# Pruning uses g >= c·(1 - 1.5·SPHERE_ERROR) - 1 m: half as much again against our own
# reasoning, and a metre for rounding (haversine loses ~0.1 m near antipodes, never more).
_LOWER = 1 - 1.5 * SPHERE_ERROR
_SLACK_M = 1.0
# circle_box widens its derived bounds by 0.1 % and a millimetre, against rounding.
_BOX_SAFETY = 1.001
_BOX_SLACK_M = 0.001

# PostGIS's `<->` on geography is a great-circle distance on a sphere of the mean radius
# (6371008.8 m). The geodesic is at least _M_MIN per radian of that arc (as above), so a
# candidate's geodesic is at least knn_m · _M_MIN / KNN_RADIUS_MAX; on the ellipsoid it is
# knn_m itself, which is larger. KNN_RADIUS_MAX is taken above any mean radius in use.
KNN_RADIUS_MAX = 6_371_100.0
_KNN_LOWER = _M_MIN / KNN_RADIUS_MAX * (1 - 1e-9)

# Aim the first box at this many times k expected matches: few second queries, few candidates.
_START_MATCHES = 2.0
_MIN_RADIUS_M = 10.0


@dataclass(frozen=True)
class Extent:
    """How many facilities there are and the exact box around them."""

    count: int
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float


# A KNN candidate: (fid, id, lat, lon, knn_m, its full record).
KnnRow = tuple[int, str, float, float, float, dict]


@dataclass(frozen=True)
class KnnStart:
    """A KNN source's first answer, read in one statement (so one snapshot): the extent of the
    category and the nearest candidates by knn_m; complete: they are every one that passes."""

    extent: Extent | None
    rows: list[KnnRow]
    complete: bool


class KnnSource(Protocol):
    """What a store whose index orders by distance (PostGIS's KNN) may provide instead of
    boxes; find_nearest then reads candidates nearest first and stops as soon as no later one
    can be among the k. knn_m is a distance on a sphere of radius at most KNN_RADIUS_MAX, or
    on the ellipsoid; each candidate comes with its record, so no second read is needed."""

    def nearest_first(self, lat: float, lon: float, *, category: str | None = None,
                      access: str | None = None, amenities: Sequence[str] = (),
                      k: int = 1) -> KnnStart:
        """The extent of the category and its first few candidates passing the filters, by
        knn_m ascending, in one read: most searches need nothing more."""

    def nearest_candidates(self, lat: float, lon: float, *, category: str | None = None,
                           access: str | None = None, amenities: Sequence[str] = (),
                           k: int = 1) -> Iterable[KnnRow]:
        """Every facility passing the filters, by knn_m ascending (inside reading())."""


class NearestSource(Protocol):
    """What the nearest search needs from a store; every facility repository provides it."""

    def reading(self) -> AbstractContextManager:
        """One read snapshot: every query inside sees the same dataset version."""

    def extent(self, category: str | None = None) -> Extent | None:
        """Count and exact box of the facilities (of one category); None if there are none."""

    def candidates_in_box(self, min_lat: float, min_lon: float, max_lat: float, max_lon: float,
                          *, category: str | None = None, access: str | None = None,
                          amenities: Sequence[str] = ()) -> list[tuple[int, str, float, float]]:
        """(fid, id, lat, lon) of every facility exactly inside the box that passes the filters
        (amenities: whole tokens, all required), in no particular order."""

    def by_fids(self, fids: Sequence[int]) -> dict[int, dict]:
        """Full records keyed by fid for the given fids; missing fids are left out."""


@dataclass(frozen=True)
class Hit:
    """One facility and its distance from the origin."""

    record: dict
    distance_m: float


@dataclass(frozen=True)
class Nearest:
    """The nearest matches; beyond_radius: none within radius_m, hits holds the nearest beyond;
    extent: the searched category's count and bounds in the same snapshot (None: it is empty)."""

    hits: list[Hit]
    beyond_radius: bool
    extent: Extent | None = None


def find_nearest(source: NearestSource, lat: float, lon: float, *, k: int = 5,
                 category: str | None = None, amenities: Sequence[str] = (),
                 access: str | None = None, radius_m: float | None = None,
                 accept: Callable[[dict], bool] | None = None) -> Nearest:
    """The k facilities nearest to (lat, lon) that pass every filter, nearest first."""
    _check(lat, lon, k, radius_m)
    if isinstance(amenities, str):  # "a;b", as records hold them, rather than its letters
        amenities = amenities.split(";")
    tokens = tuple(t.strip() for t in amenities if t.strip())
    filters = {"category": category, "access": access, "amenities": tokens}
    if hasattr(source, "nearest_first"):
        try:
            return _search_first(source, lat, lon, k, filters, radius_m, accept)
        except _NeedMore:
            pass  # the first candidates did not settle it: search again in one snapshot
    with source.reading():
        extent = source.extent(category)
        if extent is None:
            return Nearest([], False, None)
        search = _Search(source, lat, lon, extent, filters, accept)
        run = search.run_knn if hasattr(source, "nearest_candidates") else search.run
        ranked = run(k, radius_m)
        beyond = False
        if radius_m is not None and not ranked:
            ranked = run(1, None)
            beyond = bool(ranked)
        return Nearest(search.hits(ranked), beyond, extent)


class _NeedMore(Exception):
    """The search needs more KNN candidates than the first read brought."""


def _search_first(source: KnnSource, lat: float, lon: float, k: int, filters: dict,
                  radius_m: float | None, accept) -> Nearest:
    """The answer from a KNN source's first read alone (one statement: one round trip, one
    snapshot); raises _NeedMore when a later candidate could still count."""
    start = source.nearest_first(lat, lon, k=k, **filters)
    if start.extent is None:
        return Nearest([], False, None)
    search = _Search(source, lat, lon, start.extent, filters, accept, first=start)
    ranked = search.run_knn(k, radius_m)
    beyond = False
    if radius_m is not None and not ranked:
        ranked = search.run_knn(1, None)
        beyond = bool(ranked)
    return Nearest(search.hits(ranked), beyond, start.extent)


def _check(lat: float, lon: float, k: int, radius_m: float | None) -> None:
    """Refuse arguments the search cannot answer sensibly."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"origin ({lat}, {lon}) is not a WGS-84 latitude/longitude")
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    if radius_m is not None and not radius_m >= 0:
        raise ValueError(f"radius_m must be zero or more, not {radius_m}")


def circle_box(lat: float, lon: float, r: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) holding every point within r metres (geodesic)."""
    # Along any path dφ/ds = cos(azimuth)/M, so r metres move latitude by at most r/_M_MIN.
    r = r * _BOX_SAFETY + _BOX_SLACK_M
    dlat = math.degrees(r / _M_MIN)
    lo, hi = lat - dlat, lat + dlat
    if lo <= -90 or hi >= 90:
        return max(lo, -90.0), -180.0, min(hi, 90.0), 180.0  # a pole is inside: any longitude
    # dλ/ds = sin(azimuth)/p with p = N cos φ the radius of the parallel; inside the latitude
    # band p is smallest at the band's poleward edge.
    phi = math.radians(max(abs(lo), abs(hi)))
    p = _A * math.cos(phi) / math.sqrt(1 - _E2 * math.sin(phi) ** 2)
    dlon = math.degrees(r / p)
    if lon - dlon < -180 or lon + dlon > 180:
        return lo, -180.0, hi, 180.0  # across the antimeridian: take every longitude
    return lo, lon - dlon, hi, lon + dlon


def spherical_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on the sphere of radius SPHERE_RADIUS (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * SPHERE_RADIUS * math.asin(math.sqrt(min(h, 1.0)))


class _Search:
    """One search's origin, filters and what it has learnt (distances, accept verdicts)."""

    def __init__(self, source, lat, lon, extent, filters, accept, first=None):
        """Remember the question (and a KNN source's first read); nothing is queried yet."""
        self.source, self.lat, self.lon = source, lat, lon
        self.extent, self.filters, self.accept = extent, filters, accept
        self.first: KnnStart | None = first
        self.distances: dict[int, float] = {}
        self.verdicts: dict[int, bool] = {}
        self.records: dict[int, dict] = {}

    def run(self, k: int, limit_m: float | None) -> list[tuple[float, str, int]]:
        """The k best (distance, id, fid) within limit_m (if given), nearest first."""
        r = self._start_radius(k, limit_m)
        while True:
            box = circle_box(self.lat, self.lon, r)
            top = self._rank(box, k, limit_m)
            if len(top) == k and top[-1][0] <= r:
                return top  # k matches inside the circle: nothing outside the box is nearer
            if (limit_m is not None and r >= limit_m) or self._covers_data(box):
                return top
            r = self._next_radius(r, top, k)
            if limit_m is not None:
                r = min(r, limit_m)

    def run_knn(self, k: int, limit_m: float | None) -> list[tuple[float, str, int]]:
        """The k best (distance, id, fid) within limit_m (if given), nearest first, from
        candidates in KNN order: stops at the first whose lower bound is beyond the k-th."""
        if self.first is None:
            rows = self.source.nearest_candidates(self.lat, self.lon, k=k, **self.filters)
        else:
            rows = self._first_rows()
        return self._best(self._knn_bounds(rows), k, limit_m)

    def _first_rows(self) -> Iterable[KnnRow]:
        """The first read's candidates; asking for one more raises _NeedMore unless they
        were all there is."""
        yield from self.first.rows
        if not self.first.complete:
            raise _NeedMore

    def _knn_bounds(self, rows: Iterable[KnnRow]) -> Iterable[tuple]:
        """(lower bound of the geodesic, fid, id, lat, lon) of KNN candidates, keeping their
        records for the hits."""
        for fid, ident, lat, lon, knn_m, record in rows:
            self.records.setdefault(fid, record)
            yield knn_m * _KNN_LOWER - _SLACK_M, fid, ident, lat, lon

    def _start_radius(self, k: int, limit_m: float | None) -> float:
        """A radius expected to hold a few times k matches, reaching the data at least."""
        e = self.extent
        mid = math.radians((e.min_lat + e.max_lat) / 2)
        height = math.radians(e.max_lat - e.min_lat) * SPHERE_RADIUS
        width = math.radians(e.max_lon - e.min_lon) * SPHERE_RADIUS * math.cos(mid)
        area = max(height, _MIN_RADIUS_M) * max(width, _MIN_RADIUS_M)
        r = math.sqrt(_START_MATCHES * k * area / (math.pi * e.count))
        near_lat = min(max(self.lat, e.min_lat), e.max_lat)
        near_lon = min(max(self.lon, e.min_lon), e.max_lon)
        r = max(r, _MIN_RADIUS_M, spherical_m(self.lat, self.lon, near_lat, near_lon))
        return r if limit_m is None else min(r, limit_m)

    def _next_radius(self, r: float, top: list, k: int) -> float:
        """Where to look next: the k-th distance if k were found, else a larger circle."""
        if len(top) == k:
            return top[-1][0]  # holds all k found, so the next box finishes the search
        # Grow with the matches' density seen so far (area ∝ r²), at least 1.5x, at most 4x.
        growth = math.sqrt(_START_MATCHES * k / len(top)) if top else 4.0
        return r * min(max(growth, 1.5), 4.0)

    def _covers_data(self, box: tuple[float, float, float, float]) -> bool:
        """Whether the box holds every facility of the extent searched."""
        e = self.extent
        return (box[0] <= e.min_lat and box[1] <= e.min_lon
                and box[2] >= e.max_lat and box[3] >= e.max_lon)

    def _rank(self, box, k: int, limit_m: float | None) -> list[tuple[float, str, int]]:
        """The k best candidates in the box, computing geodesics only where they could count."""
        rows = self.source.candidates_in_box(*box, **self.filters)
        cheap = sorted((spherical_m(self.lat, self.lon, lat, lon) * _LOWER - _SLACK_M, fid,
                        ident, lat, lon) for fid, ident, lat, lon in rows)
        return self._best(cheap, k, limit_m)

    def _best(self, cheap: Iterable[tuple[float, int, str, float, float]], k: int,
              limit_m: float | None) -> list[tuple[float, str, int]]:
        """The k best of candidates given as (lower bound of the geodesic, fid, id, lat, lon)
        in ascending order of that bound: geodesics only where they could count."""
        bound = math.inf if limit_m is None else limit_m
        top: list[tuple[float, str, int]] = []
        for lower, fid, ident, lat, lon in cheap:
            if lower > bound:
                break  # this and every later candidate is farther than the k-th found
            entry = (self._distance(fid, lat, lon), ident, fid)
            if entry[0] > bound or (len(top) == k and entry >= top[-1]):
                continue
            if not self._accepts(fid):
                continue
            bisect.insort(top, entry)
            del top[k:]
            if len(top) == k:
                bound = min(bound, top[-1][0])
        return top

    def _distance(self, fid: int, lat: float, lon: float) -> float:
        """The geodesic distance to a candidate, computed once per search."""
        d = self.distances.get(fid)
        if d is None:
            d = self.distances[fid] = geodesic_m(self.lat, self.lon, lat, lon)
        return d

    def _accepts(self, fid: int) -> bool:
        """The caller's predicate on the full record (fetched on demand), once per search."""
        if self.accept is None:
            return True
        verdict = self.verdicts.get(fid)
        if verdict is None:
            if fid not in self.records:
                self.records.update(self.source.by_fids([fid]))
            verdict = self.verdicts[fid] = bool(self.accept(self.records[fid]))
        return verdict

    def hits(self, ranked: list[tuple[float, str, int]]) -> list[Hit]:
        """Hits with full records for the ranked (distance, id, fid) entries."""
        missing = [fid for _, _, fid in ranked if fid not in self.records]
        self.records.update(self.source.by_fids(missing))
        return [Hit(self.records[fid], d) for d, _, fid in ranked]

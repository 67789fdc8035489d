"""Exact k-nearest search (locator.core.nearest) against a brute-force geodesic ranking."""

import contextlib
import math
import random
import tempfile

import psycopg
import pytest
from geographiclib.geodesic import Geodesic
from geopy.distance import geodesic as geopy_geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

import locator.store.postgres.connection as postgres_connection
from locator.core import geo
from locator.core.nearest import SPHERE_ERROR, circle_box, find_nearest, spherical_m
from locator.core.records import COLUMNS, blank_record
from locator.store import Store
from tests import postgres
from tests.factories import commit_whole
from tests.postgres import ENGINES

# The service area: Xinhui District and a margin around it.
LAT_MIN, LAT_MAX = 22.0, 22.9
LON_MIN, LON_MAX = 112.7, 113.35
CATEGORIES = ("nursing_room", "bus_stop", "landmark")
AMENITIES = ("toilet", "wheelchair", "parking")
ACCESS = ("public", "customers")


def record(ident: str, lat: float, lon: float, category: str = "nursing_room",
           amenities: str = "", access: str = "public") -> dict:
    """A stored-form record with every column."""
    return blank_record() | {"id": ident, "category": category, "name": f"设施{ident}",
                             "lat": lat, "lon": lon, "coord_system": "wgs84",
                             "access": access, "amenities": amenities}




pytestmark = pytest.mark.engines


@contextlib.contextmanager
def fresh_store(records: list[dict], engine: str = "sqlite"):
    """A migrated store holding `records`, in its own temporary folder or PostgreSQL schema."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(postgres.new_store_target(engine, folder))
        store.migrate()
        try:
            if records:
                commit_whole(store, records)
            yield store
        finally:
            store.close()
            postgres_connection.close_pools()


def brute_force(records, lat, lon, *, k=5, category=None, amenities=(), access=None,
                radius_m=None, accept=None):
    """(ranked [(distance, id)], beyond_radius) by geopy over every record."""
    matches = sorted(
        (geopy_geodesic((lat, lon), (r["lat"], r["lon"])).meters, r["id"])
        for r in records
        if (category is None or r["category"] == category)
        and set(amenities) <= set(r["amenities"].split(";"))
        and (access is None or r["access"] == access)
        and (accept is None or accept(r)))
    if radius_m is None:
        return matches[:k], False
    inside = [m for m in matches if m[0] <= radius_m]
    if inside or not matches:
        return inside[:k], False
    return matches[:1], True


def assert_same_ranking(result, expected, beyond):
    """Same ids in the same order, distances within 1 m, ties ordered by id."""
    got = [(h.distance_m, h.record["id"]) for h in result.hits]
    assert [i for _, i in got] == [i for _, i in expected]
    for (d, _), (want, _) in zip(got, expected, strict=True):
        assert abs(d - want) <= 1.0
    assert got == sorted(got)  # nearest first, equal distances by id
    assert result.beyond_radius is beyond
    assert all(set(h.record) == set(COLUMNS) for h in result.hits)


def even_name(r: dict) -> bool:
    """An accept predicate that needs the full record (name is not a search column)."""
    return int(r["name"][-1]) % 2 == 0


# --- properties ----------------------------------------------------------------------------

EDGES = st.sampled_from([(LAT_MIN, LON_MIN), (LAT_MIN, LON_MAX), (LAT_MAX, LON_MIN),
                         (LAT_MAX, LON_MAX), (LAT_MIN, 113.0), (22.5, LON_MAX)])
ANYWHERE = st.tuples(st.floats(LAT_MIN, LAT_MAX), st.floats(LON_MIN, LON_MAX))


@st.composite
def positions(draw, n):
    """n points: spread out, in tight clusters, on the area's edges, or repeated exactly."""
    centres = draw(st.lists(ANYWHERE, min_size=1, max_size=3))
    points = []
    for _ in range(n):
        kind = draw(st.sampled_from(["any", "cluster", "edge", "repeat"]))
        if kind == "cluster":
            lat, lon = draw(st.sampled_from(centres))
            off = st.floats(-0.002, 0.002)
            points.append((min(max(lat + draw(off), LAT_MIN), LAT_MAX),
                           min(max(lon + draw(off), LON_MIN), LON_MAX)))
        elif kind == "edge":
            points.append(draw(EDGES))
        elif kind == "repeat" and points:
            points.append(draw(st.sampled_from(points)))
        else:
            points.append(draw(ANYWHERE))
    return points


@st.composite
def datasets(draw):
    """Records at those points, with ids shuffled so id order is not insertion order."""
    n = draw(st.integers(0, 40))
    ids = draw(st.permutations([f"f{i:02d}" for i in range(n)]))
    tokens = st.lists(st.sampled_from(AMENITIES), unique=True, max_size=3).map(";".join)
    return [record(ident, lat, lon, draw(st.sampled_from(CATEGORIES)), draw(tokens),
                   draw(st.sampled_from(ACCESS)))
            for ident, (lat, lon) in zip(ids, draw(positions(n)), strict=True)]


QUERIES = st.fixed_dictionaries({
    "k": st.integers(1, 8),
    "category": st.none() | st.sampled_from(CATEGORIES),
    "amenities": st.lists(st.sampled_from(AMENITIES), unique=True, max_size=2),
    "access": st.none() | st.sampled_from(ACCESS),
    "radius_m": st.none() | st.floats(0, 30_000),
    "accept": st.none() | st.just(even_name),
})


@pytest.mark.slow
@pytest.mark.parametrize("kind", ENGINES)
@settings(max_examples=100, deadline=None)
@given(datasets(), st.data())
def test_matches_brute_force(kind, records, data):
    with fresh_store(records, kind) as store:
        for _ in range(3):
            pool = [(r["lat"], r["lon"]) for r in records] or [(22.5, 113.0)]
            origin = data.draw(ANYWHERE | EDGES | st.sampled_from(pool))
            query = data.draw(QUERIES)
            expected, beyond = brute_force(records, *origin, **query)
            assert_same_ranking(find_nearest(store.facilities, *origin, **query), expected, beyond)


@settings(max_examples=100, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(0, 5e6),
       st.floats(0, 360, exclude_max=True))
def test_circle_box_holds_the_whole_geodesic_circle(lat, lon, r, azimuth):
    end = Geodesic.WGS84.Direct(lat, lon, azimuth, r)
    min_lat, min_lon, max_lat, max_lon = circle_box(lat, lon, r)
    assert min_lat <= end["lat2"] <= max_lat
    assert min_lon <= end["lon2"] <= max_lon


@settings(max_examples=100, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_sphere_is_within_the_proven_error_of_the_ellipsoid(lat1, lon1, lat2, lon2):
    g = geo.geodesic_m(lat1, lon1, lat2, lon2)
    c = spherical_m(lat1, lon1, lat2, lon2)
    assert abs(g - c) <= SPHERE_ERROR * c + 1e-6


def test_sphere_error_bound_is_tight_but_not_exceeded():
    # 0.504 % is the proof's bound; short north-south hops at the equator come close to it.
    assert 0.0050 < SPHERE_ERROR < 0.0051
    worst = max(abs(geo.geodesic_m(0, 10, 0.01, 10) / spherical_m(0, 10, 0.01, 10) - 1),
                abs(geo.geodesic_m(89.9, 0, 89.91, 0) / spherical_m(89.9, 0, 89.91, 0) - 1))
    assert 0.0049 < worst <= SPHERE_ERROR


# --- a denser dataset ----------------------------------------------------------------------


def test_two_thousand_facilities_against_brute_force(store):
    rng = random.Random(7)
    records = [record(f"r{i:04d}", rng.uniform(LAT_MIN, LAT_MAX), rng.uniform(LON_MIN, LON_MAX),
                      rng.choice(CATEGORIES), ";".join(rng.sample(AMENITIES, rng.randint(0, 2))))
               for i in range(2000)]
    commit_whole(store, records)
    for _ in range(8):
        origin = (rng.uniform(LAT_MIN, LAT_MAX), rng.uniform(LON_MIN, LON_MAX))
        query = {"k": 5, "category": rng.choice(CATEGORIES), "amenities": ["toilet"]}
        expected, beyond = brute_force(records, *origin, **query)
        assert_same_ranking(find_nearest(store.facilities, *origin, **query), expected, beyond)


def test_accept_is_asked_about_few_candidates(store):
    rng = random.Random(3)
    commit_whole(store, [record(f"r{i:04d}", rng.uniform(22.4, 22.6), rng.uniform(112.9, 113.1))
                 for i in range(2000)])
    asked = []
    result = find_nearest(store.facilities, 22.5, 113.0, k=3,
                          accept=lambda r: asked.append(r) or True)
    assert len(result.hits) == 3
    assert len(asked) < 30


# --- edge cases ----------------------------------------------------------------------------


def test_empty_store(store):
    facilities = store.facilities
    assert find_nearest(facilities, 22.5, 113.0) == find_nearest(facilities, 22.5, 113.0,
                                                                 radius_m=10)
    assert find_nearest(store.facilities, 22.5, 113.0).hits == []
    assert find_nearest(store.facilities, 22.5, 113.0).beyond_radius is False


def test_nothing_within_radius_gives_the_nearest_beyond(store):
    commit_whole(store, [record("far", 22.6, 113.0), record("farther", 22.7, 113.0)])
    result = find_nearest(store.facilities, 22.5, 113.0, k=5, radius_m=1000)
    assert [h.record["id"] for h in result.hits] == ["far"]
    assert result.beyond_radius is True
    assert result.hits[0].distance_m == pytest.approx(geo.geodesic_m(22.5, 113.0, 22.6, 113.0))


def test_no_match_at_all_is_empty_not_beyond(store):
    commit_whole(store, [record("a", 22.6, 113.0)])
    result = find_nearest(store.facilities, 22.5, 113.0, category="bus_stop", radius_m=1000)
    assert result.hits == [] and result.beyond_radius is False
    assert find_nearest(store.facilities, 22.5, 113.0, amenities=["crib"]).hits == []


def test_amenities_may_be_a_joined_string(store):
    commit_whole(store, [record("a", 22.51, 113.0, amenities="toilet"),
                         record("b", 22.52, 113.0, amenities="wheelchair;toilet")])
    result = find_nearest(store.facilities, 22.5, 113.0, amenities="toilet; wheelchair")
    assert [h.record["id"] for h in result.hits] == ["b"]


def test_k_larger_than_matches_returns_them_all_in_order(store):
    commit_whole(store, [record("c", 22.53, 113.0), record("a", 22.51, 113.0),
                         record("b", 22.52, 113.0),
                         record("x", 22.505, 113.0, category="landmark")])
    result = find_nearest(store.facilities, 22.5, 113.0, k=10, category="nursing_room")
    assert [h.record["id"] for h in result.hits] == ["a", "b", "c"]


def test_duplicate_positions_are_ordered_by_id(store):
    commit_whole(store, [record(i, 22.51, 113.01) for i in ("m", "b", "z", "a")])
    result = find_nearest(store.facilities, 22.5, 113.0, k=3)
    assert [h.record["id"] for h in result.hits] == ["a", "b", "m"]
    assert len({h.distance_m for h in result.hits}) == 1


def test_origin_on_a_facility_is_distance_zero(store):
    commit_whole(store, [record("here", 22.5, 113.0), record("there", 22.5, 113.001)])
    assert find_nearest(store.facilities, 22.5, 113.0, k=1, radius_m=0).hits[0].distance_m == 0.0


def test_a_new_version_is_searched_not_a_cached_extent(store):
    commit_whole(store, [record("old", 22.5, 113.0)])
    assert find_nearest(store.facilities, 22.5, 113.0, k=1).hits[0].record["id"] == "old"
    commit_whole(store, [record("new", 40.0, -100.0)])
    assert find_nearest(store.facilities, 22.5, 113.0, k=1).hits[0].record["id"] == "new"


def test_far_origin_and_antimeridian(store):
    commit_whole(store, [record("east", 10.0, 179.999), record("west", 10.0, -179.9),
                         record("pole", 89.999, 45.0)])
    result = find_nearest(store.facilities, 10.0, -179.999, k=3)
    assert [h.record["id"] for h in result.hits] == ["east", "west", "pole"]
    assert result.hits[0].distance_m == pytest.approx(geo.geodesic_m(10, -179.999, 10, 179.999))
    assert find_nearest(store.facilities, 89.9, -135.0, k=1).hits[0].record["id"] == "pole"


@pytest.mark.parametrize("args", [
    {"lat": 91.0, "lon": 0.0}, {"lat": math.nan, "lon": 0.0}, {"lat": 0.0, "lon": 181.0},
    {"lat": 0.0, "lon": 0.0, "k": 0}, {"lat": 0.0, "lon": 0.0, "radius_m": -1.0},
])
def test_bad_arguments_are_refused(store, args):
    with pytest.raises(ValueError):
        find_nearest(store.facilities, **args)


# --- PostgreSQL's KNN path: one statement when the first candidates settle it ----------------


@contextlib.contextmanager
def statements(store):
    """The SQL statements the block sends through psycopg (PostgreSQL); None on SQLite."""
    sent = []
    if not hasattr(store, "conn"):
        yield None  # SQLite: nothing to count
        return
    execute = psycopg.Cursor.execute

    def counted(self, query, params=None, **kwargs):
        """Cursor.execute, remembered."""
        sent.append(str(query))
        return execute(self, query, params, **kwargs)

    psycopg.Cursor.execute = counted
    try:
        yield sent
    finally:
        psycopg.Cursor.execute = execute


def test_a_knn_search_is_one_statement_when_its_first_candidates_settle_it(store):
    rng = random.Random(11)
    records = [record(f"r{i:03d}", rng.uniform(22.4, 22.6), rng.uniform(112.9, 113.1),
                      rng.choice(CATEGORIES), ";".join(rng.sample(AMENITIES, rng.randint(0, 2))))
               for i in range(300)]
    commit_whole(store, records)
    for query in ({"k": 5, "category": "nursing_room"}, {"k": 3}, {"k": 5, "radius_m": 2000.0},
                  {"k": 4, "category": "bus_stop", "amenities": ["toilet"]}):
        with statements(store) as sent:
            result = find_nearest(store.facilities, 22.5, 113.0, **query)
        assert_same_ranking(result, *brute_force(records, 22.5, 113.0, **query))
        assert sent is None or len(sent) == 1, (query, sent)


def test_a_search_its_first_candidates_cannot_settle_reads_more_in_one_snapshot(store):
    # 40 facilities tie at one place: the first read's 20 cannot say which 5 come first by id.
    ids = [f"t{i:02d}" for i in range(40)]
    random.Random(5).shuffle(ids)
    commit_whole(store, [record(i, 22.51, 113.01) for i in ids] + [record("far", 22.6, 113.0)])
    with statements(store) as sent:
        result = find_nearest(store.facilities, 22.5, 113.0, k=5)
    assert [h.record["id"] for h in result.hits] == ["t00", "t01", "t02", "t03", "t04"]
    if sent is not None:
        assert sent[1].startswith("BEGIN ISOLATION LEVEL REPEATABLE READ"), sent


def test_an_accept_that_refuses_the_first_candidates_reads_more(store):
    commit_whole(store, [record(f"n{i:02d}", 22.5 + i * 1e-4, 113.0) for i in range(60)])
    result = find_nearest(store.facilities, 22.5, 113.0, k=2,
                          accept=lambda r: int(r["id"][1:]) >= 50)
    assert [h.record["id"] for h in result.hits] == ["n50", "n51"]

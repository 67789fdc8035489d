"""The PostgreSQL schema: migrations applied in order, recorded in schema_version, run under an
advisory lock so that several app servers starting at once migrate once.

The tables are those of the SQLite engine (locator/store/schema.py) with PostgreSQL's own
indexes: a geography point with a GiST index for the nearest search (KNN), one trigram index
(pg_trgm) for text search, the search terms in a "C"-collated B-tree (prefix ranges sort as in
SQLite), snapshots and deltas as bytea.
"""

import contextlib
from collections.abc import Iterator

import psycopg

import locator.store.postgres.connection as connection
from locator.core.records import COLUMNS
from locator.core.terms import spelling_bucket
from locator.store.schema import REFRESH_EXTENTS, TEXT_SEARCH_COLUMNS, term_rows

# Any constant both sides agree on: pg_advisory_xact_lock's keys for migrating and writing.
MIGRATION_LOCK = 74_610_001
WRITE_LOCK = 74_610_002
# Between the searched columns: a character no stored value holds (the importer refuses control
# characters) and no query holds (search_text drops them), so no match spans two columns.
SEPARATOR = "\x1f"
SEARCHED = " || E'\\x1f' || ".join(TEXT_SEARCH_COLUMNS)


def _extensions(conn: psycopg.Connection) -> None:
    """PostGIS for the geography type and its KNN index, pg_trgm for text search."""
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def _facilities(conn: psycopg.Connection) -> None:
    """Facilities with an integer key, the text id users see, and a geography point."""
    # Text compares byte by byte ("C"), as in SQLite: the same id order, and LIKE folding
    # only ASCII letters. geom serves boxes (longitude, latitude as planar), geog the nearest.
    columns = ", ".join(_column(c) for c in COLUMNS)
    conn.execute(f"CREATE TABLE facilities (fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                 f" {columns}, geom geometry(Point, 4326) GENERATED ALWAYS AS"
                 f" (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,"
                 f" geog geography(Point, 4326) GENERATED ALWAYS AS"
                 f" (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED)")
    conn.execute("CREATE UNIQUE INDEX facilities_id ON facilities (id)")
    conn.execute("CREATE INDEX facilities_category ON facilities (category)")
    conn.execute("CREATE INDEX facilities_geom ON facilities USING gist (geom)")
    conn.execute("CREATE INDEX facilities_geog ON facilities USING gist (geog)")
    conn.execute(f"CREATE INDEX facilities_text ON facilities USING gin (({SEARCHED})"
                 " gin_trgm_ops)")
    conn.execute("CREATE TABLE category_extents (category text PRIMARY KEY,"
                 " count bigint NOT NULL, min_lat double precision NOT NULL,"
                 " min_lon double precision NOT NULL, max_lat double precision NOT NULL,"
                 " max_lon double precision NOT NULL)")


def _column(name: str) -> str:
    """A facilities column's definition: coordinates as doubles, the rest "C"-collated text."""
    if name in ("lat", "lon"):
        return f"{name} double precision NOT NULL"
    return f"{name} text COLLATE \"C\" NOT NULL DEFAULT ''"


def _search_terms(conn: psycopg.Connection) -> None:
    """The terms every facility is found by, and the Latin spellings for typo matching."""
    conn.execute('CREATE TABLE search_terms (term text COLLATE "C" NOT NULL, fid bigint NOT NULL,'
                 ' source text COLLATE "C" NOT NULL, start integer NOT NULL,'
                 " PRIMARY KEY (term, fid, source, start))")
    # A changed or removed facility's terms are deleted by its fid.
    conn.execute("CREATE INDEX search_terms_fid ON search_terms (fid)")
    conn.execute('CREATE TABLE search_spellings (bucket text COLLATE "C" NOT NULL,'
                 ' term text COLLATE "C" NOT NULL, PRIMARY KEY (bucket, term))')


def _versions_and_audit(conn: psycopg.Connection) -> None:
    """Dataset versions (keyframes and deltas) and the audit log."""
    conn.execute("CREATE TABLE versions (number bigint PRIMARY KEY, created_at text NOT NULL,"
                 " actor text NOT NULL, kind text NOT NULL, filename text NOT NULL,"
                 " sha256 text NOT NULL, mode text NOT NULL, added bigint NOT NULL,"
                 " changed bigint NOT NULL, removed bigint NOT NULL, unchanged bigint NOT NULL,"
                 " total bigint NOT NULL, restored_from bigint, snapshot bytea, delta bytea)")
    conn.execute("CREATE INDEX versions_kind ON versions (kind, number)")
    conn.execute("CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                 " at text NOT NULL, actor text NOT NULL, address text NOT NULL,"
                 " action text NOT NULL, detail text NOT NULL)")
    conn.execute("CREATE INDEX audit_log_action ON audit_log (action, actor, address, id)")


def _admin_console(conn: psycopg.Connection) -> None:
    """Admin accounts, sessions, failed logins, previewed uploads, geocoder answers, jobs."""
    for statement in (
        "CREATE TABLE admins (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " username text NOT NULL UNIQUE, password_hash text NOT NULL, created_at text NOT NULL)",
        "CREATE TABLE admin_sessions (token_hash text PRIMARY KEY,"
        " admin_id bigint NOT NULL REFERENCES admins(id), created_at double precision NOT NULL,"
        " expires_at double precision NOT NULL, address text NOT NULL DEFAULT '')",
        "CREATE TABLE login_failures (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " at double precision NOT NULL, username text NOT NULL, address text NOT NULL)",
        "CREATE INDEX login_failures_username ON login_failures (username, at)",
        "CREATE INDEX login_failures_address ON login_failures (address, at)",
        "CREATE TABLE pending_uploads (admin_id bigint NOT NULL, sha256 text NOT NULL,"
        " filename text NOT NULL, mode text NOT NULL, based_on bigint NOT NULL,"
        " created_at double precision NOT NULL, data bytea NOT NULL,"
        " PRIMARY KEY (admin_id, sha256))",
        "CREATE TABLE geocode_cache (provider text NOT NULL, address text NOT NULL,"
        " found integer NOT NULL, lat double precision, lon double precision,"
        " precision text NOT NULL, level text NOT NULL, label text NOT NULL,"
        " asked_at double precision NOT NULL, PRIMARY KEY (provider, address))",
        "CREATE TABLE import_jobs (admin_id bigint NOT NULL, sha256 text NOT NULL,"
        " state text NOT NULL, done bigint NOT NULL, total bigint NOT NULL,"
        " message text NOT NULL, started_at double precision NOT NULL,"
        " updated_at double precision NOT NULL, PRIMARY KEY (admin_id, sha256))",
    ):
        conn.execute(statement)


def _visitor_reports(conn: psycopg.Connection) -> None:
    """Visitors' reports and suggestions, and the weekly secrets of their clients' HMACs."""
    for statement in (
        "CREATE TABLE reports (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " kind text NOT NULL, facility_id text NOT NULL DEFAULT '',"
        " details text NOT NULL DEFAULT '{}', note text NOT NULL DEFAULT '',"
        " client text NOT NULL DEFAULT '', client_prev text NOT NULL DEFAULT '',"
        " created_at double precision NOT NULL, status text NOT NULL DEFAULT 'new',"
        " decided_at double precision, decided_by text NOT NULL DEFAULT '',"
        " decision_note text NOT NULL DEFAULT '', duplicate_of bigint REFERENCES reports(id),"
        " version bigint)",
        "CREATE INDEX reports_status ON reports (status, id)",
        "CREATE INDEX reports_facility ON reports (facility_id, kind, created_at)",
        "CREATE INDEX reports_client ON reports (client, created_at)",
        "CREATE INDEX reports_created ON reports (created_at)",
        "CREATE INDEX reports_kept_clients ON reports (created_at) WHERE client != ''",
        "CREATE TABLE report_secrets (week bigint PRIMARY KEY, secret bytea NOT NULL)",
    ):
        conn.execute(statement)


def _districts(conn: psycopg.Connection) -> None:
    """Several districts: the districts a version touched and those an admin is limited to
    (JSON lists; '' before districts, or every district); facilities.district comes with
    COLUMNS (_new_columns), its index here."""
    conn.execute("ALTER TABLE versions ADD COLUMN districts text NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE admins ADD COLUMN districts text NOT NULL DEFAULT ''")
    _new_columns(conn)
    conn.execute("CREATE INDEX facilities_district ON facilities (district, id)")


def _new_columns(conn: psycopg.Connection) -> None:
    """Columns that joined core/records.COLUMNS after the table was made, blank in old rows."""
    known = {row[0] for row in conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'facilities' AND table_schema = current_schema()")}
    for column in COLUMNS:
        if column not in known:
            conn.execute(f"ALTER TABLE facilities ADD COLUMN {_column(column)}")


MIGRATIONS = (_extensions, _facilities, _search_terms, _versions_and_audit, _admin_console,
              _visitor_reports, _districts)


def done(conn: psycopg.Connection) -> int:
    """How many migrations this database has seen (0 before the first)."""
    exists = connection.value(conn, "SELECT to_regclass('schema_version') IS NOT NULL")
    return connection.value(conn, "SELECT version FROM schema_version") if exists else 0


def missing_columns(conn: psycopg.Connection) -> bool:
    """Whether the facilities table lacks a column of COLUMNS."""
    found = connection.value(
        conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'facilities'"
        " AND table_schema = current_schema() AND column_name = ANY(%s)", [list(COLUMNS)])
    return found != len(COLUMNS)


def is_current(conn: psycopg.Connection) -> bool:
    """Whether every migration has run."""
    return done(conn) == len(MIGRATIONS) and not missing_columns(conn)


@contextlib.contextmanager
def migration_lock(conn: psycopg.Connection) -> Iterator[None]:
    """Hold the migration lock for the session, taken outside any transaction.

    Taken before the migration's transaction begins, so that the transaction starts after any
    other server's migration committed: a transaction's start refreshes PostgreSQL's catalog
    caches, an advisory lock taken inside one does not (the second server then saw no tables,
    made them again and failed).
    """
    conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


def migrate(conn: psycopg.Connection) -> None:
    """Run the migrations this database has not seen (in a transaction begun under
    migration_lock)."""
    seen = done(conn)
    if seen == 0:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (0)")
    for step in MIGRATIONS[seen:]:
        step(conn)
    _new_columns(conn)
    conn.execute("UPDATE schema_version SET version = %s", [len(MIGRATIONS)])


def refresh_extents(conn: psycopg.Connection) -> None:
    """Each category's count and box again, after a version changed the facilities."""
    conn.execute("DELETE FROM category_extents")
    conn.execute(REFRESH_EXTENTS)


def write_terms(conn: psycopg.Connection, records: list[tuple[int, dict]]) -> None:
    """Insert the search terms (and spellings) of (fid, record) pairs, by COPY."""
    found, spellings = term_rows(records)
    with conn.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE new_terms (term text COLLATE \"C\", fid bigint,"
                       " source text, start integer)")
        with cursor.copy("COPY new_terms FROM STDIN") as copy:
            for row in found:
                copy.write_row(row)
        cursor.execute("INSERT INTO search_terms SELECT * FROM new_terms ON CONFLICT DO NOTHING")
        cursor.execute("DROP TABLE new_terms")
        cursor.executemany("INSERT INTO search_spellings VALUES (%s, %s) ON CONFLICT DO NOTHING",
                           sorted((spelling_bucket(w[0], len(w)), w) for w in spellings))

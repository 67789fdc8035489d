"""Schema migrations, applied in order; PRAGMA user_version records how many have run."""

import sqlite3

import sqlite_utils

import locator.store.version_deltas as version_deltas
from locator.core.records import COLUMNS
from locator.core.terms import record_spellings, record_terms, spelling_bucket

TEXT_SEARCH_COLUMNS = ("name", "name_en", "address", "address_en")
_FTS = ", ".join(TEXT_SEARCH_COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in TEXT_SEARCH_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in TEXT_SEARCH_COLUMNS)


def _facilities(db: sqlite_utils.Database) -> None:
    """Facilities with an integer key for the R*Tree and FTS, and the text id users see."""
    columns = {c: str for c in COLUMNS} | {"fid": int, "lat": float, "lon": float}
    db["facilities"].create(columns, pk="fid", not_null=set(COLUMNS),
                            defaults={c: "" for c in COLUMNS if c not in ("lat", "lon")})
    db["facilities"].create_index(["id"], unique=True)
    db["facilities"].create_index(["category"])


def _spatial_and_text_indexes(db: sqlite_utils.Database) -> None:
    """An R*Tree on coordinates and a trigram FTS5 index, kept in step by triggers."""
    # One statement at a time: executescript() would commit the migration's transaction.
    script = f"""
        CREATE VIRTUAL TABLE facility_rtree USING rtree(fid, min_lat, max_lat, min_lon, max_lon);
        CREATE VIRTUAL TABLE facilities_fts USING fts5({_FTS}, content='facilities',
            content_rowid='fid', tokenize='trigram');
        CREATE TRIGGER facilities_ai AFTER INSERT ON facilities BEGIN
            INSERT INTO facility_rtree VALUES (new.fid, new.lat, new.lat, new.lon, new.lon);
            INSERT INTO facilities_fts (rowid, {_FTS}) VALUES (new.fid, {_NEW});
        END;
        CREATE TRIGGER facilities_ad AFTER DELETE ON facilities BEGIN
            DELETE FROM facility_rtree WHERE fid = old.fid;
            INSERT INTO facilities_fts (facilities_fts, rowid, {_FTS})
                VALUES ('delete', old.fid, {_OLD});
        END;
        CREATE TRIGGER facilities_au AFTER UPDATE ON facilities BEGIN
            UPDATE facility_rtree SET min_lat = new.lat, max_lat = new.lat,
                min_lon = new.lon, max_lon = new.lon WHERE fid = new.fid;
            INSERT INTO facilities_fts (facilities_fts, rowid, {_FTS})
                VALUES ('delete', old.fid, {_OLD});
            INSERT INTO facilities_fts (rowid, {_FTS}) VALUES (new.fid, {_NEW});
        END;
    """
    for statement in _split_sql(script):
        db.execute(statement)


def _versions_and_audit(db: sqlite_utils.Database) -> None:
    """Dataset versions with full snapshots, and the audit log."""
    db["versions"].create({
        "number": int, "created_at": str, "actor": str, "kind": str, "filename": str,
        "sha256": str, "mode": str, "added": int, "changed": int, "removed": int,
        "unchanged": int, "total": int, "restored_from": int, "snapshot": bytes,
    }, pk="number")
    db["audit_log"].create({"id": int, "at": str, "actor": str, "address": str, "action": str,
                            "detail": str}, pk="id")


def _bulk_switch(db: sqlite_utils.Database) -> None:
    """Let one transaction switch the index triggers off and rebuild the indexes in bulk.

    Per-row triggers cost several times what a bulk rebuild does (trigram FTS above all). The
    switch lives in a table so that it is part of the writer's transaction: readers never see
    it on, and a crash rolls it back with everything else.
    """
    db["index_sync"].create({"id": int, "bulk": int}, pk="id")
    db["index_sync"].insert({"id": 1, "bulk": 0})
    for name in ("facilities_ai", "facilities_ad", "facilities_au"):
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
        head, body = sql.split(" BEGIN", 1)
        db.execute(f"DROP TRIGGER {name}")
        db.execute(f"{head} WHEN NOT (SELECT bulk FROM index_sync WHERE id = 1) BEGIN{body}")


# -- admin console (locator/admin/accounts.py, sessions.py, uploads.py) ---------------------------

def _admin_console(db: sqlite_utils.Database) -> None:
    """Admin accounts, their sessions, failed logins (the throttle) and previewed uploads."""
    # The throttle and the sessions live here, not in process memory, so that every gunicorn
    # worker (and every replica writing to this file) sees the same counts and logouts.
    # One statement at a time: executescript() would commit the migration's transaction.
    for statement in (
        "CREATE TABLE admins (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
        " password_hash TEXT NOT NULL, created_at TEXT NOT NULL)",
        "CREATE TABLE admin_sessions (token_hash TEXT PRIMARY KEY,"
        " admin_id INTEGER NOT NULL REFERENCES admins(id), created_at REAL NOT NULL,"
        " expires_at REAL NOT NULL, address TEXT NOT NULL DEFAULT '')",
        "CREATE TABLE login_failures (id INTEGER PRIMARY KEY, at REAL NOT NULL,"
        " username TEXT NOT NULL, address TEXT NOT NULL)",
        "CREATE INDEX login_failures_username ON login_failures (username, at)",
        "CREATE INDEX login_failures_address ON login_failures (address, at)",
        "CREATE TABLE pending_uploads (admin_id INTEGER NOT NULL, sha256 TEXT NOT NULL,"
        " filename TEXT NOT NULL, mode TEXT NOT NULL, based_on INTEGER NOT NULL,"
        " created_at REAL NOT NULL, data BLOB NOT NULL, PRIMARY KEY (admin_id, sha256))",
    ):
        db.execute(statement)


def _category_extents(db: sqlite_utils.Database) -> None:
    """Each category's count and bounding box, written by the version that changes them.

    The nearest search needs them on every request; scanning the table for them is slow on a
    large dataset, and every server process would pay it at once right after each import.
    """
    db.execute("CREATE TABLE category_extents (category TEXT PRIMARY KEY, count INTEGER NOT NULL,"
               " min_lat REAL NOT NULL, min_lon REAL NOT NULL, max_lat REAL NOT NULL,"
               " max_lon REAL NOT NULL)")
    db.execute(REFRESH_EXTENTS)


def _audit_lookup(db: sqlite_utils.Database) -> None:
    """An index to find an actor's latest entry of one action without reading the whole log.

    A burst of throttled logins is counted into one entry (audit.record_burst), looked up on
    every refused attempt.
    """
    db.execute("CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, actor, address)")


def _version_deltas(db: sqlite_utils.Database) -> None:
    """Versions store what changed: a delta against the version before, and a full snapshot
    (a keyframe) only every KEYFRAME_EVERY versions or when the deltas outgrow it.

    Every version is read back (snapshot, or the version before plus its delta) and rewritten
    only if its form changes, so that running this again changes nothing. The pages it frees
    are reused by later versions; VACUUM shrinks the file now (it needs the write lock and
    twice the disk space, so it is left to the operator).
    """
    if "delta" not in db["versions"].columns_dict:
        db.execute("ALTER TABLE versions ADD COLUMN delta BLOB")
    previous, chain = None, None
    # One version in memory at a time: a database may hold hundreds of 20,000-row snapshots.
    for (number,) in db.execute("SELECT number FROM versions ORDER BY number").fetchall():
        snapshot, delta = db.execute("SELECT snapshot, delta FROM versions WHERE number = ?",
                                     [number]).fetchone()
        if snapshot is not None:
            records = version_deltas.unpack(snapshot)
        else:
            records = version_deltas.replay(previous, [version_deltas.unpack(delta)])
        stored = version_deltas.encode(previous, records, chain)
        if (stored.snapshot is None) != (snapshot is None):
            db.execute("UPDATE versions SET snapshot = ?, delta = ? WHERE number = ?",
                       [stored.snapshot, stored.delta, number])
        previous, chain = records, version_deltas.grown(chain, stored)


def _geocoding(db: sqlite_utils.Database) -> None:
    """How each position was obtained (coord_source); the geocoder's answers by provider and
    address (a WGS-84 point with the provider's precision and level, or not found), so that a
    re-import or a rollback never asks again; and the console's background checks."""
    # A database made after the column joined COLUMNS has it from _facilities already.
    if "coord_source" not in db["facilities"].columns_dict:
        db.execute("ALTER TABLE facilities ADD COLUMN coord_source TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE TABLE IF NOT EXISTS geocode_cache (provider TEXT NOT NULL,"
               " address TEXT NOT NULL, found INTEGER NOT NULL, lat REAL, lon REAL,"
               " precision TEXT NOT NULL, level TEXT NOT NULL, label TEXT NOT NULL,"
               " asked_at REAL NOT NULL, PRIMARY KEY (provider, address))")
    db.execute("CREATE TABLE IF NOT EXISTS import_jobs (admin_id INTEGER NOT NULL,"
               " sha256 TEXT NOT NULL, state TEXT NOT NULL, done INTEGER NOT NULL,"
               " total INTEGER NOT NULL, message TEXT NOT NULL, started_at REAL NOT NULL,"
               " updated_at REAL NOT NULL, PRIMARY KEY (admin_id, sha256))")


def _visitor_reports(db: sqlite_utils.Database) -> None:
    """Visitors' reports and suggestions with their moderation, and the weekly secrets under
    which their addresses are kept (only as an HMAC, for throttling and counting clients)."""
    # `client` and `client_prev` are the address's HMAC under this week's and last week's
    # secret: one visitor on both sides of a rotation stays one visitor. Both are blanked
    # after 30 days (reports/intake.py); a secret is deleted once no HMAC needs it.
    for statement in (
        "CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
        " facility_id TEXT NOT NULL DEFAULT '', details TEXT NOT NULL DEFAULT '{}',"
        " note TEXT NOT NULL DEFAULT '', client TEXT NOT NULL DEFAULT '',"
        " client_prev TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL,"
        " status TEXT NOT NULL DEFAULT 'new', decided_at REAL,"
        " decided_by TEXT NOT NULL DEFAULT '', decision_note TEXT NOT NULL DEFAULT '',"
        " duplicate_of INTEGER REFERENCES reports(id), version INTEGER)",
        "CREATE INDEX IF NOT EXISTS reports_status ON reports (status, id)",
        "CREATE INDEX IF NOT EXISTS reports_facility ON reports (facility_id, kind, created_at)",
        "CREATE INDEX IF NOT EXISTS reports_client ON reports (client, created_at)",
        "CREATE INDEX IF NOT EXISTS reports_created ON reports (created_at)",
        # Only the rows whose HMACs are still kept: forgetting them stays a short range scan
        # however many old reports pile up.
        "CREATE INDEX IF NOT EXISTS reports_kept_clients ON reports (created_at)"
        " WHERE client != ''",
        "CREATE TABLE IF NOT EXISTS report_secrets (week INTEGER PRIMARY KEY,"
        " secret BLOB NOT NULL)",
    ):
        db.execute(statement)


def _search_terms(db: sqlite_utils.Database) -> None:
    """Other names people use (aliases), and the terms every facility is found by
    (core/terms.py: names, aliases, their pinyin, routes), kept by facilities.write."""
    if "aliases" not in db["facilities"].columns_dict:
        db.execute("ALTER TABLE facilities ADD COLUMN aliases TEXT NOT NULL DEFAULT ''")
    # One B-tree: a prefix lookup is a range scan of it. No index by fid: a changed
    # facility's old terms are made again from its old values and deleted by key.
    db.execute("CREATE TABLE IF NOT EXISTS search_terms (term TEXT NOT NULL, fid INTEGER NOT NULL,"
               " source TEXT NOT NULL, start INTEGER NOT NULL,"
               " PRIMARY KEY (term, fid, source, start)) WITHOUT ROWID")
    # Latin words and terms by first letter and length, for typo matching (search/matching.py):
    # a typo lookup reads the few buckets of the query's length and compares those only.
    db.execute("CREATE TABLE IF NOT EXISTS search_spellings (bucket TEXT NOT NULL,"
               " term TEXT NOT NULL, PRIMARY KEY (bucket, term)) WITHOUT ROWID")
    db.execute("DELETE FROM search_terms")
    db.execute("DELETE FROM search_spellings")
    rows = db.execute(f"SELECT fid, {', '.join(TERM_COLUMNS)} FROM facilities").fetchall()
    write_terms(db.conn, [(row[0], dict(zip(TERM_COLUMNS, row[1:], strict=True)))
                          for row in rows])


TERM_COLUMNS = ("name", "name_en", "aliases", "routes")


def term_rows(records: list[tuple[int, dict]]) -> tuple[list[tuple], set[str]]:
    """The (term, fid, source, start) rows of (fid, record) pairs, sorted, and their spellings."""
    rows, spellings = [], set()
    for fid, record in records:
        found = record_terms(record)
        rows.extend((t.text, fid, t.source, t.start) for t in found)
        spellings |= record_spellings(record, found)
    # Sorted: inserted in key order, each row lands at the end of the B-tree's pages instead of
    # splitting one in the middle.
    rows.sort()
    return rows, spellings


def write_terms(conn, records: list[tuple[int, dict]]) -> None:
    """Insert the search terms (and their spellings) of (fid, record) pairs."""
    rows, spellings = term_rows(records)
    conn.executemany("INSERT OR IGNORE INTO search_terms VALUES (?, ?, ?, ?)", rows)
    # Never deleted one by one: a spelling no facility has any more finds nothing, and a bulk
    # write starts the table afresh.
    conn.executemany("INSERT OR IGNORE INTO search_spellings VALUES (?, ?)",
                     sorted((spelling_bucket(w[0], len(w)), w) for w in spellings))


def delete_terms(conn, records: list[tuple[int, dict]]) -> None:
    """Delete the search terms of (fid, record) pairs, made again from those values."""
    rows, _spellings = term_rows(records)
    conn.executemany("DELETE FROM search_terms WHERE term = ? AND fid = ? AND source = ?"
                     " AND start = ?", rows)


# Run by every version that changes the facilities (versions.commit) and by the migration.
REFRESH_EXTENTS = ("INSERT INTO category_extents"
                   " SELECT category, count(*), min(lat), min(lon), max(lat), max(lon)"
                   " FROM facilities GROUP BY category")


def _districts(db: sqlite_utils.Database) -> None:
    """Several districts in one database: each facility's district, the districts each version
    touched and those an admin is limited to.

    Rows stored before this hold '' (the migration cannot read LOCATOR_DEFAULT_DISTRICT): above
    the store '' reads as the default district (core/districts.py). A version's and an admin's
    districts are a JSON list; '' is a version made before districts, an admin of every
    district.
    """
    # A database made after the column joined COLUMNS has it from _facilities already.
    if "district" not in db["facilities"].columns_dict:
        db.execute("ALTER TABLE facilities ADD COLUMN district TEXT NOT NULL DEFAULT ''")
    # The API's district filter reads one district's facilities in id order.
    db.execute("CREATE INDEX IF NOT EXISTS facilities_district ON facilities (district, id)")
    if "districts" not in db["versions"].columns_dict:
        db.execute("ALTER TABLE versions ADD COLUMN districts TEXT NOT NULL DEFAULT ''")
    if "districts" not in db["admins"].columns_dict:
        db.execute("ALTER TABLE admins ADD COLUMN districts TEXT NOT NULL DEFAULT ''")


def _split_sql(script: str) -> list[str]:
    """The complete statements of an SQL script (trigger bodies hold ';' too)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


def _traditional_name(db: sqlite_utils.Database) -> None:
    """A facility's own Traditional Chinese name (name_zh_hant), shown in zh-Hant instead of
    the conversion of its name (core/traditional.py); blank for every existing facility."""
    if "name_zh_hant" not in db["facilities"].columns_dict:
        db.execute("ALTER TABLE facilities ADD COLUMN name_zh_hant TEXT NOT NULL DEFAULT ''")


MIGRATIONS = (_facilities, _spatial_and_text_indexes, _versions_and_audit, _bulk_switch,
              _admin_console, _category_extents, _audit_lookup, _version_deltas, _geocoding,
              _visitor_reports, _search_terms, _districts,
              _traditional_name)


def is_current(db: sqlite_utils.Database) -> bool:
    """Whether every migration has run."""
    return db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def migrate(db: sqlite_utils.Database) -> None:
    """Run the migrations this database has not seen yet (call inside a write transaction)."""
    done = db.execute("PRAGMA user_version").fetchone()[0]
    for step in MIGRATIONS[done:]:
        step(db)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

"""Small builders for test input: CSV bytes and valid rows."""

import csv
import io

from locator.core.records import COLUMNS


def csv_bytes(*rows: dict, columns=COLUMNS) -> bytes:
    """A UTF-8 CSV with the given columns and rows (missing cells blank)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue().encode()


def xlsx_bytes(*rows) -> bytes:
    """A real workbook with these rows (lists of cell values) on its first sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(i: int = 1, **fields) -> dict:
    """A valid nursing-room row near Xinhui's centre, varied by `i`."""
    base = {"id": f"room-{i}", "category": "nursing_room", "name": f"母婴室{i}",
            "name_en": f"Nursing room {i}", "lat": str(22.5 + i * 0.001),
            "lon": str(113.0 + i * 0.001)}
    return base | fields


def load(db_path: str, *rows: dict, merge: bool = False) -> int:
    """Import `rows` through the real importer into the database; return the new version."""
    from locator import datasets
    from locator.store import Store

    store = Store(db_path)
    try:
        store.migrate()
        checked = datasets.check_file(store, csv_bytes(*rows), "test.csv", merge=merge)
        assert checked.result.ok, [str(e) for e in checked.result.errors]
        return datasets.apply_import(store, checked, "test.csv", actor="test").version
    finally:
        store.close()


def assert_canonical_error(response, status: int) -> str:
    """The response is `{"error": {"status": N, "message": "…"}}` with status N; return message."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == status and body["error"]["message"]
    return body["error"]["message"]


def commit_whole(store, records: list[dict], **options) -> int:
    """Make `records` the whole dataset straight through the store, as a replace import would
    (no importer checks); return the version."""
    from locator.store import Change

    current = store.facilities.by_id()
    ids = {r["id"] for r in records}
    change = Change(added=[r["id"] for r in records if r["id"] not in current],
                    changed=[r["id"] for r in records if r["id"] in current],
                    removed=[i for i in current if i not in ids], unchanged=0)
    return store.versions.commit(records, change, actor="test", kind="import", **options)


def load_synthetic(db_path: str, n: int, seed: int = 1) -> int:
    """Commit n synthetic facilities (bench/make_dataset.py) as one version straight through the
    store, skipping the importer's checks: a few seconds for 20,000 rows; return the version."""
    from bench.make_dataset import synthetic_records
    from locator.store import Store

    records = synthetic_records(n, seed)
    for record in records:
        record["lat"], record["lon"] = float(record["lat"]), float(record["lon"])
    store = Store(db_path)
    try:
        store.migrate()
        return commit_whole(store, records)
    finally:
        store.close()


def in_transaction(store) -> bool:
    """Whether the store's connection has a transaction open, on either engine."""
    if hasattr(store, "db"):
        return store.db.conn.in_transaction
    import psycopg

    return store.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def query_plan(store, sql: str) -> str:
    """The engine's plan for a query, as text (to check which index it uses)."""
    if hasattr(store, "db"):
        return str(store.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
    return str(store.conn.execute(f"EXPLAIN {sql}").fetchall())


def query(db_path: str, sql: str) -> list[tuple]:
    """Every row of a (parameterless, portable) query on the database, on either engine."""
    if db_path.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db_path) as conn:
            return conn.execute(sql).fetchall()
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()

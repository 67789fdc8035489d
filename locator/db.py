"""A store connection for each request, kept per thread between requests (SQLite), or
borrowed from the process's pool (PostgreSQL); public reads from the replica when there is one."""

import os
import threading

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response

from locator.config import Settings, current_settings
from locator.ingest.importer import ImportSettings
from locator.store import Store, is_postgres

# Opening SQLite, setting its pragmas and closing it (which checkpoints the WAL when no other
# connection is open) is a large share of a cheap request. Each thread keeps its own
# connection (never shared across threads) and reuses it while it stays valid.
_threads = threading.local()
KEPT_PER_THREAD = 4  # databases a thread keeps open (one in production; tests use many)

# Requests that only read public data may read a replica: these blueprints' GETs.
REPLICA_BLUEPRINTS = frozenset({"public", "offline", "feedback", "api", "health"})
# Set after an admin's change, for longer than a replica lags: that browser reads the primary,
# so the admin sees their own change on the public pages at once (read-your-writes).
PRIMARY_COOKIE = "locator_primary"
PRIMARY_FOR_S = 120


def open_store() -> Store:
    """The store for this request: this thread's kept connection, or a new one."""
    if "store" not in g:
        path = _target(current_settings())
        kept = getattr(_threads, "stores", None)
        if kept is None:
            kept = _threads.stores = {}
        store = kept.pop(path, None)
        if store is not None and not store.reusable():
            store.close()
            store = None
        if store is None:
            if not is_postgres(path):
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            store = Store(path)
        g.store = store
    return g.store


def _target(settings: Settings) -> str:
    """The database this request uses: the replica for public reads, else the primary."""
    if (settings.database_replica and has_request_context()
            and request.method in ("GET", "HEAD")
            and request.blueprint in REPLICA_BLUEPRINTS
            and PRIMARY_COOKIE not in request.cookies):
        return settings.database_replica
    return settings.database


def read_own_writes(response: Response) -> Response:
    """After an admin's change (a console POST), read the primary for a while."""
    if current_settings().database_replica and request.method == "POST" \
            and request.blueprint not in REPLICA_BLUEPRINTS:
        response.set_cookie(PRIMARY_COOKIE, "1", max_age=PRIMARY_FOR_S, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    return response


def close_store(_exc: BaseException | None = None) -> None:
    """End this request's use of the store: keep it for the thread, or close it."""
    store = g.pop("store", None)
    if store is None:
        return
    store.end_request()
    if not store.reusable():
        store.close()
        return
    kept = _threads.stores
    kept[store.path] = store
    while len(kept) > KEPT_PER_THREAD:
        kept.pop(next(iter(kept))).close()


def close_kept_stores() -> None:
    """Close the connections this thread keeps (before fork(): children open their own)."""
    kept = getattr(_threads, "stores", None) or {}
    while kept:
        kept.popitem()[1].close()


def import_settings() -> ImportSettings:
    """The importer's settings from the app configuration, "today" by the app's clock."""
    s = current_settings()
    return ImportSettings(service_area=s.service_area, max_bytes=s.max_import_bytes,
                          today=s.now().date())


def init_app(app: Flask) -> None:
    """Register the teardown that ends the store's use, and read-your-writes."""
    app.teardown_appcontext(close_store)
    app.after_request(read_own_writes)

"""A store connection for each request, kept per thread between requests (SQLite), or
borrowed from the process's pool (PostgreSQL); public reads from the replica when there is one
(from the primary while the replica cannot be reached)."""

import os
import threading
import time

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response

from locator.backup import WAL_AUTOCHECKPOINT_PAGES
from locator.config import Settings, current_settings
from locator.ingest.districts import DistrictRule
from locator.ingest.importer import ImportSettings
from locator.store import DatabaseError, Store, is_postgres

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
# A stopped or restarting replica must not cost a visitor a page: a public read waits this long
# for a replica connection, then reads the primary, and this worker leaves the replica alone
# for a while before it tries again (the pool reconnects in the background meanwhile).
REPLICA_WAIT_S = 1.0
REPLICA_REST_S = 10.0
_replica_rests_until: dict[str, float] = {}  # replica URL → time.monotonic() to try again
# A request waits at most this long for a connection to the primary (with the default 4 threads
# a worker never needs all 8 of its pool's, so only an unreachable server makes it wait): while
# the primary restarts, /healthz says 503 in seconds, before gunicorn's 30 s timeout.
REQUEST_WAIT_S = 5.0


def open_store() -> Store:
    """The store for this request: the replica for a public read (unless it is unreachable),
    else this thread's kept connection to the primary, or a new one."""
    if "store" not in g:
        settings = current_settings()
        store = _open_replica(settings.database_replica) if _reads_replica(settings) else None
        g.store = store or _kept_or_new(settings.database)
    return g.store


def _kept_or_new(path: str) -> Store:
    """This thread's kept connection to `path` if still valid, else a new one."""
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
            # Under Litestream (BACKUP_URL, SQLite only) Litestream checkpoints the WAL.
            backed_up = current_settings().backup_url
            store = Store(path, **({"autocheckpoint": WAL_AUTOCHECKPOINT_PAGES} if backed_up
                                   else {}))
        else:  # a request waits less than gunicorn's timeout; a command, the pool's limit
            store = Store(path, wait=REQUEST_WAIT_S if has_request_context() else None)
    return store


def _reads_replica(settings: Settings) -> bool:
    """Whether this request reads the replica: a public GET, from a browser that made no change
    lately, while the replica is not resting after a failure."""
    return bool(settings.database_replica and has_request_context()
                and request.method in ("GET", "HEAD")
                and request.blueprint in REPLICA_BLUEPRINTS
                and PRIMARY_COOKIE not in request.cookies
                and time.monotonic() >= _replica_rests_until.get(settings.database_replica, 0))


def _open_replica(url: str) -> Store | None:
    """A connection to the replica, or None when it does not come within REPLICA_WAIT_S (then
    the primary serves this worker's public reads for REPLICA_REST_S)."""
    try:
        return Store(url, wait=REPLICA_WAIT_S)
    except DatabaseError:
        _replica_rests_until[url] = time.monotonic() + REPLICA_REST_S
        return None


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
                          today=s.now().date(),
                          districts=DistrictRule(s.default_district, s.districts))


def init_app(app: Flask) -> None:
    """Register the teardown that ends the store's use, and read-your-writes."""
    app.teardown_appcontext(close_store)
    app.after_request(read_own_writes)

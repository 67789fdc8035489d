"""A store connection for each request, kept per thread between requests."""

import os
import threading

from flask import Flask, g

from locator.config import current_settings
from locator.ingest.districts import DistrictRule
from locator.ingest.importer import ImportSettings
from locator.store import Store

# Opening SQLite, setting its pragmas and closing it (which checkpoints the WAL when no other
# connection is open) is a large share of a cheap request. Each thread keeps its own
# connection (never shared across threads) and reuses it while it stays valid.
_threads = threading.local()
KEPT_PER_THREAD = 4  # databases a thread keeps open (one in production; tests use many)


def open_store() -> Store:
    """The store for this request: this thread's kept connection, or a new one."""
    if "store" not in g:
        path = current_settings().database
        kept = getattr(_threads, "stores", None)
        if kept is None:
            kept = _threads.stores = {}
        store = kept.pop(path, None)
        if store is not None and not store.reusable():
            store.close()
            store = None
        if store is None:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            store = Store(path)
        g.store = store
    return g.store


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
    """Register the teardown that ends the store's use."""
    app.teardown_appcontext(close_store)

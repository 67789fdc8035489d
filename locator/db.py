"""One store connection per request, closed on teardown."""

import os

from flask import Flask, current_app, g

from .importer import ImportSettings
from .store import Store


def open_store() -> Store:
    """The store for this app context, opened on first use."""
    if "store" not in g:
        path = current_app.config["DATABASE"]
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        g.store = Store(path)
    return g.store


def close_store(_exc: BaseException | None = None) -> None:
    """Close this context's store, if one was opened."""
    store = g.pop("store", None)
    if store is not None:
        store.close()


def import_settings() -> ImportSettings:
    """The importer's settings from the app configuration."""
    return ImportSettings(service_area=tuple(current_app.config["SERVICE_AREA"]),
                          max_bytes=int(current_app.config["MAX_IMPORT_BYTES"]))


def init_app(app: Flask) -> None:
    """Register the teardown that closes the store."""
    app.teardown_appcontext(close_store)

"""Warm the app in gunicorn's master before it forks the workers (gunicorn.conf.py, when_ready).

With preload_app every worker starts as a copy of the master, so whatever the master has
compiled, loaded or cached, each worker has from its first request. A cold worker is slow on
its first page (Jinja compiling templates, the catalogues, the holiday calendar, folium's map
shells), and all workers start, or are recycled, at the same moment.
"""

from flask import Flask

from locator.config import settings
from locator.core.categories import CATEGORIES
from locator.db import close_kept_stores
from locator.web.i18n import LANGUAGES

# The WSGI environ key that marks the warm-up's own requests: no visitor made them, so they are
# neither logged nor counted (request_log, metrics).
WARM_UP = "locator.warm_up"


def warm_up(app: Flask) -> None:
    """Compile every template and answer one request of each common kind in each language."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    client = app.test_client()
    client.environ_base[WARM_UP] = True
    try:
        if client.get("/healthz").status_code != 200:
            return  # nothing to serve yet: the data pages would only say so
        min_lat, min_lon, max_lat, max_lon = settings(app).service_area
        origin = {"lat": (min_lat + max_lat) / 2, "lon": (min_lon + max_lon) / 2}
        for lang in LANGUAGES:
            client.get("/", query_string={"lang": lang})
            client.get("/map", query_string={"lang": lang})
            for category in CATEGORIES:
                query = origin | {"category": category, "lang": lang}
                client.get("/nearest", query_string=query)
                client.get("/api/nearest", query_string=query)
    finally:
        # A SQLite connection must never cross fork(): each worker opens its own.
        close_kept_stores()

"""Serving details: compression, and static files named by content for long cache lifetimes."""

import hashlib
import os
from functools import lru_cache

from flask import Flask, request
from flask_compress import Compress

from locator.web.access_log import hide_positions_from_development_server_log

YEAR = 365 * 24 * 3600
UNVERSIONED_MAX_AGE = 300


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int) -> str:
    """A short content hash of a file (keyed by mtime so that edits show up)."""
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def static_version(app: Flask, filename: str) -> str | None:
    """The content hash of a file under static/, or None if it does not exist."""
    path = os.path.join(app.static_folder, filename)
    try:
        return _digest(path, os.stat(path).st_mtime_ns)
    except OSError:
        return None


def init_app(app: Flask) -> None:
    """Compress text responses; give static URLs a ?v=<content hash> and cache those for a year;
    keep positions out of the development server's log."""
    Compress(app)  # with the COMPRESS_* settings of locator/config.py
    hide_positions_from_development_server_log()  # `make run`; gunicorn has its own logger

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            version = static_version(app, values.get("filename", ""))
            if version:
                values["v"] = version

    def max_age(filename: str | None) -> int:
        # A URL carrying the content hash can never go stale; a bare one may change any time.
        return YEAR if request.args.get("v") else UNVERSIONED_MAX_AGE

    app.get_send_file_max_age = max_age
    # Registered after Compress, so it runs before it: the ETag is of the uncompressed body and
    # flask-compress adds its ":br"/":gzip" suffix.
    app.after_request(validate_pages)


def validate_pages(response):
    """ETags on HTML pages (revalidated each time: open-now changes); immutable versioned files."""
    if request.endpoint == "static" and response.direct_passthrough:
        # Read the (small) file now, so that flask-compress compresses a body instead of
        # streaming through a generator that never closes the file.
        response.direct_passthrough = False
        response.make_sequence()
    if request.method != "GET" or response.status_code != 200:
        return response
    if response.mimetype == "text/html" and not response.direct_passthrough:
        response.add_etag()
        response.cache_control.no_cache = True
        response.vary.update(("Accept-Language", "Cookie"))
        return response.make_conditional(request)
    if request.endpoint == "static" and request.args.get("v"):
        response.cache_control.immutable = True
        response.cache_control.public = True
    return response

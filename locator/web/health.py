"""/healthz: is the database reachable, and which dataset version is being served."""

from flask import Blueprint, jsonify

from locator.db import open_store
from locator.store import DatabaseError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with the dataset version, or 503 when the database or the dataset is missing."""
    try:
        store = open_store()
        version = store.versions.current()  # one indexed read: health checks come often
    except DatabaseError as exc:
        return _unavailable(f"database unreachable: {exc}")
    if version is None:
        return _unavailable("no dataset has been imported yet")
    response = jsonify({"status": "ok", "dataset_version": version["number"],
                        "facilities": version["total"], "imported_at": version["created_at"]})
    response.cache_control.no_store = True
    return response


def _unavailable(reason: str):
    """The 503 answer a load balancer takes this replica out of rotation for."""
    response = jsonify({"status": "unavailable", "reason": reason})
    response.status_code = 503
    response.cache_control.no_store = True
    return response

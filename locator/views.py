"""Public pages."""

from flask import Blueprint, render_template

from .categories import CATEGORIES
from .db import open_store

bp = Blueprint("views", __name__)


@bp.get("/")
def home():
    """The home page: every facility, grouped by category."""
    store = open_store()
    with store.reading():
        groups = [(c, store.facilities(c.key)) for c in CATEGORIES.values()]
    return render_template("views/home.html", groups=groups)

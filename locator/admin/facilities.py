"""Console facility pages: find a facility, edit it in a form, mark it verified today.

An edit is checked by the importer itself: the form becomes a one-row table merged into the
dataset, so the rules and messages are exactly those of a file import, and the change is a
new version like any other.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from locator import datasets
from locator.admin import console
from locator.config import now
from locator.core import geo
from locator.core.categories import ACCESS_LABELS, CATEGORIES
from locator.core.records import COLUMNS, COORD_SOURCES
from locator.db import import_settings, open_store
from locator.ingest import exporter
from locator.ingest.importer import ImportResult
from locator.ingest.tables import Table
from locator.store import StaleDataset
from locator.web.i18n import gettext

bp = Blueprint("facilities", __name__)
PER_PAGE = 50
NUMBER_COLUMNS = ("lat", "lon")
EDITABLE = tuple(c for c in COLUMNS if c != "id")


@bp.get("/facilities")
def index():
    """Facilities by id, filtered by category, text and "unverified only", a page at a time."""
    category = request.args.get("category", "")
    category = category if category in CATEGORIES else ""
    text = request.args.get("q", "").strip()[:100]
    unverified = request.args.get("unverified") == "1"
    page = console.page_number()
    store = open_store()
    with store.reading():
        rows, total = store.facilities.page(category=category or None, unverified=unverified,
                                          text=text, limit=PER_PAGE,
                                          offset=(page - 1) * PER_PAGE)
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        if page > pages:  # past the end (an old link, a typed number): show the last page
            page = pages
            rows, total = store.facilities.page(category=category or None, unverified=unverified,
                                              text=text, limit=PER_PAGE,
                                              offset=(page - 1) * PER_PAGE)
    return render_template("admin/facilities.html", rows=rows, total=total, page=page,
                           pages=pages, category=category, q=text, unverified=unverified,
                           categories=CATEGORIES.values(), labels=CATEGORIES)


@bp.route("/facilities/<facility_id>/edit", methods=["GET", "POST"])
def edit(facility_id: str):
    """The edit form; a valid change becomes a new version of kind "edit"."""
    store = open_store()
    with store.reading():
        record = store.facilities.get(facility_id)
        number = store.versions.current_number()
    if record is None:
        abort(404)
    if request.method == "GET":
        return _form(record, _form_values(record), number)
    values = {c: request.form.get(c, "") for c in EDITABLE}
    based_on = request.form.get("based_on", type=int)
    checked = _check(store, facility_id, values)
    if checked.version != based_on:
        return _form(record, values, based_on, status=409, error=gettext(
            "Someone changed the data since you opened this form, so nothing was saved. "
            "Open the facility again to edit its current values."))
    if not checked.result.ok:
        return _form(record, values, based_on, result=checked.result, status=422)
    return _save(store, facility_id, checked, "edit",
                 url_for("admin.facilities.edit", facility_id=facility_id))


@bp.post("/facilities/<facility_id>/verify")
def verify(facility_id: str):
    """Mark a facility checked on site today (Asia/Shanghai): a new version of kind "verify"."""
    back = _back()  # checked before saving: a bad one must not fail after the change is made
    store = open_store()
    record = store.facilities.get(facility_id)
    if record is None:
        abort(404)
    values = _form_values(record) | {"verified_on": _today()}
    checked = _check(store, facility_id, values)
    if not checked.result.ok:  # a record imported before a rule was tightened: fix it in the form
        return _form(record, _form_values(record), checked.version, result=checked.result,
                     status=422)
    return _save(store, facility_id, checked, "verify", back)


def _back() -> str:
    """The facility list page the verify button was on (only that list, never elsewhere)."""
    list_url = url_for("admin.facilities.index")
    return console.local_target(request.form.get("back", ""), list_url) or list_url


def _check(store, facility_id: str, values: dict) -> datasets.Checked:
    """The importer's verdict on the record as one merged row, with the dataset it saw."""
    return datasets.check_rows(store, _one_row_table(facility_id, values),
                               settings=import_settings())


def _save(store, facility_id: str, checked: datasets.Checked, kind: str, back: str):
    """Write the checked change as a version, or say that nothing changed; then go `back`."""
    result = checked.result
    if result.diff.added:  # removed since the page was shown: never bring it back by accident
        abort(404)
    if not result.diff.changed:
        flash(gettext("Nothing changed for %(id)s.", id=facility_id))
        return redirect(back)
    try:
        applied = datasets.apply_import(store, checked, facility_id, actor=console.actor(),
                                        address=console.address(), kind=kind)
    except StaleDataset:
        flash(gettext("The data changed at the same moment; nothing was saved. Try again."))
        return redirect(back)
    for warning in result.warnings:
        flash(console.field_text(warning))
    flash(gettext("Saved %(id)s as version %(version)s.", id=facility_id,
                  version=applied.version))
    return redirect(back)


def _one_row_table(facility_id: str, values: dict) -> Table:
    """The form as the cells of a one-row file: formula-like text keeps the apostrophe the
    exporter gives it, since the importer removes that one (and a typed one must survive)."""
    cells = [values.get(c, "") if c in NUMBER_COLUMNS else exporter.cell(c, values.get(c, ""))
             for c in EDITABLE]
    return Table(list(COLUMNS), [[facility_id, *cells]])


def _form_values(record: dict) -> dict:
    """A stored record as form text: floats exactly, coordinates in WGS-84."""
    return {c: exporter.cell(c, record[c]) if c in NUMBER_COLUMNS else str(record[c] or "")
            for c in EDITABLE} | {"coord_system": "wgs84"}


def _today() -> str:
    """Today's date in Xinhui, by the app's clock (the one pages and the API use)."""
    return now().date().isoformat()


def _form(record: dict, values: dict, based_on: int | None, *, result: ImportResult | None = None,
          status: int = 200, error: str = ""):
    """The edit form with the importer's messages next to their fields."""
    errors: dict[str, list[str]] = {}
    general = []
    for problem in result.errors if result else []:
        if problem.column in values:
            errors.setdefault(problem.column, []).append(console.field_text(problem))
        else:
            general.append(console.field_text(problem))
    return render_template("admin/edit.html", record=record, values=values, based_on=based_on,
                           errors=errors, general=general, error=error,
                           categories=CATEGORIES.values(), access_keys=ACCESS_LABELS,
                           coord_systems=tuple(geo.TO_WGS84),
                           coord_sources=("", *COORD_SOURCES)), status

"""Console facility pages: find a facility, edit it in a form, mark it verified today.

An edit is checked by the importer itself: the form becomes a one-row table merged into the
dataset, so the rules and messages are exactly those of a file import, and the change is a
new version like any other.
"""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from locator import datasets
from locator.admin import console, reports
from locator.config import current_settings, now
from locator.core import geo
from locator.core.categories import AMENITIES, CATEGORIES
from locator.core.records import COLUMNS, MAX_LENGTH
from locator.db import import_settings, open_store
from locator.ingest import fields, vocabulary
from locator.ingest.importer import ImportResult
from locator.maps.layers import display_point
from locator.reports import moderation
from locator.reports.kinds import KIND_LABELS, SUGGESTION
from locator.store import StaleDataset
from locator.web.hours_text import summary
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
    """The edit form; a valid change becomes a new version of kind "edit". Opened for a visitor's
    report (?report=N), the report is shown above the form and resolved with the version made."""
    store = open_store()
    with store.reading():
        record = store.facilities.get(facility_id)
        number = store.versions.current_number()
        report = _report_about(store, facility_id)
    if record is None:
        abort(404)
    if request.method == "GET":
        return _form(record, _form_values(record), number, report=report)
    values = _posted_values()
    based_on = request.form.get("based_on", type=int)
    checked = _check(store, facility_id, values)
    if checked.version != based_on:
        return _form(record, values, based_on, status=409, report=report, error=gettext(
            "Someone changed the data since you opened this form, so nothing was saved. "
            "Open the facility again to edit its current values."))
    if not checked.result.ok:
        return _form(record, values, based_on, result=checked.result, status=422,
                     report=report)
    if report is not None:
        return _save(store, facility_id, checked, "edit",
                     url_for("admin.reports.show", report_id=report["id"]), report=report)
    return _save(store, facility_id, checked, "edit",
                 url_for("admin.facilities.edit", facility_id=facility_id))


def _report_about(store, facility_id: str) -> dict | None:
    """The new report ?report=N about this facility, if the editor was opened for one."""
    report_id = request.args.get("report", type=int)
    report = store.reports.get(report_id) if reports.known_id(report_id) else None
    if report is None or report["facility_id"] != facility_id or report["status"] != "new":
        return None
    return report


@bp.route("/facilities/from-report/<int:report_id>", methods=["GET", "POST"])
def from_report(report_id: int):
    """A visitor's suggested place in the editor, prefilled; saving accepts the suggestion:
    the facility, its version and the report's decision are one transaction
    (moderation.accept), checked by the importer's rules, whose refusals show on the form."""
    if not reports.known_id(report_id):
        abort(404)
    store = open_store()
    with store.reading():
        report = store.reports.get(report_id)
        number = store.versions.current_number()
        taken = set(store.facilities.by_id())
    if report is None or report["kind"] != SUGGESTION:
        abort(404)
    if report["status"] != "new":
        return _decided(report)
    if request.method == "GET":
        values = dict.fromkeys(EDITABLE, "") | moderation.suggestion_values(report)
        values["id"] = moderation.suggested_id(values["name"], taken)
        return _form(_new_record(values, report), values, number, report=report, new=True)
    values = _posted_values() | {"id": request.form.get("id", "").strip()}
    try:
        decision = moderation.accept(store, report_id, actor=console.actor(),
                                     address=console.address(), settings=import_settings(),
                                     new_id=values["id"] or None, values=values,
                                     scope=console.scope())
    except moderation.ModerationError as refused:
        now_stored = store.reports.get(report_id)
        if now_stored["status"] != "new":  # another admin decided it meanwhile
            return _decided(now_stored)
        return _form(_new_record(values, report), values, number, report=report, new=True,
                     problems=refused.problems, status=422,
                     error="" if refused.problems else console.field_text(refused.problem))
    flash(gettext("Saved %(id)s as version %(version)s.", id=decision.facility_id,
                  version=decision.version))
    flash(gettext("Report %(id)s is accepted.", id=report_id))
    return redirect(url_for("admin.reports.show", report_id=report_id), 303)


def _new_record(values: dict, report: dict) -> dict:
    """What the form shows of a facility not stored yet: its id and position (the form's, or
    the visitor's pin while the form's is not a point)."""
    lat, lon = _form_position(values) or (report["details"]["lat"], report["details"]["lon"])
    return {"id": values.get("id", ""), "lat": lat, "lon": lon}


def _decided(report: dict):
    """A report someone decided already: say so, nothing was changed."""
    return render_template("admin/message.html", title=gettext("Nothing was changed"),
                           message=gettext("Report %(id)s was decided already.",
                                           id=report["id"]),
                           link=(url_for("admin.reports.show", report_id=report["id"]),
                                 gettext("Back to the report"))), 409


@bp.get("/facilities/hours.json")
def hours_reading():
    """What the editor's hours field would store and what that means, as it is typed: the
    editor's script asks on each pause. A GET that changes nothing, so it needs no CSRF token;
    under /admin, so only a signed-in admin gets an answer."""
    return jsonify(_hours_reading(request.args.get("text", "")[:MAX_LENGTH["opening_hours"]]))


def _hours_reading(text: str) -> dict:
    """{"ok", "stored" (OSM; Chinese forms converted), "words"} or {"ok": False, "error"}."""
    stored, problems, _conversions = fields.normalise_opening_hours([text.strip()], [None])
    if problems:
        return {"ok": False, "error": console.field_text(problems[0])}
    return {"ok": True, "stored": stored[0], "converted": stored[0] != text.strip(),
            "words": summary(stored[0], now().date())}


@bp.post("/facilities/<facility_id>/verify")
def verify(facility_id: str):
    """Mark a facility checked on site today (Asia/Shanghai): a new version of kind "verify".

    Only once confirmed: without `confirmed=1` the answer is a page asking to confirm (the
    button is one click from a list of many; admin_confirm.js asks in a dialog instead)."""
    back = _back()  # checked before saving: a bad one must not fail after the change is made
    store = open_store()
    record = store.facilities.get(facility_id)
    if record is None:
        abort(404)
    if request.form.get("confirmed") != "1":
        return render_template("admin/verify.html", record=record, today=_today(), back=back)
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
    return datasets.check_record(store, facility_id, values, settings=import_settings(),
                                 geocoder=current_settings().geocoding, scope=console.scope())


def _save(store, facility_id: str, checked: datasets.Checked, kind: str, back: str,
          report: dict | None = None):
    """Write the checked change as a version, or say that nothing changed; then go `back`. A
    report the edit was made for is resolved, linked to the version."""
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
    if report is not None:
        _resolve(store, report["id"], applied.version)
    return redirect(back)


def _resolve(store, report_id: int, version: int) -> None:
    """Mark the report resolved by this version (unless someone decided it meanwhile)."""
    try:
        moderation.resolve(store, report_id, actor=console.actor(), address=console.address(),
                           version=version)
    except moderation.ModerationError as refused:
        flash(console.field_text(refused.problem))
    else:
        flash(gettext("Report %(id)s is resolved by version %(version)s.", id=report_id,
                      version=version))


def _posted_values() -> dict:
    """The form's cells. Amenities come as ticked boxes (with the `amenity_boxes` marker, so
    that none ticked means none) or, from a script or an older page, as one text field."""
    values = {c: request.form.get(c, "") for c in EDITABLE}
    if request.form.get("amenity_boxes"):
        values["amenities"] = ";".join(dict.fromkeys(request.form.getlist("amenity")))
    return values


def amenity_groups() -> list[dict]:
    """The amenities grouped by the categories that offer them, in registry order: nursing
    rooms' own, stops' own, everyone's. Each appears once, so a form without script can show
    every group (the script shows only the chosen category's)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for key in AMENITIES:
        offered = tuple(c.key for c in CATEGORIES.values() if key in c.amenities)
        groups.setdefault(offered, []).append(key)
    return [{"categories": offered, "amenities": keys} for offered, keys in groups.items()]


def _map_data(record: dict, values: dict) -> dict:
    """The editor map's JSON: the point on the base map's datum, which datum that is (what a
    placed pin's coordinates are in), and the tiles."""
    tiles = console.tiles()
    lat, lon = _form_position(values) or (float(record["lat"]), float(record["lon"]))
    return {"point": display_point(lat, lon, tiles),
            "datum": "gcj02" if tiles.gcj02 else "wgs84",
            "tiles": {"urls": list(tiles.urls), "subdomains": tiles.subdomains or "abc",
                      "max_zoom": tiles.max_zoom}}


def _form_position(values: dict) -> tuple[float, float] | None:
    """The form's coordinates in WGS-84, or None if they are not a point (shown: the stored one)."""
    try:
        lat, lon = float(values["lat"]), float(values["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return geo.to_wgs84(lat, lon, values.get("coord_system") or "wgs84")
    except (KeyError, ValueError):
        return None


def _form_values(record: dict) -> dict:
    """A stored record as the form's cells (positions exact, in WGS-84 as stored)."""
    return datasets.record_values(record)


def _today() -> str:
    """Today's date in Xinhui, by the app's clock (the one pages and the API use)."""
    return now().date().isoformat()


def _form(record: dict, values: dict, based_on: int | None, *, result: ImportResult | None = None,
          status: int = 200, error: str = "", report: dict | None = None, new: bool = False,
          problems: list | None = None):
    """The edit form with the importer's messages next to their fields; `new`: a suggested
    place (`report`) not stored yet, its id a field of its own."""
    errors: dict[str, list[str]] = {}
    general = []
    for problem in (result.errors if result else []) + (problems or []):
        if problem.column in values:
            errors.setdefault(problem.column, []).append(console.field_text(problem))
        else:
            general.append(console.field_text(problem))
    ticked = set(filter(None, (t.strip() for t in values.get("amenities", "").split(";"))))
    return render_template("admin/edit.html", record=record, values=values, based_on=based_on,
                           errors=errors, general=general, error=error,
                           labels=_labels(), amenity_groups=amenity_groups(), ticked=ticked,
                           unknown_amenities=sorted(ticked - set(AMENITIES)),
                           hours=_hours_reading(values.get("opening_hours", "")),
                           map_data=_map_data(record, values), credit=console.tiles().credit,
                           report=report, new=new, kind_labels=KIND_LABELS,
                           action=_action(record, report, new),
                           default_district=console.default_district()), status


def _action(record: dict, report: dict | None, new: bool) -> str:
    """Where the form posts: the facility's edit (for a report: ?report=N), or the suggestion's."""
    if new:
        return url_for("admin.facilities.from_report", report_id=report["id"])
    if report is not None:
        return url_for("admin.facilities.edit", facility_id=record["id"], report=report["id"])
    return url_for("admin.facilities.edit", facility_id=record["id"])


def _labels() -> dict[str, dict[str, tuple[str, str]]]:
    """(Chinese, English) labels of each coded column's values, for the drop-downs and boxes
    (coord_source may be blank: not stated)."""
    labels = {kind: vocabulary.labels(kind)
              for kind in ("category", "access", "coord_system", "amenity", "coord_source")}
    blank = gettext("not stated")
    labels["coord_source"] = {"": (blank, blank)} | labels["coord_source"]
    return labels

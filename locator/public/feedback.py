"""A visitor's report about a facility, and a suggested new place: plain HTML forms that work
without JavaScript (static/js/report.js posts the JSON API instead when it can).

Each form carries a CSRF token and a honeypot field people never see; a filled honeypot gets
the same thank-you and nothing is stored. A refused field re-renders the form with its message
(400); too many submissions lately answer 429 with Retry-After. These pages set the session
cookie (for the token), so they are private: never kept by a shared cache.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from locator.config import current_settings
from locator.core.categories import AMENITIES, CATEGORIES
from locator.db import import_settings, open_store
from locator.maps import layers
from locator.public import pages
from locator.reports import intake
from locator.reports.kinds import NOTE_MAX, REPORT_KINDS
from locator.reports.submissions import SubmissionError, check_report, check_suggestion
from locator.reports.summary import recently_said
from locator.store import WriteFailed
from locator.web import reporting
from locator.web.i18n import gettext

bp = Blueprint("feedback", __name__)
HONEYPOT = "website"  # a field only robots fill in: hidden from people and screen readers
SUGGESTION_TEXT = ("category", "name", "floor", "opening_hours", "note", "lat", "lon")
COORDINATE_DECIMALS = 7  # about 1 cm


@bp.after_request
def private(response):
    """Never kept by a shared cache: the page carries this visitor's CSRF token."""
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.errorhandler(CSRFError)
def form_expired(_exc):
    """A form without a valid token (expired, or sent from another site): nothing was kept."""
    return _problem(gettext("This form has expired"),
                    gettext("Nothing was sent. Go back, reload the page and try again."), 400)


@bp.route("/facilities/<facility_id>/report", methods=["GET", "POST"])
def report(facility_id: str):
    """What is wrong with one facility (or that all is well): the form, or its answer."""
    record = open_store().facilities.get(facility_id)
    if record is None:
        return _problem(gettext("No such place"),
                        gettext("It may have been removed or renamed."), 404)
    if request.method == "GET":
        return _report_page(record, MultiDict())
    form = request.form
    thanks = url_for("feedback.thanks", facility_id=facility_id, lang=pages.lang())
    if form.get(HONEYPOT):
        return redirect(thanks, 303)  # the same answer a person gets; nothing is kept
    try:
        submission = check_report(record, report_payload(form), import_settings())
    except SubmissionError as exc:
        return _report_page(record, form, reporting.field_messages(exc.problems)), 400
    return _stored(submission, thanks)


@bp.get("/facilities/<facility_id>/report/thanks")
def thanks(facility_id: str):
    """After a report: thank you; nothing changes until the district has checked it."""
    record = open_store().facilities.get(facility_id)
    back = url_for("views.facility", facility_id=facility_id) if record else \
        url_for("views.home")
    return render_template("views/thanks.html", back=back,
                           name=pages.localized(record, "name") if record else "")


@bp.route("/suggest", methods=["GET", "POST"])
def suggest():
    """A new place a visitor knows of: the form, or its answer."""
    if request.method == "GET":
        lat, lon = start_point(request.args)
        return _suggest_page(MultiDict({"lat": _fixed(lat), "lon": _fixed(lon)}))
    form = request.form
    thanks = url_for("feedback.suggested", lang=pages.lang())
    if form.get(HONEYPOT):
        return redirect(thanks, 303)
    try:
        submission = check_suggestion(suggestion_payload(form), import_settings())
    except SubmissionError as exc:
        return _suggest_page(form, reporting.field_messages(exc.problems)), 400
    return _stored(submission, thanks)


@bp.get("/suggest/thanks")
def suggested():
    """After a suggestion: thank you; the place appears once the district has checked it."""
    return render_template("views/thanks.html", back=url_for("views.home"), name="",
                           suggestion=True)


def report_payload(form: MultiDict) -> dict:
    """The report's fields as the API takes them, only those the chosen kind uses (the form
    shows every kind's extra fields when there is no script)."""
    kind = form.get("kind", "")
    payload = {"kind": kind}
    if form.get("note", "").strip():
        payload["note"] = form["note"]
    if kind == "missing_equipment":
        payload["amenities"] = form.getlist("amenities")
    elif kind == "wrong_location":
        payload["lat"], payload["lon"] = form.get("lat", ""), form.get("lon", "")
    elif kind == "wrong_hours" and form.get("opening_hours", "").strip():
        payload["opening_hours"] = form["opening_hours"]
    return payload


def suggestion_payload(form: MultiDict) -> dict:
    """The suggestion's fields as the API takes them (blank ones left out)."""
    payload = {name: form[name] for name in SUGGESTION_TEXT if form.get(name, "").strip()}
    payload["amenities"] = form.getlist("amenities")
    return payload


def start_point(args: MultiDict) -> tuple[float, float]:
    """Where the suggestion's pin starts (WGS-84): the phone's position when the link gave one
    inside the service area, else the district's centre. A bad value is ignored, not refused."""
    try:
        lat, lon = float(args.get("lat", "")), float(args.get("lon", ""))
    except ValueError:
        return layers.CENTRE
    min_lat, min_lon, max_lat, max_lon = current_settings().service_area
    if min_lat <= lat <= max_lat and min_lon <= lon <= max_lon:
        return lat, lon
    return layers.CENTRE


def said_now(facility_id: str) -> list:
    """What visitors said lately about a facility, as its public page shows it."""
    return recently_said(open_store(), facility_id, current_settings().now().timestamp())


def _stored(submission, thanks: str):
    """Store a checked submission and redirect to the thank-you (303), or the 429 page with
    Retry-After when this client or everyone sent too many lately."""
    try:
        reporting.submit(submission)
    except intake.Throttled as exc:
        body, status = _problem(gettext("Too many reports just now"),
                                gettext("Thank you for helping. Please try again in "
                                        "%(minutes)s minutes.",
                                        minutes=max(1, -(-exc.wait_s // 60))), 429)
        return body, status, {"Retry-After": str(exc.wait_s)}
    except WriteFailed:
        return _problem(gettext("Your report could not be saved just now"),
                        gettext("Nothing was kept. Please try again in a few minutes."), 503)
    return redirect(thanks, 303)


def _report_page(record: dict, values: MultiDict, errors: dict | None = None):
    """The report form for `record`, with what was typed and each refused field's message."""
    tiles = pages.tiles()
    offered = [a for a in (record.get("amenities") or "").split(";") if a in AMENITIES]
    return render_template(
        "views/report.html", record=record, name=pages.localized(record, "name"),
        kinds=[(key, gettext(label)) for key, label in REPORT_KINDS.items() if key != "all_good"],
        amenities=[(a, gettext(AMENITIES[a].label)) for a in offered], values=values,
        errors=errors or {}, note_max=NOTE_MAX, honeypot=HONEYPOT,
        api=_api_url("api.submit_report", facility_id=record["id"]),
        map_data=_map_data(record["lat"], record["lon"], tiles),
        position={"lat": _fixed(record["lat"]), "lon": _fixed(record["lon"])})


def _suggest_page(values: MultiDict, errors: dict | None = None):
    """The suggestion form, with what was typed and each refused field's message."""
    try:
        lat, lon = float(values.get("lat", "")), float(values.get("lon", ""))
    except ValueError:
        lat, lon = layers.CENTRE
    return render_template(
        "views/suggest.html", values=values, errors=errors or {}, note_max=NOTE_MAX,
        honeypot=HONEYPOT, categories=pages.categories(), groups=amenity_groups(),
        api=_api_url("api.submit_suggestion"),
        map_data=_map_data(lat, lon, pages.tiles()))


def amenity_groups() -> list[dict]:
    """The equipment as checkbox groups, each amenity once: the categories offering it and its
    label (without script every group shows; report.js shows the chosen category's)."""
    groups: dict[tuple[str, ...], list] = {}
    for key, amenity in AMENITIES.items():
        offered = tuple(c.key for c in CATEGORIES.values() if key in c.amenities)
        groups.setdefault(offered, []).append((key, gettext(amenity.label)))
    return [{"categories": offered,
             "label": ", ".join(pages.category_label(c) for c in offered)
             if len(offered) < len(CATEGORIES) else gettext("Every kind of place"),
             "amenities": keys} for offered, keys in groups.items()]


def _map_data(lat: float, lon: float, tiles: layers.Tiles) -> dict:
    """The pin map's JSON: the point where it is drawn, the datum the tiles draw in (report.js
    converts a dragged pin back to WGS-84 before filling the form), and the tiles."""
    return {"point": layers.display_point(float(lat), float(lon), tiles),
            "datum": "gcj02" if tiles.gcj02 else "wgs84",
            "tiles": {"urls": list(tiles.urls), "subdomains": tiles.subdomains or "abc",
                      "max_zoom": tiles.max_zoom}}


def _api_url(endpoint: str, **values) -> str:
    """The JSON API's URL report.js posts to (answers in the page's language)."""
    return url_for(endpoint, lang=pages.lang(), **values)


def _fixed(value) -> str:
    """A coordinate as the form shows it."""
    return f"{float(value):.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")


def _problem(title: str, detail: str, status: int):
    """The public problem page with `status`."""
    return render_template("views/problem.html", title=title, detail=detail,
                           categories=pages.categories()), status

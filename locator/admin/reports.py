"""Console pages for visitors' reports: the queue, one report, the decisions, the export.

Every decision is made by locator/reports/moderation.py (the version, the report's status and
the audit entry in one transaction); this module only reads the forms and says what happened.
A suggestion is accepted through the one-record editor (facilities.from_report), a report
whose fix the admin makes by hand through the editor with ?report=N (facilities.edit).
"""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale

from locator.admin import console
from locator.config import now
from locator.core.catalogue import N_
from locator.core.categories import amenity_label, category_label
from locator.core.geo import geodesic_m
from locator.core.records import MAX_LENGTH
from locator.db import import_settings, open_store
from locator.maps.layers import display_point
from locator.reports import export, moderation
from locator.reports.kinds import KIND_LABELS, NOTE_MAX, STATUSES, SUGGESTION
from locator.reports.summary import DAY_S
from locator.web.i18n import gettext

bp = Blueprint("reports", __name__)
PER_PAGE = 20
SAID_DAYS = 30  # "how many distinct visitors said the same" looks this far back
EXPORT_BATCH = 1000
DEFAULT_STATUS = "new"
ALL = "all"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What accepting does, by kind: the button's words (other kinds are "resolved" instead).
ACCEPT_LABELS = {
    "wrong_location": N_("Move the pin to the visitor's position"),
    "wrong_hours": N_("Set these opening hours"),
    "missing_equipment": N_("Remove these amenities"),
    "gone": N_("Remove the facility"),
}


MAX_ID = 2**63 - 1  # SQLite's largest integer: a bigger id in a URL is no report (not a 500)


@bp.url_value_preprocessor
def no_such_report(_endpoint, values) -> None:
    """A report id beyond SQLite's integers is not found, before any view asks the store."""
    if values and not known_id(values.get("report_id", 0)):
        abort(404)


def known_id(report_id: int | None) -> bool:
    """Whether `report_id` could be a stored report's id (SQLite cannot even look larger up)."""
    return report_id is not None and 0 <= report_id <= MAX_ID


def filters() -> dict:
    """The queue's filters from the query string; unknown values fall back to the defaults."""
    status = request.args.get("status", DEFAULT_STATUS)
    status = status if status in STATUSES or status == ALL else DEFAULT_STATUS
    kind = request.args.get("kind", "")
    kind = kind if kind in KIND_LABELS else ""
    facility = request.args.get("facility", "").strip()[:MAX_LENGTH["id"]]
    return {"status": status, "kind": kind, "facility": facility}


def _query(chosen: dict) -> dict:
    """The filters as store.reports.page's arguments (None: any)."""
    return {"status": None if chosen["status"] == ALL else chosen["status"],
            "kind": chosen["kind"] or None, "facility_id": chosen["facility"] or None}


@bp.get("/reports")
def index():
    """The queue: newest first, filtered by status (new unless chosen), kind and facility."""
    chosen = filters()
    page = console.page_number()
    store = open_store()
    with store.reading():
        rows, total = store.reports.page(**_query(chosen), limit=PER_PAGE,
                                         offset=(page - 1) * PER_PAGE)
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        if page > pages:  # past the end (an old link, a typed number): show the last page
            page = pages
            rows, total = store.reports.page(**_query(chosen), limit=PER_PAGE,
                                             offset=(page - 1) * PER_PAGE)
        items = [_item(store, report) for report in rows]
        counts = store.reports.counts_by_status()
    return _page(items, total=total, page=page, pages=pages, chosen=chosen, counts=counts,
                 single=False)


@bp.get("/reports/<int:report_id>")
def show(report_id: int):
    """One report with its facility, map and actions (the audit log and flashes link here)."""
    store = open_store()
    with store.reading():
        report = store.reports.get(report_id)
        if report is None:
            abort(404)
        items = [_item(store, report)]
    return _page(items, single=True, chosen={"status": ALL, "kind": "", "facility": ""})


def _page(items: list[dict], **context):
    """The queue's template, with what every item's form and map need."""
    maps = {str(i["report"]["id"]): i["map"] for i in items if i["map"]}
    tiles = console.tiles()
    map_data = {"maps": maps, "tiles": {"urls": list(tiles.urls),
                                        "subdomains": tiles.subdomains or "abc",
                                        "max_zoom": tiles.max_zoom}}
    chosen = context.setdefault("chosen", filters())
    return render_template("admin/reports.html", items=items, map_data=map_data,
                           kinds=KIND_LABELS, statuses=STATUSES, accept_labels=ACCEPT_LABELS,
                           credit=tiles.credit, note_max=NOTE_MAX, suggestion=SUGGESTION,
                           said_days=SAID_DAYS, report_time=export.local_time,
                           category_label=_safe(category_label), amenity_label=_safe(amenity_label),
                           export_args={k: v for k, v in chosen.items() if v}, **context)


def _safe(label):
    """`label(key, lang)`, or the key itself for a code the registry no longer has."""
    def read(key: str, page_lang: str) -> str:
        try:
            return label(key, page_lang)
        except KeyError:
            return key
    return read


def _item(store, report: dict) -> dict:
    """A report with its facility (None if none or gone), how many distinct visitors said the
    same lately, the visitor's pin and the stored one (metres apart), and its map's points."""
    facility_id, details = report["facility_id"], report["details"]
    record = store.facilities.get(facility_id) if facility_id else None
    clients = 0
    if facility_id and report["kind"] != SUGGESTION:
        since = now().timestamp() - SAID_DAYS * DAY_S
        clients = store.reports.said(facility_id, [report["kind"]], since).get(
            report["kind"], (0, None))[0]
    pin = _point(details)
    stored = (float(record["lat"]), float(record["lon"])) if record else None
    tiles = console.tiles()
    points = {}
    if pin:
        points["reported"] = display_point(*pin, tiles)
    if stored:
        points["stored"] = display_point(*stored, tiles)
    return {"report": report, "record": record, "clients": clients, "pin": pin,
            "stored": stored, "apart_m": round(geodesic_m(*pin, *stored)) if pin and stored
            else None, "map": points}


def _point(details: dict) -> tuple[float, float] | None:
    """The visitor's pin (WGS-84) if the report carries one."""
    try:
        return float(details["lat"]), float(details["lon"])
    except (KeyError, TypeError, ValueError):
        return None


@bp.post("/reports/<int:report_id>/accept")
def accept(report_id: int):
    """Apply what a report says as a version (gone: only once confirmed); a suggestion is
    accepted in the editor, which this sends it to."""
    back = _back(report_id)
    store = open_store()
    report = store.reports.get(report_id)
    if report is None:
        abort(404)
    if report["kind"] == SUGGESTION:
        return redirect(url_for("admin.facilities.from_report", report_id=report_id), 303)
    if report["kind"] == "gone" and request.form.get("confirmed") != "1":
        return render_template("admin/report_confirm.html", report=report, back=back,
                               record=store.facilities.get(report["facility_id"]))
    try:
        decision = moderation.accept(store, report_id, actor=console.actor(),
                                     address=console.address(), settings=import_settings(),
                                     scope=console.scope())
    except moderation.ModerationError as refused:
        return refused_page(refused, report_id)
    flash_decision(decision)
    return redirect(back, 303)


@bp.post("/reports/<int:report_id>/resolve")
def resolve(report_id: int):
    """Mark a report dealt with (no version of its own), with the admin's note."""
    return _decide(report_id, moderation.resolve, note=_note())


@bp.post("/reports/<int:report_id>/reject")
def reject(report_id: int):
    """Refuse a report with the admin's reason."""
    return _decide(report_id, moderation.reject, note=_note())


@bp.post("/reports/<int:report_id>/duplicate")
def duplicate(report_id: int):
    """Mark a report as a duplicate of another (its id typed in the form)."""
    of = request.form.get("of", "").strip().lstrip("#")
    if not of.isdecimal() or len(of) > 18:  # beyond SQLite's integers: not an id either
        return refused_page(moderation.ModerationError(
            N_("report %(of)s cannot be the original of report %(id)s: give the id of another "
               "report"), of=of or "?", id=report_id), report_id)
    return _decide(report_id, moderation.mark_duplicate, of=int(of))


def _decide(report_id: int, decide, **arguments):
    """Run one of moderation's decisions, then say what it did (or why it could not)."""
    back = _back(report_id)
    try:
        decision = decide(open_store(), report_id, actor=console.actor(),
                          address=console.address(), **arguments)
    except moderation.ModerationError as refused:
        return refused_page(refused, report_id)
    flash_decision(decision)
    return redirect(back, 303)


def _note() -> str:
    """The admin's note or reason, trimmed to a visitor note's length."""
    return request.form.get("note", "").strip()[:NOTE_MAX]


def _back(report_id: int) -> str:
    """Where to go after a decision: the queue page it was made on, else the report."""
    return console.local_target(request.form.get("back", ""), url_for("admin.reports.index")) \
        or url_for("admin.reports.show", report_id=report_id)


def flash_decision(decision: moderation.Decision) -> None:
    """One line saying what became of the report, with the version it made."""
    status = gettext(STATUSES[decision.status]).lower()
    if decision.version is not None:
        flash(gettext("Report %(id)s is %(status)s: version %(version)s.", id=decision.report_id,
                      status=status, version=decision.version))
    else:
        flash(gettext("Report %(id)s is %(status)s.", id=decision.report_id, status=status))


def refused_page(refused: moderation.ModerationError, report_id: int):
    """Why a decision could not be made (decided already, no such report): nothing changed."""
    return render_template("admin/message.html", title=gettext("Nothing was changed"),
                           message=" ".join(console.field_text(p) for p in
                                            [refused.problem, *refused.problems]),
                           link=(url_for("admin.reports.show", report_id=report_id),
                                 gettext("Back to the report"))), 409


@bp.get("/reports/export.csv")
def export_csv():
    """Every report the queue's filter shows, as a CSV file."""
    reports, names = _export_rows()
    return Response(export.write_csv(reports, names, _lang()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="reports.csv"'})


@bp.get("/reports/export.xlsx")
def export_xlsx():
    """Every report the queue's filter shows, as a workbook."""
    reports, names = _export_rows()
    return Response(export.write_xlsx(reports, names, _lang()), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="reports.xlsx"'})


def _lang() -> str:
    """The console's language, for the export's labels."""
    return "en" if str(get_locale() or "").startswith("en") else "zh"


def _export_rows() -> tuple[list[dict], dict[str, str]]:
    """All reports matching the filter, newest first, and their facilities' names (one read)."""
    query = _query(filters())
    store = open_store()
    reports: list[dict] = []
    with store.reading():
        while True:
            rows, total = store.reports.page(**query, limit=EXPORT_BATCH, offset=len(reports))
            reports.extend(rows)
            if not rows or len(reports) >= total:
                break
        names = {}
        for facility_id in {r["facility_id"] for r in reports if r["facility_id"]}:
            record = store.facilities.get(facility_id)
            names[facility_id] = record["name"] if record else ""
    return reports, names


def new_count(store) -> int:
    """How many reports wait for a decision (the dashboard's link)."""
    return store.reports.counts_by_status().get(DEFAULT_STATUS, 0)

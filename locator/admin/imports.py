"""Console data pages: upload → preview → confirm, history, rollback, CSV and XLSX downloads,
the template workbook and the column reference."""

import hashlib
import time

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

from locator import datasets
from locator.admin import console, dragged, jobs, previews, uploads
from locator.config import current_settings
from locator.db import import_settings, open_store
from locator.geocoding.results import PRECISION_LABELS
from locator.ingest import exporter, workbook
from locator.ingest.importer import NOTHING_TO_CHANGE, diff_records
from locator.store import StaleDataset
from locator.web.i18n import gettext

bp = Blueprint("imports", __name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/upload")
def upload():
    """The upload form: a CSV or XLSX file, and replace or merge."""
    return render_template("admin/upload.html", mode="replace")


@bp.post("/upload")
def preview():
    """Check the uploaded file: every error, or the diff, warnings and a map, then confirm."""
    file = request.files.get("file")
    mode = request.form.get("mode", "replace")
    if file is None or not file.filename or mode not in uploads.MODES:
        return render_template("admin/upload.html", mode="replace",
                               error=gettext("Choose a CSV or XLSX file to upload.")), 400
    data, name = file.read(), uploads.clean_filename(file.filename)
    store = open_store()
    geocoder = current_settings().geocoding
    if geocoder is not None:  # the geocoder may take minutes: a background check, then preview
        return _start_check(store, data, name, mode, geocoder)
    checked = datasets.check_file(store, data, name, merge=mode == "merge",
                                  allow_empty=mode == "empty", settings=import_settings(),
                                  scope=console.scope())
    return _checked_page(store, checked, data, name, mode)


def _checked_page(store, checked: datasets.Checked, data: bytes, name: str, mode: str):
    """The preview of a checked file: errors, nothing to change, or the diff to confirm (the
    file kept for the confirm)."""
    result = checked.result
    if not result.ok:
        return _preview_page(checked, name, mode, "", 422)
    if not result.diff.changes_anything:  # nothing to confirm, so nothing to keep for it
        return _preview_page(checked, name, mode, "", notice=gettext(NOTHING_TO_CHANGE))
    uploads.keep(store, console.admin_id(), data, result.sha256, name, mode, checked.version)
    return _preview_page(checked, name, mode, result.sha256)


def _start_check(store, data: bytes, name: str, mode: str, geocoder):
    """Keep the file and start its background check; the progress page follows it."""
    sha256 = hashlib.sha256(data).hexdigest()
    with store.reading():
        based_on = store.versions.current_number()
    uploads.keep(store, console.admin_id(), data, sha256, name, mode, based_on)
    jobs.start(current_settings().database, console.admin_id(),
               uploads.Pending(sha256, name, mode, based_on, data), import_settings(), geocoder)
    return redirect(url_for("admin.imports.progress", sha256=sha256), 303)


@bp.get("/upload/<sha256>/progress")
def progress(sha256: str):
    """How far the background check is; reloads itself, and goes on to the preview when done.
    A job silent for too long (its process ended) is started again here."""
    store = open_store()
    admin_id, geocoder = console.admin_id(), current_settings().geocoding
    job, pending = store.jobs.get(admin_id, sha256), uploads.take(store, admin_id, sha256)
    if job is None or pending is None or geocoder is None:
        return _expired()
    if job["state"] == jobs.DONE:
        return redirect(url_for("admin.imports.checked", sha256=sha256), 303)
    if jobs.is_stale(job, geocoder, time.time()):
        jobs.start(current_settings().database, admin_id, pending, import_settings(), geocoder)
        job = store.jobs.get(admin_id, sha256)
    return render_template("admin/progress.html", job=job, filename=pending.filename,
                           failed=job["state"] == jobs.FAILED)


@bp.get("/upload/<sha256>/preview")
def checked(sha256: str):
    """The preview after a background check: the file checked again, its addresses from the
    geocoder's cache."""
    store = open_store()
    admin_id = console.admin_id()
    pending = uploads.take(store, admin_id, sha256)
    if pending is None:
        return _expired()
    job = store.jobs.get(admin_id, sha256)
    if job is not None and job["state"] == jobs.RUNNING:
        return redirect(url_for("admin.imports.progress", sha256=sha256), 303)
    result = datasets.check_file(store, pending.data, pending.filename, merge=pending.merge,
                                 allow_empty=pending.allow_empty, settings=import_settings(),
                                 sha256=sha256, geocoder=current_settings().geocoding,
                                 scope=console.scope())
    return _checked_page(store, result, pending.data, pending.filename, pending.mode)


def _preview_page(checked: datasets.Checked, filename: str, mode: str, sha256: str,
                  status: int = 200, error: str = "", notice: str = ""):
    """The preview: errors (nothing applied), or the diff with warnings, map and confirm form
    (or, when the file changes nothing, a `notice` saying so instead of the form), drawn from
    the very records the diff compared: a later read could show a state it was not made on."""
    result = checked.result
    context = {"result": result, "filename": filename, "mode": mode, "sha256": sha256,
               "error": error, "notice": notice, "placed": _placed(result),
               "lang_target": _lang_target(sha256)}
    if result.ok:
        context["diff"] = previews.diff_view(result.diff, result.records, checked.current)
        tiles = console.tiles()
        context["map_data"] = previews.map_data(result.diff, result.records, checked.current,
                                                tiles, _movable(result))
        context["credit"] = tiles.credit
    return render_template("admin/preview.html", **context), status


def _lang_target(sha256: str) -> str:
    """Where the preview's language switch leads: this preview again, if its file is kept;
    else (errors, or nothing to change: nothing is kept) the upload form in that language."""
    if sha256:
        return url_for("admin.imports.checked", sha256=sha256)
    return url_for("admin.imports.upload")


def _placed(result) -> list[dict]:
    """The geocoded facilities for the preview: where the geocoder put them, how precisely."""
    names = {r["id"]: r for r in result.records}
    return [{"id": key, "name": names[key]["name"], "address": names[key]["address"],
             "lat": placed.lat, "lon": placed.lon, "label": placed.label, "level": placed.level,
             "precision": gettext(PRECISION_LABELS.get(placed.precision, placed.precision)),
             "approximate": placed.precision != "exact"}
            for key, placed in result.placed.items() if key in names]


def _movable(result) -> dict[str, str]:
    """The points the admin may drag on the preview map: id → what its marker says (an
    estimated one with its address)."""
    addresses = {r["id"]: r["address"] for r in result.records}
    return {key: gettext("estimated from the address: %(address)s", address=addresses[key])
            if key in result.placed else gettext("new facility")
            for key in datasets.movable(result)}


@bp.post("/upload/confirm")
def confirm():
    """Apply exactly the previewed file, with the points dragged on its map, unless the
    dataset changed since the preview."""
    store = open_store()
    pending = uploads.take(store, console.admin_id(), request.form.get("sha256", ""))
    if pending is None:
        return _expired()
    checked = datasets.check_file(store, pending.data, pending.filename, merge=pending.merge,
                                  allow_empty=pending.allow_empty, settings=import_settings(),
                                  sha256=pending.sha256,  # take() checked the bytes against it
                                  geocoder=current_settings().geocoding, scope=console.scope())
    if checked.version != pending.based_on:
        return _stale()
    if not checked.result.ok:
        return _preview_page(checked, pending.filename, pending.mode, "", 422)
    try:  # the points the admin dragged on the preview map, if any (none without JavaScript)
        checked = datasets.placed_by_hand(checked, dragged.read(
            request.form, datasets.movable(checked.result), import_settings().service_area))
    except dragged.Refused as exc:
        return _preview_page(checked, pending.filename, pending.mode, pending.sha256, 422,
                             str(exc))
    result = checked.result
    if result.mass_removal and not request.form.get("accept_removal"):
        return _preview_page(checked, pending.filename, pending.mode, pending.sha256, 400,
                             gettext("This replace removes more than half of the facilities: "
                                     "tick the box to confirm that this is intended."))
    try:
        # One transaction: once the import is committed nothing is left to fail, so the page
        # never reports a committed import as failed (nor a failed one as committed).
        with store.writing():
            applied = datasets.apply_import(store, checked, pending.filename,
                                            actor=console.actor(), address=console.address())
            uploads.forget(store, console.admin_id(), pending.sha256)
    except StaleDataset:
        return _stale()
    flash(gettext("Imported %(file)s as version %(version)s.", file=pending.filename,
                  version=applied.version))
    return redirect(url_for("admin.imports.history"))


def _expired():
    """The previewed file is gone (expired or applied): upload it again."""
    return _again(gettext("That preview has expired or was already applied. Upload the file "
                          "again."), 410)


def _stale():
    """The data changed between preview and confirm: nothing applied; preview again."""
    return _again(gettext("The data changed since your preview (another import, rollback or "
                          "edit). Nothing was applied. Upload the file again to see the "
                          "changes it would make now."), 409)


def _again(message: str, status: int):
    """The upload form with a message."""
    return render_template("admin/upload.html", mode="replace", error=message), status


@bp.get("/history")
def history():
    """Every version: who, when, which file, what it changed and in which districts
    (?district= shows only the versions that changed that district)."""
    district = request.args.get("district", "").strip() or None
    store = open_store()
    with store.reading():
        versions = datasets.history(store, district, console.default_district())
        current = store.versions.current_number()
    return render_template("admin/history.html", versions=versions, district=district or "",
                           current=current)


@bp.get("/history/<int:number>.csv")
def version_csv(number: int):
    """Download the dataset as version `number` left it."""
    return _csv(exporter.write_csv(_version_records(number)), f"facilities-v{number}.csv")


@bp.get("/history/<int:number>.xlsx")
def version_xlsx(number: int):
    """Download the dataset as version `number` left it, as a workbook."""
    return _xlsx(workbook.write_xlsx(_version_records(number)), f"facilities-v{number}.xlsx")


def _version_records(number: int) -> list[dict]:
    """The records version `number` left; 404 if there is no such version."""
    records = open_store().versions.records(number)
    if records is None:
        abort(404)
    return records


@bp.get("/export.csv")
def export():
    """Download the current dataset."""
    store = open_store()
    with store.reading():
        number = store.versions.current_number()
        data = exporter.write_csv(store.facilities.all())
    return _csv(data, f"facilities-v{number}.csv")


@bp.get("/export.xlsx")
def export_xlsx():
    """Download the current dataset as a workbook (the template's layout, filled in)."""
    store = open_store()
    with store.reading():
        number = store.versions.current_number()
        records = store.facilities.all()
    return _xlsx(workbook.write_xlsx(records), f"facilities-v{number}.xlsx")


@bp.get("/template.xlsx")
def template():
    """Download the empty workbook to fill in: header, drop-downs and the column reference."""
    return _xlsx(workbook.write_template(), "facilities-template.xlsx")


@bp.get("/columns")
def columns():
    """The column reference: what every column and code means (the template's second sheet)."""
    # The workbook's own msgids, through the page's catalogue: the same words as its sheet.
    return render_template("admin/columns.html", notes=workbook.notes(gettext),
                           columns=workbook.column_help(), tables=workbook.code_tables(),
                           words=gettext)


def _csv(data: bytes, filename: str) -> Response:
    """A CSV attachment."""
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _xlsx(data: bytes, filename: str) -> Response:
    """An XLSX attachment."""
    return Response(data, mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/history/<int:number>/rollback", methods=["GET", "POST"])
def rollback(number: int):
    """GET: what restoring version `number` would change. POST: restore it as a new version."""
    store = open_store()
    if request.method == "POST":
        try:
            applied = datasets.rollback(store, number, actor=console.actor(),
                                        address=console.address(), scope=console.scope(),
                                        default_district=console.default_district())
        except datasets.RollbackError:
            abort(404)
        except datasets.NothingToChange:
            flash(gettext("Nothing to change: version %(number)s holds exactly the current "
                          "data.", number=number))
            return redirect(url_for("admin.imports.history"))
        except StaleDataset:
            flash(gettext("The data changed while restoring; nothing was changed. Try again."))
            return redirect(url_for("admin.imports.rollback", number=number))
        flash(gettext("Restored version %(number)s as version %(version)s.", number=number,
                      version=applied.version))
        return redirect(url_for("admin.imports.history"))
    with store.reading():
        version, records = store.versions.get(number), store.versions.records(number)
        if version is None:
            abort(404)
        current = store.facilities.by_id()
    # What the POST would restore: for an admin limited to districts, only theirs.
    current, records = datasets.rollback_plan(current, records, console.scope(),
                                              console.default_district())
    diff = diff_records(current, records, merge=False)
    return render_template("admin/rollback.html", version=version,
                           diff=previews.diff_view(diff, records, current),
                           changes_anything=diff.changes_anything)

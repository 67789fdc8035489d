"""An admin's decision on a report or suggestion, and the version it makes.

Nothing a visitor sends changes the data until an admin accepts it; then the change is checked
by the importer's rules against the data of that moment and written as a version of kind
"report", like any other (history, export, rollback). The decision, the version and the audit
entry are one transaction: a report is never marked accepted without its version, nor a
version made for a report still shown as new.

What accepting does: a suggestion becomes a facility; a wrong position moves the pin to the
visitor's; wrong hours with the hours given set them; missing equipment with the items named
removes them; gone removes the facility. Each of those is "accepted" (a version was made).
Every other kind, or one whose change the data already has, is "resolved": acknowledged,
the admin's own edit (if any) linked by `resolve`.
"""

import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pypinyin import lazy_pinyin

from locator import datasets
from locator.core.catalogue import N_
from locator.core.records import MAX_LENGTH
from locator.ingest.importer import DEFAULT_SETTINGS, ImportSettings
from locator.ingest.problems import Problem
from locator.reports.kinds import STATUSES, SUGGESTION

ACTIONS = logging.getLogger("locator.actions")
VERSION_KIND = "report"  # the kind of a version made by accepting a report


class ModerationError(Exception):
    """The decision cannot be made; `problem` says why (translatable), `problems` lists the
    importer's refusals of a suggestion's values."""

    def __init__(self, message: str, problems: list[Problem] | None = None, **params):
        self.problem = Problem(None, None, message, params)
        self.problems = problems or []
        super().__init__("; ".join(str(p) for p in [self.problem, *self.problems]))


@dataclass(frozen=True)
class Decision:
    """What became of a report: its status and the version it made (None if none)."""

    report_id: int
    status: str
    version: int | None
    facility_id: str


def accept(store, report_id: int, *, actor: str, address: str = "",
           settings: ImportSettings = DEFAULT_SETTINGS, new_id: str | None = None,
           values: Mapping | None = None, now: float | None = None,
           scope: Sequence[str] | None = None) -> Decision:
    """Apply what the report says as a new version (see the module's docstring). For a
    suggestion, `values` (the editor's form) replace the visitor's and `new_id` names it. An
    admin limited to the districts `scope` may change only facilities in them."""
    with store.writing():
        report = _new_report(store, report_id)
        if report["kind"] == SUGGESTION:
            facility_id, applied = _add_suggested(store, report, settings, new_id, values,
                                                  actor, address, scope)
        else:
            facility_id = report["facility_id"]
            applied = _apply_report(store, report, settings, actor, address, scope)
        status = "accepted" if applied else "resolved"
        return _decide(store, report, status, actor=actor, address=address, now=now,
                       version=applied.version if applied else None, facility_id=facility_id)


def resolve(store, report_id: int, *, actor: str, address: str = "", note: str = "",
            version: int | None = None, now: float | None = None) -> Decision:
    """Mark a report dealt with, linked to the version of the admin's own edit if any."""
    with store.writing():
        report = _new_report(store, report_id)
        return _decide(store, report, "resolved", actor=actor, address=address, note=note,
                       version=version, now=now)


def reject(store, report_id: int, *, actor: str, address: str = "", note: str = "",
           now: float | None = None) -> Decision:
    """Refuse a report, with the admin's reason; it no longer counts on the public page."""
    with store.writing():
        report = _new_report(store, report_id)
        return _decide(store, report, "rejected", actor=actor, address=address, note=note,
                       now=now)


def mark_duplicate(store, report_id: int, of: int, *, actor: str, address: str = "",
                   now: float | None = None) -> Decision:
    """Mark a report as saying what report `of` says."""
    with store.writing():
        report = _new_report(store, report_id)
        if of == report_id or store.reports.get(of) is None:
            raise ModerationError(N_("report %(of)s cannot be the original of report %(id)s: "
                                     "give the id of another report"), of=of, id=report_id)
        return _decide(store, report, "duplicate", actor=actor, address=address,
                       duplicate_of=of, now=now)


def suggestion_values(report: Mapping) -> dict:
    """A suggestion's values as the cells of a one-row file (the editor's prefill too)."""
    details = report["details"]
    return {"category": details["category"], "name": details["name"],
            "lat": repr(float(details["lat"])), "lon": repr(float(details["lon"])),
            "coord_system": "wgs84", "coord_source": datasets.MAP,
            "floor": details.get("floor", ""), "opening_hours": details.get("opening_hours", ""),
            "amenities": ";".join(details.get("amenities", []))}


def suggested_id(name: str, taken: Mapping | set) -> str:
    """An id from a name: its pinyin (or its Latin words) joined by '-', unique among `taken`."""
    words = []
    for part in lazy_pinyin(name):
        words.extend(re.findall(r"[a-z0-9]+", part.lower()))
    base = "-".join(words)[:MAX_LENGTH["id"] - 8].strip("-") or "place"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _new_report(store, report_id: int) -> dict:
    """The report, which must exist and still be new."""
    report = store.reports.get(report_id)
    if report is None:
        raise ModerationError(N_("there is no report %(id)s"), id=report_id)
    if report["status"] != "new":
        raise ModerationError(N_("report %(id)s was decided already: it is %(status)s"),
                              id=report_id, status=report["status"])
    return report


def _add_suggested(store, report: dict, settings: ImportSettings, new_id: str | None,
                   values: Mapping | None, actor: str, address: str,
                   scope: Sequence[str] | None) -> tuple[str, datasets.Applied]:
    """The suggested place as a new facility (id given, or made from its name)."""
    current = store.facilities.by_id()
    values = dict(values) if values is not None else suggestion_values(report)
    facility_id = new_id or suggested_id(values.get("name", ""), current)
    if facility_id in current:
        raise ModerationError(N_("a facility with the id %(new)s exists already: give another "
                                 "id"), new=facility_id)
    checked = datasets.check_record(store, facility_id, values, settings=settings, scope=scope)
    if not checked.result.ok:
        raise ModerationError(N_("the suggested place cannot be stored as it is: correct it "
                                 "in the editor"), checked.result.errors)
    applied = datasets.apply_import(store, checked, _filename(report), actor=actor,
                                    address=address, kind=VERSION_KIND)
    return facility_id, applied


def _apply_report(store, report: dict, settings: ImportSettings, actor: str, address: str,
                  scope: Sequence[str] | None) -> datasets.Applied | None:
    """The version a facility's report makes, or None when it makes none."""
    record = store.facilities.get(report["facility_id"])
    if record is None:
        raise ModerationError(N_("facility %(facility)s no longer exists: reject the report or "
                                 "mark it resolved"), facility=report["facility_id"])
    if report["kind"] == "gone":
        try:
            return datasets.remove_facility(store, record["id"], actor=actor, address=address,
                                            kind=VERSION_KIND, filename=_filename(report),
                                            scope=scope,
                                            default_district=settings.districts.default)
        except datasets.OutOfScope as exc:
            raise ModerationError(N_(
                "facility %(facility)s is in %(district)s, outside your districts: an admin "
                "of %(district)s decides this report"), facility=record["id"],
                district=str(exc)) from None
    changes = _changes(report, record)
    if not changes:
        return None
    checked = datasets.check_record(store, record["id"], datasets.record_values(record) | changes,
                                    settings=settings, scope=scope)
    if not checked.result.ok:
        raise ModerationError(N_("the change this report asks for is refused by the import "
                                 "rules: make it in the editor"), checked.result.errors)
    try:
        return datasets.apply_import(store, checked, _filename(report), actor=actor,
                                     address=address, kind=VERSION_KIND)
    except datasets.NothingToChange:  # the data already says what the visitor said
        return None


def _changes(report: dict, record: Mapping) -> dict:
    """The cells the report changes: a moved pin, hours, equipment taken away."""
    details = report["details"]
    if report["kind"] == "wrong_location" and "lat" in details:
        return {"lat": repr(float(details["lat"])), "lon": repr(float(details["lon"])),
                "coord_system": "wgs84", "coord_source": datasets.MAP}
    if report["kind"] == "wrong_hours" and details.get("opening_hours"):
        return {"opening_hours": details["opening_hours"]}
    if report["kind"] == "missing_equipment" and details.get("amenities"):
        missing = set(details["amenities"])
        kept = [a for a in record["amenities"].split(";") if a and a not in missing]
        return {"amenities": ";".join(kept)}
    return {}


def _decide(store, report: dict, status: str, *, actor: str, address: str, now: float | None,
            note: str = "", duplicate_of: int | None = None, version: int | None = None,
            facility_id: str | None = None) -> Decision:
    """Record the decision and its audit entry (inside the caller's transaction)."""
    assert status in STATUSES
    now = time.time() if now is None else now
    facility_id = report["facility_id"] if facility_id is None else facility_id
    store.reports.decide(report["id"], status, actor=actor, at=now, note=note,
                         duplicate_of=duplicate_of, version=version)
    store.audit.record(f"report_{status}", actor, address, detail={
        "report": report["id"], "kind": report["kind"], "facility": facility_id,
        "version": version, **({"duplicate_of": duplicate_of} if duplicate_of else {}),
        **({"note": note} if note else {})})
    # The report's id, never what the visitor sent (a position, a note).
    ACTIONS.info(f"report_{status}", extra={"fields": {
        "actor": actor, "address": address, "report": report["id"], "kind": report["kind"],
        "facility": facility_id, "version": version}})
    return Decision(report["id"], status, version, facility_id)


def _filename(report: dict) -> str:
    """What a report's version names as its source (history's "what" column)."""
    return f"report {report['id']}"

"""A visitor's report or suggestion checked field by field, the same way for the JSON API and
the HTML forms. Each refusal is an ingest Problem whose column is the field's name, so a form
shows it beside the field and the API lists them all.

A suggestion's place is checked by the importer itself (a one-row table): category, name,
floor, hours (Chinese forms converted) and equipment follow exactly the rules of a file, and
the pin must lie in the service area. An admin's acceptance checks it again against the data
of that moment (moderation.py).
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from locator import datasets
from locator.core.catalogue import N_
from locator.core.records import MAX_LENGTH
from locator.ingest import fields
from locator.ingest.importer import ImportSettings, check_table
from locator.ingest.problems import Problem
from locator.reports.kinds import (
    NOTE_MAX,
    REPORT_FIELDS,
    REPORT_KINDS,
    SUGGESTION,
    SUGGESTION_FIELDS,
)

# Newlines and tabs are fine in a note; other control and text-direction characters are not.
_UNSAFE_NOTE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{fields.BIDI_CONTROLS}]")
_UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{fields.BIDI_CONTROLS}]")
PROBE_ID = "suggested-place"  # the id a suggestion is checked under (the admin gives the real one)
MAX_AMENITIES = 40


class SubmissionError(Exception):
    """The submission was refused; `problems` says why, one per field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Submission:
    """A checked report (kind, facility) or suggestion (kind "suggestion", facility "")."""

    kind: str
    facility_id: str
    details: dict
    note: str


def check_report(facility: Mapping, payload: Mapping, settings: ImportSettings) -> Submission:
    """A report about `facility` (its stored record), or SubmissionError."""
    problems = _unknown_fields(payload, REPORT_FIELDS)
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in REPORT_KINDS:
        problems.append(_problem("kind", N_("choose what is wrong: one of %(kinds)s"),
                                 kinds=", ".join(REPORT_KINDS)))
    note = _note(payload, problems)
    details = {}
    point = _point(payload, problems, settings, required=kind == "wrong_location")
    if point:
        details["lat"], details["lon"] = point
    if kind == "missing_equipment":
        amenities = _amenities(payload, facility["category"], problems)
        if amenities:
            details["amenities"] = amenities
    if kind == "wrong_hours":
        hours = _hours(payload, problems)
        if hours:
            details["opening_hours"] = hours
    if problems:
        raise SubmissionError(problems)
    return Submission(kind, facility["id"], details, note)


def check_suggestion(payload: Mapping, settings: ImportSettings) -> Submission:
    """A suggested new place, checked as one row of a file would be, or SubmissionError."""
    problems = _unknown_fields(payload, SUGGESTION_FIELDS)
    note = _note(payload, problems)
    values = {name: _text(payload, name, problems) for name in
              ("category", "name", "floor", "opening_hours")}
    values["lat"], values["lon"] = (_number(payload, name, problems) for name in ("lat", "lon"))
    values["amenities"] = ";".join(_list(payload, "amenities", problems))
    if problems:
        raise SubmissionError(problems)
    row = {**values, "lat": repr(values["lat"]), "lon": repr(values["lon"]),
           "coord_system": "wgs84", "coord_source": datasets.MAP}
    result = check_table(datasets.one_row_table(PROBE_ID, row), {}, merge=True,
                         settings=settings)
    if result.errors:
        raise SubmissionError([_field_problem(p) for p in result.errors])
    record = result.records[0]
    details = {name: record[name] for name in ("category", "name", "floor", "opening_hours")}
    details |= {"lat": record["lat"], "lon": record["lon"],
                "amenities": [a for a in record["amenities"].split(";") if a]}
    return Submission(SUGGESTION, "", details, note)


def _unknown_fields(payload: Mapping, known: tuple[str, ...]) -> list[Problem]:
    """A problem for each field the contract does not have (a typo would be lost silently)."""
    return [_problem(str(name)[:40], N_("unknown field; the fields are %(fields)s"),
                     fields=", ".join(known)) for name in payload if name not in known][:5]


def _note(payload: Mapping, problems: list[Problem]) -> str:
    """The optional note: plain text, at most NOTE_MAX characters, no control characters."""
    note = payload.get("note")
    if note is None:
        return ""
    if not isinstance(note, str):
        problems.append(_problem("note", N_("the note must be text")))
        return ""
    note = note.replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        problems.append(_problem("note", N_("the note is %(count)s characters long; at most "
                                            "%(max)s are kept — shorten it"),
                                 count=len(note), max=NOTE_MAX))
    elif _UNSAFE_NOTE.search(note):
        problems.append(_problem("note", N_("the note holds a control or text-direction "
                                            "character; remove it")))
    return note


def _text(payload: Mapping, name: str, problems: list[Problem]) -> str:
    """One optional one-line text field ("" when absent)."""
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(_problem(name, N_("this field must be text")))
        return ""
    if _UNSAFE_LINE.search(value):
        problems.append(_problem(name, N_("this field holds a control or text-direction "
                                          "character; remove it")))
        return ""
    return value.strip()


def _number(payload: Mapping, name: str, problems: list[Problem]) -> float | None:
    """A required coordinate in decimal degrees (a JSON number, or a form's text)."""
    value = payload.get(name)
    if isinstance(value, str) and len(value) <= 40:
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        problems.append(_problem(name, N_("give the position in decimal degrees (WGS-84), "
                                          "for example 22.5201 and 113.0371")))
        return None
    return float(value)


def _finite(value: int | float) -> bool:
    """Whether a number is finite as a float (a JSON integer of 400 digits is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _point(payload: Mapping, problems: list[Problem], settings: ImportSettings, *,
           required: bool) -> tuple[float, float] | None:
    """An optional (or, for a wrong position, required) WGS-84 point in the service area."""
    if not required and payload.get("lat") is None and payload.get("lon") is None:
        return None
    found = len(problems)
    lat, lon = _number(payload, "lat", problems), _number(payload, "lon", problems)
    if len(problems) > found:
        return None
    min_lat, min_lon, max_lat, max_lon = settings.service_area
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
        problems.append(_problem("lat", N_("this position is outside the area this service "
                                           "covers; move the pin to the place")))
        return None
    return round(lat, 7), round(lon, 7)


def _list(payload: Mapping, name: str, problems: list[Problem]) -> list[str]:
    """A list of codes: a JSON list of text, or one text separated as a file's cell is."""
    value = payload.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        value = fields.LIST_SEPARATORS.split(value)
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        problems.append(_problem(name, N_("give a list of equipment codes")))
        return []
    if len(value) > MAX_AMENITIES:
        problems.append(_problem(name, N_("at most %(max)s items"), max=MAX_AMENITIES))
        return []
    return [t.strip() for t in value if t.strip()]


def _amenities(payload: Mapping, category: str, problems: list[Problem]) -> list[str]:
    """Equipment codes the facility's category knows (labels and synonyms read as in files)."""
    tokens = _list(payload, "amenities", problems)
    if not tokens:
        return []
    joined, found = fields.normalise_amenities([";".join(tokens)], [category], [0])
    problems.extend(_field_problem(p) for p in found)
    return [] if found else joined[0].split(";")


def _hours(payload: Mapping, problems: list[Problem]) -> str:
    """Opening hours as a visitor writes them, stored in OSM form (Chinese forms converted)."""
    text = _text(payload, "opening_hours", problems)
    if not text:
        return ""
    if len(text) > MAX_LENGTH["opening_hours"]:
        problems.append(_problem("opening_hours", N_("at most %(max)s characters"),
                                 max=MAX_LENGTH["opening_hours"]))
        return ""
    stored, found, _conversions = fields.normalise_opening_hours([text], [0])
    problems.extend(_field_problem(p) for p in found)
    return "" if found else stored[0]


def _problem(field: str, message: str, **params) -> Problem:
    """A refusal of one field."""
    return Problem(None, field, message, params)


def _field_problem(problem: Problem) -> Problem:
    """An importer problem as a field's: no line (the visitor sent no file)."""
    return Problem(None, problem.column, problem.message, problem.params)

"""Checks of the text columns, a whole column at a time: each returns the Problems it finds.

Columns are lists of stripped cell texts, aligned with `lines` (the spreadsheet line of each row).
Working column by column keeps a 100,000-row import fast: comprehensions and set look-ups,
and values that repeat (categories, hours, amenity lists) are judged once.
"""

import datetime
import difflib
import functools
import re

from locator.core import geo, hours
from locator.core.categories import ACCESS_LABELS, CATEGORIES
from locator.core.records import MAX_LENGTH, MULTILINE_COLUMNS
from locator.ingest.problems import N_, Problem

ID_PATTERN = re.compile(r"[a-z0-9_-]{1,64}")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOOSE_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
LIST_SEPARATORS = re.compile("[;；]")  # Chinese keyboards type the full-width semicolon
# Text-direction controls. Embeddings, overrides (U+202A-202E) and isolates (U+2066-2069) flip
# the text after them on screen ("Trojan Source"); the marks U+200E, U+200F and U+061C reorder
# the digits and punctuation next to them (a phone number's groups). Chinese and English text
# never needs them, so they are refused in every column, multi-line ones too.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F.
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_CONTROL_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
VALID_CATEGORIES = ", ".join(CATEGORIES)
VALID_ACCESS = ", ".join(ACCESS_LABELS)
MULTILINE_LIST = ", ".join(MULTILINE_COLUMNS)


def check_id_format(ids: list[str], lines: list[int]) -> list[Problem]:
    """Every id present and well-formed."""
    problems = []
    for value, line in zip(ids, lines, strict=True):
        if not value:
            problems.append(Problem(line, "id", N_(
                "id is empty — give every row a unique id such as nr-001 (lowercase letters, "
                "digits, - and _)")))
        elif not ID_PATTERN.fullmatch(value):
            problems.append(Problem(line, "id", N_(
                "id %(value)r is not valid — use 1 to 64 lowercase letters a-z, digits, - or _ "
                "(for example nr-001)"), {"value": value}))
    return problems


def check_unique_ids(ids: list[str], lines: list[int]) -> list[Problem]:
    """No id twice; a repeat names the line the id first appeared on."""
    problems, first_line = [], {}
    for value, line in zip(ids, lines, strict=True):
        if value and first_line.setdefault(value, line) != line:
            problems.append(Problem(line, "id", N_(
                "id %(value)r is already used on line %(first)s — every row needs its own id"),
                {"value": value, "first": first_line[value]}))
    return problems


def check_categories(categories: list[str], lines: list[int]) -> list[Problem]:
    """Every category is a key of the registry."""
    return [Problem(line, "category", N_("unknown category %(value)r — use one of: %(valid)s"),
                    {"value": value, "valid": VALID_CATEGORIES})
            for value, line in zip(categories, lines, strict=True) if value not in CATEGORIES]


def check_names(names: list[str], lines: list[int]) -> list[Problem]:
    """Every row has a Chinese display name."""
    return [Problem(line, "name", N_(
                "name is empty — every facility needs its Chinese display name"))
            for value, line in zip(names, lines, strict=True) if not value]


def check_lengths(column: str, values: list[str], lines: list[int]) -> list[Problem]:
    """No cell longer than records.MAX_LENGTH allows for its column."""
    limit = MAX_LENGTH[column]
    if max(map(len, values), default=0) <= limit:
        return []
    return [Problem(line, column, N_(
                "%(length)s characters is too long for %(column)s — shorten it to at most "
                "%(limit)s"), {"length": len(value), "column": column, "limit": limit})
            for value, line in zip(values, lines, strict=True) if len(value) > limit]


def check_control_characters(column: str, values: list[str], lines: list[int]) -> list[Problem]:
    """No control or text-direction characters; line breaks only in the multi-line columns."""
    pattern = _CONTROL_BUT_NEWLINE if column in MULTILINE_COLUMNS else _CONTROL
    if not pattern.search("".join(values)):
        return []
    problems = []
    for value, line in zip(values, lines, strict=True):
        found = pattern.search(value)
        if found is None:
            continue
        if found.group() in "\r\n" and column not in MULTILINE_COLUMNS:
            problems.append(Problem(line, column, N_(
                "contains a line break — keep %(column)s on one line (line breaks are allowed "
                "only in: %(multiline)s)"), {"column": column, "multiline": MULTILINE_LIST}))
        elif BIDI.match(found.group()):
            problems.append(bidi_problem(line, column, found.group()))
        else:
            problems.append(Problem(line, column, N_(
                "contains the invisible control character U+%(code)04X — delete it (retyping "
                "the cell removes it)"), {"code": ord(found.group())}))
    return problems


def bidi_problem(line: int, column: str, character: str) -> Problem:
    """A cell holds a text-direction control."""
    return Problem(line, column, N_(
        "contains the invisible text-direction character U+%(code)04X, which shows the text "
        "around it reversed or reordered — delete it (retyping the cell removes it)"),
        {"code": ord(character)})


def normalise_newlines(values: list[str]) -> list[str]:
    """Windows line breaks inside a multi-line cell become plain newlines."""
    if "\r" not in "".join(values):
        return values
    return [v.replace("\r\n", "\n") for v in values]


def normalise_coord_systems(values: list[str], lines: list[int]) -> tuple[list[str], list]:
    """Blank → wgs84; 'WGS-84' or 'GCJ02' → the canonical key; unknown systems are errors."""
    canonical = {v: v.lower().replace("-", "") or "wgs84" for v in set(values)}
    out = [canonical[v] for v in values]
    return out, [Problem(line, "coord_system", N_(
                     "unknown coord_system %(value)r — use one of: %(valid)s (blank means wgs84)"),
                     {"value": value, "valid": ", ".join(geo.TO_WGS84)})
                 for value, key, line in zip(values, out, lines, strict=True)
                 if key not in geo.TO_WGS84]


def normalise_access(values: list[str], lines: list[int]) -> tuple[list[str], list]:
    """Blank → public; anything else must be an access key."""
    out = [v or "public" for v in values]
    return out, [Problem(line, "access", N_(
                     "unknown access %(value)r — use one of: %(valid)s (blank means public)"),
                     {"value": value, "valid": VALID_ACCESS})
                 for value, line in zip(out, lines, strict=True) if value not in ACCESS_LABELS]


def check_opening_hours(values: list[str], lines: list[int]) -> list[Problem]:
    """Each distinct opening_hours text parses as OSM syntax; the parser's reason is quoted."""
    bad = {v: r for v in set(values) if v and (r := hours.validate(v)) is not None}
    return [Problem(line, "opening_hours", N_(
                "opening_hours %(value)r is not valid OSM syntax (%(reason)s) — write it like "
                "\"Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off\", or leave it blank if unknown"),
                {"value": value, "reason": bad[value]})
            for value, line in zip(values, lines, strict=True) if value in bad]


def normalise_amenities(values: list[str], categories: list[str],
                        lines: list[int]) -> tuple[list[str], list]:
    """';'-joined tokens, trimmed and deduplicated in order; each in its category's vocabulary."""
    out, problems = [], []
    for value, category, line in zip(values, categories, lines, strict=True):
        joined, unknown = _amenity_tokens(value, category)
        out.append(joined)
        if unknown:
            problems.extend(_amenity_problem(token, category, line) for token in unknown)
    return out, problems


@functools.lru_cache(maxsize=8192)
def _amenity_tokens(value: str, category: str) -> tuple[str, tuple[str, ...]]:
    """The normalised amenity list, and its tokens the category does not know."""
    tokens = list(dict.fromkeys(t.strip() for t in LIST_SEPARATORS.split(value) if t.strip()))
    known = CATEGORIES[category].amenities if category in CATEGORIES else None
    unknown = tuple(t for t in tokens if known is not None and t not in known)
    return ";".join(tokens), unknown


def _amenity_problem(token: str, category: str, line: int) -> Problem:
    """An unknown amenity, with the closest known token when there is one."""
    known = CATEGORIES[category].amenities
    params = {"value": token, "category": category, "valid": ", ".join(known)}
    close = difflib.get_close_matches(token.lower(), known, n=1)
    if close:
        return Problem(line, "amenities", N_(
            "unknown amenity %(value)r for %(category)s — did you mean %(suggestion)r? "
            "Valid amenities: %(valid)s"), {**params, "suggestion": close[0]})
    return Problem(line, "amenities", N_(
        "unknown amenity %(value)r for %(category)s — use ';'-separated tokens from: %(valid)s"),
        params)


def normalise_routes(values: list[str]) -> list[str]:
    """';'-joined route names with the spaces around each trimmed and empty ones dropped."""
    return [_route_list(v) if v else v for v in values]


@functools.lru_cache(maxsize=8192)
def _route_list(value: str) -> str:
    """One routes cell, normalised."""
    return ";".join(t.strip() for t in LIST_SEPARATORS.split(value) if t.strip())


def check_verified_on(values: list[str], lines: list[int], today: datetime.date) -> list[Problem]:
    """Each verified_on is blank or an ISO date that is not in the future."""
    bad = {v: p for v in set(values) if v and (p := _date_problem(v, today)) is not None}
    return [Problem(line, "verified_on", *bad[value])
            for value, line in zip(values, lines, strict=True) if value in bad]


def _date_problem(value: str, today: datetime.date) -> tuple[str, dict] | None:
    """(message, params) when `value` is not an ISO date up to today, else None."""
    try:
        day = datetime.date.fromisoformat(value) if DATE_PATTERN.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        return _not_a_date(value)
    if day > today:
        return (N_("verified_on %(value)s is in the future (today is %(today)s) — enter the "
                   "date the facility was last checked on site"),
                {"value": value, "today": today.isoformat()})
    return None


def _not_a_date(value: str) -> tuple[str, dict]:
    """The message for a verified_on that is not YYYY-MM-DD, suggesting the ISO form if clear."""
    loose = _LOOSE_DATE.fullmatch(value)
    try:
        iso = datetime.date(*map(int, loose.groups())).isoformat() if loose else None
    except ValueError:
        iso = None
    if iso:
        return (N_("verified_on %(value)r is not written YYYY-MM-DD — write %(suggestion)s"),
                {"value": value, "suggestion": iso})
    return (N_("verified_on %(value)r is not a date — write it as YYYY-MM-DD, e.g. 2024-05-31, "
               "or leave it blank"), {"value": value})

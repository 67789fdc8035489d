"""Checks of the text columns, a whole column at a time: each returns the Problems it finds.

Columns are lists of stripped cell texts, aligned with `lines` (the spreadsheet line of each row).
Working column by column keeps a 100,000-row import fast: comprehensions and set look-ups,
and values that repeat (categories, hours, amenity lists) are judged once.
"""

import datetime
import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from locator.core.categories import CATEGORIES
from locator.core.records import MAX_LENGTH, MULTILINE_COLUMNS
from locator.ingest import chinese_hours, vocabulary
from locator.ingest.problems import N_, Caution, Problem, Stored

ID_PATTERN = re.compile(r"[a-z0-9_-]{1,64}")
# Year first, as Chinese offices write dates: 2026/11/28, 2026年11月28日, 2026.11.28, 2026-1-5,
# and the time a datetime cell or another system may add (2026-11-28 00:00:00).
_LOOSE_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
                         r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
# A phone cell that is only digits (a spreadsheet stored it as a number), maybe with the ".0"
# of a float: Excel drops a leading 0, so 0750-6301234 arrives as 7506301234.
_DIGITS_ONLY = re.compile(r"(\d{10,11})(?:\.0+)?")
LISTED_PHONES = 100  # corrected phones warned one by one; beyond, one summary
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


def normalise_categories(values: list[str], lines: list[int]) -> tuple[list[str], list]:
    """Each category as its code: the code, the label the app shows (母婴室) or a synonym."""
    read = vocabulary.reader("category")
    codes = {v: read(v) for v in set(values)}
    out = [codes[v] or v for v in values]
    return out, [Problem(line, "category", N_("unknown category %(value)r — use one of: %(valid)s"),
                         {"value": value, "valid": vocabulary.choices("category")})
                 for value, line in zip(values, lines, strict=True) if codes[value] is None]


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
    """Blank → wgs84; 'WGS-84', 'GCJ02', 百度坐标… → the code; unknown systems are errors."""
    return _coded("coord_system", "wgs84", N_(
        "unknown coord_system %(value)r — use one of: %(valid)s (blank means wgs84)"),
        values, lines)


def normalise_access(values: list[str], lines: list[int]) -> tuple[list[str], list]:
    """Blank → public; else the code, its label (仅限顾客) or a synonym."""
    return _coded("access", "public", N_(
        "unknown access %(value)r — use one of: %(valid)s (blank means public)"),
        values, lines)


def _coded(column: str, blank: str, unknown: str, values: list[str],
           lines: list[int]) -> tuple[list[str], list]:
    """A one-code column: each value → its code (blank → `blank`); an unknown one is an error
    listing the allowed values as the admin reads them."""
    read = vocabulary.reader(column)
    codes = {v: read(v) if v else blank for v in set(values)}
    return [codes[v] or v for v in values], [
        Problem(line, column, unknown, {"value": value, "valid": vocabulary.choices(column)})
        for value, line in zip(values, lines, strict=True) if codes[value] is None]


@dataclass(frozen=True)
class Conversion:
    """A cell stored in another form than written, meaning the same (Chinese opening hours →
    OSM, 2026/11/28 → 2026-11-28, 22°31′41″N → 22.5280556), for previews and CLI notes."""

    line: int
    column: str
    original: str
    stored: str

    def as_problem(self) -> Problem:
        """The conversion as a located message: 'converted from … → …'."""
        return Problem(self.line, self.column, N_("converted from %(original)s → %(stored)s"),
                       {"original": self.original, "stored": self.stored})

    def render(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        """'line 4, column opening_hours: converted from 周一至周五 8:30-17:30 → Mo-Fr …'."""
        return self.as_problem().render(gettext)


def normalise_opening_hours(values: list[str],
                            lines: list[int]) -> tuple[list[str], list[Problem], list[Conversion]]:
    """OSM opening hours for each cell: Chinese forms converted; what cannot be read is an error
    showing the OSM form to write (never the parser's own English)."""
    osm = {v: chinese_hours.to_osm(v) for v in set(values) if v}
    if all(v == o for v, o in osm.items()):  # all OSM already: no pass over the rows
        return values, [], []
    out, problems, conversions = [], [], []
    for value, line in zip(values, lines, strict=True):
        stored = osm.get(value, value)
        if stored is None:
            problems.append(Problem(line, "opening_hours", N_(
                "opening_hours %(value)r cannot be read as opening hours — write them in OSM "
                "form, for example %(example)s, or leave the cell blank if unknown"),
                {"value": value, "example": chinese_hours.example(value)}))
            stored = value
        elif stored != value:
            conversions.append(Conversion(line, "opening_hours", value, stored))
        out.append(stored)
    return out, problems, conversions


def normalise_amenities(values: list[str], categories: list[str],
                        lines: list[int]) -> tuple[list[str], list]:
    """';'-joined tokens, trimmed and deduplicated in order; each in its category's vocabulary."""
    out, problems, read = [], [], vocabulary.reader("amenity")
    for value, category, line in zip(values, categories, lines, strict=True):
        joined, unknown = _amenity_tokens(value, category, read)
        out.append(joined)
        if unknown:
            problems.extend(_amenity_problem(token, category, line) for token in unknown)
    return out, problems


@functools.lru_cache(maxsize=8192)
def _amenity_tokens(value: str, category: str,
                    read: Callable[[str], str | None]) -> tuple[str, tuple[str, ...]]:
    """The normalised amenity list, and its tokens the category does not know."""
    written = (t.strip() for t in vocabulary.LIST_SEPARATORS.split(value) if t.strip())
    tokens = list(dict.fromkeys(read(t) or t for t in written))
    known = CATEGORIES[category].amenities if category in CATEGORIES else None
    unknown = tuple(t for t in tokens if known is not None and t not in known)
    return ";".join(tokens), unknown


def _amenity_problem(token: str, category: str, line: int) -> Problem:
    """An unknown amenity, with the closest known token when there is one."""
    known = CATEGORIES[category].amenities
    params = {"value": token, "category": category,
              "valid": vocabulary.choices("amenity", known)}
    close = difflib.get_close_matches(token.lower(), known, n=1)
    if close:
        return Problem(line, "amenities", N_(
            "unknown amenity %(value)r for %(category)s — did you mean %(suggestion)r? "
            "Valid amenities: %(valid)s"), {**params, "suggestion": close[0]})
    return Problem(line, "amenities", N_(
        "unknown amenity %(value)r for %(category)s — use ';'-separated tokens from: %(valid)s"),
        params)


def normalise_routes(values: list[str]) -> list[str]:
    """';'-joined route names (or aliases) with the spaces around each trimmed and empty ones
    dropped."""
    return [_route_list(v) if v else v for v in values]


@functools.lru_cache(maxsize=8192)
def _route_list(value: str) -> str:
    """One routes cell, normalised."""
    return ";".join(t.strip() for t in LIST_SEPARATORS.split(value) if t.strip())


def normalise_verified_on(values: list[str], lines: list[int], today: datetime.date
                          ) -> tuple[list[str], list[Problem], list[Conversion]]:
    """Each verified_on as an ISO date up to today, or blank; year-first forms (2026/11/28,
    2026年11月28日, 2026.11.28) are stored as ISO and listed as conversions."""
    judged = {v: _read_date(v, today) for v in set(values) if v}
    out, problems, conversions = [], [], []
    for value, line in zip(values, lines, strict=True):
        stored, problem = judged.get(value, (value, None))
        if problem is not None:
            problems.append(Problem(line, "verified_on", *problem))
        elif stored != value:
            conversions.append(Conversion(line, "verified_on", value, stored))
        out.append(stored)
    return out, problems, conversions


def _read_date(value: str, today: datetime.date) -> tuple[str, tuple[str, dict] | None]:
    """(ISO date, None), or (value, (message, params)) when it is no date up to today."""
    day = None
    if (loose := _LOOSE_DATE.fullmatch(value)) is not None:
        try:
            day = datetime.date(*map(int, loose.groups()))
        except ValueError:
            day = None
    if day is None:
        return value, (N_("verified_on %(value)r is not a date — write it as YYYY-MM-DD, e.g. "
                          "2024-05-31, or leave it blank"), {"value": value})
    if day > today:
        return value, (N_("verified_on %(value)s is in the future (today is %(today)s) — enter "
                          "the date the facility was last checked on site"),
                       {"value": value, "today": today.isoformat()})
    return day.isoformat(), None


def normalise_phones(values: list[str], lines: list[int]) -> tuple[list[str], list[Caution]]:
    """Phones whose leading 0 a spreadsheet dropped (7506301234) get it back (0750-6301234),
    with a warning naming the corrected value; mobiles (11 digits from 1) are left alone."""
    if not any(_DIGITS_ONLY.fullmatch(v) for v in set(values)):
        return values, []
    out, corrected = [], []
    for value, line in zip(values, lines, strict=True):
        fixed = _restored_zero(value)
        out.append(fixed or value)
        if fixed:
            corrected.append((line, value, fixed))
    warnings = [Caution(line, "phone", N_(
        "phone %(value)s looks like a Chinese landline whose leading 0 the spreadsheet dropped "
        "(it stored the number as a number) — check it; format the column as text to keep "
        "the 0"), {"value": value, "corrected": fixed}, stored=Stored.CORRECTED)
        for line, value, fixed in corrected[:LISTED_PHONES]]
    if len(corrected) > LISTED_PHONES:
        rest = corrected[LISTED_PHONES:]
        warnings.append(Caution(None, "phone", N_(
            "and %(count)s more phones (lines %(lines)s) whose leading 0 was restored the same "
            "way"), {"count": len(rest), "lines": ", ".join(str(r[0]) for r in rest[:10]) + (
                ", …" if len(rest) > 10 else ""), "corrected": f"{rest[0][2]}, …"},
            stored=Stored.CORRECTED))
    return out, warnings


@functools.lru_cache(maxsize=8192)
def _restored_zero(value: str) -> str | None:
    """'0750-6301234' for '7506301234' (area code, then a 7 or 8 digit local number), or
    None when the value is no landline that lost its 0 (a mobile, a short or a typed number)."""
    digits = _DIGITS_ONLY.fullmatch(value)
    if digits is None or (len(digits.group(1)) == 11 and digits.group(1)[0] == "1"):
        return None
    number = "0" + digits.group(1)
    # China's area codes: 010 and 020-029 have three digits with their 0, all others four.
    area = 3 if number[1] in "12" else 4
    local = number[area:]
    if len(local) not in (7, 8) or local[0] in "01" or (number[1] == "1" and number[2] != "0"):
        return None
    return f"{number[:area]}-{local}"

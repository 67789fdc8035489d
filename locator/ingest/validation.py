"""A table of text cells → validated records, or every problem with its line and column."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from openpyxl.utils import get_column_letter

from locator.core.categories import CATEGORIES
from locator.core.records import (
    COLUMNS,
    MULTILINE_COLUMNS,
    REQUIRED,
    TEXT_COLUMNS,
    missing_columns,
)
from locator.ingest import districts, fields, placing, vocabulary
from locator.ingest.coordinates import Area, convert_points
from locator.ingest.problems import N_, Caution, Problem, Stored
from locator.ingest.tables import Table

CHUNK_ROWS = 1000  # rows checked between progress reports
LISTED_LINES = 10  # a summarised warning names this many lines
# A leading apostrophe that the exporter added so spreadsheets show these as text, not formulas.
_ESCAPED_STARTS = frozenset("=+-@'")
# The other columns' own checks (id pattern, vocabularies, ISO date) already bound their length.
LENGTH_CHECKED = tuple(c for c in COLUMNS if c not in (
    "id", "category", "coord_system", "coord_source", "access", "verified_on", "district"))
_ROUTE_CATEGORIES = ", ".join(k for k, c in CATEGORIES.items() if c.has_routes)


@dataclass
class Validated:
    """Records (only when there is no error), the line of each, errors and warnings."""

    records: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Caution] = field(default_factory=list)
    conversions: list[fields.Conversion] = field(default_factory=list)  # what was stored changed
    placed: dict[int, placing.Placed] = field(default_factory=dict)  # geocoded points by line


def validate(table: Table, area: Area, today: datetime.date,
             progress: Callable[[int], None] | None = None,
             locate: placing.Locate | None = None,
             rule: districts.DistrictRule = districts.DEFAULT_RULE) -> Validated:
    """Check every row of `table`; all errors are collected, none stops the others. Rows with
    an address and no coordinates are placed by `locate` (None: no geocoder, an error each);
    `rule` says what the district column accepts."""
    header = _trim_header(table.header) if table.ragged else table.header
    positions, out = read_header(header, table.header_line)
    if table.header_line > 1:
        out.warnings.append(_title_skipped(table))
    if out.errors:  # without the right columns, row checks would only repeat the header's fault
        return out
    rows, blank_lines = _data_rows(table, len(header), out)
    if "lat" not in positions:  # an address list: blank position cells for the geocoder to fill
        positions = {**positions, "lat": len(header), "lon": len(header) + 1}
        rows = [row + ["", ""] for row in rows]
    placed = placing.place(rows, out.lines, positions, locate)
    for start in range(0, len(rows), CHUNK_ROWS):
        records, problems = _check_chunk(rows[start:start + CHUNK_ROWS],
                                         out.lines[start:start + CHUNK_ROWS], positions, area,
                                         today, out.conversions, rule)
        out.records.extend(records)
        out.errors.extend(problems)
        if progress:
            progress(min(start + CHUNK_ROWS, len(rows)))
    _restore_phones(out)
    out.conversions.sort(key=lambda c: (c.line, COLUMNS.index(c.column)))
    out.errors.extend(fields.check_unique_ids([r["id"] for r in out.records], out.lines))
    _mark_placed(out, placed)
    out.warnings.extend(_summaries(out, blank_lines))
    out.errors.sort(key=Problem.sort_key)
    if out.errors:
        out.records = []
    return out


def _restore_phones(out: Validated) -> None:
    """Give back the leading 0 spreadsheets drop from phones, warning for each (whole file at
    once, so that the warnings are summarised once)."""
    phones, warnings = fields.normalise_phones([r["phone"] for r in out.records], out.lines)
    if warnings:
        for record, phone in zip(out.records, phones, strict=True):
            record["phone"] = phone
        out.warnings.extend(warnings)


def _mark_placed(out: Validated, placed: placing.Placing) -> None:
    """Geocoded rows: coord_source geocoded; an unplaced row's reason replaces the "lat is
    empty" errors it would otherwise get."""
    unplaced = {p.line for p in placed.errors}
    out.errors[:] = [p for p in out.errors
                     if not (p.line in unplaced and p.column in ("lat", "lon"))]
    out.errors.extend(placed.errors)
    out.warnings.extend(placed.warnings)
    out.placed = placed.placed
    for record, line in zip(out.records, out.lines, strict=True):
        if line in placed.placed:
            record["coord_source"] = placing.GEOCODED


def _trim_header(header: list[str]) -> list[str]:
    """A sheet's header without the empty cells after its last name."""
    end = len(header)
    while end and not header[end - 1].strip():
        end -= 1
    return header[:end]


def _title_skipped(table: Table) -> Caution:
    """The rows above the header (a title, a date line, blank rows) were left out."""
    last = table.header_line - 1
    params = {"header": table.header_line, "lines": "1" if last == 1 else f"1–{last}",
              "title": table.title}
    if not table.title:
        return Caution(None, None, N_(
            "the header row is line %(header)s: the blank rows above it (lines %(lines)s) were "
            "skipped"), params, stored=Stored.NOT_STORED)
    return Caution(None, None, N_(
        "the header row is line %(header)s: the rows above it (lines %(lines)s, "
        "“%(title)s”) were skipped as a title"), params, stored=Stored.NOT_STORED)


def read_header(header: list[str], line: int = 1) -> tuple[dict[str, int], Validated]:
    """Column positions by name (a code, its Chinese alias, or both: '名称 name'); errors for
    missing or repeated columns, warnings for others. `line` is the header's line."""
    names = [vocabulary.column_of(h.strip().lstrip("\ufeff")) for h in header]
    out, positions = Validated(), {}
    for index, name in enumerate(names):
        if control := fields.BIDI.search(name):
            out.errors.append(Problem(line, None, N_(
                "header cell %(letter)s contains the invisible text-direction character "
                "U+%(code)04X — delete it (retyping the cell removes it)"),
                {"letter": get_column_letter(index + 1), "code": ord(control.group())}))
        elif name in positions:  # letters only for named columns: tables.MAX_COLUMNS bounds them
            out.errors.append(_twice(header, name, positions[name], index, line))
        elif name:
            positions[name] = index
    out.errors.extend(Problem(line, name, N_(
        "required column %(column)s is missing from the header row — add it (required: "
        "%(required)s)"), {"column": name, "required": ", ".join(REQUIRED)})
        for name in missing_columns(set(positions)))
    out.warnings.extend(Caution(line, name, N_(
        "unknown column %(column)s is ignored — the known columns are: %(known)s"),
        {"column": name, "known": ", ".join(COLUMNS)}, stored=Stored.NOT_STORED)
        for name in positions if name not in COLUMNS)
    return {c: i for c, i in positions.items() if c in COLUMNS}, out


def _twice(header: list[str], name: str, first: int, second: int, line: int) -> Problem:
    """Two header cells name one column: the same text twice, or, say, 名称 and name."""
    params = {"column": name, "first": get_column_letter(first + 1),
              "second": get_column_letter(second + 1)}
    texts = header[first].strip().lstrip("\ufeff"), header[second].strip().lstrip("\ufeff")
    if texts[0] == texts[1]:
        return Problem(line, name, N_(
            "column %(column)s appears twice in the header row (columns %(first)s and "
            "%(second)s) — delete or rename one"), params)
    return Problem(line, name, N_(
        "column %(column)s is named twice in the header row: %(first_text)r in column "
        "%(first)s and %(second_text)r in column %(second)s (a header may be the code, the "
        "Chinese name or both) — delete or rename one"),
        {**params, "first_text": texts[0], "second_text": texts[1]})


def _data_rows(table: Table, width: int, out: Validated) -> tuple[list[list[str]], list[int]]:
    """The non-blank rows, all `width` wide, with their lines in `out.lines`; the blank lines."""
    rows, blank_lines = [], []
    for index, row in enumerate(table.rows, start=table.header_line + 1):
        line = index
        if not (row and row[0].strip()) and not "".join(row).strip():
            blank_lines.append(line)
        elif len(row) == width:
            rows.append(row)
            out.lines.append(line)
        elif table.ragged and not "".join(row[width:]).strip():
            rows.append(list(row[:width]) + [""] * (width - len(row)))
            out.lines.append(line)
        else:
            out.errors.append(_width_problem(row, width, line, table.ragged))
    return rows, blank_lines


def _width_problem(row: list[str], width: int, line: int, ragged: bool) -> Problem:
    """The row is wider or narrower than the header."""
    if ragged:
        stray = next(i for i in range(width, len(row)) if row[i].strip())
        return Problem(line, None, N_(
            "there is a value in column %(letter)s, which has no header — delete it or give "
            "the column a name"), {"letter": get_column_letter(stray + 1)})
    return Problem(line, None, N_(
        "the row has %(found)s fields but the header has %(expected)s — a cell containing a "
        "comma must be in double quotes; check this row for unquoted commas or missing cells"),
        {"found": len(row), "expected": width})


def _check_chunk(rows: list[list[str]], lines: list[int], positions: dict[str, int],
                 area: Area, today: datetime.date,
                 conversions: list[fields.Conversion],
                 rule: districts.DistrictRule) -> tuple[list[dict], list[Problem]]:
    """Validate and normalise one chunk of rows, column by column; conversions are added to
    `conversions`."""
    cols = _columns(rows, positions)
    for column in MULTILINE_COLUMNS:
        cols[column] = fields.normalise_newlines(cols[column])
    problems = fields.check_id_format(cols["id"], lines)
    cols["category"], found = fields.normalise_categories(cols["category"], lines)
    problems += found
    problems += fields.check_names(cols["name"], lines)
    for column in LENGTH_CHECKED:
        problems += fields.check_lengths(column, cols[column], lines)
    for column in TEXT_COLUMNS:
        problems += fields.check_control_characters(column, cols[column], lines)
    cols["coord_system"], found = fields.normalise_coord_systems(cols["coord_system"], lines)
    problems += found
    cols["access"], found = fields.normalise_access(cols["access"], lines)
    problems += found
    cols["coord_source"], found = placing.normalise_sources(cols["coord_source"], lines)
    problems += found
    cols["opening_hours"], found, converted = fields.normalise_opening_hours(
        cols["opening_hours"], lines)
    problems += found
    conversions += converted
    cols["amenities"], found = fields.normalise_amenities(cols["amenities"], cols["category"],
                                                          lines)
    problems += found
    cols["routes"] = fields.normalise_routes(cols["routes"])
    cols["aliases"] = fields.normalise_routes(cols["aliases"])
    cols["district"], found = districts.normalise(cols["district"], lines, rule)
    problems += found
    cols["verified_on"], found, converted = fields.normalise_verified_on(cols["verified_on"],
                                                                         lines, today)
    problems += found
    conversions += converted
    cols["lat"], cols["lon"], found = convert_points(cols["lat"], cols["lon"],
                                                     cols["coord_system"], lines, area,
                                                     conversions)
    problems += found
    cols["coord_system"] = ["wgs84"] * len(rows)  # converted: the store holds WGS-84 only
    columns = [cols[c] for c in COLUMNS]
    records = [dict(zip(COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]
    return records, problems


def _columns(rows: list[list[str]], positions: dict[str, int]) -> dict[str, list[str]]:
    """Each known column's stripped cells (blank when the column is absent)."""
    cols = {}
    for column in COLUMNS:
        if column not in positions:
            cols[column] = [""] * len(rows)
            continue
        # map() over C functions: no Python bytecode per cell, the importer's hottest loop.
        values = list(map(str.strip, map(itemgetter(positions[column]), rows)))
        if column in TEXT_COLUMNS and "'" in "".join(values):
            values = [_unescape(v) for v in values]
        cols[column] = values
    return cols


def _unescape(value: str) -> str:
    """Remove the one apostrophe the exporter put before a formula-like cell."""
    if value[:1] == "'" and value[1:2] in _ESCAPED_STARTS:
        return value[1:]
    return value


def _summaries(out: Validated, blank_lines: list[int]) -> list[Caution]:
    """One warning per kind of minor issue, with a count and the first lines, not one per row."""
    no_english = [ln for r, ln in zip(out.records, out.lines, strict=True) if not r["name_en"]]
    stray_routes = [ln for r, ln in zip(out.records, out.lines, strict=True)
                    if r["routes"] and r["category"] in CATEGORIES
                    and not CATEGORIES[r["category"]].has_routes]
    warnings = []
    if blank_lines:
        warnings.append(Caution(None, None, N_(
            "%(count)s blank rows were skipped (lines %(lines)s)"), _listed(blank_lines),
            stored=Stored.NOT_STORED))
    if no_english:
        warnings.append(Caution(None, "name_en", N_(
            "%(count)s facilities have no English name (lines %(lines)s) — English pages show "
            "the Chinese name instead; fill in name_en"), _listed(no_english)))
    if stray_routes:
        warnings.append(Caution(None, "routes", N_(
            "%(count)s rows list routes for a category that does not show them (lines "
            "%(lines)s) — they are kept, but only %(categories)s display routes"),
            {**_listed(stray_routes), "categories": _ROUTE_CATEGORIES}))
    return warnings


def _listed(lines: list[int]) -> dict:
    """Params naming how many lines there are and the first few of them."""
    shown = ", ".join(map(str, lines[:LISTED_LINES]))
    return {"count": len(lines), "lines": shown + (", …" if len(lines) > LISTED_LINES else "")}

"""CSV/XLSX bytes → validated facility records, every problem, and the diff against the store.

Pure: no Flask, no SQL. The pieces live in tables (bytes → cells), validation and fields
(cells → records), points (coordinates); this module runs them and compares with `current`.
"""

import datetime
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from locator.core.categories import CATEGORIES
from locator.core.clock import shanghai_now
from locator.core.records import COLUMNS
from locator.ingest import districts
from locator.ingest.coordinates import near_twins
from locator.ingest.districts import DistrictRule
from locator.ingest.fields import Conversion
from locator.ingest.placing import Locate, Placed
from locator.ingest.problems import N_, Caution, Problem, ProblemError
from locator.ingest.tables import Table, read_table
from locator.ingest.validation import validate

__all__ = ["Caution", "Conversion", "Diff", "ImportResult", "ImportSettings", "Problem",
           "check_table", "diff_records", "read_import"]

DUPLICATE_METRES = 15.0
LISTED_DUPLICATES = 100  # beyond this many pairs, one summary warning
# The defaults of SERVICE_AREA and MAX_IMPORT_BYTES (locator/config.py lists every setting and
# takes these from here: ingest imports only core). Xinhui District spans 22.09–22.81 N,
# 112.78–113.26 E; the margin admits its border facilities.
SERVICE_AREA = (22.0, 112.7, 22.9, 113.35)
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ImportSettings:
    """Limits of an import; the service area is (min_lat, min_lon, max_lat, max_lon) WGS-84."""

    service_area: tuple[float, float, float, float] = SERVICE_AREA
    max_bytes: int = MAX_BYTES
    today: datetime.date | None = None  # None: today in Asia/Shanghai
    districts: DistrictRule = DistrictRule()  # the district column's rule


DEFAULT_SETTINGS = ImportSettings()
# Said instead of applying a valid file that changes nothing (CLI and console): a sentence on
# its own, unlike the problems, which follow a "line N:" prefix.
NOTHING_TO_CHANGE = N_("Nothing to change: the file holds exactly the current data for every "
                       "facility it lists, so no version was created.")


@dataclass
class Diff:
    """What an import does, by id; changed maps id → [(field, old, new)]."""

    added: list[str] = field(default_factory=list)
    changed: dict[str, list[tuple[str, object, object]]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        """False when applying it would leave the dataset exactly as it is."""
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One line of counts."""
        return (f"added {len(self.added)}, changed {len(self.changed)}, "
                f"removed {len(self.removed)}, unchanged {len(self.unchanged)}")


@dataclass
class ImportResult:
    """The outcome of checking one file: records to apply, or the errors that refuse it."""

    records: list[dict]
    errors: list[Problem]
    warnings: list[Caution]  # never block the import; each says what is stored
    diff: Diff | None
    sha256: str
    mass_removal: bool = False
    # Cells stored in another form than written (Chinese opening hours → OSM), by line.
    conversions: list[Conversion] = field(default_factory=list)
    # The facilities placed by the geocoder, by id: the point and how precise it is.
    placed: dict[str, Placed] = field(default_factory=dict)
    # The districts the import changes: a replace's replaced districts (its other districts'
    # facilities stay as they are), a merge's written ones.
    districts: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file has no error and may be applied."""
        return not self.errors


def read_import(data: bytes, filename: str, current: Mapping[str, dict], *, merge: bool = False,
                allow_empty: bool = False, settings: ImportSettings = DEFAULT_SETTINGS,
                progress: Callable[[int], None] | None = None,
                sha256: str | None = None, locate: Locate | None = None,
                scope: Sequence[str] | None = None) -> ImportResult:
    """Decode, parse and validate `data`; diff it against `current` (id → stored record).

    `sha256`: the digest of `data` when the caller has already taken (and checked) it;
    `locate`: the geocoder for rows with an address and no coordinates (ingest/placing.py);
    `scope`: the districts the importing admin may change (None: every district).
    """
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    if len(data) > settings.max_bytes:
        return _refused(sha256, [_too_big(len(data), settings.max_bytes)])
    try:
        table = read_table(data, filename)
    except ProblemError as exc:
        return _refused(sha256, [exc.problem], [])
    return check_table(table, current, merge=merge, allow_empty=allow_empty, settings=settings,
                       progress=progress, sha256=sha256, locate=locate, scope=scope)


def check_table(table: Table, current: Mapping[str, dict], *, merge: bool = False,
                allow_empty: bool = False, settings: ImportSettings = DEFAULT_SETTINGS,
                progress: Callable[[int], None] | None = None, sha256: str = "",
                locate: Locate | None = None,
                scope: Sequence[str] | None = None) -> ImportResult:
    """Validate the cells of `table` (a file's, or a form's) and diff them against `current`.

    A replace replaces only the districts its rows are in (ImportResult.districts); rows in a
    district outside `scope` and ids stored in another district are errors.
    """
    today = settings.today or shanghai_now().date()
    current = resolve_districts(current, settings.districts.default)
    checked = validate(table, settings.service_area, today, progress, locate,
                       settings.districts)
    if merge:
        covered = districts.touched(checked.records)
    else:
        covered = districts.replaced(checked.records, scope, current)
    compared = _compared(current, covered, merge=merge)
    if not checked.errors:
        checked.errors.extend(districts.scope_problems(checked.records, checked.lines, scope)
                              + districts.clash_problems(checked.records, checked.lines,
                                                         current, covered))
        checked.errors.sort(key=Problem.sort_key)
    if not checked.errors and not checked.records and not (merge or allow_empty):
        checked.errors.append(_no_rows(len(compared)))
    if checked.errors:
        return _refused(sha256, checked.errors, checked.warnings)
    diff = district_diff(current, checked.records, covered, merge=merge)
    warnings = checked.warnings + duplicate_warnings(checked.records, checked.lines, current,
                                                     merge=merge)
    mass_removal = not merge and len(diff.removed) * 2 > len(compared)
    if mass_removal:
        warnings.append(Caution(None, None, N_(
            "this replace removes %(removed)s of the %(total)s current facilities — if that is "
            "intended, confirm it; otherwise check the file is complete, or use merge mode"),
            {"removed": len(diff.removed), "total": len(compared)}))
    placed = {record["id"]: checked.placed[line]
              for record, line in zip(checked.records, checked.lines, strict=True)
              if line in checked.placed}
    return ImportResult(checked.records, [], warnings, diff, sha256, mass_removal,
                        checked.conversions, placed, covered)


def _compared(current: Mapping[str, dict], covered: Sequence[str], *,
              merge: bool) -> Mapping[str, dict]:
    """What a file is compared with: everything for a merge, the covered districts' facilities
    for a replace."""
    if merge:
        return current
    return {k: r for k, r in current.items() if r["district"] in covered}


def district_diff(current: Mapping[str, dict], records: list[dict], covered: Sequence[str], *,
                  merge: bool) -> Diff:
    """diff_records within the districts a replace covers; the other districts' facilities are
    unchanged."""
    compared = _compared(current, covered, merge=merge)
    diff = diff_records(compared, records, merge=merge)
    diff.unchanged.extend(k for k in current if k not in compared)
    return diff


def resolve_districts(current: Mapping[str, dict], default: str) -> Mapping[str, dict]:
    """`current` with a blank district (a row stored before districts) read as `default`."""
    if all(r.get("district") for r in current.values()):
        return current
    return {k: r if r.get("district") else {**r, "district": default}
            for k, r in current.items()}


def _refused(sha256: str, errors: list[Problem], warnings: list[Caution] | None = None):
    """A result that changes nothing."""
    return ImportResult([], errors, warnings or [], None, sha256, False)


def _too_big(size: int, limit: int) -> Problem:
    """The file is over the size limit (checked before decoding anything)."""
    return Problem(None, None, N_(
        "the file is %(size)s MB, over the %(limit)s MB limit — remove unused columns or "
        "sheets, or split it and import the parts in merge mode"),
        {"size": round(size / 2**20, 1), "limit": round(limit / 2**20, 1)})


def _no_rows(current_count: int) -> Problem:
    """A header-only file in replace mode would empty the dataset."""
    return Problem(None, None, N_(
        "the file has a header but no facility rows; importing it would delete all "
        "%(count)s facilities — add the rows, or choose \"allow empty\" (--allow-empty) if "
        "emptying the dataset is intended"), {"count": current_count})


def diff_records(current: Mapping[str, dict], records: list[dict], *, merge: bool) -> Diff:
    """Added, changed, removed and unchanged ids; merge never removes (untouched = unchanged)."""
    diff = Diff()
    for record in records:
        old = current.get(record["id"])
        if old is None:
            diff.added.append(record["id"])
        elif old == record:
            diff.unchanged.append(record["id"])
        elif changes := _changes(old, record):
            diff.changed[record["id"]] = changes
        else:
            diff.unchanged.append(record["id"])
    in_file = {r["id"] for r in records}
    rest = [k for k in current if k not in in_file]
    (diff.unchanged if merge else diff.removed).extend(rest)
    return diff


def _changes(old: Mapping, new: Mapping) -> list[tuple[str, object, object]]:
    """(field, old, new) for each column whose value differs (a missing or NULL old is '')."""
    changes = []
    for column in COLUMNS:
        before = old.get(column)
        before = "" if before is None else before
        after = new.get(column, "")
        if before != after:
            changes.append((column, before, after))
    return changes


def duplicate_warnings(records: list[dict], lines: list[int], current: Mapping[str, dict], *,
                       merge: bool) -> list[Caution]:
    """Facilities within 15 m of an earlier one of their category (or, merging, a stored one)."""
    in_file = {r["id"] for r in records}
    stored = [r for k, r in current.items() if k not in in_file] if merge else []
    pool = stored + list(records)  # stored ones first: compared with, never reported themselves
    groups = {key: n for n, key in enumerate(CATEGORIES)}
    twins = near_twins([groups.get(r["category"], -1) for r in pool], [r["lat"] for r in pool],
                       [r["lon"] for r in pool], DUPLICATE_METRES, start=len(stored))
    warnings = [_duplicate(pool, lines, len(stored), j, i, metres)
                for j, i, metres in twins[:LISTED_DUPLICATES]]
    if len(twins) > LISTED_DUPLICATES:
        warnings.append(Caution(None, None, N_(
            "and %(count)s more facilities within %(metres)s m of another of their category"),
            {"count": len(twins) - LISTED_DUPLICATES, "metres": int(DUPLICATE_METRES)}))
    return warnings


def _duplicate(pool: list[dict], lines: list[int], first_in_file: int, j: int, i: int,
               metres: float) -> Caution:
    """Facility j (in the file) lies near i, from the file too or stored (index before the file)."""
    params = {"id": pool[j]["id"], "other": pool[i]["id"], "category": pool[j]["category"],
              "metres": round(metres, 1)}
    if i >= first_in_file:
        return Caution(lines[j - first_in_file], None, N_(
            "%(id)s is %(metres)s m from %(other)s (line %(other_line)s), also a %(category)s — "
            "probably the same place twice; keep one unless they really are separate"),
            {**params, "other_line": lines[i - first_in_file]})
    return Caution(lines[j - first_in_file], None, N_(
        "%(id)s is %(metres)s m from the stored facility %(other)s, also a %(category)s — "
        "probably the same place twice; keep one unless they really are separate"), params)

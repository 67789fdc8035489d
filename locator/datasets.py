"""Turn validated imports, rollbacks and edits into new dataset versions in the store; each
written version is logged with its actor and timed for /metrics."""

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from prometheus_client import Histogram

from locator.core import districts
from locator.core.records import COLUMNS, POSITION
from locator.geocoding.batch import address_key, geocode_many
from locator.geocoding.results import NOT_FOUND, Found, ProviderUnavailable
from locator.geocoding.settings import GeocoderSettings
from locator.ingest import exporter
from locator.ingest.importer import (
    Diff,
    ImportResult,
    ImportSettings,
    check_table,
    diff_records,
    district_diff,
    read_import,
    resolve_districts,
)
from locator.ingest.placing import Locate, Placed, Unplaced
from locator.ingest.tables import Table
from locator.store import COPIED_TABLES, Change, Store

MAP = "map"  # coord_source of a point placed by hand on a map (core/records.COORD_SOURCES)
# How long a kept "not found" answers for its address (see locator()).
NOT_FOUND_KEPT_S = 3600

ACTIONS = logging.getLogger("locator.actions")
# A console edit takes milliseconds, a district's file a second or two, a large one longer.
WRITE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
IMPORT_SECONDS = Histogram("locator_import_duration_seconds", "Writing a checked import, "
                           "console edit, removal or accepted report as a new version, by kind",
                           ["kind"], buckets=WRITE_BUCKETS)
ROLLBACK_SECONDS = Histogram("locator_rollback_duration_seconds", "Reading a version back and "
                             "writing it as a new version", buckets=WRITE_BUCKETS)


class RollbackError(Exception):
    """The requested version does not exist."""


class CopyRefused(Exception):
    """`facilities copy` cannot run: the source holds no dataset, or the destination holds data."""


class OutOfScope(Exception):
    """The facility is in a district the admin may not change."""


class NothingToChange(Exception):
    """The import or rollback would leave the data exactly as it is: no version is made."""


@dataclass(frozen=True)
class Applied:
    """A version that was written, and what it changed."""

    version: int
    diff: Diff


@dataclass(frozen=True)
class Checked:
    """An import checked against one read of the dataset: what its preview shows and its apply
    writes, so that neither reads the dataset again (and so never sees another state)."""

    result: ImportResult
    version: int  # the version that read saw (0 before the first import)
    current: Mapping[str, dict]  # that version's facilities by id, as the diff compared them
    merge: bool
    by_hand: int = 0  # points the admin placed on the preview map (placed_by_hand)


def check_file(store: Store, data: bytes, filename: str, *, merge: bool = False,
               allow_empty: bool = False, settings: ImportSettings | None = None,
               progress: Callable[[int], None] | None = None,
               sha256: str | None = None, geocoder: GeocoderSettings | None = None,
               geocoded: Callable[[int, int], None] | None = None,
               scope: Sequence[str] | None = None) -> Checked:
    """Validate a file against one read of the dataset (`sha256`: its digest, if taken).

    Rows with an address and no coordinates are placed by `geocoder` (None: not configured,
    an error each), through the store's cache; geocoded(done, total) follows each request.
    `scope`: the districts the admin may change (None: all).
    """
    settings = settings or ImportSettings()
    version, current = _snapshot(store, settings)
    result = read_import(data, filename, current, merge=merge, allow_empty=allow_empty,
                         settings=settings, progress=progress, sha256=sha256,
                         locate=locator(store, geocoder, geocoded), scope=scope)
    return Checked(result, version, current, merge)


def locator(store: Store, geocoder: GeocoderSettings | None,
            progress: Callable[[int, int], None] | None = None, *,
            clock: Callable[[], float] = time.time) -> Locate | None:
    """The importer's `locate`: kept answers from the store's cache, the rest asked of the
    geocoder (each answer kept as it arrives, so an interrupted batch resumes where it stopped);
    None without a geocoder. A kept "not found" counts for NOT_FOUND_KEPT_S only: the console's
    preview after its background check reads it, a later import asks again."""
    if geocoder is None:
        return None

    def locate(addresses: list[str]) -> dict[str, Placed | Unplaced]:
        """Placed or Unplaced for each address."""
        keys = {address: address_key(address) for address in addresses}
        distinct = list(dict.fromkeys(keys.values()))
        now = clock()
        with store.reading():
            kept = {key: row for key, row in
                    store.geocodes.get_many(geocoder.provider, distinct).items()
                    if row["found"] or row["asked_at"] > now - NOT_FOUND_KEPT_S}
        answers = {key: _answer(row, geocoder) for key, row in kept.items()}
        asking = [key for key in distinct if key not in kept]

        def each(done: int, total: int, outcome) -> None:
            """Keep the answer at once, and say how far the batch is."""
            found = isinstance(outcome, Found)
            point = {"lat": outcome.lat, "lon": outcome.lon, "precision": outcome.precision,
                     "level": outcome.level, "label": outcome.label} if found else {}
            store.geocodes.save(geocoder.provider, outcome.address, at=clock(), **point)
            answers[outcome.address] = _answer({"found": found, **point}, geocoder)
            if progress:
                progress(done, total)

        if asking and progress:
            progress(0, len(asking))
        try:
            geocode_many(asking, geocoder, each)
        except ProviderUnavailable as exc:  # the rest cannot be placed now: each line says why
            for key in asking:
                answers.setdefault(key, Unplaced(exc.message, exc.params))
        return {address: answers[key] for address, key in keys.items()}

    return locate


def _answer(row: Mapping, geocoder: GeocoderSettings) -> Placed | Unplaced:
    """A kept or fresh answer as the importer takes it, checked against the service area."""
    if not row["found"]:
        return Unplaced(NOT_FOUND)
    area = geocoder.service_area
    lat, lon = row["lat"], row["lon"]
    inside = area is None or (area[0] <= lat <= area[2] and area[1] <= lon <= area[3])
    return Placed(lat, lon, row["precision"], row["level"], row["label"], inside,
                  geocoder.provider)


def movable(result: ImportResult) -> list[str]:
    """The ids whose point the admin may place by hand on the preview: the new facilities and
    those the geocoder placed, in file order."""
    if result.diff is None:
        return []
    ids = set(result.diff.added) | set(result.placed)
    return [r["id"] for r in result.records if r["id"] in ids]


def placed_by_hand(checked: Checked, points: Mapping[str, tuple[float, float]]) -> Checked:
    """`checked` with `points` (id → WGS-84, checked by the caller; each a movable id) as those
    records' positions, coord_source map, and the diff made again."""
    if not points:
        return checked
    if unknown := set(points) - set(movable(checked.result)):
        raise ValueError(f"not movable in this import: {sorted(unknown)}")
    records = [r | {"lat": points[r["id"]][0], "lon": points[r["id"]][1],
                    "coord_source": MAP} if r["id"] in points else r
               for r in checked.result.records]
    result = dataclasses.replace(checked.result, records=records, diff=district_diff(
        checked.current, records, checked.result.districts, merge=checked.merge))
    return dataclasses.replace(checked, result=result, by_hand=len(points))


def one_row_table(facility_id: str, values: Mapping) -> Table:
    """A record's values as the cells of a one-row file: formula-like text keeps the apostrophe
    the exporter gives it, since the importer removes that one (and a typed one must survive)."""
    cells = [values.get(c, "") if c in POSITION else exporter.cell(c, values.get(c, ""))
             for c in COLUMNS[1:]]
    return Table(list(COLUMNS), [[facility_id, *cells]])


def record_values(record: Mapping) -> dict:
    """A stored record's values as one_row_table takes them: positions as exact text, and in
    WGS-84, as the store keeps them whatever datum the file gave."""
    return {c: exporter.cell(c, record[c]) if c in POSITION else str(record[c] or "")
            for c in COLUMNS[1:]} | {"coord_system": "wgs84"}


def check_record(store: Store, facility_id: str, values: Mapping, *,
                 settings: ImportSettings | None = None,
                 geocoder: GeocoderSettings | None = None,
                 scope: Sequence[str] | None = None) -> Checked:
    """One record's values (a form's, a visitor's) checked as a merged one-row file."""
    return check_rows(store, one_row_table(facility_id, values), settings=settings,
                      geocoder=geocoder, scope=scope)


def remove_facility(store: Store, facility_id: str, *, actor: str, address: str = "",
                    kind: str = "remove", filename: str = "",
                    scope: Sequence[str] | None = None,
                    default_district: str = districts.DEFAULT_DISTRICT) -> Applied:
    """Remove one facility as a new version (KeyError if there is no such facility,
    OutOfScope if it is in a district outside `scope`)."""
    started = time.perf_counter()
    with store.writing():  # the read and the write of one version, nothing between them
        current = store.facilities.by_id()
        if facility_id not in current:
            raise KeyError(facility_id)
        district = districts.district_of(current[facility_id], default_district)
        if not districts.in_scope(district, scope):
            raise OutOfScope(district)
        records = [r for k, r in sorted(current.items()) if k != facility_id]
        diff = diff_records(current, records, merge=False)
        number = store.versions.commit(records, _change(diff), actor=actor, kind=kind,
                                       filename=filename or facility_id,
                                       expected_version=store.versions.current_number(),
                                       address=address, districts=[district])
    took = time.perf_counter() - started
    IMPORT_SECONDS.labels(kind).observe(took)
    _log_version(kind, number, diff, took, actor=actor, address=address,
                 filename=filename or facility_id)
    return Applied(number, diff)


def check_rows(store: Store, table: Table, *, settings: ImportSettings | None = None,
               geocoder: GeocoderSettings | None = None,
               scope: Sequence[str] | None = None) -> Checked:
    """Validate rows of cells (the console's form), merged, against one read of the dataset;
    a row with an address and no coordinates is placed by `geocoder`, as in a file."""
    settings = settings or ImportSettings()
    version, current = _snapshot(store, settings)
    result = check_table(table, current, merge=True, settings=settings,
                         locate=locator(store, geocoder, None), scope=scope)
    return Checked(result, version, current, merge=True)


def apply_import(store: Store, checked: Checked, filename: str, *, actor: str,
                 address: str = "", kind: str = "import") -> Applied:
    """Write a checked import (or a console edit) as a new version; StaleDataset if data moved."""
    result = checked.result
    if not result.diff.changes_anything:  # a version identical to the last would be noise
        raise NothingToChange
    started = time.perf_counter()
    # The checked read is exact: versions.commit refuses unless the dataset is still at its version.
    records = merged(checked.current, result.records) if checked.merge else \
        replaced(checked.current, result.records, result.districts)
    mode = "merge" if checked.merge else "replace"
    number = store.versions.commit(
        records, _change(result.diff), actor=actor, kind=kind, filename=filename,
        sha256=result.sha256, mode=mode, expected_version=checked.version, address=address,
        notes={"placed_by_hand": checked.by_hand} if checked.by_hand else None,
        districts=result.districts)
    took = time.perf_counter() - started
    IMPORT_SECONDS.labels(kind).observe(took)
    _log_version(kind, number, result.diff, took, actor=actor, address=address,
                 filename=filename, mode=mode)
    return Applied(number, result.diff)


def replaced(current: Mapping[str, dict], records: Sequence[dict],
             covered: Sequence[str]) -> list[dict]:
    """The dataset after a replace of the districts `covered` by `records`: the file's rows in
    its order, then the other districts' facilities as they are, by id."""
    kept = [r for k, r in sorted(current.items()) if r["district"] not in covered]
    return [*records, *kept] if kept else list(records)


def rollback(store: Store, number: int, *, actor: str, address: str = "",
             scope: Sequence[str] | None = None,
             default_district: str = districts.DEFAULT_DISTRICT) -> Applied:
    """Restore version `number`'s records exactly, as a new version (NothingToChange if equal).

    An admin limited to `scope` restores only those districts from that version; every other
    district stays as it is now.
    """
    started = time.perf_counter()
    with store.reading():
        records = store.versions.records(number)
        if records is None:
            raise RollbackError(f"there is no version {number}")
        based_on = store.versions.current_number()
        current = store.facilities.by_id()
    current, records = rollback_plan(current, records, scope, default_district)
    diff = diff_records(current, records, merge=False)
    if not diff.changes_anything:
        raise NothingToChange
    applied = store.versions.commit(records, _change(diff), actor=actor, kind="rollback",
                                   restored_from=number, expected_version=based_on,
                                   address=address,
                                   districts=_districts_of(diff, current, records,
                                                           default_district))
    took = time.perf_counter() - started
    ROLLBACK_SECONDS.observe(took)
    _log_version("rollback", applied, diff, took, actor=actor, address=address,
                 restored_from=number)
    return Applied(applied, diff)


def _log_version(kind: str, number: int, diff: Diff, took_s: float, **fields) -> None:
    """One log line for a written version: who, what, how much, how long (never a position)."""
    given = {key: value for key, value in fields.items() if value != ""}
    ACTIONS.info(kind, extra={"fields": {
        **given, "version": number, "added": len(diff.added), "changed": len(diff.changed),
        "removed": len(diff.removed), "duration_ms": round(took_s * 1000, 1)}})


def rollback_plan(current: Mapping[str, dict], then: Sequence[dict],
                  scope: Sequence[str] | None,
                  default_district: str) -> tuple[Mapping[str, dict], list[dict]]:
    """The current facilities and the records a rollback to `then` makes the dataset, blank
    districts (stored before districts: the default's) filled in; with `scope`, only those
    districts come back from `then`."""
    current = resolve_districts(current, default_district)
    records = districts.resolved(then, default_district)
    if scope is not None:
        records = scoped_rollback(current, records, scope)
    return current, records


def scoped_rollback(current: Mapping[str, dict], then: Sequence[dict],
                    scope: Sequence[str]) -> list[dict]:
    """The dataset with the districts in `scope` as they were `then` and the others as they
    are now, by id; a facility of `then` whose id now belongs to another district stays out
    (ids are unique across districts)."""
    kept = {k: r for k, r in current.items() if r["district"] not in scope}
    restored = {r["id"]: r for r in then if r["district"] in scope and r["id"] not in kept}
    combined = kept | restored
    return [combined[k] for k in sorted(combined)]


def _districts_of(diff: Diff, current: Mapping[str, dict], records: Sequence[dict],
                  default: str) -> list[str]:
    """The districts of the facilities a diff adds, changes or removes, sorted."""
    after = {r["id"]: r for r in records}
    ids = [*diff.added, *diff.changed, *diff.removed]
    found = {districts.district_of(after.get(i) or current[i], default) for i in ids}
    found |= {districts.district_of(current[i], default) for i in diff.changed}
    return sorted(found)


def claim_blank_districts(store: Store, default_district: str, *, actor: str) -> Applied | None:
    """Write `default_district` into the facilities stored before districts (blank), as one
    version of kind "districts"; None when there are none (or no default is set).

    Until then they read as the default everywhere above the store; afterwards the table, the
    versions and the API all hold the name, and a later change of LOCATOR_DEFAULT_DISTRICT
    moves nothing.
    """
    if not default_district:
        return None
    with store.writing():  # the read and the write of one version, nothing between them
        current = store.facilities.by_id()
        blank = [k for k, r in current.items() if not r.get("district")]
        if not blank:
            return None
        records = districts.resolved(current.values(), default_district)
        diff = diff_records(current, records, merge=False)
        number = store.versions.commit(records, _change(diff), actor=actor, kind="districts",
                                       filename=default_district,
                                       expected_version=store.versions.current_number(),
                                       districts=[default_district])
    return Applied(number, diff)


def history(store: Store, district: str | None = None,
            default_district: str = districts.DEFAULT_DISTRICT) -> list[dict]:
    """Every version's metadata, newest first; with `district`, only the versions that touched
    it (a version made before districts touched the default district)."""
    versions = store.versions.all()
    if district is None:
        return versions
    return [v for v in versions if district in (v["districts"] or [default_district])]


def merged(current: Mapping[str, dict], records: Sequence[dict]) -> list[dict]:
    """The dataset after upserting `records` into `current`, ordered by id."""
    combined = dict(current)
    combined.update((r["id"], r) for r in records)
    return [combined[k] for k in sorted(combined)]


def _change(diff: Diff) -> Change:
    """The store's view of a diff: which ids to write and delete."""
    return Change(diff.added, list(diff.changed), diff.removed, len(diff.unchanged))


def _snapshot(store: Store, settings: ImportSettings) -> tuple[int, Mapping[str, dict]]:
    """The current version number and its facilities by id, read in one transaction; a blank
    district (stored before districts) read as the default."""
    with store.reading():
        version, current = store.versions.current_number(), store.facilities.by_id()
    return version, resolve_districts(current, settings.districts.default)


@dataclass(frozen=True)
class Copied:
    """What `copy_dataset` moved: rows per table, and the dataset it made current."""

    rows: Mapping[str, int]
    version: int
    facilities: int


def copy_dataset(source: Store, destination: Store) -> Copied:
    """Copy the dataset with its whole history (every version as stored, the audit log, the
    admins, visitors' reports, the geocoder's answers) into an empty, migrated destination, in
    one write transaction there and one read snapshot here: all of it or nothing."""
    with source.reading():
        version = source.versions.current_number()
        if version == 0:
            raise CopyRefused("the source holds no dataset version; nothing to copy")
        with destination.writing():
            held = destination.versions.current_number() or destination.audit.count()
            if held:
                raise CopyRefused("the destination already holds data; copy only into a new,"
                                  " empty database")
            rows = {}
            for table in COPIED_TABLES:
                columns, found = source.table_rows(table)
                destination.add_table_rows(table, columns, found)
                rows[table] = len(found)
            records = source.facilities.all()
            destination.versions.adopt(records)
    return Copied(rows, version, len(records))

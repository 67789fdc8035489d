"""What any storage engine must provide: one Protocol per concern, the values they return and
the errors they raise. locator/store/sqlite/ implements them; a second engine (PostgreSQL/PostGIS)
implements the same, and tests/unit/test_store_contracts.py is its checklist.

Records are dicts keyed by locator.core.records.COLUMNS (lat and lon floats, the rest text);
version and audit rows are dicts too. Methods that write expect to run inside the store's
writing() unless they say they open it themselves; methods that read may run inside reading()
to see one dataset version throughout.
"""

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from locator.core.nearest import Extent, NearestSource

__all__ = ["COPIED_TABLES", "AdminRepository", "AuditLog", "Change", "Extent", "FacilityPage",
           "FacilityRepository", "PendingUploads", "ReportRepository", "StaleDataset",
           "StoreConnection", "VersionRepository", "WriteFailed", "copied_table"]


# What `facilities copy` moves between databases, row for row with their keys: the history and
# what people made (the facilities themselves come from the newest version: VersionRepository.
# adopt). Sessions, failed logins, previews and jobs are transient and stay behind.
COPIED_TABLES = ("versions", "audit_log", "admins", "reports", "report_secrets", "geocode_cache")


def copied_table(table: str) -> str:
    """`table`, checked to be one `facilities copy` moves (engines put it into SQL)."""
    if table not in COPIED_TABLES:
        raise ValueError(f"{table!r} is not one of {COPIED_TABLES}")
    return table


class StaleDataset(Exception):
    """The dataset changed since the caller looked: it must preview again."""


class WriteFailed(Exception):
    """The database could not be written (disk full, read-only): nothing was changed."""


@dataclass(frozen=True)
class Change:
    """What a new version does to the facilities table, by id."""

    added: Sequence[str]
    changed: Sequence[str]
    removed: Sequence[str]
    unchanged: int


@dataclass(frozen=True)
class FacilityPage:
    """One page of facilities in id order, how many match in all, and whether more follow."""

    records: list[dict]
    matched: int
    more: bool


class FacilityRepository(NearestSource, Protocol):
    """The current dataset's facilities (read only: versions.commit() writes them)."""

    def count(self) -> int:
        """How many facilities there are."""

    def counts_by_category(self) -> dict[str, int]:
        """Facility counts keyed by category; categories without facilities are absent."""

    def unverified_count(self) -> int:
        """How many facilities have an empty verified_on (never checked on site)."""

    def terms_from(self, prefix: str, limit: int) -> list[tuple[str, int, str, int]]:
        """(term, fid, source, start) of the search terms (core/terms.py) that begin with
        `prefix`, a term before its extensions, at most `limit`."""

    def spellings(self, buckets: Sequence[str]) -> list[str]:
        """The Latin search terms in these buckets (first letter and length), for typos."""

    def places(self, fids: Sequence[int]) -> dict[int, tuple[str, str, float, float]]:
        """(id, name, lat, lon) keyed by fid, for ranking search matches (missing left out)."""

    def all(self, category: str | None = None) -> list[dict]:
        """Every facility (optionally of one category), ordered by id."""

    def by_id(self) -> dict[str, dict]:
        """Every facility keyed by id, in id order: what a new import is compared with."""

    def get(self, facility_id: str) -> dict | None:
        """One facility by id; None when there is no such id."""

    def search(self, text: str, limit: int = 10) -> list[dict]:
        """Up to `limit` facilities whose name, name_en, address or address_en contains `text`
        (ASCII letters in either case, control characters dropped, [] for blank text); names
        that contain it first, then shorter names, then by id."""

    def after(self, after: str, limit: int, *, text: str = "", category: str | None = None,
              box: tuple[float, float, float, float] | None = None,
              district: str | None = None) -> FacilityPage:
        """Up to `limit` facilities with id > `after`, by id, that pass every filter (text as in
        search(), category, box as min_lat, min_lon, max_lat, max_lon, bounds included,
        district: its exact stored name), and how many pass in all. Reads one snapshot."""

    def page(self, *, category: str | None = None, unverified: bool = False, text: str = "",
             limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        """One page (by id) of the facilities matching the filters (text: a substring of id,
        name or name_en, wildcards literal), and how many match in all."""


class VersionRepository(Protocol):
    """Dataset versions: each import, edit or rollback makes the next number, from 1."""

    def current(self) -> dict | None:
        """The newest version's metadata; None before the first import. Metadata: number,
        created_at, actor, kind, filename, sha256, mode, added, changed, removed, unchanged,
        total, restored_from and districts (the list commit() was given; [] for a version
        made before districts)."""

    def current_number(self) -> int:
        """The newest version's number; 0 before the first import."""

    def all(self) -> list[dict]:
        """Every version's metadata, newest first."""

    def get(self, number: int) -> dict | None:
        """One version's metadata; None when there is no such version (any int is accepted)."""

    def last_of(self, kind: str) -> dict | None:
        """The newest version of one kind ("import", "rollback", "edit"…); None if none."""

    def records(self, number: int) -> list[dict] | None:
        """The records version `number` made the dataset, exactly as committed (order, keys,
        value types); None when there is no such version."""

    def commit(self, records: Sequence[dict], change: Change, *, actor: str, kind: str,
               filename: str = "", sha256: str = "", mode: str = "replace",
               restored_from: int | None = None, expected_version: int | None = None,
               address: str = "", notes: Mapping[str, object] | None = None,
               districts: Sequence[str] = ()) -> int:
        """Make `records` the dataset as the next version, with its audit entry (plus `notes`
        and, when given, `districts`, the districts it touched, in its detail), in one write
        transaction (joining the caller's); return its number.
        StaleDataset, changing nothing, when `expected_version` is given and is not the
        current number."""

    def adopt(self, records: Sequence[dict]) -> None:
        """Make `records`, the newest version's as copied in with its row, the facilities
        (table, indexes, search terms), in the caller's write transaction; the facilities
        table must be empty."""


class AuditLog(Protocol):
    """Who did what, when and from where; entries are never changed except a burst's count."""

    def record(self, action: str, actor: str, address: str = "",
               detail: dict | None = None) -> None:
        """Add one entry, timed now."""

    def record_burst(self, action: str, actor: str, address: str, detail: dict, *, now: float,
                     window_s: float) -> None:
        """Count one more `action` into this actor's and address's newest such entry if it
        began within `window_s` seconds before `now` (Unix time), else begin one with count 1."""

    def entries(self, *, page: int = 1, per_page: int = 50) -> list[dict]:
        """One page of entries (id, at, actor, address, action, detail as a dict), newest first."""

    def count(self) -> int:
        """How many entries there are."""


class AdminRepository(Protocol):
    """Admin accounts, their sessions (by token hash) and the failed logins that throttle."""

    def add(self, username: str, password_hash: str,
            districts: Sequence[str] | None = None) -> int | None:
        """Create an account, limited to `districts` (None: every district), and return its
        id; None when the name is taken."""

    def set_districts(self, username: str, districts: Sequence[str] | None) -> bool:
        """Limit an account to `districts` (None: every district); False when there is no
        such admin."""

    def set_password(self, username: str, password_hash: str) -> bool:
        """Change a password and end that admin's sessions, in one transaction; False when
        there is no such admin."""

    def by_name(self, username: str) -> dict | None:
        """One account (id, username, password_hash, created_at, districts: a sorted list, or
        None for every district); None if there is none."""

    def login_failure_times(self, *, since: float, username: str | None = None,
                            address: str | None = None) -> list[float]:
        """Unix times of failed logins at or after `since`, oldest first, for an account, an
        address or both (None: any)."""

    def add_login_failure(self, at: float, username: str, address: str) -> None:
        """Count one failed (or not yet successful) login."""

    def forget_login_failures(self, *, username: str | None = None, address: str = "",
                              before: float | None = None) -> None:
        """Clear one account's failures from one address, and/or every failure before
        `before`."""

    def add_session(self, token_hash: str, admin_id: int, created_at: float, expires_at: float,
                    address: str) -> None:
        """Record a signed-in session by the hash of its token."""

    def session_admin(self, token_hash: str, now: float) -> dict | None:
        """The admin (id, username, districts as by_name) of a session unexpired at `now`,
        with its expires_at; None when there is none."""

    def end_sessions(self, *, token_hash: str | None = None,
                     before: float | None = None) -> None:
        """End one session, and/or drop every session that expired before `before`."""


class PendingUploads(Protocol):
    """Previewed files kept until confirmed: at most one per admin and content hash."""

    def save(self, admin_id: int, sha256: str, filename: str, mode: str, based_on: int,
             created_at: float, data: bytes) -> None:
        """Keep a previewed file, replacing the same admin's file of the same hash."""

    def get(self, admin_id: int, sha256: str) -> dict | None:
        """The kept file (admin_id, sha256, filename, mode, based_on, created_at, data);
        None when there is none."""

    def drop(self, *, admin_id: int | None = None, sha256: str | None = None,
             before: float | None = None) -> None:
        """Forget one admin's file of one hash, and/or every file kept since before `before`."""


class GeocodeCache(Protocol):
    """The geocoder's answers (a WGS-84 point with the provider's precision and level, or "no
    such place") by provider and address, so that a re-import or a rollback never asks again."""

    def get_many(self, provider: str, addresses: Sequence[str]) -> dict[str, dict]:
        """{address: {address, found, lat, lon, precision, level, label, asked_at}} for the
        kept ones."""

    def save(self, provider: str, address: str, *, at: float, lat: float | None = None,
             lon: float | None = None, precision: str = "", level: str = "",
             label: str = "") -> None:
        """Keep one answer (lat None: not found), in its own write transaction or the caller's."""

    def count(self) -> int:
        """How many answers are kept."""


class ImportJobs(Protocol):
    """Background checks of pending uploads (geocoding takes minutes): their state and progress,
    kept in the database so that any worker's progress page shows them."""

    def start(self, admin_id: int, sha256: str, at: float) -> None:
        """A job for this admin's pending upload is running (replacing an earlier one)."""

    def advance(self, admin_id: int, sha256: str, done: int, total: int, at: float) -> None:
        """done of total steps are done (also the job's heartbeat)."""

    def finish(self, admin_id: int, sha256: str, state: str, message: str, at: float) -> None:
        """The job ended: state "done", or "failed" with what went wrong."""

    def get(self, admin_id: int, sha256: str) -> dict | None:
        """The job (admin_id, sha256, state, done, total, message, started_at, updated_at)."""


class ReportRepository(Protocol):
    """Visitors' reports and suggestions (kind "suggestion", no facility) and their moderation;
    the weekly secrets under which a client's address is kept as an HMAC. A report is a dict of
    id, kind, facility_id, details (a dict), note, created_at (Unix time), status, decided_at,
    decided_by, decision_note, duplicate_of, version."""

    def add(self, kind: str, facility_id: str, details: dict, note: str, *,
            clients: tuple[str, str], at: float) -> int:
        """Store one report or suggestion as new, with its client's HMACs (this week's secret,
        last week's); its id."""

    def get(self, report_id: int) -> dict | None:
        """One report, or None."""

    def page(self, *, status: str | None = None, kind: str | None = None,
             facility_id: str | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[dict], int]:
        """Reports newest first, filtered; one page and how many match in all."""

    def counts_by_status(self) -> dict[str, int]:
        """How many reports have each status; statuses without reports are absent."""

    def window(self, since: float,
               clients: Sequence[str] | None = None) -> tuple[int, float | None]:
        """How many reports arrived since `since` (from these client HMACs, or from anyone) and
        when the oldest of them did (None if none)."""

    def said(self, facility_id: str, kinds: Sequence[str],
             since: float) -> dict[str, tuple[int, float]]:
        """kind → (distinct clients, latest time) of a facility's reports since `since`,
        rejected ones left out; one client across a secret's rotation counts once."""

    def decide(self, report_id: int, status: str, *, actor: str, at: float, note: str = "",
               duplicate_of: int | None = None, version: int | None = None) -> bool:
        """Move a new report to `status`; False when it is not new."""

    def forget_clients(self, before: float) -> None:
        """Blank the client HMACs of reports made before `before`."""

    def forget_secrets(self, before_week: int) -> None:
        """Delete the secrets of weeks before `before_week`."""

    def secret(self, week: int, fresh: bytes) -> bytes:
        """Week `week`'s secret (`fresh` if none was made yet); older than last week's are
        deleted."""

    def previous_secret(self, week: int) -> bytes | None:
        """Week `week - 1`'s secret if it was made."""


class StoreConnection(Protocol):
    """One connection to the database, used by one thread, with the repositories over it."""

    path: str
    facilities: FacilityRepository
    versions: VersionRepository
    audit: AuditLog
    admins: AdminRepository
    geocodes: GeocodeCache
    jobs: ImportJobs
    uploads: PendingUploads
    reports: ReportRepository

    def reading(self) -> AbstractContextManager:
        """One read snapshot: every query inside sees the same dataset version; inside an open
        transaction it joins it."""

    def writing(self) -> AbstractContextManager:
        """One write transaction, taking the write lock at once; inside another it joins it, so
        steps that belong together commit together or not at all. WriteFailed when the storage
        refuses the write (nothing changed)."""

    def migrate(self) -> None:
        """Create or upgrade the schema; safe to run again and from several processes; writes
        nothing to an up-to-date database."""

    def integrity_ok(self) -> bool:
        """Whether the engine's own integrity check passes."""

    def table_rows(self, table: str) -> tuple[list[str], list[tuple]]:
        """The column names and every row, by key, of one of COPIED_TABLES."""

    def add_table_rows(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert rows as they are, keys included, into one of COPIED_TABLES (in the caller's
        write transaction); later keys continue after the largest."""

    def reusable(self) -> bool:
        """Whether this connection may serve another request (writable, still the database it
        opened)."""

    def end_request(self) -> None:
        """Leave no transaction open between requests."""

    def close(self) -> None:
        """Close the connection."""

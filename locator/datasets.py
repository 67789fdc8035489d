"""Turn validated imports, rollbacks and edits into new dataset versions in the store."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from locator.ingest.importer import Diff, ImportResult, ImportSettings, diff_records, read_import
from locator.store import Change, Store


class RollbackError(Exception):
    """The requested version does not exist."""


class NothingToChange(Exception):
    """The import or rollback would leave the data exactly as it is: no version is made."""


@dataclass(frozen=True)
class Applied:
    """A version that was written, and what it changed."""

    version: int
    diff: Diff


def check_file(store: Store, data: bytes, filename: str, *, merge: bool = False,
               allow_empty: bool = False, settings: ImportSettings | None = None,
               progress: Callable[[int], None] | None = None) -> tuple[ImportResult, int]:
    """Validate a file against the current dataset; return the result and that version."""
    with store.reading():
        version = store.versions.current_number()
        current = store.facilities.by_id()
    result = read_import(data, filename, current, merge=merge, allow_empty=allow_empty,
                         settings=settings or ImportSettings(), progress=progress)
    return result, version


def apply_import(store: Store, result: ImportResult, filename: str, *, actor: str,
                 merge: bool, based_on: int, address: str = "", kind: str = "import") -> Applied:
    """Write a checked import (or a console edit) as a new version; StaleDataset if data moved."""
    if not result.diff.changes_anything:  # a version identical to the last would be noise
        raise NothingToChange
    with store.reading():
        current = store.facilities.by_id() if merge else {}
    records = merged(current, result.records) if merge else result.records
    number = store.versions.commit(
        records, _change(result.diff), actor=actor, kind=kind, filename=filename,
        sha256=result.sha256, mode="merge" if merge else "replace", expected_version=based_on,
        address=address)
    return Applied(number, result.diff)


def rollback(store: Store, number: int, *, actor: str, address: str = "") -> Applied:
    """Restore version `number`'s records exactly, as a new version (NothingToChange if equal)."""
    with store.reading():
        records = store.versions.records(number)
        if records is None:
            raise RollbackError(f"there is no version {number}")
        based_on = store.versions.current_number()
        diff = diff_records(store.facilities.by_id(), records, merge=False)
    if not diff.changes_anything:
        raise NothingToChange
    applied = store.versions.commit(records, _change(diff), actor=actor, kind="rollback",
                                   restored_from=number, expected_version=based_on,
                                   address=address)
    return Applied(applied, diff)


def merged(current: Mapping[str, dict], records: Sequence[dict]) -> list[dict]:
    """The dataset after upserting `records` into `current`, ordered by id."""
    combined = dict(current)
    combined.update((r["id"], r) for r in records)
    return [combined[k] for k in sorted(combined)]


def _change(diff: Diff) -> Change:
    """The store's view of a diff: which ids to write and delete."""
    return Change(diff.added, list(diff.changed), diff.removed, len(diff.unchanged))

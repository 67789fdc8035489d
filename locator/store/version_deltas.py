"""How a dataset version is kept: a full snapshot (a keyframe) or what changed since the version
before (a delta), both compressed JSON. Pure functions; locator/store/sqlite/versions.py does
the SQL.

A delta is {"remove": [ids], "upsert": [records]}, plus "order" when the records' order is not
the one those steps leave (kept records in place, new ones at the end): "id" for sorted by id,
else the list of ids. Replaying the deltas after a keyframe gives each version's records exactly
as they were committed: same order, same keys in the same order, same value types.
"""

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A keyframe at least every this many versions, so that reading a version replays at most
# KEYFRAME_EVERY - 1 deltas. Small edits cost ~1 KB each while a 20,000-row snapshot is ~770 KB:
# with 20, every twentieth "verified today" click would store the whole dataset again.
KEYFRAME_EVERY = 50


@dataclass(frozen=True)
class Chain:
    """The stored size of the versions since the newest keyframe: what decides the next form."""

    versions: int  # how many versions it holds, the keyframe included
    keyframe_bytes: int
    delta_bytes: int


@dataclass(frozen=True)
class Stored:
    """One version's stored form: exactly one of the two is set."""

    snapshot: bytes | None
    delta: bytes | None


def grown(chain: Chain | None, stored: Stored) -> Chain:
    """The chain after one more version stored as `stored` (a keyframe starts a new one)."""
    if stored.snapshot is not None:
        return Chain(1, len(stored.snapshot), 0)
    assert chain is not None and stored.delta is not None
    return Chain(chain.versions + 1, chain.keyframe_bytes, chain.delta_bytes + len(stored.delta))


def pack(value: object) -> bytes:
    """A value as compressed JSON."""
    return zlib.compress(json.dumps(value, ensure_ascii=False).encode(), 1)


def unpack(blob: bytes) -> object:
    """The value that pack() stored."""
    return json.loads(zlib.decompress(blob))


def encode(previous: Sequence[dict] | None, records: Sequence[dict], chain: Chain | None, *,
           every: int = KEYFRAME_EVERY) -> Stored:
    """How to store `records` after a version whose records were `previous` (None: no version).

    A keyframe when there is no version before, every `every` versions, when ids repeat, or
    when the deltas since the last keyframe would outgrow it: reading any version then costs at
    most about two snapshots' bytes.
    """
    change = None if previous is None or chain is None else diff(previous, records)
    if change is not None and chain is not None and chain.versions < every:
        blob = pack(change)
        if chain.delta_bytes + len(blob) <= chain.keyframe_bytes:
            return Stored(None, blob)
    return Stored(pack(list(records)), None)


def diff(previous: Sequence[dict], records: Sequence[dict]) -> dict | None:
    """The delta that turns `previous` into `records` exactly; None when either repeats an id."""
    before = {r["id"]: r for r in previous}
    after_ids = [r["id"] for r in records]
    after = set(after_ids)
    if len(before) != len(previous) or len(after) != len(records):
        return None
    upsert = [r for r in records if not _same(before.get(r["id"]), r)]
    change: dict = {"remove": [i for i in before if i not in after], "upsert": upsert}
    # Replacing a record keeps its place; a new one goes to the end.
    left = dict.fromkeys(i for i in before if i in after)
    left.update(dict.fromkeys(r["id"] for r in upsert))
    if list(left) != after_ids:
        change["order"] = "id" if after_ids == sorted(after_ids) else after_ids
    return change


def replay(snapshot: list[dict], deltas: Iterable[dict]) -> list[dict]:
    """The records after applying `deltas` in turn to a keyframe's records."""
    by_id = None
    for change in deltas:
        by_id = _step(by_id if by_id is not None else {r["id"]: r for r in snapshot}, change)
    return snapshot if by_id is None else list(by_id.values())


def _step(by_id: dict[str, dict], change: dict) -> dict[str, dict]:
    """Apply one delta to records keyed by id, in order (changes `by_id`)."""
    for facility_id in change["remove"]:
        del by_id[facility_id]
    for record in change["upsert"]:
        by_id[record["id"]] = record
    order = change.get("order")
    if order is None:
        return by_id
    return {i: by_id[i] for i in (sorted(by_id) if order == "id" else order)}


def _same(old: dict | None, new: dict) -> bool:
    """Whether JSON would write the two records identically (keys, their order, value types)."""
    if old is None or old != new or list(old) != list(new):
        return False
    # 1 == 1.0 and 0.0 == -0.0, but JSON writes them differently.
    return all(type(a) is type(b) and (type(a) is not float or repr(a) == repr(b))
               for a, b in zip(old.values(), new.values(), strict=True))

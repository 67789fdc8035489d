"""Previewed files, kept in the database by sha256 until confirmed: confirm applies those bytes.

The database (not a worker's memory or disk) holds them so that the confirm may reach any
gunicorn worker. Each admin has their own; they expire after MAX_AGE_S.
"""

import hashlib
import re
import time
from dataclasses import dataclass

from locator.ingest.fields import BIDI_CONTROLS
from locator.store import Store

MAX_AGE_S = 2 * 3600
MODES = ("replace", "merge", "empty")  # "empty": replace, and a header-only file is allowed
MAX_NAME = 200
# Control characters, and text-direction ones: "x\u202egpj.exe" would show as "xexe.jpg".
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


@dataclass(frozen=True)
class Pending:
    """A previewed file and what it was checked against."""

    sha256: str
    filename: str
    mode: str
    based_on: int
    data: bytes

    @property
    def merge(self) -> bool:
        """Whether the file is merged (upserted by id) rather than replacing the dataset."""
        return self.mode == "merge"

    @property
    def allow_empty(self) -> bool:
        """Whether a file with a header and no rows may empty the dataset."""
        return self.mode == "empty"


def clean_filename(name: str) -> str:
    """The file's own name, without any folder sent, control or direction characters, excess."""
    name = _UNSAFE.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:MAX_NAME] or "upload.csv"


def keep(store: Store, admin_id: int, data: bytes, sha256: str, filename: str, mode: str,
         based_on: int, now: float | None = None) -> None:
    """Keep a checked file, by the sha256 its check took, for this admin's confirm."""
    now = time.time() if now is None else now
    with store.writing():
        store.uploads.drop(before=now - MAX_AGE_S)
        store.uploads.save(admin_id, sha256, filename, mode, based_on, now, data)


def take(store: Store, admin_id: int, sha256: str, now: float | None = None) -> Pending | None:
    """This admin's unexpired previewed file with that sha256, or None."""
    now = time.time() if now is None else now
    row = store.uploads.get(admin_id, sha256)
    if row is None or row["created_at"] < now - MAX_AGE_S:
        return None
    if hashlib.sha256(row["data"]).hexdigest() != sha256:  # never apply other bytes than shown
        return None
    return Pending(row["sha256"], row["filename"], row["mode"], row["based_on"], row["data"])


def forget(store: Store, admin_id: int, sha256: str) -> None:
    """Drop a previewed file once it has been applied (in the import's own transaction)."""
    with store.writing():
        store.uploads.drop(admin_id=admin_id, sha256=sha256)

"""Opaque page cursors (as OGC API – Features pages GeoJSON): the dataset version and last id."""

import base64
import binascii
import json
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from locator.search.params import ParamError

# Features on a page unless limit says otherwise, and the most limit may ask for.
PAGE_LIMIT, MAX_PAGE_LIMIT = 1000, 5000
# A cursor this API makes is at most 134 characters (ids are at most 64 characters).
MAX_CURSOR_CHARS = 200
MAX_ID_CHARS = 64


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the id `after`, in dataset version `version`."""

    version: int
    after: str

    def encode(self) -> str:
        """The cursor as URL-safe text (base64url of compact JSON, without padding)."""
        raw = json.dumps({"v": self.version, "after": self.after}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def cursor_param(args: MultiDict) -> Cursor | None:
    """The `cursor` argument as a Cursor, or None on the first page."""
    raw = args.get("cursor", "").strip()
    if not raw:
        return None
    cursor = _decode(raw) if len(raw) <= MAX_CURSOR_CHARS else None
    if cursor is None:
        raise ParamError("cursor is not one this API made: follow the next link as given,"
                         " or leave cursor out for the first page")
    return cursor


def _decode(raw: str) -> Cursor | None:
    """The Cursor that encode() wrote as `raw`, or None if it is not one."""
    try:
        data = json.loads(base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_",
                                           validate=True))
    except (binascii.Error, ValueError):  # bad base64, bad UTF-8, bad JSON
        return None
    if not isinstance(data, dict) or set(data) != {"v", "after"}:
        return None
    version, after = data["v"], data["after"]
    # type() is int, not isinstance(): JSON's true is not a version number.
    if type(version) is not int or not 0 <= version < 2**63:
        return None
    if not isinstance(after, str) or len(after) > MAX_ID_CHARS:
        return None
    return Cursor(version, after)

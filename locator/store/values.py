"""Values every engine reads and writes the same way: times as ISO 8601 text, version numbers
as 64-bit integers, an admin's districts and a report's details as JSON, search text and LIKE
patterns."""

import json
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime


def now_iso() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def iso(unix_time: float) -> str:
    """A Unix time as the store writes times: UTC, ISO 8601, to the second."""
    return datetime.fromtimestamp(unix_time, UTC).isoformat(timespec="seconds")


def is_integer(number: int) -> bool:
    """Whether a 64-bit column can hold `number` (a bigger one, from a URL, would overflow)."""
    return -(2**63) <= number < 2**63


def search_text(text: str) -> str:
    """A text query without control characters, trimmed."""
    # Stored text holds no control characters (the importer refuses them), and FTS5's
    # query parser stops at a NUL: drop them from the query.
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def like_pattern(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching `text` anywhere, wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def districts_text(districts: Sequence[str] | None) -> str:
    """How an admin's districts are stored: a JSON list, '' for every district."""
    return "" if districts is None else json.dumps(sorted(districts), ensure_ascii=False)


def with_districts(row: dict) -> dict:
    """An admin row with districts as a list, or None for an admin of every district."""
    return row | {"districts": json.loads(row["districts"]) if row["districts"] else None}


REPORT_COLUMNS = ("id", "kind", "facility_id", "details", "note", "created_at", "status",
                  "decided_at", "decided_by", "decision_note", "duplicate_of", "version")


def report(row: tuple) -> dict:
    """A reports row (REPORT_COLUMNS) as a dict, its details decoded."""
    found = dict(zip(REPORT_COLUMNS, row, strict=True))
    found["details"] = json.loads(found["details"])
    return found

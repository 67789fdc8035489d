"""Districts: which one a facility belongs to, the names accepted, and the scope an admin has.

A province runs one database for many districts. Each facility names its district (新会区);
a row stored before districts existed holds '' and belongs to the configured default district
(LOCATOR_DEFAULT_DISTRICT): the store's migration cannot read the configuration, so the blank
is resolved here, above every engine, whenever records leave the store.
"""

import re
from collections.abc import Iterable, Mapping, Sequence

DEFAULT_DISTRICT = "新会区"
# County-level divisions end in one of these: 区 (district), 县 (county, 自治县 too),
# 市 (county-level city), 旗 (banner).
ENDINGS = ("区", "县", "市", "旗")
MAX_LENGTH = 20  # the longest county-level names are about a dozen characters
# 2 to 20 Chinese characters (CJK Unified Ideographs and Extension A) ending in one of ENDINGS;
# the API's OpenAPI document states the same pattern.
PATTERN = f"^[\u3400-\u9fff]{{1,{MAX_LENGTH - 1}}}[{''.join(ENDINGS)}]$"
_NAME = re.compile(PATTERN)


def well_formed(name: str) -> bool:
    """Whether `name` looks like a county-level division: 2 to 20 Chinese characters ending
    in 区, 县, 市 or 旗."""
    return _NAME.fullmatch(name) is not None


def district_of(record: Mapping, default: str) -> str:
    """The district a record belongs to: its own, or the default for a blank one."""
    return record.get("district") or default


def resolved(records: Iterable[dict], default: str) -> list[dict]:
    """The records with every blank district filled with `default` (others untouched)."""
    return [r if r.get("district") else {**r, "district": default} for r in records]


def in_scope(district: str, scope: Sequence[str] | None) -> bool:
    """Whether an admin limited to `scope` (None: every district) may change `district`."""
    return scope is None or district in scope


def scope_text(scope: Sequence[str] | None) -> str:
    """An admin's districts as a message shows them ('' for every district)."""
    return "、".join(scope) if scope else ""

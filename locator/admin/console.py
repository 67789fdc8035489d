"""What every admin view shares: who is signed in, from where, and problems in their language."""

import dataclasses
import unicodedata
from datetime import datetime
from urllib.parse import unquote, urlsplit

from flask import g, request
from flask_babel import format_datetime

from locator.config import current_settings
from locator.ingest.importer import Problem
from locator.maps.layers import Tiles
from locator.web.i18n import gettext

# Far past any real list, and far inside SQLite's 64-bit OFFSET (a bigger ?page= overflowed).
MAX_PAGE = 1_000_000


def actor() -> str:
    """The signed-in admin's username, for versions and the audit log."""
    return g.admin["username"]


def admin_id() -> int:
    """The signed-in admin's id."""
    return g.admin["id"]


def scope() -> list[str] | None:
    """The districts the signed-in admin may change; None: every district."""
    return g.admin.get("districts")


def default_district() -> str:
    """The district of a facility stored before districts (LOCATOR_DEFAULT_DISTRICT)."""
    return current_settings().default_district


def address() -> str:
    """The client's address (behind PROXY_COUNT proxies: as the outermost of them saw it)."""
    return request.remote_addr or ""


def problem_text(problem: Problem) -> str:
    """'line N, column C: …' in the admin's language."""
    return problem.render(gettext)


def field_text(problem: Problem) -> str:
    """A problem's message alone, for showing next to its form field."""
    return dataclasses.replace(problem, line=None, column=None).render(gettext)


def local_time(iso: str | None) -> str:
    """A stored UTC timestamp as Asia/Shanghai (Babel's default time zone) date and time."""
    if not iso:
        return ""
    return format_datetime(datetime.fromisoformat(iso), "yyyy-MM-dd HH:mm")


def tiles() -> Tiles:
    """The configured base map."""
    return current_settings().tiles


def page_number(pages: int = MAX_PAGE) -> int:
    """The ?page= argument, from 1 to `pages` (the last page)."""
    return min(max(request.args.get("page", 1, type=int), 1), pages, MAX_PAGE)


def local_target(target: str, under: str) -> str | None:
    """`target` if it is a plain path on this site at or below `under`, else None.

    What a browser would take elsewhere or differently is refused: another scheme or host,
    "//" and "\\" (read as "/"), dot segments (also %2e-encoded), and control characters,
    which browsers strip and which cannot go in a Location header at all.
    """
    if any(unicodedata.category(c) == "Cc" for c in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if any(unquote(segment) in (".", "..") for segment in parts.path.split("/")):
        return None
    under = under.rstrip("/")
    return target if parts.path == under or parts.path.startswith(under + "/") else None

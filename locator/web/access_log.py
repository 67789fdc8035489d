"""Request targets as the access logs show them: without a visitor's position or search text.

A visitor's location is personal information (PIPL), and so is what they typed. The logs keep
the path and the query keys, and only the values of keys that can say nothing personal
(a category, a language, a page…); every other value becomes "-".
"""

import logging
import re

# Query keys whose (short, plain) values are kept: choices the app's own links make.
KEPT_QUERY_KEYS = frozenset({
    "access", "amenity", "category", "lang", "limit", "open_now", "page", "radius_m",
    "unverified", "v",
})
PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.,-]{0,40}")
REDACTED = "-"


def private_query(query: str) -> str:
    """The query string with every value but the kept keys' plain ones replaced by "-"."""
    parts = []
    for part in query.split("&"):
        if not part:
            continue
        key, has_value, value = part.partition("=")
        if key in KEPT_QUERY_KEYS and PLAIN_VALUE.fullmatch(value):
            parts.append(part)
        else:
            parts.append(f"{key}={REDACTED}" if has_value else key)
    return "&".join(parts)


def private_target(target: str) -> str:
    """A request target or URL (path?query) with its query made private."""
    path, has_query, query = target.partition("?")
    return f"{path}?{private_query(query)}" if has_query else path


REQUEST_LINE = re.compile(r"(?P<method>[A-Z]+ )(?P<target>.*)(?P<version> HTTP/[\d.]+)")


class WerkzeugRequestLineFilter(logging.Filter):
    """Make the request lines of the development server's log (`make run`) private."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the request line argument of werkzeug's '"%s" %s %s' records."""
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], str):
            line = REQUEST_LINE.sub(lambda m: m["method"] + private_target(m["target"]) +
                                    m["version"], args[0], count=1)
            record.args = (line, *args[1:])
        return True


DEVELOPMENT_SERVER_FILTER = WerkzeugRequestLineFilter()


def hide_positions_from_development_server_log() -> None:
    """Install the filter on werkzeug's logger (once, however many apps are created)."""
    logging.getLogger("werkzeug").addFilter(DEVELOPMENT_SERVER_FILTER)

"""The app's log: one line per request (with its request id, never a visitor's position or
search text) and the lines of imports, rollbacks and admin actions, as key=value text or as
JSON lines (LOG_FORMAT), on stderr.

Every module logs to a logger under "locator" with its fields in `extra={"fields": {...}}`;
`configure` gives that logger the one handler and format. Under gunicorn this line replaces
gunicorn's access log (gunicorn.conf.py says why).
"""

import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Mapping

from flask import Flask, g, request

from locator.web.access_log import private_query
from locator.web.warmup import WARM_UP

HEADER = "X-Request-ID"
# A request id a client (or nginx's $request_id) sends is reused only if it is this plain:
# anything else could break a log line or a header, or bloat every line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ROOT_LOGGER = "locator"
LOG = logging.getLogger("locator.requests")
# Values written as they are in the text format; any other is quoted as a JSON string, so that
# a space, a quote or a newline in a value can never forge a field or a line.
BARE_VALUE = re.compile(r"[^\s\"'=\\]{1,200}")


def request_id(sent: str | None) -> str:
    """The client's request id if it is sane (≤ 64 of A-Z a-z 0-9 . _ -), else a new one."""
    if sent and SANE_REQUEST_ID.fullmatch(sent):
        return sent
    return secrets.token_hex(16)


def logged_target() -> str:
    """This request's path and query as the log keeps them: query values made private."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{private_query(query)}" if query else "")


def endpoint() -> str:
    """The Flask endpoint that answered ("unmatched" when no route did): a name of the app's
    own, where a path would be whatever the client chose."""
    return request.url_rule.endpoint if request.url_rule else "unmatched"


def start() -> None:
    """Before the request: note when it began and which id it goes by."""
    g.request_started = time.perf_counter()
    g.request_id = request_id(request.headers.get(HEADER))


def elapsed_s() -> float:
    """Seconds since this request began (0 if `start` did not run)."""
    started = g.get("request_started")
    return time.perf_counter() - started if started is not None else 0.0


def finish(response):
    """After the request: return its id and log its line."""
    rid = g.get("request_id") or request_id(None)
    response.headers[HEADER] = rid
    fields = {
        "request_id": rid,
        "method": request.method,
        "path": logged_target(),
        "status": response.status_code,
        "duration_ms": round(elapsed_s() * 1000, 1),
        "endpoint": endpoint(),
        "address": request.remote_addr or "",
    }
    if response.content_length is not None:
        fields["bytes"] = response.content_length
    admin = g.get("admin")
    if admin:  # console requests say who made them
        fields["actor"] = admin["username"]
    if not request.environ.get(WARM_UP):
        LOG.info("request", extra={"fields": fields})
    return response


# One encoder for every line: json.dumps with an option builds a new one at each call.
JSON = json.JSONEncoder(ensure_ascii=False, default=str)


def text_value(value) -> str:
    """One value as the text format writes it: bare when plain, else a JSON string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    text = value if isinstance(value, str) else JSON.encode(value)
    return text if BARE_VALUE.fullmatch(text) else JSON.encode(text)


def utc_time(created: float) -> str:
    """A record's moment as ISO 8601 in UTC, to the millisecond."""
    whole = int(created)
    return (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
            + f".{int((created - whole) * 1000):03d}+00:00")


class LineFormatter(logging.Formatter):
    """A record as one line: `time level logger message key=value…`, or a JSON object."""

    def __init__(self, log_format: str):
        """"text" or "json"."""
        super().__init__()
        self.json = log_format == "json"

    def format(self, record: logging.LogRecord) -> str:
        """The record, its fields and any traceback on one line."""
        at = utc_time(record.created)
        fields: Mapping = getattr(record, "fields", None) or {}
        error = self.formatException(record.exc_info) if record.exc_info else ""
        if self.json:
            line = {"time": at, "level": record.levelname, "logger": record.name,
                    "message": record.getMessage(), "pid": record.process, **fields}
            if error:
                line["error"] = error
            return JSON.encode(line)
        parts = [at, record.levelname, record.name, text_value(record.getMessage())]
        parts += [f"{key}={text_value(value)}" for key, value in fields.items()]
        if error:
            parts.append(f"error={text_value(error)}")
        return " ".join(parts)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (a test may have replaced it)."""

    def __init__(self):
        """No stream of its own."""
        super().__init__(sys.stderr)

    @property
    def stream(self):
        """The current sys.stderr."""
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        """Ignored: the stream is always the current sys.stderr."""


def configure(log_format: str) -> None:
    """Send every "locator…" record of INFO or above to stderr in `log_format` (one handler per
    process, however many apps are created; the last app's format wins)."""
    logger = logging.getLogger(ROOT_LOGGER)
    handler = next((h for h in logger.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler()
        logger.addHandler(handler)
    handler.setFormatter(LineFormatter(log_format))
    logger.setLevel(logging.INFO)


def init_app(app: Flask, log_format: str) -> None:
    """Log each request; register before every other hook, so that its timing and id cover
    the whole request (a refused Host too) and its line is written last."""
    configure(log_format)
    app.before_request(start)
    app.after_request(finish)

"""Visitors' reports and suggestions through the JSON API (`POST /api/facilities/<id>/reports`,
`POST /api/suggestions`): JSON bodies only, small, throttled, no cookies.

The checks are the forms' (locator/reports/submissions.py) and the storing is theirs too
(locator/web/reporting.py); this module only reads the body and shapes the answers. The API
authenticates nobody and reads no cookie to act on, so it needs no CSRF token: it is exempt
(locator/__init__.py), and a browser on another site cannot send it JSON without a preflight,
which it does not grant.
"""

import json

from flask import jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from locator.db import import_settings, open_store
from locator.reports import intake
from locator.reports.submissions import SubmissionError, check_report, check_suggestion
from locator.store import WriteFailed
from locator.web import reporting
from locator.web.errors import error_response

MAX_BODY_BYTES = 8 * 1024  # a report is a kind, a note of 500 characters and a few fields
JSON_TYPE = "application/json"


class Refused(Exception):
    """A submission answered with an error: status, message, and refused fields if any."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message = status, message
        self.fields, self.headers = fields, headers or {}


def refused(exc: Refused):
    """The error shape, with `fields` inside `error` when fields were refused."""
    if exc.fields is None:
        response = error_response(exc.status, exc.message)
    else:
        response = jsonify({"error": {"status": exc.status, "message": exc.message,
                                      "fields": exc.fields}})
        response.status_code = exc.status
    response.headers.update(exc.headers)
    return response


def submit_report(facility_id: str):
    """A visitor's report about one facility: 201 with its id, or the error shape."""
    payload = _payload()
    facility = open_store().facilities.get(facility_id)
    if facility is None:
        raise Refused(404, f"no facility with id {facility_id[:64]!r}")
    return _store(lambda: check_report(facility, payload, import_settings()))


def submit_suggestion():
    """A visitor's suggested new place: 201 with its id, or the error shape."""
    payload = _payload()
    return _store(lambda: check_suggestion(payload, import_settings()))


def _payload() -> dict:
    """The request's body as a JSON object, or Refused (415, 413, 400)."""
    if request.mimetype != JSON_TYPE:
        raise Refused(415, f"send the body as {JSON_TYPE}, not "
                           f"{request.mimetype[:60] or 'without a Content-Type'!r}")
    too_large = Refused(413, f"the body is over {MAX_BODY_BYTES} bytes: shorten the note")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise too_large
    # A chunked body has no Content-Length: werkzeug stops reading it at the limit without
    # saying so, so read one byte past ours to tell a body that fits from one cut short.
    request.max_content_length = MAX_BODY_BYTES + 1
    try:
        data = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise too_large from None
    if len(data) > MAX_BODY_BYTES:
        raise too_large
    try:
        payload = json.loads(data, parse_constant=_not_json)
    except (ValueError, RecursionError):  # bad UTF-8 and NaN included; nesting bounded by size
        raise Refused(400, "the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise Refused(400, "the body must be a JSON object of fields, like {\"kind\": \"closed\"}")
    return payload


def _not_json(constant: str):
    """NaN and Infinity, which Python's json reads but JSON does not have."""
    raise ValueError(f"{constant} is not JSON")


def _store(check):
    """Check the submission, store it under the throttle, answer 201 {id, status}."""
    try:
        submission = check()
    except SubmissionError as exc:
        raise Refused(400, "some fields were refused: see fields for what to change",
                      fields=reporting.field_messages(exc.problems)) from None
    try:
        report_id = reporting.submit(submission)
    except intake.Throttled as exc:
        raise Refused(429, f"too many reports just now: try again in {exc.wait_s} s",
                      headers={"Retry-After": str(exc.wait_s)}) from None
    except WriteFailed:
        raise Refused(503, "the report could not be saved just now: try again later") from None
    return jsonify({"id": report_id, "status": "new"}), 201

"""What the report forms and the report API share: a checked submission stored under this
deployment's throttle from this request's client, and refusals in the visitor's language."""

from flask import request

from locator.config import current_settings, now
from locator.db import open_store
from locator.ingest.problems import Problem
from locator.reports import intake
from locator.web.i18n import gettext
from locator.web.metrics import throttled


def submit(submission) -> int:
    """Store a checked report or suggestion from this request's client; its id.
    intake.Throttled when the client, or everyone, sent too many lately."""
    throttle = intake.ReportThrottle.from_settings(current_settings())
    # The address is only HMAC'd inside intake (never logged or stored as it is).
    try:
        return intake.submit(open_store(), submission, request.remote_addr or "",
                             throttle=throttle, now=now().timestamp())
    except intake.Throttled:
        throttled("reports")
        raise


def field_messages(problems: list[Problem]) -> dict[str, str]:
    """Each refused field's message in the page's language, the first per field."""
    out: dict[str, str] = {}
    for problem in problems:
        text = Problem(None, None, problem.message, problem.params).render(gettext)
        out.setdefault(problem.column or "", text)
    return out

"""Store a checked submission unless its client, or everyone together, sent too many lately.

The throttle lives in the database, like the login throttle, so every worker and process sees
the same counts. Each submission first blanks the client HMACs older than KEEP_CLIENTS_S: the
address is never kept, and its HMAC only as long as throttling and counting need it.
"""

import math
import time
from dataclasses import dataclass

from locator.config import DEFAULTS
from locator.reports.clients import WEEK_S, client_keys
from locator.reports.submissions import Submission

KEEP_CLIENTS_S = 30 * 24 * 3600


@dataclass(frozen=True)
class ReportThrottle:
    """At most `per_client` submissions per client in `client_window_s`, and `overall` from
    everyone in `overall_window_s` (a flood from many addresses must not fill the queue)."""

    per_client: int = DEFAULTS["REPORTS_PER_CLIENT"]
    client_window_s: int = DEFAULTS["REPORTS_CLIENT_WINDOW_S"]
    overall: int = DEFAULTS["REPORTS_OVERALL"]
    overall_window_s: int = DEFAULTS["REPORTS_OVERALL_WINDOW_S"]

    @classmethod
    def from_settings(cls, settings) -> "ReportThrottle":
        """The throttle a deployment's config.Settings set."""
        return cls(settings.reports_per_client, settings.reports_client_window_s,
                   settings.reports_overall, settings.reports_overall_window_s)


class Throttled(Exception):
    """Too many submissions: try again in `wait_s` seconds."""

    def __init__(self, wait_s: int):
        super().__init__(f"too many reports; try again in {wait_s} s")
        self.wait_s = wait_s


def submit(store, submission: Submission, address: str, *,
           throttle: ReportThrottle = ReportThrottle(), now: float | None = None) -> int:
    """Store `submission` as new and return its id; Throttled when its client or everyone has
    sent too many lately. The check and the insert are one transaction, so parallel requests
    cannot slip past the limit."""
    now = time.time() if now is None else now
    with store.writing():
        store.reports.forget_clients(now - KEEP_CLIENTS_S)
        clients = client_keys(store, address, now)
        wait = wait_s(store, clients, now, throttle)
        if wait:
            raise Throttled(wait)
        return store.reports.add(submission.kind, submission.facility_id, submission.details,
                                 submission.note, clients=clients, at=now)


def forget_old(store, now: float | None = None) -> None:
    """Blank the client HMACs older than KEEP_CLIENTS_S and delete the secrets no HMAC needs
    any more. Each submission does it too; `flask reports forget`, run daily, makes the limits
    hold when no report arrives."""
    now = time.time() if now is None else now
    with store.writing():
        store.reports.forget_clients(now - KEEP_CLIENTS_S)
        store.reports.forget_secrets(int(now // WEEK_S) - 1)


def wait_s(store, clients: tuple[str, str], now: float, throttle: ReportThrottle) -> int:
    """Seconds until this client may send again (0: now)."""
    mine = [c for c in clients if c]
    limits = ((store.reports.window(now - throttle.client_window_s, mine),
               throttle.per_client, throttle.client_window_s),
              (store.reports.window(now - throttle.overall_window_s),
               throttle.overall, throttle.overall_window_s))
    wait = 0.0
    for (count, oldest), limit, window in limits:
        if count >= limit:  # room again when the oldest in the window leaves it
            wait = max(wait, oldest + window - now)
    return max(math.ceil(wait), 1) if wait else 0

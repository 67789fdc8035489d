"""Bounded cost of a submission: storing one report does about the same work whether the table
holds no old reports or a year of them (counted in SQLite VM steps, never in time)."""

from locator.reports.intake import KEEP_CLIENTS_S, ReportThrottle, submit
from locator.reports.submissions import Submission

T0 = 1_780_000_000.0
OPEN = ReportThrottle(per_client=10**9, overall=10**9)
REPORT = Submission("dirty", "room-1", {}, "")


def vm_steps(store, action) -> int:
    """SQLite virtual-machine steps (in thousands) that `action` costs on the store's connection."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0  # 0: go on

    store.db.conn.set_progress_handler(count, 1000)
    try:
        action()
    finally:
        store.db.conn.set_progress_handler(None, 0)
    return steps[0]


def submission_steps(store, n: int) -> int:
    """The steps of `n` submissions from distinct clients, just after T0."""
    def send() -> None:
        for i in range(n):
            submit(store, REPORT, f"198.51.100.{i}", throttle=OPEN, now=T0 + i)
    return vm_steps(store, send)


def test_old_reports_do_not_slow_a_submission(store):
    fresh = submission_steps(store, 20)
    # 20,000 reports older than 30 days, their client HMACs blanked long ago, as intake leaves
    # them: each submission must not walk them again to find the few still to blank.
    with store.writing():
        for i in range(20_000):
            store.reports.add("dirty", "room-2", {}, "", clients=("", ""),
                              at=T0 - KEEP_CLIENTS_S - 3600 - i)
    aged = submission_steps(store, 20)
    assert aged <= 2 * fresh + 5, (fresh, aged)


def test_the_hmacs_past_30_days_are_still_blanked(store):
    submit(store, REPORT, "203.0.113.1", throttle=OPEN, now=T0)
    submit(store, REPORT, "203.0.113.2", throttle=OPEN, now=T0 + KEEP_CLIENTS_S + 1)
    first, second = (store.reports.get(n) for n in (1, 2))
    assert first["id"] == 1 and second["id"] == 2
    assert store.reports.window(0, [""])[0] == 1  # the first one's client is blank now

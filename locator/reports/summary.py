"""What visitors said about a facility lately, for its public page: counts, never notes.

This is the one thing shown before an admin looks: "closed" and "gone" only once two distinct
clients said so within a week (one voice may be wrong or malicious), "still here" from one
within a month. Rejected reports never count.
"""

from dataclasses import dataclass

from locator.reports.kinds import PUBLIC_KINDS

DAY_S = 24 * 3600


@dataclass(frozen=True)
class Said:
    """`clients` distinct visitors reported `kind` in the last `within_days`, the latest
    `days_ago` whole days ago."""

    kind: str
    clients: int
    within_days: int
    days_ago: int


def recently_said(store, facility_id: str, now: float) -> list[Said]:
    """The kinds worth showing, in PUBLIC_KINDS order."""
    out = []
    for kind, (at_least, days) in PUBLIC_KINDS.items():
        said = store.reports.said(facility_id, [kind], now - days * DAY_S).get(kind)
        if said and said[0] >= at_least:
            out.append(Said(kind, said[0], days, int((now - said[1]) // DAY_S)))
    return out

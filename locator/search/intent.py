"""What a query typed into the nearest page's box asks for (`/nearest?q=`): a category ("coach
station": its nearest), a destination ("to Shenzhen": the stops that serve it, nearest first),
a facility by name (its page), or else a place to search from (as before: a facility or
landmark as the origin, or the optional geocoder's answer)."""

from dataclasses import dataclass

from locator.search import matching
from locator.store import Store

# A facility is what the visitor meant when its match is at least this good (a typo of its
# name scores 30 to 40; a word inside another facility's name 60).
FACILITY_SCORE = 30
ROUTE_STOPS = 50  # stops of one destination listed at most


@dataclass(frozen=True)
class Intent:
    """kind: category (with `category`), destination (with the stops' `facility_ids`),
    facility (its `facility_ids[0]` and its `category`) or place (find an origin as before)."""

    kind: str
    category: str | None = None
    facility_ids: tuple[str, ...] = ()


def read_intent(store: Store, query: str) -> Intent:
    """What `query` asks for, read in one snapshot (no position: none is needed to tell)."""
    found = matching.find(store, query, limit=ROUTE_STOPS)
    if found.category is not None:
        return Intent("category", category=found.category[0])
    if not found.matches:
        return Intent("place")
    best = found.matches[0]
    if best.how == "route":
        stops = tuple(m.record["id"] for m in found.matches if m.how == "route")
        return Intent("destination", facility_ids=stops)
    if best.score >= FACILITY_SCORE:
        return Intent("facility", category=best.record["category"],
                      facility_ids=(best.record["id"],))
    return Intent("place")

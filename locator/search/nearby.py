"""The nearest search as both the API and the pages run it: origin, filters, one read snapshot.

No Flask: the caller passes the store, the checked parameters, the moment and the settings.
"""

from dataclasses import dataclass
from datetime import datetime

from locator.config import Settings
from locator.core.nearest import Nearest, find_nearest
from locator.search.origin import Origin, resolve_origin
from locator.search.params import NearestParams
from locator.search.present import Statuses
from locator.store import Store


@dataclass(frozen=True)
class SearchResult:
    """What one nearest search found, the dataset version it read, and each hit's status."""

    origin: Origin
    found: Nearest
    version: int
    statuses: Statuses


def run_nearest(store: Store, params: NearestParams, at: datetime, settings: Settings, *,
                only: frozenset[str] | None = None) -> SearchResult:
    """Resolve the origin and find the nearest matches in one snapshot of the store (`only`:
    of these facility ids, e.g. the stops that serve a destination)."""
    statuses = Statuses(at)
    with store.reading():
        origin = resolve_origin(store, params, settings)
        found = find_nearest(store.facilities, origin.lat, origin.lon, k=params.limit,
                             category=params.category, amenities=params.amenities,
                             access=params.access, radius_m=params.radius_m,
                             accept=_accept(statuses, params.open_now, only))
        return SearchResult(origin, found, store.versions.current_number(), statuses)


def _accept(statuses: Statuses, open_now: bool, only: frozenset[str] | None):
    """The per-record test beyond the store's filters: open now, and among `only`."""
    if only is None:
        return statuses.is_open if open_now else None
    if open_now:
        return lambda record: record["id"] in only and statuses.is_open(record)
    return lambda record: record["id"] in only

"""The nearest search as both the API and the pages run it: origin, filters, one read snapshot."""

from dataclasses import dataclass
from datetime import datetime

from locator.core.nearest import Nearest, find_nearest
from locator.search.origin import Origin, resolve_origin
from locator.search.params import NearestParams
from locator.search.present import is_open
from locator.store import Store


@dataclass(frozen=True)
class SearchResult:
    """What one nearest search found, and the dataset version it read."""

    origin: Origin
    found: Nearest
    version: int


def run_nearest(store: Store, params: NearestParams, at: datetime) -> SearchResult:
    """Resolve the origin and find the nearest matches in one snapshot of the store."""
    with store.reading():
        origin = resolve_origin(store, params)
        found = find_nearest(store.facilities, origin.lat, origin.lon, k=params.limit,
                             category=params.category, amenities=params.amenities,
                             access=params.access, radius_m=params.radius_m,
                             accept=is_open(at) if params.open_now else None)
        return SearchResult(origin, found, store.versions.current_number())

"""Where a search starts: given coordinates, a facility or landmark by name, or a geocoded place."""

from dataclasses import dataclass

from locator.config import Settings
from locator.core.traditional import to_simplified
from locator.search.geocode import GeocoderUnavailable, geocode
from locator.search.params import NearestParams
from locator.store import Store


class PlaceNotFound(LookupError):
    """No facility, landmark or geocoded place matches the query."""


@dataclass(frozen=True)
class Origin:
    """The search origin in WGS-84, and how it was found."""

    lat: float
    lon: float
    label: str = ""
    source: str = "coordinates"  # coordinates | facility | geocoder
    facility_id: str | None = None
    label_en: str = ""  # the facility's English name, for English pages (not in the API)

    def as_json(self) -> dict:
        """The origin as the API shows it."""
        return {"lat": self.lat, "lon": self.lon, "label": self.label, "source": self.source,
                "facility_id": self.facility_id}


def resolve_origin(store: Store, params: NearestParams, settings: Settings) -> Origin:
    """The origin for `params`: coordinates if given, else the place named by `q` (a facility,
    or the configured geocoder's answer)."""
    if params.lat is not None:
        return Origin(params.lat, params.lon)
    hits = store.facilities.search(params.q, limit=1)
    simplified = to_simplified(params.q)
    if not hits and simplified != params.q:  # Traditional input (會城), the data kept Simplified
        hits = store.facilities.search(simplified, limit=1)
    if hits:
        hit = hits[0]
        return Origin(hit["lat"], hit["lon"], hit["name"], "facility", hit["id"],
                      hit.get("name_en") or "")
    if settings.geocoder:
        place = geocode(params.q, settings=settings.geocoding)
        if place is not None:
            return Origin(place.lat, place.lon, place.label, "geocoder")
    raise PlaceNotFound(params.q)


__all__ = ["GeocoderUnavailable", "Origin", "PlaceNotFound", "resolve_origin"]

"""Optional external place search through the configured geocoder (locator/geocoding): off
unless configured, never required."""

from dataclasses import dataclass

from locator.geocoding.batch import geocode as geocode_address
from locator.geocoding.results import Found, ProviderUnavailable
from locator.geocoding.settings import GeocoderSettings


class GeocoderUnavailable(Exception):
    """The external geocoder failed or timed out."""


@dataclass(frozen=True)
class Place:
    """A geocoded place in WGS-84."""

    lat: float
    lon: float
    label: str


def geocode(query: str, *, settings: GeocoderSettings) -> Place | None:
    """The place `query` names inside the service area, or None; the provider, key, URL, rate
    and timeout are the import's (GEOCODER*)."""
    try:
        outcome = geocode_address(query, settings)
    except ProviderUnavailable as exc:
        raise GeocoderUnavailable(str(exc)) from exc
    if not isinstance(outcome, Found) or not outcome.in_service_area:
        return None
    return Place(outcome.lat, outcome.lon, outcome.label)

"""Optional external place search through geopy: off unless configured, never required."""

from dataclasses import dataclass

from geopy.exc import GeopyError
from geopy.geocoders import BaiduV3, Nominatim

from locator.core.geo import bd09_to_wgs84

TIMEOUT_S = 3


class GeocoderUnavailable(Exception):
    """The external geocoder failed or timed out."""


@dataclass(frozen=True)
class Place:
    """A geocoded place in WGS-84."""

    lat: float
    lon: float
    label: str


def geocode(query: str, *, provider: str, key: str, service_area: tuple,
            user_agent: str = "locator") -> Place | None:
    """Look `query` up with `provider` ('nominatim' or 'baidu') inside the service area."""
    try:
        if provider == "baidu":
            return _baidu(query, key)
        if provider == "nominatim":
            return _nominatim(query, service_area, user_agent)
    except GeopyError as exc:
        raise GeocoderUnavailable(str(exc)) from exc
    raise GeocoderUnavailable(f"unknown geocoder {provider!r}")


def _nominatim(query: str, area: tuple, user_agent: str) -> Place | None:
    """Nominatim answers in WGS-84; bound it to the service area."""
    min_lat, min_lon, max_lat, max_lon = area
    location = Nominatim(user_agent=user_agent, timeout=TIMEOUT_S).geocode(
        query, viewbox=[(min_lat, min_lon), (max_lat, max_lon)], bounded=True)
    return location and Place(location.latitude, location.longitude, location.address)


def _baidu(query: str, key: str) -> Place | None:
    """Baidu answers in BD-09: convert to WGS-84."""
    location = BaiduV3(api_key=key, timeout=TIMEOUT_S).geocode(query)
    if location is None:
        return None
    lat, lon = bd09_to_wgs84(location.latitude, location.longitude)
    return Place(lat, lon, location.address or query)

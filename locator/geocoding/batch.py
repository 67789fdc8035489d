"""Geocode one address or a batch: the provider's adapter, the rate limit, WGS-84 out."""

import unicodedata
from collections.abc import Callable, Iterable

from geopy.adapters import AdapterHTTPError
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderQuotaExceeded,
    GeocoderTimedOut,
    GeopyError,
)

from locator.core.geo import to_wgs84
from locator.geocoding import amap, baidu, nominatim, tianditu
from locator.geocoding.ratelimit import limit_for
from locator.geocoding.results import (
    BAD_KEY,
    FAILED,
    NO_KEY,
    QUOTA,
    TIMED_OUT,
    Answer,
    Found,
    NotFound,
    ProviderUnavailable,
)
from locator.geocoding.settings import NEEDS_KEY, GeocoderSettings

ADAPTERS: dict[str, Callable[[str, GeocoderSettings], Answer | None]] = {
    "amap": amap.lookup,
    "baidu": baidu.lookup,
    "tianditu": tianditu.lookup,
    "nominatim": nominatim.lookup,
}
Outcome = Found | NotFound


def address_key(address: str) -> str:
    """The address as asked and cached: NFKC (full-width digits and letters folded), one space."""
    return " ".join(unicodedata.normalize("NFKC", address).split())


def geocode(address: str, settings: GeocoderSettings) -> Outcome:
    """Found or NotFound for one address, after waiting for the provider's rate limit.

    Raises ProviderUnavailable when no answer can be relied on (key, quota, timeout, failure).
    """
    query = address_key(address)
    if not query:
        return NotFound(query, settings.provider)
    if settings.provider in NEEDS_KEY and not settings.key:
        raise ProviderUnavailable("key", NO_KEY)
    limit_for(settings.provider, settings.url, settings.rate).wait()
    try:
        answer = ADAPTERS[settings.provider](query, settings)
    except (GeopyError, OSError) as exc:
        raise unavailable(exc, settings) from exc
    if answer is None:
        return NotFound(query, settings.provider)
    return _found(query, answer, settings)


def geocode_many(addresses: Iterable[str], settings: GeocoderSettings,
                 progress: Callable[[int, int, Outcome], None] | None = None) -> list[Outcome]:
    """One outcome per address, in order, asking once per distinct address (address_key).

    progress(done, total, outcome) follows each answer (total counts distinct addresses). The
    first ProviderUnavailable stops the batch and propagates: progress has seen every answer
    before it, so a caller that keeps them loses nothing.
    """
    keys = [address_key(address) for address in addresses]
    distinct = list(dict.fromkeys(keys))
    outcomes: dict[str, Outcome] = {}
    for done, key in enumerate(distinct, 1):
        outcomes[key] = geocode(key, settings)
        if progress:
            progress(done, len(distinct), outcomes[key])
    return [outcomes[key] for key in keys]


def unavailable(exc: Exception, settings: GeocoderSettings) -> ProviderUnavailable:
    """Our ProviderUnavailable for a geopy or socket error, worded for an admin."""
    http = exc.__cause__ if isinstance(exc.__cause__, AdapterHTTPError) else None
    detail = f"HTTP {http.status_code}" if http else (str(exc) or type(exc).__name__)
    if isinstance(exc, GeocoderQuotaExceeded):  # geopy's RateLimited (HTTP 429) included
        return ProviderUnavailable("quota", QUOTA, detail=detail)
    if isinstance(exc, GeocoderAuthenticationFailure | GeocoderInsufficientPrivileges):
        return ProviderUnavailable("key", BAD_KEY, detail=detail)
    # geopy also reports HTTP 503 and 504 as timed out: those are the service's failures.
    if isinstance(exc, GeocoderTimedOut | TimeoutError) and not http:
        return ProviderUnavailable("timeout", TIMED_OUT, seconds=f"{settings.timeout_s:g}")
    return ProviderUnavailable("failed", FAILED, detail=detail)


def _found(query: str, answer: Answer, settings: GeocoderSettings) -> Found:
    """The answer in WGS-84, and whether it lies in the service area."""
    lat, lon = to_wgs84(answer.lat, answer.lon, answer.datum)
    area = settings.service_area
    inside = area is None or (area[0] <= lat <= area[2] and area[1] <= lon <= area[3])
    return Found(query, lat, lon, answer.label, answer.precision, answer.level,
                 settings.provider, inside)

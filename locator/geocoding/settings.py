"""Which provider, where, with what key, how fast: a small frozen value the caller builds once."""

from collections.abc import Mapping
from dataclasses import dataclass

from locator.geocoding.results import UNKNOWN_PROVIDER, ProviderUnavailable

# Each provider's public service; LOCATOR_GEOCODER_URL replaces it (self-hosted or test server).
PUBLIC_URLS = {
    "amap": "https://restapi.amap.com",
    "baidu": "https://api.map.baidu.com",
    "tianditu": "https://api.tianditu.gov.cn",
    "nominatim": "https://nominatim.openstreetmap.org",
}
PROVIDERS = tuple(PUBLIC_URLS)
NEEDS_KEY = frozenset({"amap", "baidu", "tianditu"})
# Requests a second when LOCATOR_GEOCODER_RATE is not set. Nominatim: "an absolute maximum of 1
# request per second" (https://operations.osmfoundation.org/policies/nominatim/). The others
# grant per-key quotas that differ by account: 3 is a cautious start, not a published figure.
DEFAULT_RATES = {"amap": 3.0, "baidu": 3.0, "tianditu": 3.0, "nominatim": 1.0}
DEFAULT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class GeocoderSettings:
    """One provider's settings; rate_per_s 0 and base_url "" mean the provider's defaults."""

    provider: str
    key: str = ""
    base_url: str = ""
    rate_per_s: float = 0.0
    timeout_s: float = DEFAULT_TIMEOUT_S
    service_area: tuple[float, float, float, float] | None = None  # min lat, min lon, max, max
    city: str = ""  # AMap's `city` filter (a city name or adcode), sent when set
    user_agent: str = "locator"

    def __post_init__(self):
        """Refuse a provider we have no adapter for, and rates or timeouts that cannot work."""
        if self.provider not in PUBLIC_URLS:
            raise ProviderUnavailable("config", UNKNOWN_PROVIDER, provider=self.provider)
        if self.rate_per_s < 0 or self.timeout_s <= 0:
            raise ValueError("rate_per_s must be >= 0 and timeout_s > 0")

    @property
    def url(self) -> str:
        """The base URL requests go to, without a trailing slash."""
        return (self.base_url or PUBLIC_URLS[self.provider]).rstrip("/")

    @property
    def rate(self) -> float:
        """Requests a second this provider gets from us."""
        return self.rate_per_s or DEFAULT_RATES[self.provider]


def settings_from_config(config: Mapping) -> GeocoderSettings | None:
    """GeocoderSettings from the app's GEOCODER* keys (LOCATOR_GEOCODER* in the environment);
    None when GEOCODER is empty."""
    provider = str(config.get("GEOCODER") or "").strip().lower()
    if not provider:
        return None
    return GeocoderSettings(
        provider=provider,
        key=str(config.get("GEOCODER_KEY") or ""),
        base_url=str(config.get("GEOCODER_URL") or ""),
        rate_per_s=float(config.get("GEOCODER_RATE") or 0),
        timeout_s=float(config.get("GEOCODER_TIMEOUT") or DEFAULT_TIMEOUT_S),
        service_area=tuple(config["SERVICE_AREA"]) if config.get("SERVICE_AREA") else None,
        city=str(config.get("GEOCODER_CITY") or ""),
    )

"""What the four adapters share: geopy's HTTP client and error classes, one way for all."""

from urllib.parse import urlencode, urlsplit

from geopy.adapters import URLLibAdapter
from geopy.geocoders.base import Geocoder

from locator.geocoding.settings import GeocoderSettings


def geopy_options(settings: GeocoderSettings) -> dict:
    """Keyword arguments every geopy geocoder of ours is built with."""
    # urllib rather than geopy's default (requests when installed): requests is no dependency
    # of ours, so production would run urllib anyway; the tests run what production runs.
    return {"scheme": urlsplit(settings.url).scheme or "https", "timeout": settings.timeout_s,
            "user_agent": settings.user_agent, "adapter_factory": URLLibAdapter}


class JsonService(Geocoder):
    """A provider geopy has no class for: GET {base}{path}?{params}, parse the JSON answer.

    Built on geopy's Geocoder so that HTTP errors, timeouts and unreadable answers raise the
    same geopy exceptions as its own Nominatim and BaiduV3 do.
    """

    def __init__(self, settings: GeocoderSettings):
        super().__init__(**geopy_options(settings))
        self.base = settings.url

    def get(self, path: str, params: dict, parse):
        """parse(the decoded JSON) for one GET request."""
        return self._call_geocoder(f"{self.base}{path}?{urlencode(params)}", parse)


def tiers(**levels: tuple[str, ...]) -> dict[str, str]:
    """{level: precision} from precision=(level, …) groups."""
    return {level: precision for precision, names in levels.items() for level in names}

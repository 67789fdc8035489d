"""What a geocoding gives back: a found WGS-84 point, no place, or an unavailable provider.

Messages are gettext msgids with %(name)s placeholders, translated where they are shown (the
importer's catalogue holds them), the way locator.ingest.problems.Problem carries its own.
"""

from dataclasses import dataclass, field

# From the finest to the coarsest: how near the point is to the place the address names.
PRECISIONS = ("exact", "street", "district", "city")


def N_(message: str) -> str:
    """Mark a message for extraction (`pybabel extract -k N_`); it is translated when shown."""
    # The importer's marker lives in locator.ingest, above this package: we may not import it.
    return message


PRECISION_LABELS = {
    "exact": N_("house number or building"),
    "street": N_("street or village"),
    "district": N_("town or district"),
    "city": N_("city or wider"),
}

NOT_FOUND = N_("the geocoder found no place for this address; check the address, or give lat "
               "and lon")
NOT_CONFIGURED = N_("no geocoder is configured (LOCATOR_GEOCODER): give lat and lon, or ask the "
                    "operator to set one up")
UNKNOWN_PROVIDER = N_("unknown geocoder %(provider)s: LOCATOR_GEOCODER must be amap, baidu, "
                      "tianditu or nominatim")
NO_KEY = N_("the geocoder needs a key: set LOCATOR_GEOCODER_KEY")
TIMED_OUT = N_("the geocoder did not answer within %(seconds)s s; try again later")
QUOTA = N_("the geocoder refused: the key's quota or rate limit is used up (%(detail)s); try "
           "again later")
BAD_KEY = N_("the geocoder refused the key (%(detail)s); check LOCATOR_GEOCODER_KEY")
FAILED = N_("the geocoder failed (%(detail)s); try again later, or check LOCATOR_GEOCODER_URL")


@dataclass(frozen=True)
class Answer:
    """A provider's answer as it gave it: a point in its own datum, its label and level."""

    lat: float
    lon: float
    datum: str  # "wgs84", "gcj02" or "bd09" (locator.core.geo.SYSTEMS)
    label: str
    level: str  # the provider's own level field, kept as it came
    precision: str  # one of PRECISIONS, mapped from the level


@dataclass(frozen=True)
class Found:
    """A geocoded address: a WGS-84 point, the provider's label and how precise it is."""

    address: str
    lat: float
    lon: float
    label: str
    precision: str  # one of PRECISIONS
    level: str  # the provider's own level, e.g. 门牌号, 道路 or 区县
    provider: str
    in_service_area: bool

    @property
    def approximate(self) -> bool:
        """True unless the provider placed a house number, building or point of interest."""
        return self.precision != "exact"


@dataclass(frozen=True)
class NotFound:
    """The provider answered, and had no place for the address."""

    address: str
    provider: str
    message: str = NOT_FOUND
    params: dict = field(default_factory=dict)

    def render(self, gettext=lambda s: s) -> str:
        """The message in the language `gettext` translates to."""
        return _render(self.message, self.params, gettext)


class ProviderUnavailable(Exception):
    """No answer to rely on: no geocoder set, bad key, quota, timeout or a failing service."""

    def __init__(self, reason: str, message: str, **params):
        super().__init__(message % params if params else message)
        self.reason = reason  # config | key | quota | timeout | failed
        self.message = message
        self.params = params

    def render(self, gettext=lambda s: s) -> str:
        """The message in the language `gettext` translates to."""
        return _render(self.message, self.params, gettext)


def _render(message: str, params: dict, gettext) -> str:
    """gettext(message) with its placeholders filled."""
    text = gettext(message)
    return text % params if params else text

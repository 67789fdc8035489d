"""Nominatim (OpenStreetMap) through geopy's Nominatim: answers in WGS-84.

Request and answer as documented at https://nominatim.org/release-docs/latest/api/Search/ and
…/api/Output/: GET /search?q=…&format=json&limit=1[&viewbox=…&bounded=1] → [{"lat": "…",
"lon": "…", "display_name": …, "class": "highway", "type": "residential", "addresstype": …}];
[] when nothing matches.
"""

from urllib.parse import urlsplit

from geopy.geocoders import Nominatim

from locator.geocoding.results import Answer
from locator.geocoding.service import geopy_options, tiers
from locator.geocoding.settings import GeocoderSettings

# addresstype (newer servers) or type: the place kinds of Nominatim's address ranks.
KINDS = tiers(
    street=("road", "village", "hamlet", "neighbourhood", "quarter", "locality",
            "isolated_dwelling", "city_block", "square", "farm", "allotments"),
    district=("county", "district", "municipality", "borough", "suburb", "town",
              "city_district", "township", "subdistrict"),
    city=("country", "state", "province", "region", "state_district", "city"),
)
# A road's centre, or an area of no kind above; any other class (building, amenity, shop, place=
# house…) is a place of its own: exact.
CLASSES = {"highway": "street", "boundary": "district", "landuse": "district"}


def lookup(address: str, settings: GeocoderSettings) -> Answer | None:
    """Nominatim's best match for the address inside the service area, or None."""
    parts = urlsplit(settings.url)
    geocoder = Nominatim(domain=parts.netloc + parts.path, **geopy_options(settings))
    area = settings.service_area
    viewbox = [(area[0], area[1]), (area[2], area[3])] if area else None
    location = geocoder.geocode(address, viewbox=viewbox, bounded=bool(area))
    if location is None:
        return None
    raw = location.raw
    kind = str(raw.get("addresstype") or raw.get("type") or "")
    precision = KINDS.get(kind) or CLASSES.get(str(raw.get("class")), "exact")
    return Answer(location.latitude, location.longitude, "wgs84", location.address, kind,
                  precision)

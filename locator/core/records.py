"""The facility record: its columns in CSV order, and their limits (for importer and store)."""

# The CSV columns, in the order export writes them (README, "The CSV format").
COLUMNS = (
    "id", "category", "name", "name_en", "lat", "lon", "coord_system", "coord_source", "address",
    "address_en",
    "town", "floor", "opening_hours", "access", "amenities", "routes", "phone", "description",
    "description_en", "source", "verified_on", "aliases", "district", "name_zh_hant",
)
REQUIRED = ("id", "category", "name", "lat", "lon")
# A list of addresses without coordinates (as districts keep them) may leave out both position
# columns: the geocoder places each row from its address.
POSITION = ("lat", "lon")


def missing_columns(present: set[str]) -> list[str]:
    """The required columns a header lacks; lat and lon may both be absent beside address."""
    optional = POSITION if "address" in present and not present.intersection(POSITION) else ()
    return [c for c in REQUIRED if c not in present and c not in optional]
TEXT_COLUMNS = tuple(c for c in COLUMNS if c not in ("lat", "lon"))

# Longest value a cell may hold, in characters: generous for real data, fatal for pasted garbage.
MAX_LENGTH = {
    "id": 64, "category": 32, "name": 200, "name_en": 200, "lat": 40, "lon": 40,
    "coord_system": 10, "coord_source": 10, "address": 500, "address_en": 500, "town": 100,
    "floor": 50,
    "opening_hours": 500, "access": 20, "amenities": 1000, "routes": 1000, "phone": 100,
    "description": 5000, "description_en": 5000, "source": 1000, "verified_on": 10,
    "aliases": 1000, "district": 20, "name_zh_hant": 200,
}

# How a position was obtained (coord_source; blank = not stated). A geocoded one is approximate
# and shown as such until someone verifies it on site (verified_on).
COORD_SOURCES = ("survey", "map", "geocoded")

# Columns whose text may span lines; in every other column a newline is an error.
MULTILINE_COLUMNS = ("description", "description_en", "address", "address_en", "source")


def blank_record() -> dict:
    """A record with every column present and empty."""
    return {c: "" for c in COLUMNS}

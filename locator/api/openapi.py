"""The OpenAPI 3.1 document of /api: every route, parameter and response shape, with examples."""

from locator.api.paging import MAX_CURSOR_CHARS, MAX_PAGE_LIMIT, PAGE_LIMIT, Cursor
from locator.api.reports import MAX_BODY_BYTES
from locator.core import districts
from locator.core.categories import ACCESS_LABELS, AMENITIES, CATEGORIES
from locator.core.records import COLUMNS, MAX_LENGTH
from locator.ingest.importer import SERVICE_AREA
from locator.reports.kinds import NOTE_MAX, REPORT_KINDS
from locator.reports.submissions import MAX_AMENITIES
from locator.search.matching import HOWS
from locator.search.params import MAX_LIMIT, MAX_QUERY_CHARS, MAX_RADIUS_M

EXAMPLE_FACILITY = {
    "id": "jingtang-library", "category": "landmark", "name": "景堂图书馆",
    "name_en": "Jingtang Library", "lat": 22.520979, "lon": 113.040056, "coord_system": "wgs84",
    "coord_source": "survey",
    "address": "会城仁寿路16号", "address_en": "No. 16 Renshou Road, Huicheng", "town": "会城街道",
    "floor": "", "opening_hours": "Tu-Su 09:00-17:00; PH off", "access": "public",
    "amenities": "toilet", "routes": "", "phone": "", "description": "", "description_en": "",
    "source": "English Wikipedia", "verified_on": "", "aliases": "", "district": "新会区",
    "name_zh_hant": "", "open_now": True, "next_change": "2026-11-28T17:00:00+08:00",
    "verified": False, "closing_soon": False,
}


_NUMBER = r"-?[0-9]{1,3}(\.[0-9]+)?"
BBOX_PATTERN = rf"^{_NUMBER}(,{_NUMBER}){{3}}$"
# The code strips every parameter first, so a blank value (spaces, U+00A0 …) is "not given" too.
EMPTY = {"type": "string", "pattern": r"^\s*$"}


def _param(name: str, schema: dict, description: str) -> dict:
    """One optional query parameter; like an HTML form, an empty value means 'not given'."""
    if schema.get("type") == "array":
        schema = schema | {"items": {"anyOf": [schema["items"], EMPTY]}}
    else:
        schema = {"anyOf": [schema, EMPTY]}
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description + " (empty or blank = not given)"}


def _error(description: str) -> dict:
    """A response in the canonical error shape."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(schema_ref: str, example: dict, links: dict | None = None,
        headers: dict | None = None) -> dict:
    """A 200 response with its schema, example, links to follow-up requests and headers."""
    response = {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema_ref}"}, "example": example}}}
    if links:
        response["links"] = links
    if headers:
        response["headers"] = headers
    return response


def _to_facility(pointer: str) -> dict:
    """A link: fetch the facility whose id the response holds at `pointer`."""
    return {"GetFacility": {"operationId": "getFacility",
                            "parameters": {"facility_id": f"$response.body#{pointer}"}}}


NEXT_PAGE_HEADER = {"Link": {"schema": {"type": "string"},
                             "description": '<next page: path and query>; rel="next"'
                                            " (not on the last page)"}}
CATEGORY = {"type": "string", "enum": list(CATEGORIES)}
LANG = _param("lang", {"type": "string", "examples": ["zh-Hant"]},
              "zh-Hant (or zh-HK, zh-MO, zh-TW): the facilities' name, address, description,"
              " routes and town in Traditional Chinese (converted on the way out; a record's own"
              " name_zh_hant wins for the name), with name_stored the stored name. Any other"
              " value: the stored text")
AMENITY = {"type": "array", "items": {"type": "string", "enum": list(AMENITIES)}}
COMMON_ERRORS = {"400": _error("A parameter is missing or wrong; the message says how to fix it")}

NEAREST_PARAMS = [
    _param("lat", {"type": "number", "minimum": -90, "maximum": 90},
           "Latitude of the origin, WGS-84 decimal degrees; give lat and lon together, or q"),
    _param("lon", {"type": "number", "minimum": -180, "maximum": 180},
           "Longitude of the origin, WGS-84 decimal degrees"),
    _param("q", {"type": "string", "maxLength": MAX_QUERY_CHARS},
           "A place name (facility or landmark, Chinese or English substring) as the origin"),
    _param("category", CATEGORY, "Only this category"),
    _param("amenity", AMENITY, "Required amenities (all of them), from the category's "
           "vocabulary when category is given; repeat or comma-separate"),
    _param("access", {"type": "string", "enum": list(ACCESS_LABELS)}, "Only this access"),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 5},
           "How many results"),
    _param("radius_m", {"type": "number", "minimum": 1, "maximum": MAX_RADIUS_M},
           "Only within this many metres; if none, the nearest beyond, flagged beyond_radius"),
    _param("open_now", {"type": "boolean"}, "Only facilities open now (unknown hours excluded)"),
    LANG,
]
SEARCH_PARAMS = [
    {"name": "q", "in": "query", "required": True,
     "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
     "description": "What the visitor typed: a name (Chinese, English, pinyin, initials, a "
                    "former name, with typos), a category word or a destination"},
    _param("lat", {"type": "number", "minimum": -90, "maximum": 90},
           "The visitor's latitude (WGS-84): ranks nearer matches first; give lat and lon "
           "together"),
    _param("lon", {"type": "number", "minimum": -180, "maximum": 180},
           "The visitor's longitude (WGS-84)"),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": 20, "default": 10},
           "How many facilities"),
    LANG,
]
FACILITY_PARAMS = [
    _param("category", CATEGORY, "Only this category"),
    _param("bbox", {"type": "string", "pattern": BBOX_PATTERN},
           "minlon,minlat,maxlon,maxlat in WGS-84 decimal degrees, min ≤ max"),
    _param("q", {"type": "string", "maxLength": MAX_QUERY_CHARS},
           "Name or address substring, Chinese or English"),
    _param("district", {"type": "string", "pattern": districts.PATTERN},
           "Only this district (its full name, e.g. 新会区)"),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_LIMIT,
                     "default": PAGE_LIMIT}, "Features per page; more is a 400"),
    _param("cursor", {"type": "string", "maxLength": MAX_CURSOR_CHARS,
                      "pattern": "^[A-Za-z0-9_-]+$"},
           "Where the page starts: take it from the previous page's next link, never make one."
           " It belongs to one dataset version: after an import it is 410 Gone, and the"
           " list starts again from the first page"),
    LANG,
]


SNAPSHOT_PARAMS = [
    _param("bbox", {"type": "string", "pattern": BBOX_PATTERN},
           "minlon,minlat,maxlon,maxlat: only the facilities in this box. Needed where the"
           " deployment has more facilities than SNAPSHOT_MAX_FACILITIES (and then the box may"
           " hold at most that many)"),
    LANG,
]
SPANS = {"type": "array", "items": {"type": "array", "items": {"type": "integer"},
                                    "minItems": 2, "maxItems": 2},
         "description": "[from, to) in minutes after start"}


def _snapshot_schema() -> dict:
    """The offline snapshot: a compact entry per facility with its open stretches."""
    entry = {"type": "object",
             "required": ["id", "category", "name", "name_en", "lat", "lon", "floor",
                          "amenities", "open"],
             "properties": {
                 "id": {"type": "string"}, "category": CATEGORY, "name": {"type": "string"},
                 "name_en": {"type": "string"}, "lat": {"type": "number"},
                 "lon": {"type": "number"}, "floor": {"type": "string"},
                 "amenities": {"type": "array", "items": {"type": "string"}},
                 "open": {"anyOf": [SPANS, {"type": "null"}],
                          "description": "open stretches; null when the hours are unknown"},
                 "unknown": SPANS | {"description": "stretches whose state is unknown"
                                                    " (present only when there are some)"}}}
    return {"type": "object",
            "required": ["dataset_version", "generated_on", "start", "end",
                         "walking_speed_m_per_min", "bbox", "facilities"],
            "properties": {
                "dataset_version": {"type": "integer"},
                "generated_on": {"type": "string", "format": "date",
                                 "description": "the Asia/Shanghai date it was made"},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "walking_speed_m_per_min": {"type": "number"},
                "bbox": {"anyOf": [{"type": "array", "items": {"type": "number"},
                                    "minItems": 4, "maxItems": 4}, {"type": "null"}]},
                "facilities": {"type": "array", "items": entry}}}


SNAPSHOT_EXAMPLE = {
    "dataset_version": 3, "generated_on": "2026-11-30", "start": "2026-11-30T00:00:00+08:00",
    "end": "2026-12-07T00:00:00+08:00", "walking_speed_m_per_min": 75, "bbox": None,
    "facilities": [{"id": "jingtang-library", "category": "landmark", "name": "景堂图书馆",
                    "name_en": "Jingtang Library", "lat": 22.520979, "lon": 113.040056,
                    "floor": "", "amenities": ["toilet"],
                    "open": [[1980, 2460], [3420, 3900], [4860, 5340], [6300, 6780],
                             [7740, 8220], [9180, 9660]]}]}
MIN_LAT, MIN_LON, MAX_LAT, MAX_LON = SERVICE_AREA
NOTE = {"type": "string", "maxLength": NOTE_MAX,
        "description": "Plain text, stored as sent and shown escaped; newlines allowed, other"
                       " control and text-direction characters refused"}
POINT = {
    "lat": {"type": "number", "minimum": MIN_LAT, "maximum": MAX_LAT,
            "description": "WGS-84 latitude, inside the service area (SERVICE_AREA; these"
                           " bounds are the default)"},
    "lon": {"type": "number", "minimum": MIN_LON, "maximum": MAX_LON,
            "description": "WGS-84 longitude, inside the service area"}}
EQUIPMENT = {"type": "array", "maxItems": MAX_AMENITIES,
             "items": {"type": "string", "enum": list(AMENITIES)},
             "description": "Amenity codes of the category's vocabulary (/api/categories); a"
                            " ';'-separated text is read too"}
HOURS = {"type": "string", "maxLength": MAX_LENGTH["opening_hours"],
         "description": "OSM opening_hours, or the Chinese forms files accept (每天 9:00-21:00),"
                        " stored converted"}
REPORT_EXAMPLE = {"kind": "closed", "note": "门锁着，保安说下午才开"}
SUGGESTION_EXAMPLE = {"category": "nursing_room", "name": "新会万达广场母婴室", "lat": 22.5301,
                      "lon": 113.0402, "floor": "2F", "opening_hours": "每天 10:00-22:00",
                      "amenities": ["changing_table", "sink"], "note": "在电梯旁"}


def _schemas() -> dict:
    """Component schemas: Facility, NearestResult, Feature, FeatureCollection, Error, and the
    bodies and answers of reports and suggestions."""
    text = {c: {"type": "string"} for c in COLUMNS if c not in ("lat", "lon")}
    facility = {"type": "object", "required": list(COLUMNS) + ["open_now", "next_change",
                                                          "closing_soon"],
                "properties": text | {
                    "lat": {"type": "number"}, "lon": {"type": "number"},
                    "open_now": {"type": ["boolean", "null"],
                                 "description": "null when the hours are unknown"},
                    "next_change": {"type": ["string", "null"], "format": "date-time"},
                    "closing_soon": {"type": "boolean", "description": (
                        "open, but closing within 30 minutes (or, in /api/nearest within "
                        "2 km, before the estimated walk there arrives)")},
                    "verified": {"type": "boolean"},
                    "name_stored": {"type": "string", "description": (
                        "only with lang=zh-Hant: the name as stored, beside name in"
                        " Traditional Chinese")}}}
    result = {"allOf": [{"$ref": "#/components/schemas/Facility"}, {
        "type": "object", "required": ["distance_m", "walking_min"], "properties": {
            "distance_m": {"type": "integer", "description": "geodesic distance, metres"},
            "walking_min": {"type": "integer",
                            "description": "estimate: straight line at 75 m/min"}}}]}
    return {
        "Facility": facility, "NearestResult": result,
        "Nearest": {"type": "object",
                    "required": ["origin", "results", "beyond_radius", "dataset_version"],
                    "properties": {
                        "origin": {"type": "object", "required": ["lat", "lon"]},
                        "dataset_version": {"type": "integer"},
                        "beyond_radius": {"type": "boolean"},
                        "walking_speed_m_per_min": {"type": "number"},
                        "results": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/NearestResult"}}}},
        "SearchResult": {"type": "object", "required": ["type", "matched"], "properties": {
            "type": {"type": "string", "enum": ["facility", "category", "place"]},
            "matched": {"type": "object", "required": ["field", "text", "how"], "properties": {
                "field": {"type": "string"}, "text": {"type": "string"},
                "how": {"type": "string", "enum": list(HOWS)}}},
            "category": {"type": ["string", "null"]},
            "distance_m": {"type": "integer"}, "walking_min": {"type": "integer"}}},
        "Search": {"type": "object", "required": ["query", "results"], "properties": {
            "query": {"type": "string"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchResult"},
                        "description": "best first; a category word's category entry leads"}}},
        "Feature": {"type": "object", "required": ["type", "id", "geometry", "properties"],
                    "properties": {
                        "type": {"const": "Feature"}, "id": {"type": "string"},
                        "geometry": {"type": "object", "required": ["type", "coordinates"],
                                     "properties": {"type": {"const": "Point"},
                                                    "coordinates": {"type": "array",
                                                                    "minItems": 2,
                                                                    "maxItems": 2}}},
                        "properties": {"type": "object"}}},
        "FeatureCollection": {
            "type": "object", "description": "One page, in id order (OGC API – Features paging)",
            "required": ["type", "features", "dataset_version", "numberMatched",
                         "numberReturned", "links"],
            "properties": {
                "type": {"const": "FeatureCollection"}, "dataset_version": {"type": "integer"},
                "numberMatched": {"type": "integer", "minimum": 0,
                                  "description": "features matching the filters, on all pages"},
                "numberReturned": {"type": "integer", "minimum": 0,
                                   "description": "features on this page"},
                "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"},
                          "description": "self; and next, unless this is the last page"},
                "features": {"type": "array",
                             "items": {"$ref": "#/components/schemas/Feature"}}}},
        "Link": {"type": "object", "required": ["rel", "href"], "properties": {
            "rel": {"type": "string", "enum": ["self", "next"]},
            "href": {"type": "string", "format": "uri-reference",
                     "description": "a path and query on this server"}}},
        "Categories": {"type": "object", "required": ["categories", "access"]},
        "Snapshot": _snapshot_schema(),
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}},
        "Refusal": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "message", "fields"],
            "properties": {"status": {"const": 400}, "message": {"type": "string"},
                           "fields": {"type": "object", "additionalProperties": {
                               "type": "string"},
                               "description": "each refused field and what to change, in"
                                              " the request's language (lang, Accept-Language;"
                                              " default zh)"}}}}},
        "Report": {
            "type": "object", "required": ["kind"], "additionalProperties": False,
            "properties": {
                "kind": {"type": "string", "enum": list(REPORT_KINDS)},
                "note": NOTE, **POINT,
                "amenities": EQUIPMENT | {"description": "For missing_equipment: what is"
                                          " missing. " + EQUIPMENT["description"]},
                "opening_hours": HOURS | {"description": "For wrong_hours: the real hours. "
                                          + HOURS["description"]}},
            "description": "lat and lon come together; wrong_location needs them (the right"
                           " position)"},
        "Suggestion": {
            "type": "object", "required": ["category", "name", "lat", "lon"],
            "additionalProperties": False,
            "properties": {
                "category": CATEGORY,
                "name": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH["name"]},
                **POINT,
                "floor": {"type": "string", "maxLength": MAX_LENGTH["floor"]},
                "opening_hours": HOURS, "amenities": EQUIPMENT, "note": NOTE},
            "description": "Checked as one row of an import file is (docs/csv-format.md)"},
        "Submitted": {"type": "object", "required": ["id", "status"], "properties": {
            "id": {"type": "integer", "minimum": 1}, "status": {"const": "new"}}},
    }


def _feature_example() -> dict:
    """The example facility as a Feature."""
    props = {k: v for k, v in EXAMPLE_FACILITY.items() if k not in ("lat", "lon")}
    return {"type": "Feature", "id": EXAMPLE_FACILITY["id"], "properties": props,
            "geometry": {"type": "Point", "coordinates": [113.040056, 22.520979]}}


def _submission(operation_id: str, summary: str, body_ref: str, example: dict,
                parameters: list | None = None) -> dict:
    """A POST that stores a visitor's submission for moderation."""
    return {"post": {
        "operationId": operation_id, "summary": summary,
        **({"parameters": parameters} if parameters else {}),
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body_ref}"}, "example": example}}},
        "responses": {
            "201": {"description": "Stored as new; nothing public changes until an admin"
                                   " accepts it",
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Submitted"},
                        "example": {"id": 17, "status": "new"}}}},
            "400": {"description": "A field was refused (fields says which and why), or the"
                                   " body is not a JSON object",
                    "content": {"application/json": {"schema": {"anyOf": [
                        {"$ref": "#/components/schemas/Refusal"},
                        {"$ref": "#/components/schemas/Error"}]}}}},
            **({"404": _error("No facility has this id")} if parameters else {}),
            "413": _error(f"The body is over {MAX_BODY_BYTES} bytes"),
            "415": _error("The body is not application/json"),
            "429": _error("Too many reports from this client or from everyone lately")
                   | {"headers": {"Retry-After": {"schema": {"type": "integer"},
                                                  "description": "seconds to wait"}}},
            "503": _error("The database could not be written just now")}}}


def _paths() -> dict:
    """Every route under /api."""
    nearest_example = {
        "origin": {"lat": 22.5281, "lon": 113.031, "label": "", "source": "coordinates",
                   "facility_id": None},
        "dataset_version": 3, "beyond_radius": False, "walking_speed_m_per_min": 75,
        "results": [EXAMPLE_FACILITY | {"distance_m": 1304, "walking_min": 18}]}
    search_example = {"query": "Jingtan Libary", "results": [
        EXAMPLE_FACILITY | {"type": "facility", "distance_m": 1040, "walking_min": 14,
                            "matched": {"field": "name_en", "text": "Jingtang Library",
                                        "how": "typo"}}]}
    following = "/api/facilities?category=landmark&limit=1&cursor=" + Cursor(
        3, EXAMPLE_FACILITY["id"]).encode()
    collection_example = {
        "type": "FeatureCollection", "dataset_version": 3, "numberMatched": 12,
        "numberReturned": 1, "features": [_feature_example()],
        "links": [{"rel": "self", "href": "/api/facilities?category=landmark&limit=1"},
                  {"rel": "next", "href": following}]}
    return {
        "/api/nearest": {"get": {
            "operationId": "nearest",
            "summary": "Nearest facilities by geodesic distance (ties by id)",
            "parameters": NEAREST_PARAMS,
            "responses": {"200": _ok("Nearest", nearest_example, _to_facility("/results/0/id")),
                          **COMMON_ERRORS,
                          "404": _error("q matched no place"),
                          "503": _error("The optional external place search failed")}}},
        "/api/search": {"get": {
            "operationId": "search",
            "summary": "The search box: names, aliases, pinyin, typos, category words, routes",
            "parameters": SEARCH_PARAMS,
            "responses": {"200": _ok("Search", search_example,
                                     _to_facility("/results/0/id")),
                          **COMMON_ERRORS,
                          "503": _error("The optional external place search failed")}}},
        "/api/facilities": {"get": {
            "operationId": "facilities",
            "summary": "Facilities as GeoJSON, one page at a time, in id order",
            "parameters": FACILITY_PARAMS,
            "responses": {"200": _ok("FeatureCollection", collection_example,
                                     _to_facility("/features/0/id"), NEXT_PAGE_HEADER),
                          **COMMON_ERRORS,
                          "410": _error("The cursor is from an older dataset version: start"
                                        " again from the first page")}}},
        "/api/facilities/{facility_id}": {"get": {
            "operationId": "getFacility",
            "summary": "One facility as a GeoJSON Feature",
            "parameters": [{"name": "facility_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}, LANG],
            "responses": {"200": _ok("Feature", _feature_example()),
                          "404": _error("No facility has this id")}}},
        "/api/snapshot": {"get": {
            "operationId": "snapshot",
            "summary": "Every facility with its open stretches for the next 7 days (offline use)",
            "parameters": SNAPSHOT_PARAMS,
            "responses": {"200": _ok("Snapshot", SNAPSHOT_EXAMPLE, headers={"ETag": {
                "schema": {"type": "string"},
                "description": "v<format>.<dataset version>.<date>[.zh-Hant][.<bbox digest>]"}}),
                "400": _error("A parameter is wrong, or the data holds more facilities than"
                              " one snapshot (SNAPSHOT_MAX_FACILITIES): give a (smaller) bbox")
                | {"headers": {"Locator-Snapshot-Cell": {
                    "schema": {"type": "string"},
                    "description": "without bbox on a large deployment: the grid cell in"
                                   " degrees to build a box of 3×3 cells around the visitor"}}}}}},
        "/api/facilities/{facility_id}/reports": _submission(
            "reportFacility", "Report a problem with a facility, or confirm it (all_good)",
            "Report", REPORT_EXAMPLE,
            [{"name": "facility_id", "in": "path", "required": True,
              "schema": {"type": "string"}}]),
        "/api/suggestions": _submission(
            "suggestPlace", "Suggest a new place", "Suggestion", SUGGESTION_EXAMPLE),
        "/api/categories": {"get": {
            "operationId": "categories",
            "summary": "Categories, labels (zh/en) and amenity vocabularies",
            "responses": {"200": _ok("Categories", {"categories": [], "access": []})}}},
        "/api/openapi.json": {"get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1 document",
                                  "content": {"application/json": {"schema": {
                                      "type": "object"}}}}}}},
    }


def document() -> dict:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Locator API", "version": "1",
                 "description": "Nursing rooms, coach and bus stops and landmarks in Xinhui. "
                                "Coordinates are WGS-84 everywhere."},
        "paths": _paths(),
        "components": {"schemas": _schemas()},
    }

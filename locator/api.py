"""The public JSON/GeoJSON API under /api (interfaces fixed in DESIGN.md)."""

from flask import Blueprint, jsonify, request

from . import openapi
from .categories import ACCESS_LABELS, AMENITY_LABELS, CATEGORIES
from .db import open_store
from .errors import error_response
from .params import ParamError, bbox_param, category_param, nearest_params, text_param
from .places import GeocoderUnavailable, PlaceNotFound
from .results import WALKING_M_PER_MIN, describe, feature, now
from .search import dataset_version, run_nearest

bp = Blueprint("api", __name__, url_prefix="/api")
CACHE_SECONDS = 60
SEARCH_LIMIT = 500


@bp.errorhandler(ParamError)
def bad_parameter(exc: ParamError):
    """A bad query parameter: 400 with what to fix."""
    return error_response(400, str(exc))


@bp.errorhandler(PlaceNotFound)
def place_not_found(exc: PlaceNotFound):
    """q named nothing we know."""
    return error_response(404, f"no place matches {str(exc)[:80]!r}: try another name, or lat/lon")


@bp.errorhandler(GeocoderUnavailable)
def geocoder_unavailable(_exc: GeocoderUnavailable):
    """The external place search failed: say so plainly."""
    return error_response(503, "place search is unavailable right now: use lat/lon instead")


@bp.after_request
def cache_and_share(response):
    """ETag + Cache-Control on successful GETs; the read API is open to every origin."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "GET" and response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.max_age = CACHE_SECONDS
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.get("/nearest")
def nearest():
    """The nearest facilities to lat/lon or to the place q, by geodesic distance."""
    params, at = nearest_params(request.args), now()
    result = run_nearest(open_store(), params, at)
    return jsonify({
        "origin": result.origin.as_json(),
        "dataset_version": result.version,
        "beyond_radius": result.found.beyond_radius,
        "walking_speed_m_per_min": WALKING_M_PER_MIN,
        "results": [describe(h.record, at, h.distance_m) for h in result.found.hits],
    })


@bp.get("/facilities")
def facilities():
    """Facilities as a GeoJSON FeatureCollection, filtered by category, bbox and q."""
    category, box, q = category_param(request.args), bbox_param(request.args), text_param(
        request.args, "q")
    store, at = open_store(), now()
    with store.reading():
        if q:
            records = store.search(q, limit=SEARCH_LIMIT)
        elif box:
            records = store.in_box(*box, category=category)
        else:
            records = store.facilities(category)
        version = dataset_version(store)
    records = [r for r in records if _matches(r, category, box)]
    records.sort(key=lambda r: r["id"])
    return jsonify({"type": "FeatureCollection", "dataset_version": version,
                    "features": [feature(r, at) for r in records]})


def _matches(record: dict, category: str | None, box) -> bool:
    """Whether a record passes the category and bbox filters."""
    if category and record["category"] != category:
        return False
    if box:
        min_lat, min_lon, max_lat, max_lon = box
        return min_lat <= record["lat"] <= max_lat and min_lon <= record["lon"] <= max_lon
    return True


@bp.get("/facilities/<facility_id>")
def facility(facility_id: str):
    """One facility as a GeoJSON Feature."""
    record = open_store().facility(facility_id)
    if record is None:
        return error_response(404, f"no facility with id {facility_id[:64]!r}")
    return jsonify(feature(record, now()))


@bp.get("/categories")
def categories():
    """Categories with labels in both languages and their amenity vocabularies."""
    return jsonify({
        "categories": [
            {"key": c.key, "label": {"zh": c.label_zh, "en": c.label_en}, "icon": c.icon,
             "has_routes": c.has_routes,
             "amenities": [{"key": a, "label": {"zh": AMENITY_LABELS[a][0],
                                                "en": AMENITY_LABELS[a][1]}}
                           for a in c.amenities]}
            for c in CATEGORIES.values()],
        "access": [{"key": k, "label": {"zh": zh, "en": en}}
                   for k, (zh, en) in ACCESS_LABELS.items()],
    })


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.document())


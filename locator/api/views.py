"""The public JSON/GeoJSON API under /api (documented in /api/openapi.json: openapi.py)."""

from flask import Blueprint, current_app, jsonify, request, url_for

from locator.api import openapi, reports
from locator.api.paging import MAX_PAGE_LIMIT, PAGE_LIMIT, Cursor, cursor_param
from locator.config import current_settings
from locator.core import hours
from locator.core.catalogue import translate
from locator.core.categories import ACCESS_LABELS, AMENITIES, CATEGORIES
from locator.core.traditional import for_language, is_traditional, to_traditional
from locator.db import open_store
from locator.search import matching
from locator.search.geocode import geocode
from locator.search.nearby import run_nearest
from locator.search.origin import GeocoderUnavailable, PlaceNotFound
from locator.search.params import (
    ParamError,
    bbox_param,
    category_param,
    district_param,
    limit_param,
    nearest_params,
    search_params,
    text_param,
)
from locator.search.present import WALKING_M_PER_MIN, Statuses, describe, feature, search_result
from locator.search.snapshot import TooMany, snapshot
from locator.web.errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api")
CACHE_SECONDS = 60
# The arguments a page's links carry over (with a new cursor); anything else is dropped.
PAGE_ARGS = ("category", "bbox", "q", "district", "limit", "lang")


bp.add_url_rule("/facilities/<facility_id>/reports", view_func=reports.submit_report,
                 methods=["POST"])
bp.add_url_rule("/suggestions", view_func=reports.submit_suggestion, methods=["POST"])
bp.register_error_handler(reports.Refused, reports.refused)


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
    settings = current_settings()
    params, at = nearest_params(request.args), settings.now()
    result = run_nearest(open_store(), params, at, settings)
    origin = result.origin.as_json()
    if _traditional():
        origin["label"] = to_traditional(origin["label"])
    version = (settings.database, result.version)
    return jsonify({
        "origin": origin,
        "dataset_version": result.version,
        "beyond_radius": result.found.beyond_radius,
        "walking_speed_m_per_min": WALKING_M_PER_MIN,
        "results": [describe(_shown(h.record, version), result.statuses.of(h.record), at,
                             h.distance_m)
                    for h in result.found.hits],
    })


def _traditional() -> bool:
    """Whether this request asks for the data in Traditional Chinese (lang=zh-Hant, zh-HK…)."""
    return is_traditional(request.args.get("lang"))


def _shown(record: dict, version) -> dict:
    """`record` in the request's `lang`: in Traditional Chinese its texts converted and
    `name_stored` added (cached per `version`: database and dataset version); else as stored."""
    return for_language(record, request.args.get("lang"), version)


@bp.get("/search")
def search():
    """What the search box finds: facilities by name, alias, pinyin, typo or route, a category
    named by a word (then its nearest facilities), or a place from the geocoder."""
    settings = current_settings()
    params, at = search_params(request.args), settings.now()
    store = open_store()
    found = matching.find(store, params.q, lat=params.lat, lon=params.lon, limit=params.limit)
    statuses = Statuses(at)
    results = [search_result(m, statuses.of(m.record), at) for m in found.matches]
    if _traditional():
        with store.reading():
            version = (settings.database, store.versions.current_number())
        results = [_search_shown(r, version) for r in results]
    if found.category is not None:
        key, word = found.category
        results.insert(0, {"type": "category", "category": key,
                           "name": _zh(CATEGORIES[key].label),
                           "name_en": translate(CATEGORIES[key].label, "en"),
                           "matched": {"field": "category", "text": word,
                                       "how": "category_word"}})
    elif not results and settings.geocoder:
        place = geocode(params.q, settings=settings.geocoding)
        if place is not None:
            name = to_traditional(place.label) if _traditional() else place.label
            results.append({"type": "place", "category": None, "name": name,
                            "name_en": place.label, "lat": place.lat, "lon": place.lon,
                            "matched": {"field": "address", "text": params.q, "how": "exact"}})
    return jsonify({"query": params.q, "results": results})


def _search_shown(result: dict, version) -> dict:
    """A facility found by the search box, its texts and the text it matched by in
    Traditional Chinese."""
    shown = {**result, **for_language(result, "zh-Hant", version)}
    matched = result["matched"]
    text = shown["name"] if matched["field"] == "name" else to_traditional(matched["text"])
    return shown | {"matched": {**matched, "text": text}}


def _zh(msgid: str) -> str:
    """A label in Chinese, in Traditional characters when the request asks for them."""
    label = translate(msgid, "zh")
    return to_traditional(label) if _traditional() else label


@bp.get("/facilities")
def facilities():
    """One page of facilities, filtered by category, bbox and q, as a GeoJSON FeatureCollection
    paged the OGC API – Features way: limit, cursor, numberMatched, numberReturned, links."""
    args = request.args
    category, box, q = category_param(args), bbox_param(args), text_param(args, "q")
    district = district_param(args)
    limit, cursor = limit_param(args, PAGE_LIMIT, MAX_PAGE_LIMIT), cursor_param(args)
    store, at = open_store(), current_settings().now()
    with store.reading():
        version = store.versions.current_number()
        if cursor is not None and cursor.version != version:
            return error_response(410, f"this cursor is for dataset version {cursor.version},"
                                       f" which is now version {version}: start again from the"
                                       " first page, without cursor")
        page = store.facilities.after(cursor.after if cursor else "", limit, text=q,
                                      category=category, box=box, district=district)
    shown = [_shown(r, (current_settings().database, version)) for r in page.records]
    links = [{"rel": "self", "href": _page_href(cursor)}]
    if page.more:
        links.append({"rel": "next", "href": _page_href(Cursor(version, page.records[-1]["id"]))})
    response = jsonify({"type": "FeatureCollection", "dataset_version": version,
                        "numberMatched": page.matched, "numberReturned": len(page.records),
                        "links": links, "features": [_feature(r, at) for r in shown]})
    if page.more:
        response.headers["Link"] = f'<{links[-1]["href"]}>; rel="next"'
    return response


def _page_href(cursor: Cursor | None) -> str:
    """This list's path and query with `cursor`: never the request's Host, which anyone sets."""
    kept = {name: value for name in PAGE_ARGS
            if (value := request.args.get(name, "").strip())}
    if cursor is not None:
        kept["cursor"] = cursor.encode()
    return url_for("api.facilities", **kept)


@bp.get("/facilities/<facility_id>")
def facility(facility_id: str):
    """One facility as a GeoJSON Feature."""
    store, settings = open_store(), current_settings()
    with store.reading():
        record = store.facilities.get(facility_id)
        version = (settings.database, store.versions.current_number())
    if record is None:
        return error_response(404, f"no facility with id {facility_id[:64]!r}")
    return jsonify(_feature(_shown(record, version), settings.now()))


def _feature(record: dict, at) -> dict:
    """A record as a GeoJSON Feature, its hours status at `at` computed once."""
    return feature(record, hours.status(record["opening_hours"], at), at)


@bp.get("/snapshot")
def offline_snapshot():
    """Every facility (or those in bbox) with its open stretches for the next 7 days: what the
    service worker keeps for offline use. The ETag names the dataset version and the date."""
    settings = current_settings()
    try:
        snap = snapshot(open_store(), settings.now(), settings.snapshot_max_facilities,
                        source=settings.database, box=bbox_param(request.args),
                        traditional=_traditional())
    except TooMany as exc:
        response = error_response(400, str(exc))
        if exc.cell:  # the service worker builds its box from this cell (static/js/offline_sw.js)
            response.headers["Locator-Snapshot-Cell"] = str(exc.cell)
        return response
    response = current_app.response_class(snap.body, mimetype="application/json")
    response.set_etag(snap.etag)
    return response


@bp.get("/categories")
def categories():
    """Categories with labels in both languages and their amenity vocabularies."""
    return jsonify({
        "categories": [
            {"key": c.key, "label": _both(c.label), "icon": c.icon,
             "has_routes": c.has_routes,
             "amenities": [{"key": a, "label": _both(AMENITIES[a].label)} for a in c.amenities]}
            for c in CATEGORIES.values()],
        "access": [{"key": k, "label": _both(msgid)} for k, msgid in ACCESS_LABELS.items()],
    })


def _both(msgid: str) -> dict[str, str]:
    """A label in both languages, whatever the request's (the API answers in both)."""
    return {"zh": translate(msgid, "zh"), "en": translate(msgid, "en")}


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.document())


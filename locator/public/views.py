"""Public pages: home, nearest results, one facility, the overview map (and its data)."""

import dataclasses
import re

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from werkzeug.datastructures import MultiDict

from locator.config import current_settings
from locator.core import hours
from locator.core.categories import CATEGORIES, category_label
from locator.core.geo import geodesic_m
from locator.db import open_store
from locator.maps import layers
from locator.public import feedback, filters, pages, styles
from locator.search.intent import read_intent
from locator.search.nearby import run_nearest
from locator.search.origin import GeocoderUnavailable, Origin, PlaceNotFound, resolve_origin
from locator.search.params import MAX_QUERY_CHARS, ParamError, category_param, nearest_params
from locator.search.present import describe, open_first
from locator.web import hours_text
from locator.web.i18n import LANGUAGES, gettext

bp = Blueprint("views", __name__)
_CJK = re.compile(r"[\u3400-\u9fff]")  # a source written in Chinese (else it is English)
PAGE_RADIUS_M = "5000"  # pages look within 5 km, then say how far the nearest one is
SHELL_MAX_AGE = 365 * 24 * 3600  # shell URLs carry their content's digest
DATA_MAX_AGE = 60
# Overview points per (database, dataset version, base map, language): 10,000 datum shifts and
# rows are worth computing once per import, not per request.
_POINTS: dict[tuple, dict] = {}
POINTS_CACHE_SIZE = 8


@bp.app_context_processor
def page_helpers() -> dict:
    """Language and link helpers every template (ours, errors, admin) may use."""
    return {"html_lang": pages.html_lang, "page_lang": pages.lang, "lang_url": pages.lang_url,
            "language_switch": pages.language_switch, "page_url": pages.page_url,
            "category_css_url": _category_css_url}


@bp.errorhandler(ParamError)
def bad_parameter(exc: ParamError):
    """A bad query parameter: a friendly 400 page that says what to change."""
    # The checker's message names the parameter (English only: it is shared with the API), so
    # the page leads with a sentence in the page language and shows the detail beneath.
    return render_template("views/problem.html", title=gettext("This link has a mistake"),
                           detail=gettext("Part of the address is wrong. Search again below, "
                                          "or start from the start page."),
                           technical=str(exc), categories=_categories()), 400


@bp.get("/")
def home():
    """Four category buttons, "use my location", and a place search."""
    return render_template("views/home.html", categories=_categories())


@bp.get("/nearest")
def nearest():
    """The nearest facilities as a list (works without JavaScript) beside a map."""
    args = MultiDict(request.args)
    if not any(args.get(k, "").strip() for k in ("lat", "lon", "q")):
        return _nearest_page("ask", category_param(args))
    args.setdefault("radius_m", PAGE_RADIUS_M)
    params = nearest_params(args)  # every argument checked before any is read (400 otherwise)
    q = params.q[:MAX_QUERY_CHARS]
    intent = read_intent(open_store(), q) if q else None
    if intent is not None and intent.kind == "facility":
        if params.category in (None, intent.category):  # a name: that facility's page
            return redirect(url_for("views.facility", facility_id=intent.facility_ids[0]), 303)
        intent = None  # a place to search another kind near, as the form's title says
    if _read_query(args, intent):  # the box asked for a kind or a destination: search again
        params = nearest_params(args)
    # near=centre: a list that started from the district's centre keeps saying so (its chips).
    from_centre = args.get("near") == "centre"
    settings = current_settings()
    at = settings.now()
    category = params.category
    only = frozenset(intent.facility_ids) if intent and intent.kind == "destination" else None
    try:
        result = run_nearest(open_store(), params, at, settings, only=only)
    except PlaceNotFound:
        return _nearest_page("no_place", category, q=params.q), 404
    except GeocoderUnavailable:
        return _nearest_page("geocoder_down", category, q=params.q), 503
    if from_centre:
        centre = gettext("the district centre")
        result = dataclasses.replace(result, origin=Origin(
            result.origin.lat, result.origin.lon, centre, "centre", label_en=centre))
    outside = not _in_area(result.origin.lat, result.origin.lon, settings.service_area)
    start = pages.origin_place(result.origin, _origin_words(result.origin))
    # Page order: the nearest open one first (the API keeps distance order); cards are
    # numbered as shown, so the map's pins match them.
    hits = open_first(result.found.hits, lambda h: result.statuses.is_open(h.record))
    lead = result.found.hits.index(hits[0]) if hits else 0  # how many nearer ones it passed
    cards = []
    version = (settings.database, result.version)
    for n, hit in enumerate(hits, start=1):
        status = result.statuses.of(hit.record)
        record = pages.shown(hit.record, version)
        cards.append(pages.card(describe(record, status, at, hit.distance_m), status, at, n,
                                start, outside))
        cards[-1]["nearer_closed"] = 1 < n <= lead + 1
    state = _result_state(result.found, cards)
    origin = result.origin.as_json()
    origin["label"] = pages.in_script(origin["label"])
    data = layers.point_data(origin, [pages.map_point(c) for c in cards], pages.tiles())
    data["labels"] = _map_labels(result.origin)
    hid_unknown = params.open_now and result.statuses.saw_unknown()
    return _nearest_page(state, category, q=q or params.q, cards=cards, origin=origin,
                         destination=q if only is not None else "",
                         near="centre" if from_centre else None,
                         origin_label=_origin_words(result.origin), params=params,
                         map_data=data, outside=outside, hid_unknown=hid_unknown,
                         led_by_open=lead > 0,
                         equipment=filters.equipment(category, params.amenities),
                         amenity_links=filters.kept_by_category(params.amenities))


def _read_query(args: MultiDict, intent) -> bool:
    """Turn what the box asked for into the list's arguments (True if they changed): a category
    word searches that category, a destination its stops (any category), each near the
    visitor's position when the page knew it, else near the district's centre (near=centre).
    A place name is left as it was: the origin, unless a position is given (which wins, as in
    the API)."""
    if intent is None or intent.kind == "place":
        return False
    args.pop("q", None)
    if intent.kind == "category":
        args["category"] = intent.category
    else:
        args.pop("category", None)
    if not (args.get("lat", "").strip() and args.get("lon", "").strip()):
        args["lat"], args["lon"] = (str(v) for v in layers.CENTRE)
        args["near"] = "centre"
    return True


def _in_area(lat: float, lon: float, area: tuple[float, float, float, float]) -> bool:
    """Whether (lat, lon) lies in the service area [min_lat, min_lon, max_lat, max_lon]."""
    return area[0] <= lat <= area[2] and area[1] <= lon <= area[3]


def _origin_words(origin) -> str:
    """The origin as the page names it: "my location", or the place in the page language."""
    if origin.source == "coordinates":
        return gettext("My location")
    if pages.lang() == "en" and origin.label_en:
        return origin.label_en
    return pages.in_script(origin.label)


def _result_state(found, cards: list) -> str:
    """results | beyond (none within the radius) | empty_category | no_match."""
    if found.beyond_radius:
        return "beyond"
    if cards:
        return "results"
    if found.extent is None:  # read in the search's own snapshot
        return "empty_category"
    return "no_match"


def _nearest_page(state: str, category: str | None, **context) -> str:
    """Render the nearest page in one of its states."""
    shell = _shell("points") if context.get("map_data") else None
    return render_template("views/nearest.html", state=state, category=category,
                           category_label=pages.category_label(category) if category else "",
                           category_in_text=pages.category_in_text(category) if category else "",
                           categories=_categories(), shell=shell,
                           radius_km=int(PAGE_RADIUS_M) / 1000, **context)


@bp.get("/facilities/<facility_id>")
def facility(facility_id: str):
    """Everything about one facility: hours for the week, map, navigate links."""
    store, settings = open_store(), current_settings()
    with store.reading():
        record = store.facilities.get(facility_id)
        version = (settings.database, store.versions.current_number())
    if record is None:
        return render_template("views/problem.html", title=gettext("No such place"),
                               detail=gettext("It may have been removed or renamed."),
                               categories=_categories()), 404
    record = pages.shown(record, version)
    at = settings.now()
    status = hours.status(record["opening_hours"], at)
    origin = _carried_origin(settings)
    distance = geodesic_m(origin.lat, origin.lon, record["lat"], record["lon"]) if origin else None
    outside = origin is not None and not _in_area(origin.lat, origin.lon, settings.service_area)
    start = pages.origin_place(origin, _origin_words(origin)) if origin else None
    card = pages.card(describe(record, status, at, distance), status, at, None, start, outside)
    oh = record["opening_hours"] or ""
    # Unknown hours are said once, by the badge, not by seven rows of "unknown".
    known = bool(oh.strip()) and hours.validate(oh) is None
    week = [(format_date(day, gettext("EEE, MMM d")), text, day == at.date())
            for day, text in hours_text.week(oh, at.date())] if known else []
    data = layers.point_data(None, [pages.map_point(card)], pages.tiles())
    data["labels"] = _map_labels(None)
    query = pages.list_query()
    back = (url_for("views.nearest", **query) if {"lat", "q"} & query.keys()
            else url_for("views.nearest", category=card["category_key"]))
    return render_template("views/facility.html", f=card, record=record, week=week,
                           description=pages.localized(record, "description"),
                           shell=_shell("points"), map_data=data, back=back,
                           source_lang="zh-CN" if _CJK.search(record["source"] or "") else "en",
                           said=feedback.said_now(record["id"]))


def _carried_origin(settings):
    """The results list's origin, from the list's query that a facility link carries (only to
    show distance and routes: never logged or kept); None without one or with a bad one."""
    args = MultiDict(request.args)
    if not any(args.get(k, "").strip() for k in ("lat", "lon", "q")):
        return None
    try:
        return resolve_origin(open_store(), nearest_params(args), settings)
    except (ParamError, PlaceNotFound, GeocoderUnavailable):
        return None


@bp.get("/map")
def overview():
    """Every facility on one map, a clustered layer per category, data loaded as JSON."""
    category = category_param(request.args)
    store = open_store()
    with store.reading():
        version, extent = store.versions.current_number(), store.facilities.extent(category)
    data = {"url": url_for("views.map_points", lang=pages.lang(), v=version),
            "show": [category] if category else list(CATEGORIES),
            "classes": {c.key: c.css_class for c in CATEGORIES.values()},
            "facility_url": url_for("views.facility", facility_id=""),
            "bounds": _display_bounds(extent) or _district_bounds(),
            "labels": _map_labels(None) | {"locate": gettext("Show where I am")}}
    return render_template("views/map.html", shell=_shell("overview"), category=category,
                           category_label=pages.category_label(category) if category else "",
                           empty=extent is None, categories=_categories(), map_data=data)


def _district_bounds() -> list:
    """The service area's corners as display positions: what an empty map shows."""
    min_lat, min_lon, max_lat, max_lon = current_settings().service_area
    tiles = pages.tiles()
    return [list(layers.display_point(min_lat, min_lon, tiles)),
            list(layers.display_point(max_lat, max_lon, tiles))]


def _display_bounds(extent) -> list | None:
    """The extent's corners as [[lat, lon], [lat, lon]] display positions, or None."""
    if extent is None:
        return None
    tiles = pages.tiles()
    return [list(layers.display_point(extent.min_lat, extent.min_lon, tiles)),
            list(layers.display_point(extent.max_lat, extent.max_lon, tiles))]


def _map_labels(origin) -> dict:
    """The few words map.js shows, in the page language."""
    if origin is None or origin.source == "coordinates":
        start = gettext("You are here")
    else:
        start = gettext("Start: %(place)s", place=_origin_words(origin))
    return {"origin": start, "details": gettext("Details"), "zoom_in": gettext("Zoom in"),
            "zoom_out": gettext("Zoom out"), "layers": gettext("Choose what the map shows")}


@bp.get("/map/points.json")
def map_points():
    """Compact per-category points for the overview map, at their display positions."""
    store = open_store()
    with store.reading():
        key = (current_settings().database, store.versions.current_number(), pages.tiles(),
               pages.lang())
        data = _POINTS.get(key)
        if data is None:
            records = [pages.shown(r, key[:2]) for r in store.facilities.all()]
            data = layers.overview_data(records, key[2], key[3])
            if len(_POINTS) >= POINTS_CACHE_SIZE:
                _POINTS.clear()
            _POINTS[key] = data
    response = jsonify(data)
    response.cache_control.public = True
    response.cache_control.max_age = DATA_MAX_AGE
    if request.args.get("lang") not in LANGUAGES:
        # The language came from the cookie or Accept-Language: a shared cache must key on them.
        response.vary.update(("Accept-Language", "Cookie"))
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/map/shell/<kind>.<lang>.<digest>.js")
def map_shell(kind: str, lang: str, digest: str):
    """A folium map shell as a script file: the same bytes in every worker, cached for a year."""
    if kind not in layers.KINDS or lang not in LANGUAGES:
        abort(404)
    shell = _build_shell(kind, lang)
    if shell.digest != digest:
        abort(404)  # from an older configuration: the page that asked is stale
    response = Response(shell.script, mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = SHELL_MAX_AGE
    response.cache_control.immutable = True
    return response


@bp.get("/styles/categories.<digest>.css")
def category_css(digest: str):
    """The categories' colours as a stylesheet, written from the registry, cached for a year."""
    if digest != styles.category_css_digest():
        abort(404)  # from before a change of the registry: the page that asked is stale
    response = Response(styles.category_css(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = SHELL_MAX_AGE
    response.cache_control.immutable = True
    return response


def _category_css_url() -> str:
    """The URL of the categories' stylesheet, named by its content."""
    return url_for("views.category_css", digest=styles.category_css_digest())


def _shell(kind: str) -> dict:
    """The page's map shell: script URL, asset files and credit line."""
    shell = _build_shell(kind, pages.lang())
    return {"url": url_for("views.map_shell", kind=kind, lang=shell.lang, digest=shell.digest),
            "js": [_static(u) for u in shell.js], "css": [_static(u) for u in shell.css],
            "credit": shell.credit, "div_id": shell.div_id}


def _static(path: str) -> str:
    """A /static/… path through url_for, so it gets the app's cache-busting treatment."""
    prefix = "/static/"
    return url_for("static", filename=path[len(prefix):]) if path.startswith(prefix) else path


def _build_shell(kind: str, lang: str) -> layers.Shell:
    """The cached folium shell for `kind` in `lang` with the configured tiles.

    folium is slow to import, so it loads on first use: CLI commands never draw a map, and
    gunicorn's master builds the shells while warming up, before it forks the workers.
    """
    from locator.maps import shells

    names = tuple((c.key, category_label(c.key, lang)) for c in CATEGORIES.values())
    return shells.build_shell(kind, lang, pages.tiles(),
                                  names if kind == "overview" else ())


def _categories() -> list[dict]:
    """The categories as buttons show them."""
    return pages.categories()

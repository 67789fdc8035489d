"""What the public pages show about a facility: distance, hours, amenities, navigate links."""

import re
from datetime import datetime
from urllib.parse import urlencode

from flask import g, request, url_for
from flask_babel import get_locale

from locator.config import current_settings
from locator.core import hours
from locator.core.categories import ACCESS_LABELS, AMENITIES, CATEGORIES
from locator.core.navigate import CAR, TRANSIT, WALK, Place, navigate_links
from locator.core.terms import has_han, romanized, split_list
from locator.core.towns import town_name
from locator.core.traditional import for_language, is_traditional, to_traditional
from locator.maps import layers
from locator.search.present import WALKING_LIMIT_M
from locator.web.hours_text import next_change_text
from locator.web.i18n import gettext, is_chinese, language_code

# The query parameters each page reads. Its language and page links keep these and nothing
# else: url_for(**request.args) let a visitor pass url_for's own options (_external, _anchor…).
LIST_PARAMETERS = ("lat", "lon", "q", "category", "amenity", "access", "limit", "radius_m",
                   "open_now", "near")
PAGE_PARAMETERS = {
    "views.nearest": LIST_PARAMETERS,
    "views.overview": ("category",),
    "views.facility": LIST_PARAMETERS,
    "feedback.suggest": ("lat", "lon"),
    "admin.login": ("next",),
    "admin.audit": ("page",),
    "admin.facilities.index": ("category", "q", "unverified", "page"),
    "admin.reports.index": ("status", "kind", "facility", "page"),
}


def lang() -> str:
    """The page language: "zh", "zh-Hant" or "en" (decided once per request)."""
    code = g.get("page_lang")
    if code is None:
        code = g.page_lang = language_code(get_locale())
    return code


HTML_LANGS = {"zh": "zh-CN", "zh-Hant": "zh-Hant", "en": "en"}
# The language switch: each language named in itself, briefly on the button (a phone's header
# has room for three), in full for screen readers and the tooltip.
SWITCH = (("zh", "简", "简体中文"), ("zh-Hant", "繁", "繁體中文"), ("en", "EN", "English"))


def html_lang() -> str:
    """The <html lang> value."""
    return HTML_LANGS[lang()]


def language_switch() -> list[dict]:
    """The switch's entries: code, short and full name, its hreflang, and the link (None for
    the page's own language)."""
    return [{"code": code, "short": short, "name": name, "hreflang": HTML_LANGS[code],
             "url": None if code == lang() else lang_url(code)}
            for code, short, name in SWITCH]


def route_names(routes: str) -> list[str]:
    """A stop's routes as the page shows them: on English pages in pinyin with the Chinese
    beside it ("Shenzhen (深圳)"), so a traveller can match the sign at the stop."""
    names = split_list(routes)
    if is_chinese(lang()):
        return names
    return [f"{romanized(n)} ({n})" if has_han(n) else n for n in names]


def lang_url(code: str) -> str:
    """This page's URL in language `code` (its own query parameters kept)."""
    return page_url(lang=code)


def page_url(**changes) -> str:
    """This page's relative URL with only its own query parameters, `changes` applied."""
    known = PAGE_PARAMETERS.get(request.endpoint, ())
    query = [(name, value) for name, value in request.args.items(multi=True)
             if name in known and name not in changes]
    query += [(name, str(value)) for name, value in changes.items()]
    if request.endpoint:
        path = url_for(request.endpoint, **(request.view_args or {}))
    else:
        path = url_for("views.home")
    return f"{path}?{urlencode(query)}"


def tiles() -> layers.Tiles:
    """The configured base map."""
    return current_settings().tiles


def localized(record: dict, field: str) -> str:
    """`field` in the page language, falling back to the Chinese text."""
    if lang() == "en":
        return record.get(f"{field}_en") or record.get(field) or ""
    return shown(record).get(field) or ""


def shown(record: dict, version=None) -> dict:
    """`record` as the page shows it: on Traditional Chinese pages (zh-Hant) a copy with its
    texts converted (core/traditional.py, kept per `version`: database and dataset version),
    else the record itself; a record already converted is returned as it is."""
    if "name_stored" in record:
        return record
    return for_language(record, lang(), version)


def in_script(text: str) -> str:
    """A text from the data (a place's name) in the page's script: Traditional on zh-Hant
    pages, else as stored."""
    return to_traditional(text) if is_traditional(lang()) else text


def category_label(key: str) -> str:
    """A category's label in the page language."""
    return gettext(CATEGORIES[key].label)


def category_in_text(key: str) -> str:
    """A category's plural as it reads inside a sentence ("bus stops"), in the page language."""
    return gettext(CATEGORIES[key].in_text or CATEGORIES[key].label)


def categories() -> list[dict]:
    """The categories as buttons, chips and menus show them."""
    return [{"key": c.key, "label": gettext(c.label), "icon": c.symbol, "class": c.css_class}
            for c in CATEGORIES.values()]


def distance_text(metres: float) -> str:
    """"350 m" below a kilometre, "1.2 km" above (one decimal below 10 km)."""
    if metres < 1000:
        return gettext("%(n)s m", n=int(round(metres)))
    km = metres / 1000
    shown = format(km, ".1f" if km < 10 else ".0f")
    return gettext("%(n)s km", n=shown)


def hours_view(st: hours.HoursStatus, at: datetime, closing_soon: bool = False) -> dict:
    """Open/closing soon/closed/unknown, and what changes next, for the badge on a card."""
    state = {True: "open", False: "closed", None: "unknown"}[st.open_now]
    if state == "open" and closing_soon:
        state = "closing"
    headline = {"open": gettext("Open now"), "closing": gettext("Closing soon"),
                "closed": gettext("Closed now"), "unknown": gettext("Hours unknown")}[state]
    detail = "" if state == "unknown" else next_change_text(st, at)
    return {"state": state, "headline": headline, "detail": detail}


def amenities(record: dict) -> list[dict]:
    """The record's amenities with symbol and label, unknown tokens skipped."""
    tokens = [t.strip() for t in (record.get("amenities") or "").split(";") if t.strip()]
    return [{"key": t, "icon": AMENITIES[t].symbol, "label": gettext(AMENITIES[t].label)}
            for t in tokens if t in AMENITIES]


def nav_app_labels() -> dict[str, str]:
    """The navigate apps' names in the page language."""
    return {"amap": gettext("AMap"), "baidu": gettext("Baidu Maps"),
            "apple": gettext("Apple Maps"), "geo": gettext("Other map app")}


def nav_links(record: dict, origin: Place | None = None, mode: str = WALK) -> list[dict]:
    """Route links in `mode` to the record's WGS-84 position, with the app names."""
    labels = nav_app_labels()
    return [{"app": link.app, "label": labels[link.app], "url": link.url}
            for link in navigate_links(record["lat"], record["lon"], record["name"], origin,
                                       mode)]


def origin_place(origin, label: str) -> Place:
    """The search origin as a route's start, named `label` (the page's words for it)."""
    return Place(origin.lat, origin.lon, label)


def travel(item: dict, outside: bool) -> str:
    """How a card speaks of the way there: "walk" (an estimate), "far" (transit and car
    instead), "outside" (the origin is outside the service area: the distance only), or ""
    (no distance known)."""
    if "distance_m" not in item:
        return ""
    if outside:
        return "outside"
    return "far" if item["distance_m"] > WALKING_LIMIT_M else "walk"


def list_query() -> dict[str, list[str]]:
    """This request's results-list parameters (a facility link carries them, so that its page
    knows the distance and its breadcrumb returns to the same list)."""
    query = {name: [v for v in request.args.getlist(name) if v.strip()]
             for name in LIST_PARAMETERS}
    return {name: values for name, values in query.items() if values}


def card(item: dict, status: hours.HoursStatus, at: datetime, n: int | None = None,
         origin: Place | None = None, outside: bool = False) -> dict:
    """Everything a result card or a facility page shows about one described record, whose
    hours `status` at `at` the caller computed once; routes start at `origin` when known, and
    the origin is `outside` the service area when so. Its link carries the list's query."""
    access = item.get("access") or "public"
    way = travel(item, outside)
    walking = way in ("walk", "")
    return {
        "n": n, "id": item["id"], "name": localized(item, "name"),
        "other_name": item["name"] if lang() == "en" and item.get("name_en") else "",
        "category": category_label(item["category"]), "category_key": item["category"],
        "icon": CATEGORIES[item["category"]].symbol,
        "distance": distance_text(item["distance_m"]) if "distance_m" in item else "",
        "walking_min": item.get("walking_min"), "travel": way,
        "hours": hours_view(status, at, bool(item.get("closing_soon"))),
        "floor": item.get("floor") or "", "access_key": access,
        "access": gettext(ACCESS_LABELS[access]) if access in ACCESS_LABELS else access,
        "address": localized(item, "address"), "town": town_name(item.get("town") or "", lang()),
        "amenities": amenities(item),
        "routes": route_names(item.get("routes") or ""),
        "verified_on": item.get("verified_on") or "",
        # Beyond walking distance the routes are by transit, with car routes beside them.
        "nav": nav_links(item, origin, WALK if walking else TRANSIT),
        "nav_car": [] if walking else nav_links(item, origin, CAR)[:3],
        # Placed from its address by the geocoder and not yet checked on site: say so.
        "estimated": item.get("coord_source") == "geocoded" and not item.get("verified_on"),
        "phone": item.get("phone") or "", "tel": re.sub(r"[^0-9+]", "", item.get("phone") or ""),
        "url": url_for("views.facility", facility_id=item["id"], **list_query()),
        "lat": item["lat"], "lon": item["lon"],
    }


def map_point(c: dict) -> dict:
    """A card as the points map draws it."""
    return {"lat": c["lat"], "lon": c["lon"], "n": c["n"], "name": c["name"], "url": c["url"],
            "open": {"open": True, "closed": False}.get(c["hours"]["state"])}

"""Working offline after one visit: the web app manifest, the service worker and its offline page.

`/sw.js` is static/js/offline_sw.js preceded by its configuration (the shell's URLs, each named
by its content, so any change of an asset is a new worker the browser installs). The worker
keeps the shell and the facilities' snapshot (`/api/snapshot`, locator/search/snapshot.py) and,
when a page cannot be fetched, answers with `/offline`, whose script ranks the snapshot's
facilities around the phone's position exactly as the server would (static/js/offline.js).
"""

import hashlib
import json
import os
from datetime import date, timedelta
from functools import lru_cache

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import format_date

from locator.config import current_settings
from locator.core.categories import CATEGORIES
from locator.core.traditional import TRADITIONAL, is_traditional
from locator.public import pages, styles
from locator.search.params import MAX_LIMIT
from locator.search.present import WALKING_LIMIT_M, WALKING_M_PER_MIN
from locator.web import hours_text
from locator.web.i18n import LANGUAGES, gettext

bp = Blueprint("offline", __name__)
THEME_COLOUR = "#0b57a4"  # the brand blue of static/css/site.css
PAGE_RADIUS_M = 5000  # as the /nearest page (public/views.PAGE_RADIUS_M)
PAGE_LIMIT = 5
ICON_SIZES = (192, 512)
# Pages the worker answers with the offline page when the network fails (prefixes).
OFFLINE_PAGES = ("/", "/nearest", "/map", "/facilities/")
# Shell files every offline page and the results pages load (static/…), kept by the worker.
SHELL_FILES = ("css/site.css", "js/offline.js", "js/offline_navigate.js",
               "js/offline_register.js", "vendor/geographiclib-geodesic-2.2.0/"
               "geographiclib-geodesic.min.js", "vendor/leaflet-1.9.4/leaflet.js",
               "vendor/leaflet-1.9.4/leaflet.css", "icons/icon-192.png")
LANGS = LANGUAGES
MONDAY = date(2026, 11, 30)


@bp.app_context_processor
def offline_helpers() -> dict:
    """offline_head() for base.html: the manifest and worker registration, on public pages."""
    return {"offline_head": offline_head}


def offline_head() -> dict | None:
    """What base.html links for installing and offline use; None on the console's pages."""
    if request.blueprint not in ("views", "offline") or request.path.startswith("/admin"):
        return None  # the console and error pages neither offer the app nor register the worker
    lang = pages.lang()
    return {"manifest": url_for("offline.manifest", lang=lang), "theme": THEME_COLOUR,
            "register": url_for("static", filename="js/offline_register.js"),
            "worker": url_for("offline.worker"), "snapshot": _snapshot_url(),
            "lang": lang,
            "icon": url_for("static", filename="icons/icon-192.png")}


def _snapshot_url() -> str:
    """The snapshot a page keeps for offline use: its names in Traditional Chinese on zh-Hant
    pages (the worker keeps the last one a page asked for)."""
    if is_traditional(pages.lang()):
        return url_for("api.offline_snapshot", lang=TRADITIONAL)
    return url_for("api.offline_snapshot")


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest in the page language: names, icons, start page, colours."""
    lang = pages.lang()
    body = {
        "name": gettext("Xinhui facility finder"), "short_name": gettext("Facility finder"),
        "description": gettext("Nursing rooms, bus and coach stops near you, also offline"),
        "lang": pages.html_lang(), "start_url": url_for("views.home", lang=lang),
        "scope": "/", "display": "standalone", "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [{"src": url_for("static", filename=f"icons/icon-{size}.png"),
                   "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
                  for size in ICON_SIZES],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/sw.js")
def worker():
    """The service worker, scope /: its configuration, then static/js/offline_sw.js."""
    response = Response(_worker_script(_shell_urls()), mimetype="text/javascript")
    response.cache_control.no_cache = True  # a new worker must be found on the next visit
    response.add_etag()
    return response.make_conditional(request)


def _shell_urls() -> tuple[str, ...]:
    """The URLs the worker keeps: the offline page in each language and the shell's files."""
    urls = [url_for("offline.page", lang=lang) for lang in LANGS]
    urls += [url_for("static", filename=name) for name in SHELL_FILES]
    urls.append(url_for("views.category_css", digest=styles.category_css_digest()))
    return tuple(urls)


@lru_cache(maxsize=8)
def _worker_script(shell: tuple[str, ...]) -> str:
    """The worker's source with its configuration; the cache name is the shell's digest."""
    with open(os.path.join(current_app.static_folder, "js", "offline_sw.js"),
              encoding="utf-8") as fh:
        source = fh.read()
    digest = hashlib.sha256(("\n".join(shell) + source).encode()).hexdigest()[:12]
    config = {"shell": f"locator-shell-{digest}", "data": "locator-data",
              "urls": list(shell), "offline": {lang: url_for("offline.page", lang=lang)
                                                for lang in LANGS},
              "pages": list(OFFLINE_PAGES)}
    return f"const CONFIG = {json.dumps(config)};\n{source}"


@bp.get("/offline")
def page():
    """The offline page: its script lists the nearest places from the kept snapshot."""
    labels = pages.nav_app_labels()
    data = {
        "lang": pages.lang(), "limit": PAGE_LIMIT, "max_limit": MAX_LIMIT,
        "radius_m": PAGE_RADIUS_M, "walking_limit_m": WALKING_LIMIT_M,
        # [min_lat, min_lon, max_lat, max_lon]: outside it the cards give the distance only
        "service_area": list(current_settings().service_area),
        "walking_m_per_min": WALKING_M_PER_MIN, "data_cache": "locator-data",
        "snapshot": _snapshot_url(),
        # A list: the template's JSON sorts keys, and chips come in the registry's order.
        "categories": [[key, pages.category_label(key)] for key in CATEGORIES],
        "nav": labels, "words": _words(),
        # Monday first, as the server's cards abbreviate them (web/hours_text.when).
        "weekdays": [format_date(MONDAY + timedelta(days=n), "EEE") for n in range(7)],
    }
    return render_template("views/offline.html", offline_data=data,
                           categories=pages.categories())


def _words() -> dict[str, str]:
    """The sentences offline.js shows, in the page language (placeholders kept)."""
    return {
        "data_from": gettext("Offline — data from %(date)s"),
        "no_data": gettext("No places are saved on this phone yet. Open this site once with "
                           "a signal; after that it works offline."),
        "stale": gettext("The saved opening hours have run out: open or closed is not known."),
        "open": gettext("Open now"), "closed": gettext("Closed now"),
        "unknown": gettext("Hours unknown"), "metres": gettext("%(n)s m"),
        "km": gettext("%(n)s km"), "walk": gettext("about %(n)s min walk"),
        "estimate": gettext("(straight-line estimate)"), "floor": gettext("Floor"),
        "navigate": gettext("Navigate with %(app)s"), "nearest": gettext("Nearest"),
        "nearest_open": gettext("Nearest open now"),
        "nearer_unknown": gettext("Nearer, hours unknown"),
        "nearer_closed": gettext("Nearer, but closed now"),
        "transit": gettext("Public transport with %(app)s"), "by_car": gettext("By car"),
        "far": gettext("too far to walk: public transport or car"),
        "straight": gettext("(straight line)"), "my_location": gettext("My location"),
        "other_apps": gettext("Other map apps"),
        "beyond": gettext("Nothing within %(km)s km — the nearest is %(distance)s away."),
        "none": gettext("Nothing matches these filters."),
        "near": gettext("%(what)s near you"), "places": gettext("Places near you"),
        "finding": gettext("Finding your location…"),
        "closes": gettext(hours_text.STATUS_WORDS["closes"]),
        "opens": gettext(hours_text.STATUS_WORDS["opens"]),
        "no_position": gettext("Your phone could not tell where you are."),
        "locate": gettext("Use my location"),
    }

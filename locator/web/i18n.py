"""Language choice (Chinese first, English complete) through Flask-Babel's gettext catalogues."""

from flask import Flask, Response, g, request
from flask_babel import Babel, get_translations

from locator.core.catalogue import DOMAINS

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def select_language() -> str:
    """`?lang=`, then the cookie, then Accept-Language, then Chinese."""
    for choice in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if choice in LANGUAGES:
            return choice
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def remember_language(response: Response) -> Response:
    """Keep an explicit `?lang=` choice in a cookie for the next pages (never from the API:
    a program's `lang` is per request, and the API's answers set no cookie)."""
    if response.cache_control.public or request.blueprint == "api":
        return response  # a shared cache would hand this visitor's cookie to everyone
    choice = request.args.get("lang")
    if choice in LANGUAGES and request.cookies.get(COOKIE) != choice:
        response.set_cookie(COOKIE, choice, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            httponly=True)
    return response


def init_app(app: Flask) -> None:
    """Install Babel with our selector and the cookie hook."""
    # Babel's defaults, which BABEL_* settings may still override (Flask-Babel reads them).
    Babel(app, locale_selector=select_language, default_locale=DEFAULT_LANGUAGE,
          default_timezone="Asia/Shanghai", default_domain=";".join(DOMAINS),
          default_translation_directories=";".join(["translations"] * len(DOMAINS)))
    app.after_request(remember_language)
    # Flask-Babel looks the catalogue up on every template string, and a page has dozens;
    # one look-up per request gives the same strings.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True)


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, with the catalogue looked up once per request: the app's one
    gettext for Python code (Flask-Babel's own looks the catalogue up on every call, and a
    results page makes dozens)."""
    text = _catalogue().ugettext(string)
    return text % variables if variables else text


def pgettext(context: str, string: str, **variables) -> str:
    """gettext for a msgid whose translation depends on where it is shown."""
    text = _catalogue().upgettext(context, string)
    return text % variables if variables else text


def _catalogue():
    """This request's merged translations, looked up once."""
    translations = g.get("translations")
    if translations is None:
        translations = g.translations = get_translations()
    return translations

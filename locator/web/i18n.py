"""Language choice (Chinese first, Traditional Chinese and English complete) through
Flask-Babel's gettext catalogues."""

from flask import Flask, Response, g, request
from flask_babel import Babel, get_translations

from locator.core.catalogue import DOMAINS

# The codes pages, links and the cookie use (BCP 47), and Babel's name for each: Babel reads
# zh-Hant as zh_Hant, its catalogues' directory (locator/translations/zh_Hant/).
LANGUAGES = ("zh", "zh-Hant", "en")
LOCALES = {"zh": "zh", "zh-Hant": "zh_Hant", "en": "en"}
CHINESE = ("zh", "zh-Hant")
DEFAULT_LANGUAGE = "zh"
# The console is kept in Simplified Chinese and English only.
CONSOLE_LANGUAGES = ("zh", "en")
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Regions whose Chinese is written in Traditional characters (Hong Kong, Macau, Taiwan).
TRADITIONAL_REGIONS = ("hk", "mo", "tw")


def is_chinese(lang: str) -> bool:
    """Whether `lang` is one of our Chinese languages (Simplified or Traditional)."""
    return lang in CHINESE


def select_language() -> str:
    """`?lang=`, then the cookie, then Accept-Language, then Chinese, as Babel's locale name
    (the console answers a Traditional choice in Simplified Chinese)."""
    code = requested_language()
    if code not in CONSOLE_LANGUAGES and _in_console():
        code = DEFAULT_LANGUAGE
    return LOCALES[code]


def requested_language() -> str:
    """The visitor's language code: `?lang=`, the cookie, Accept-Language, Chinese."""
    for choice in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if choice in LANGUAGES:
            return choice
    return negotiate(request.accept_languages)


def negotiate(accepted) -> str:
    """Our language for an Accept-Language list, by its order of preference (werkzeug's own
    best_match would answer zh-HK with zh, its primary tag)."""
    for tag, quality in accepted:
        code = language_of(tag)
        if code and quality > 0:
            return code
    return DEFAULT_LANGUAGE


def language_of(tag: str) -> str | None:
    """Our language for one language tag: zh-HK, zh-MO, zh-TW, zh-Hant… → zh-Hant; zh,
    zh-CN, zh-SG, zh-Hans… → zh; en… → en; "*" → Chinese; None for any other."""
    parts = tag.lower().replace("_", "-").split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] == "*":
        return DEFAULT_LANGUAGE
    if parts[0] not in ("zh", "yue"):  # Cantonese (yue) is written like Hong Kong Chinese
        return None
    if "hant" in parts[1:]:
        return "zh-Hant"
    if "hans" in parts[1:]:
        return "zh"
    if parts[0] == "yue" or (len(parts) > 1 and parts[1] in TRADITIONAL_REGIONS):
        return "zh-Hant"
    return "zh"


def language_code(locale) -> str:
    """Our language code for Babel's locale (zh_Hant → zh-Hant)."""
    name = str(locale or "")
    if name.startswith("en"):
        return "en"
    return "zh-Hant" if name.startswith("zh_Hant") else "zh"


def _in_console() -> bool:
    """Whether this request is the admin console's."""
    return (request.blueprint or "").split(".")[0] == "admin" or (
        request.path == "/admin" or request.path.startswith("/admin/"))


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

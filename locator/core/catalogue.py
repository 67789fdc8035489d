"""The gettext catalogues read without Flask: labels in a given language for the CLI, the
importer and the API (which answers in every language at once). Pages translate through
Flask-Babel (locator/web/i18n.py), which reads the same compiled files.
"""

import os
from functools import lru_cache

from babel.support import NullTranslations, Translations

TRANSLATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "translations")
# One catalogue per part of the app (pages, admin console, importer messages), merged at run
# time so that each can be extended on its own.
DOMAINS = ("messages", "admin", "importer")


def N_(msgid: str) -> str:
    """Mark `msgid` for extraction; it is translated where it is shown."""
    return msgid


@lru_cache(maxsize=16)
def translations(lang: str) -> NullTranslations:
    """Every domain's compiled catalogue for `lang`, merged (msgids alone if none is compiled);
    a domain without a Traditional catalogue (the console's) falls back to Simplified."""
    merged: NullTranslations = NullTranslations()
    for domain in DOMAINS:
        # Language tags (zh-Hant) as Babel names their directories (zh_Hant).
        loaded = Translations.load(TRANSLATIONS, [lang.replace("-", "_")], domain)
        if isinstance(loaded, Translations):
            merged = loaded if not isinstance(merged, Translations) else merged.merge(loaded)
    return merged


def translate(msgid: str, lang: str) -> str:
    """`msgid` in `lang` ("en" is the msgids' own language)."""
    return translations(lang).ugettext(msgid)

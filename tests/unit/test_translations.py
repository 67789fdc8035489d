"""Every visible string has a Chinese translation: msgids in code and templates vs catalogues."""

import os

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from locator.core.catalogue import DOMAINS
from locator.core.categories import (
    ACCESS_LABELS,
    AMENITIES,
    CATEGORIES,
    access_label,
    amenity_label,
    category_label,
)
from tests.processes import ROOT

KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "N_": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
METHODS = {"locator": [("**.py", "python")],
           "templates": [("**.html", "jinja2.ext:babel_extract")]}


def used_msgids() -> dict[str, str]:
    """Every msgid in locator/ and templates/, with where it was found."""
    found = {}
    for folder, methods in METHODS.items():
        for filename, lineno, message, _comments, _context in extract_from_dir(
                os.path.join(ROOT, folder), methods, keywords=KEYWORDS):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found




def chinese_catalogue(lang: str = "zh", domains=DOMAINS) -> dict[str, str]:
    """msgid → Chinese text, merged over every domain's .po file for `lang` (zh or zh_Hant)."""
    merged = {}
    for domain in domains:
        path = os.path.join(ROOT, "locator", "translations", lang, "LC_MESSAGES", f"{domain}.po")
        with open(path, "rb") as fh:
            catalogue = read_po(fh, locale=lang)
        for message in catalogue:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            if ids[0] and all(texts) and not message.fuzzy:
                merged.update(dict.fromkeys(ids, texts[0]))
    return merged


# Which catalogue a source file's strings belong in (its owners keep that .po).
AREAS = {
    "messages": ("locator/public/", "locator/maps/", "templates/views/", "templates/base.html",
                 "templates/error.html", "locator/core/categories.py",
                 "locator/web/hours_text.py"),
    "admin": ("locator/admin/", "templates/admin/"),
}


def area(where: str) -> str:
    """The catalogue a msgid found at `where` belongs in; everything else is the importer's."""
    return next((name for name, prefixes in AREAS.items()
                 if where.startswith(prefixes)), "importer")


def test_the_extractor_finds_the_pages_strings():
    assert sum(area(where) == "messages" for where in used_msgids().values()) > 50


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_msgid_has_a_chinese_translation(domain):
    translated = chinese_catalogue()
    missing = {msgid: where for msgid, where in used_msgids().items()
               if area(where) == domain and msgid not in translated}
    assert not missing, f"untranslated (add to {domain}.po):\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1]))


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_msgid_has_a_traditional_translation(domain):
    # Made by bench/hant_catalogue.py from the Simplified catalogues.
    translated = chinese_catalogue("zh_Hant")
    missing = {msgid: where for msgid, where in used_msgids().items()
               if area(where) == domain and msgid not in translated}
    assert not missing, "untranslated in zh_Hant (run `make hant`):\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1]))


@pytest.mark.parametrize("lang", ["zh", "zh_Hant"])
def test_placeholders_survive_translation(lang):
    translated = chinese_catalogue(lang)
    for msgid in used_msgids():
        if msgid in translated:
            for name in ("%(n)s", "%(what)s", "%(place)s", "%(app)s", "%(q)s", "%(km)s"):
                assert (name in msgid) == (name in translated[msgid]), (msgid, name)


def test_category_amenity_and_access_labels_exist_in_every_language():
    labels = [(category_label, key) for key in CATEGORIES]
    labels += [(amenity_label, key) for key in AMENITIES]
    labels += [(access_label, key) for key in ACCESS_LABELS]
    for label, key in labels:
        zh, hant, en = label(key, "zh"), label(key, "zh-Hant"), label(key, "en")
        assert zh and hant and en and zh != en and hant != en, (label.__name__, key)


def test_every_category_amenity_is_in_the_registry():
    for category in CATEGORIES.values():
        assert set(category.amenities) <= set(AMENITIES), category.key
    assert set(AMENITIES) == {a for c in CATEGORIES.values() for a in c.amenities}

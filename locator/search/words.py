"""What a query asks for besides a name: a category ("coach station", 汽车站, "baby changing")
or a destination ("to Shenzhen", 去深圳). The category words live in the registry
(core/categories.py `words`), one translatable list per category, so every language's words
are read from the catalogues and a new language brings its own.
"""

import os
import re
import unicodedata
from functools import lru_cache

from locator.core.catalogue import TRANSLATIONS, translate
from locator.core.categories import CATEGORIES
from locator.core.terms import fold, has_han, syllables

# Said around a category word and not part of it ("the nearest coach station near me").
_BEFORE = re.compile(r"^(?:(?:where is|where's|where are|find|show me|nearest|closest|"
                     r"a|an|the|any|最近的|附近的|附近|找|哪里有|哪儿有|请问)\s*)+")
_AFTER = re.compile(r"(?:\s*(?:near me|nearby|near here|around here|close by|please|"
                    r"在哪里|在哪儿|在哪|哪里|附近|怎么走|\?|？))+$")
# Said before a destination ("a coach to Shenzhen", 坐车去深圳).
_TO = re.compile(r"^(?:(?:a |the )?(?:coach|bus|buses|coaches|train)?\s*(?:to|for)\s+|"
                 r"(?:坐车|坐大巴|坐汽车)?(?:去往|开往|前往|去|到|往))")


def language_codes() -> list[str]:
    """The languages with a catalogue, besides English (the msgids' own)."""
    return sorted(d for d in os.listdir(TRANSLATIONS)
                  if os.path.isdir(os.path.join(TRANSLATIONS, d, "LC_MESSAGES")))


@lru_cache(maxsize=1)
def category_words() -> dict[str, tuple[str, str]]:
    """Folded word → (category, the word as written), from every language's list, the
    categories' own labels, and the pinyin of the Chinese words."""
    words: dict[str, tuple[str, str]] = {}
    for key, category in CATEGORIES.items():
        written = []
        for lang in ["en", *language_codes()]:
            written.append(translate(category.label, lang))
            if category.words:
                written.extend(re.split(r"[;；]", translate(category.words, lang)))
        for word in (w.strip() for w in written if w.strip()):
            words.setdefault(fold(word), (key, word))
            if has_han(word):
                words.setdefault("".join(syllables(word)), (key, word))
    return words


def normal(query: str) -> str:
    """The query as the patterns read it: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", query).casefold().split())


def category_of(query: str) -> tuple[str, str] | None:
    """(category, the word matched) when the whole query names a category, else None."""
    text = _AFTER.sub("", _BEFORE.sub("", normal(query)))
    folded = fold(text)
    words = category_words()
    for candidate in (folded, folded.removesuffix("es"), folded.removesuffix("s")):
        if candidate in words:
            return words[candidate]
    return None


def destination_of(query: str) -> str | None:
    """The place after "to …" / 去… when the query asks how to get somewhere, else None."""
    text = normal(query)
    found = _TO.match(text)
    if not found or found.end() == len(text):
        return None
    return text[found.end():]

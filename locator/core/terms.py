"""The words a facility is found by, and a query folded the same way. No Flask, no SQL.

Text is folded (NFKC, case-folded, punctuation and spaces dropped) and cut into tokens: each
Chinese character is one, each run of Latin letters or digits is one. A field yields a term for
the whole of it and one for each suffix that starts at a token (capped), so that "图书馆" and
"library" find 景堂图书馆 / Jingtang Library by a prefix lookup alone. Chinese text also yields
its pinyin, whole ("jingtangtushuguan") and as initials ("jttsg"); a route's pinyin also from
each syllable on ("jiangmenzhuhai", "zhuhai").

The store keeps these terms and deletes a changed facility's old ones by making them again
from its old values: a change to how terms are made needs a migration that rebuilds them.
"""

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from pypinyin import lazy_pinyin

# What each term was made from; search/matching.py turns it into the result's `how`.
NAME, ALIAS, PINYIN, INITIALS, ROUTE = "name", "alias", "pinyin", "initials", "route"
MAX_SUFFIXES = 24  # suffix terms per field: a 200-character name must not make 200 rows
MAX_FIELD_CHARS = 200
MAX_ITEMS = 20  # aliases or routes of one facility that are searched
MAX_TERMS = 240  # terms of one facility: whole fields first, then by where they start
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class Term(NamedTuple):
    """One searchable term of a facility: the folded text, what it came from, and at which
    token it starts (0: the whole field, so an equal query is an exact match; -(n + 1): the
    n-th word alone)."""

    text: str
    source: str
    start: int


def tokens(text: str) -> list[str]:
    """The folded tokens of `text`: Chinese characters one by one, Latin words and numbers."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text[:MAX_FIELD_CHARS]).casefold())


def fold(text: str) -> str:
    """`text` as terms are stored: tokens joined without spaces or punctuation."""
    return "".join(tokens(text))


def has_han(text: str) -> bool:
    """Whether `text` holds a Chinese character."""
    return _HAN.search(text) is not None


@lru_cache(maxsize=65536)
def syllables(text: str) -> tuple[str, ...]:
    """Pinyin tokens of `text` (no tones): a syllable per Chinese character, other tokens kept."""
    # One lazy_pinyin call for the whole text (its per-call cost dominates): Chinese characters
    # come back as syllables, everything else as it was, then cut into tokens like any text.
    folded = unicodedata.normalize("NFKC", text[:MAX_FIELD_CHARS]).casefold()
    return tuple(token for piece in lazy_pinyin(folded) for token in _TOKEN.findall(piece))


def field_terms(text: str, source: str) -> set[Term]:
    """The whole field and its suffixes from each token (capped)."""
    parts = tokens(text)[:MAX_SUFFIXES]
    return {Term("".join(parts[i:]), source, i) for i in range(len(parts))}


def pinyin_terms(text: str, source: str = PINYIN, *, suffixes: bool = False) -> set[Term]:
    """Pinyin of a Chinese field, whole (and from each syllable when asked: a route's later
    stops); for a name, its initials too."""
    if not has_han(text):
        return set()
    parts = syllables(text)[:MAX_SUFFIXES]
    terms = {Term("".join(parts[i:]), source, i) for i in range(len(parts) if suffixes else 1)}
    if source == PINYIN:
        terms.add(Term("".join(p[0] for p in parts), INITIALS, 0))
    return terms


def split_list(value: str) -> list[str]:
    """The items of a ';'-separated cell (aliases, routes)."""
    return [item.strip() for item in value.split(";") if item.strip()]


def record_terms(record: dict) -> set[Term]:
    """Every term a facility is found by (name, English name, aliases, their pinyin, routes)."""
    terms = field_terms(record.get("name", ""), NAME) | field_terms(record.get("name_en", ""), NAME)
    terms |= pinyin_terms(record.get("name", ""))
    for alias in split_list(record.get("aliases", ""))[:MAX_ITEMS]:
        terms |= field_terms(alias, ALIAS) | pinyin_terms(alias, ALIAS)
    for route in split_list(record.get("routes", ""))[:MAX_ITEMS]:
        terms |= field_terms(route, ROUTE) | pinyin_terms(route, ROUTE, suffixes=True)
    kept = sorted((t for t in terms if t.text), key=lambda t: (t.start, t))
    return set(kept[:MAX_TERMS])


def record_spellings(record: dict, terms: set[Term]) -> set[str]:
    """What typos are looked for in (Latin letters only, 4 to 40 of them): each whole Latin
    term of the record (its English name, pinyin, Latin aliases) and each word of its English
    name, aliases and routes alone, so that one mistyped word of several is found."""
    words = {t.text for t in terms if t.start == 0 and t.text.isascii()}
    for column in ("name_en", "aliases", "routes"):
        words.update(tokens(record.get(column, "")))
    return {w for w in words if 4 <= len(w) <= 40 and w.isascii() and w.isalpha()}


def spelling_bucket(first: str, length: int) -> str:
    """Where a spelling is kept for typo lookups: by its first letter and its length."""
    return f"{first}{length:02d}"


_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LINE_NUMBER = re.compile(r"(\w+)\s*路")


def romanized(text: str) -> str:
    """A route or place name for readers without Chinese: each run of Chinese characters as
    capitalised pinyin ("江门—珠海" → "Jiangmen—Zhuhai"), a bus line "1路" as "Route 1"."""
    text = _LINE_NUMBER.sub(lambda m: f"Route {m.group(1)}", text)
    return _HAN_RUN.sub(lambda m: "".join(lazy_pinyin(m.group())).capitalize(), text)

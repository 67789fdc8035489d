"""The words a facility is found by, and a query folded the same way. No Flask, no SQL.

Text is folded (NFKC, case-folded, punctuation and spaces dropped) and cut into tokens: each
Chinese character is one, each run of Latin letters or digits is one. A field yields a term for
the whole of it and one for each suffix that starts at a token (capped), so that "图书馆" and
"library" find 景堂图书馆 / Jingtang Library by a prefix lookup alone. Chinese text also yields
its pinyin, whole ("jingtangtushuguan", and from each syllable on) and as initials ("jttsg").
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

# What each term was made from; search/matching.py turns it into the result's `how`.
NAME, ALIAS, PINYIN, INITIALS, ROUTE = "name", "alias", "pinyin", "initials", "route"
MAX_SUFFIXES = 24  # suffix terms per field: a 200-character name must not make 200 rows
MAX_FIELD_CHARS = 200
MAX_ITEMS = 20  # aliases or routes of one facility that are searched
MAX_TERMS = 240  # terms of one facility: whole fields first, then by where they start
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, order=True)
class Term:
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
    out = []
    for token in tokens(text):
        out.extend(lazy_pinyin(token) if _HAN.fullmatch(token) else [token])
    return tuple(out)


def field_terms(text: str, source: str) -> set[Term]:
    """The whole field and its suffixes from each token (capped), and each Latin word alone
    (so that a typo in one word of "Confucan Academy" is found word by word)."""
    parts = tokens(text)[:MAX_SUFFIXES]
    terms = {Term("".join(parts[i:]), source, i) for i in range(len(parts))}
    # A word alone starts at -(its index + 1): never "the whole field", so never an exact match.
    terms |= {Term(part, source, -(i + 1)) for i, part in enumerate(parts)
              if len(part) > 1 and part.isascii()}
    return terms


def pinyin_terms(text: str) -> set[Term]:
    """Pinyin of a Chinese field: whole and from each syllable, and the initials whole."""
    if not has_han(text):
        return set()
    parts = syllables(text)
    terms = {Term("".join(parts[i:]), PINYIN, i) for i in range(min(len(parts), MAX_SUFFIXES))}
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
        terms |= field_terms(alias, ALIAS) | {Term(t.text, ALIAS, t.start) for t in
                                              pinyin_terms(alias) if t.source == PINYIN}
    for route in split_list(record.get("routes", ""))[:MAX_ITEMS]:
        terms |= field_terms(route, ROUTE) | {Term(t.text, ROUTE, t.start) for t in
                                              pinyin_terms(route) if t.source == PINYIN}
    kept = sorted((t for t in terms if t.text), key=lambda t: (abs(t.start), t))
    return set(kept[:MAX_TERMS])

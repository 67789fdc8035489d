"""The data in Traditional Chinese (zh-Hant, Hong Kong forms), made on the way out with OpenCC.

What is stored never changes: a record shown in zh-Hant is a copy whose texts (FIELDS) are
converted with OpenCC's `s2hk`, and whose own Traditional name (`name_zh_hant`), when the file
gave one, wins over the conversion; `name_stored` keeps the stored name. Converted texts are
kept per dataset version (`VersionCache`): a version's records never change, so each is
converted once per process, and only the newest MAX_VERSIONS versions are kept. A visitor's
query goes the other way (`to_simplified`, `hk2s`), so Traditional input finds the stored,
Simplified names. No Flask, no SQL.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from functools import lru_cache

import opencc

TRADITIONAL = "zh-Hant"
# The texts a visitor reads (the API's and the pages'); ids, codes and hours stay as stored.
FIELDS = ("name", "address", "description", "routes", "town")
# Language tags read as Traditional (lower case; "_" read as "-"): the script, and the places
# that write it.
TRADITIONAL_TAGS = ("zh-hant", "zh-hk", "zh-mo", "zh-tw")
MAX_VERSIONS = 2  # the current version and the one an import has just replaced
# Converted records kept per version (their memory: bench/traditional_bench.py); beyond, a
# record is converted on every request.
MAX_RECORDS = 20_000

_local = threading.local()


@lru_cache(maxsize=64)  # asked for every record a page shows, with a handful of tags
def is_traditional(lang: str | None) -> bool:
    """Whether the language tag `lang` asks for Traditional characters (zh-Hant, zh-HK…)."""
    tag = (lang or "").strip().lower().replace("_", "-")
    return any(tag == t or tag.startswith(t + "-") for t in TRADITIONAL_TAGS)


def _converter(config: str) -> opencc.OpenCC:
    """This thread's OpenCC converter for `config` (one per thread: made once, then reused)."""
    converters = getattr(_local, "converters", None)
    if converters is None:
        converters = _local.converters = {}
    converter = converters.get(config)
    if converter is None:
        converter = converters[config] = opencc.OpenCC(config)
    return converter


def to_traditional(text: str) -> str:
    """`text` in Traditional characters, Hong Kong forms (会城 → 會城, 启 → 啓)."""
    return _converter("s2hk").convert(text) if text else text


def to_simplified(text: str) -> str:
    """`text` in Simplified characters (長途汽車站 → 长途汽车站): how a query is matched."""
    return _converter("hk2s").convert(text) if text else text


def converted(record: dict) -> dict:
    """The converted FIELDS of `record` (its own Traditional name winning) and `name_stored`."""
    out = {field: to_traditional(record.get(field) or "") for field in FIELDS if field in record}
    own = (record.get("name_zh_hant") or "").strip()
    if own:
        out["name"] = own
    out["name_stored"] = record.get("name", "")
    return out


def _source(record: dict) -> tuple:
    """What a record's conversion is made from: a kept conversion is used only if it matches."""
    return (record.get("id"), record.get("name_zh_hant"), *(record.get(f) for f in FIELDS))


class VersionCache:
    """Converted texts per dataset version and record id, for the newest MAX_VERSIONS versions.

    A version's records never change, so a conversion made once serves every later request for
    that version. Each entry keeps the texts it was made from and is used only when they match,
    so a caller that names the wrong version gets a fresh conversion, never a stale one."""

    def __init__(self, max_versions: int = MAX_VERSIONS, max_records: int = MAX_RECORDS):
        """An empty cache holding at most `max_versions` versions of `max_records` records."""
        self.max_versions, self.max_records = max_versions, max_records
        self._versions: OrderedDict[Hashable, dict] = OrderedDict()
        self._lock = threading.Lock()

    def texts(self, record: dict, version: Hashable | None) -> dict:
        """`converted(record)`, kept for `version` (None: not kept)."""
        if version is None:
            return converted(record)
        kept = self._records(version)
        source = _source(record)
        entry = kept.get(record.get("id"))
        if entry is not None and entry[0] == source:
            return entry[1]
        texts = converted(record)
        if len(kept) < self.max_records:
            kept[record.get("id")] = (source, texts)
        return texts

    def _records(self, version: Hashable) -> dict:
        """The kept conversions of `version`, the oldest version dropped when one too many."""
        kept = self._versions.get(version)
        if kept is None:
            with self._lock:
                kept = self._versions.setdefault(version, {})
                while len(self._versions) > self.max_versions:
                    self._versions.popitem(last=False)
        return kept

    def sizes(self) -> dict:
        """Records kept per version (for tests and the benchmark)."""
        return {version: len(kept) for version, kept in list(self._versions.items())}

    def clear(self) -> None:
        """Forget every kept conversion."""
        with self._lock:
            self._versions.clear()


CACHE = VersionCache()


def for_language(record: dict, lang: str | None, version: Hashable | None = None) -> dict:
    """`record` as shown in `lang`: in Traditional Chinese a copy with FIELDS converted (its
    own `name_zh_hant` wins for the name) and `name_stored`; in any other language the record
    itself. `version` (e.g. database and dataset version) keys the cache; None converts anew."""
    if not is_traditional(lang):
        return record
    return {**record, **CACHE.texts(record, version)}

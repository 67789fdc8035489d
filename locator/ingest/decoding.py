"""Bytes of a CSV file → text: UTF-8 (BOM or not) or GB18030, never mojibake."""

import re

import charset_normalizer
from charset_normalizer.md import mess_ratio

from locator.ingest.problems import N_, Problem, ProblemError

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_GB_FAMILY = frozenset({"gb18030", "gbk", "gb2312", "hz"})
# Private-use code points: what Big5 (and other foreign) bytes turn into when read as GB18030.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# Above this share of suspicious characters (charset_normalizer's mess ratio) a GB18030 reading
# is not Chinese: measured Shift-JIS, EUC-JP and EUC-KR files score 0.12-0.2, real GBK data 0.
_MAX_MESS = 0.1
_SAMPLE_CHARS = 20_000


def _refuse(message: str, **params) -> ProblemError:
    """A file-level refusal; every message ends by saying how to re-save the file."""
    return ProblemError(Problem(None, None, message, params))


def decode(data: bytes) -> str:
    """The text of `data`, or ProblemError when it is not cleanly UTF-8 or GB18030."""
    if data.startswith(_UTF16_32_BOMS) or b"\x00" in data[:4096]:
        raise _refuse(N_("the file is UTF-16 (\"Unicode text\") or binary, not CSV — save it "
                         "from Excel as \"CSV UTF-8 (Comma delimited)\" and upload that file"))
    if data.startswith(UTF8_BOM):
        return _strict_utf8(data[len(UTF8_BOM):])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _mostly_utf8(data):
            raise _broken_utf8(data, exc) from None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise _refuse(N_("the file is neither UTF-8 nor GBK/GB18030 text — save it from "
                         "Excel as \"CSV UTF-8 (Comma delimited)\" and upload that file")) from None
    _check_chinese(data, text)
    return text


def _strict_utf8(data: bytes) -> str:
    """Decode text that announced itself as UTF-8 with a BOM, or say where it breaks."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _broken_utf8(data, exc) from None


def _mostly_utf8(data: bytes) -> bool:
    """True when nearly every non-ASCII character is valid UTF-8: a damaged UTF-8 file."""
    # GBK read as UTF-8 yields about three invalid sequences per valid one; a UTF-8 file
    # with a stray byte yields one invalid sequence among many valid characters.
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad
    return valid > 4 * bad


def _broken_utf8(data: bytes, exc: UnicodeDecodeError) -> ProblemError:
    """A refusal naming the text line of the first invalid UTF-8 byte."""
    line = data.count(b"\n", 0, exc.start) + 1
    return _refuse(N_("the file is UTF-8 but has an invalid byte on text line %(line)s "
                      "(byte %(offset)s), so it was damaged or mixed with another encoding — "
                      "save it from Excel as \"CSV UTF-8 (Comma delimited)\" and upload that "
                      "file"), line=line, offset=exc.start)


def _check_chinese(data: bytes, text: str) -> None:
    """Refuse a GB18030 reading that is really another encoding (Big5, Shift-JIS, EUC-KR…)."""
    sample = _sample(text)
    if _PRIVATE_USE.search(sample) or mess_ratio(sample, 1.0) >= _MAX_MESS:
        raise _refuse(N_("the file's encoding is not UTF-8 or GBK (read as GBK it gives "
                         "garbled text, as Big5, Shift-JIS or Korean files do) — save it from "
                         "Excel as \"CSV UTF-8 (Comma delimited)\" and upload that file"))
    foreign = _better_foreign_encoding(data)
    if foreign:
        raise _refuse(N_("the file looks like %(encoding)s text, not UTF-8 or GBK — save it "
                         "from Excel as \"CSV UTF-8 (Comma delimited)\" and upload that file"),
                      encoding=foreign)


def _sample(text: str) -> str:
    """The start, middle and end of `text`: enough to judge it, cheap on a 20 MB file."""
    if len(text) <= 3 * _SAMPLE_CHARS:
        return text
    middle = len(text) // 2
    return "\n".join((text[:_SAMPLE_CHARS], text[middle:middle + _SAMPLE_CHARS],
                      text[-_SAMPLE_CHARS:]))


def _better_foreign_encoding(data: bytes) -> str | None:
    """The encoding charset_normalizer prefers when it reads `data` better than GB18030 does."""
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None or best.encoding in _GB_FAMILY:
        return None
    # Short files often tie: then a GB reading at least as clean as the best one is kept.
    if any(m.encoding in _GB_FAMILY and m.chaos <= best.chaos for m in matches):
        return None
    return best.encoding

"""Opening hours as the district writes them ("周一至周五 8:30-12:00，14:30-17:30；节假日休息")
→ OSM opening_hours syntax ("Mo-Fr 08:30-12:00,14:30-17:30; PH off").

The text is read as a sequence of tokens: days (周一, 周一至周五, 周一、三、五, 工作日, 周末,
每天, 节假日…), time ranges (8:30-12:00, 上午8点至下午5点, 22:00-次日02:00), 24小时, "closed"
words (休息, 闭馆, 不开放…) and "as usual" words (照常). Days start a rule; the times, 24小时 or
"closed" after them complete it; a later day starts the next rule. Rules are written in the
order given, so an exception written after the main hours ("周一闭馆") overrides them, as OSM
reads it. Anything else in the text makes it not understood: a guess would put wrong hours
on the map, an error makes the admin write them out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from locator.core import hours
from locator.core.traditional import to_simplified

GENERIC_EXAMPLE = "Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off"
_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
EVERY_DAY = frozenset(range(7))
PH = 7  # public holidays, kept in the same set as the weekdays
_DAY = r"(?:周|星期|礼拜)"
_NUM = r"[一二三四五六日天七]"
_RANGE = r"\s*(?:-+|~+|—+|–+|至|到)\s*"
_MARKER = r"(上午|早上|早晨|凌晨|中午|下午|晚上|傍晚|夜间|早|晚)?\s*"
_PM = ("下午", "晚上", "傍晚", "夜间", "晚")  # markers that put an hour below 12 after noon
_TIME = _MARKER + r"(\d{1,2})(?::(\d{2})|[点时](?:(\d{1,2})分?|(半))?)"

# (name, pattern), tried in order at each position of the normalised text.
_TOKENS = [(name, re.compile(pattern)) for name, pattern in (
    ("h24", r"(?:全天|每天|每日)?\s*24\s*(?:小时|h)(?:开放|营业|服务)?|全天候|24/7"),
    ("times", _TIME + _RANGE + r"((?:次日|翌日)?(?:凌晨)?)\s*" + _TIME),
    ("days", _DAY + "(" + _NUM + ")" + _RANGE + _DAY + "?(" + _NUM + ")"),
    ("day", _DAY + "(" + _NUM + ")"),
    ("every", r"每天|每日|天天|全天|全周|全年|每周七天|一周七天"),
    ("workdays", r"工作日"),
    ("weekend", r"周末|双休日|公休日"),
    ("holidays", r"(?:国家)?(?:法定)?(?:节假日|节日|假日|假期)"),
    ("off", r"休息|闭馆|闭园|休馆|关闭|不开放|不营业|停止开放|暂停开放|关门|停业"),
    ("same", r"照常(?:开放|营业)?|正常(?:开放|营业)|开放时间不变|无休|不休息|不闭馆"),
    ("noise", r"[\s,;:.。、/()\[\]【】]+|开放时间|营业时间|服务时间|时间|开放|营业|每周?(?=周|星期)"
              r"|逢|及|和|与|以及|均|为"),
)]
# Valid OSM, but ";" there makes the second range replace the first: people mean two sessions.
_SESSIONS = re.compile(r"[\d:\s,;-]*;[\d:\s,;-]*")
_LIST_ITEM = re.compile(r"\s*[、,和及与]?\s*(" + _NUM + ")(?!" + _RANGE + r"\d)")


@dataclass
class _Rule:
    """One OSM rule under construction: its days, and its times or 'off' or 'as usual'."""

    days: set[int] = field(default_factory=set)
    times: list[str] = field(default_factory=list)
    implicit: bool = False  # times came first ("8:30-17:30（工作日）"): days may follow
    off: bool = False
    same: bool = False

    def done(self) -> bool:
        """True once something follows the days, so further days start a new rule."""
        return bool(self.times or self.off or self.same)


def to_osm(text: str) -> str | None:
    """The OSM form of `text`; `text` itself if it is OSM already; None if not understood."""
    text = (text or "").strip()
    if not text or hours.validate(text) is None and not _SESSIONS.fullmatch(text):
        return text
    rules = _read(_normalise(text), strict=True)
    return _written(rules) if rules else None


def example(text: str) -> str:
    """An OSM form to suggest for `text`: built from the parts that were understood, if any."""
    rules = _read(_normalise(text or ""), strict=False)
    candidate = _written(rules) if rules else None
    return candidate if candidate and hours.validate(candidate) is None else GENERIC_EXAMPLE


def _normalise(text: str) -> str:
    """Full-width digits, colons and punctuation as ASCII; the dash and tilde forms as one;
    Traditional characters as Simplified (週一至週五 is 周一至周五)."""
    text = unicodedata.normalize("NFKC", to_simplified(text)).lower()
    return text.replace("：", ":").replace("～", "~").replace("〜", "~").replace("－", "-")


def _read(text: str, *, strict: bool) -> list[_Rule] | None:
    """The rules in `text`, or None when `strict` and some of it is not understood."""
    rules: list[_Rule] = []
    i = 0
    while i < len(text):
        name, match = _next_token(text, i)
        if match is None:
            if strict:
                return None
            i += 1
            continue
        i = match.end()
        if name == "day":
            i = _with_list(text, i, _add_days(rules, {_DAY_NUMBERS[match.group(1)]}))
        elif name == "noise" and ";" in match.group() and rules and not rules[-1].done():
            rules.append(_Rule())  # "周一至周五；周六 9:00-12:00": days do not join across ;
        elif name != "noise" and not _apply(rules, name, match) and strict:
            return None
    return _finished(rules, strict)


def _next_token(text: str, i: int) -> tuple[str, re.Match | None]:
    """The first token pattern matching at position i."""
    for name, pattern in _TOKENS:
        match = pattern.match(text, i)
        if match and match.end() > i:
            return name, match
    return "", None


def _with_list(text: str, i: int, rule: _Rule) -> int:
    """After 周一: the bare days of a list (周一、三、五, 周六日) join its rule; where it ends."""
    while item := _LIST_ITEM.match(text, i):
        rule.days.add(_DAY_NUMBERS[item.group(1)])
        i = item.end()
    return i


def _apply(rules: list[_Rule], name: str, match: re.Match) -> bool:
    """Add one token's meaning to the rules; False if it cannot be placed."""
    if name == "days":
        first, last = _DAY_NUMBERS[match.group(1)], _DAY_NUMBERS[match.group(2)]
        _add_days(rules, {(first + n) % 7 for n in range((last - first) % 7 + 1)})
    elif name == "every":
        _add_days(rules, set(EVERY_DAY))
    elif name == "workdays":
        _add_days(rules, set(range(5)))
    elif name == "weekend":
        _add_days(rules, {5, 6})
    elif name == "holidays":
        _add_days(rules, {PH})
    elif name == "times":
        span = _span(match)
        if span is None:
            return False
        _open_rule(rules).times.append(span)
    elif name == "h24":
        _open_rule(rules).times.append("00:00-24:00")
    elif name in ("off", "same"):
        if not rules or rules[-1].done():  # "9:00-17:00 休息" says nothing clear
            return False
        setattr(rules[-1], name, True)
    return True


def _add_days(rules: list[_Rule], days: set[int]) -> _Rule:
    """Days join the current rule while it has nothing after its days, else start a new one."""
    if not rules or rules[-1].done():
        rules.append(_Rule())
    rules[-1].days |= days
    return rules[-1]


def _open_rule(rules: list[_Rule]) -> _Rule:
    """The rule that times go to: the current one unless it is closed (then every day anew)."""
    if not rules or rules[-1].off or rules[-1].same:
        rules.append(_Rule())
    if not rules[-1].days:
        rules[-1].days, rules[-1].implicit = set(EVERY_DAY), True
    return rules[-1]


def _span(match: re.Match) -> str | None:
    """'08:30-12:00' from a matched time range, or None if a time is impossible."""
    start_marker, end_marker = match.group(1), match.group(7)
    start = _minutes(start_marker, *match.group(2, 3, 4, 5))
    next_day = match.group(6)
    end = _minutes(end_marker, *match.group(8, 9, 10, 11))
    if start is None or end is None or start >= 24 * 60:
        return None
    if end_marker is None and not next_day and start_marker in _PM and end < 12 * 60 \
            and start < end + 12 * 60 <= 24 * 60:
        end += 12 * 60  # 下午2:30-5:30: the afternoon marker covers both ends
    if end == start:
        return None
    return f"{_clock(start)}-{_clock(end)}"


def _minutes(marker: str | None, hour: str, minute: str | None, minute_cn: str | None,
             half: str | None) -> int | None:
    """Minutes after midnight of one written time, or None if it is not a time of day."""
    h, m = int(hour), int(minute or minute_cn or (30 if half else 0))
    if marker in _PM and h < 12 or marker == "中午" and h < 6:
        h += 12
    if h > 24 or m > 59 or h == 24 and m:
        return None
    return h * 60 + m


def _clock(minutes: int) -> str:
    """'08:30' for 510."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _finished(rules: list[_Rule], strict: bool) -> list[_Rule] | None:
    """The rules with 'as usual' given the main times; None if a rule says no hours at all."""
    main = next((r.times for r in rules if r.times and not r.off), None)
    finished: list[_Rule] = []
    for rule in rules:
        if not rule.days:
            continue
        if not rule.done() and finished and finished[-1].implicit:
            finished[-1].days, finished[-1].implicit = rule.days, False  # days after times
            continue
        if rule.same and not rule.times:
            if main is None:
                return None if strict else finished
            rule.times = list(main)
        if not rule.done():  # 周一至周五 alone: OSM would read it as open all day
            if strict:
                return None
            continue
        finished.append(rule)
    return finished


def _written(rules: list[_Rule]) -> str:
    """The rules in OSM syntax, '; '-separated."""
    return "; ".join(dict.fromkeys(_rule_text(rule) for rule in rules))


def _rule_text(rule: _Rule) -> str:
    """'Mo-Fr 08:30-12:00,14:30-17:30', 'PH off', or '24/7'."""
    days = _days_text(rule.days)
    if rule.off:
        return f"{days} off"
    times = ",".join(dict.fromkeys(rule.times))
    if times == "00:00-24:00" and days == "Mo-Su":
        return "24/7"
    return f"{days} {times}"


def _days_text(days: set[int]) -> str:
    """'Mo-Fr', 'Mo,We,Fr', 'Sa,Su,PH' or 'PH' for a set of day numbers (7 = PH)."""
    weekdays, parts, start = sorted(d for d in days if d != PH), [], None
    for n, day in enumerate(weekdays):
        if start is None:
            start = day
        if n + 1 == len(weekdays) or weekdays[n + 1] != day + 1:
            span = day - start
            parts.append(_OSM_DAYS[start] if span == 0 else
                         f"{_OSM_DAYS[start]},{_OSM_DAYS[day]}" if span == 1 else
                         f"{_OSM_DAYS[start]}-{_OSM_DAYS[day]}")
            start = None
    if PH in days:
        parts.append("PH")
    return ",".join(parts)

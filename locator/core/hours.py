"""OSM opening_hours → open now, next change and a week's table, in Asia/Shanghai.

Parsing and evaluation are opening-hours-py's. Its built-in CN holiday calendar knows only
one day per festival and no Qingming (2026-10-05, a day off, is missing) and nothing of China's
make-up working days (调休: a Saturday or Sunday that is a working day). chinese_calendar
knows both, so evaluation substitutes days:

* each calendar date gets a *proxy*, a date on which the library sees the day the way China
  does: a statutory day off the library does not know → the nearest date it knows as PH
  (same weekday when one exists); a make-up working day → the nearest ordinary working
  weekday; a date the library calls PH that is not a day off → the same weekday a week away;
* dates that need no proxy (almost all) are evaluated by the library directly, in one run
  up to the next substituted date; a substituted date is evaluated on its proxy and the
  times shifted back by whole days (Shanghai has no DST, so wall-clock shifts are exact);
* an expression that never mentions PH cannot depend on the holiday calendar, so for it
  only make-up working days are substituted (keeping explicit dates like "2026 Oct 01" exact);
* where chinese_calendar does not know the year, the library's own behaviour stands.

The cost of a question is bounded whatever the expression. The library's own next_change()
searches without a limit (seconds for "Mo-Su 00:00-24:00", which never changes), so it is
never called: the next change is found by walking the runs lazily up to HORIZON or MAX_RUNS,
once per (expression, date) — every request of a day then answers from that timeline.

Blank hours mean unknown (never closed); an invalid expression is unknown too, so one bad
cell cannot break a results page (the importer rejects it through validate()).
Known limit: a range past midnight follows the calendar of the date it runs into.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import islice

from opening_hours import OpeningHours, ParserError, State

from locator.core import cn_days
from locator.core.clock import SHANGHAI, shanghai_now

# How far ahead to look for the next change; beyond it a state counts as permanent.
HORIZON = timedelta(days=400)
# …and how many of the library's runs (stretches of one state and comment) to walk at most
# before giving up the same way. An ordinary expression meets its change within a few runs,
# or never changes in a handful (one per substituted day). Only stretches that stay open or
# stay shut while their state or comment alternates (closed, unknown, closed…) need more: with
# two a day, the walk gives up after four months. The bound is what one cold question costs.
MAX_RUNS = 250
DAY = timedelta(days=1)


@dataclass(frozen=True)
class HoursStatus:
    """Whether a place is open now and when that changes."""

    open_now: bool | None  # None when hours are blank/unknown — never False for unknown
    next_change: datetime | None  # aware, Asia/Shanghai; None if it never changes or unknown
    label_key: str  # "open_24_7" | "closes" | "opens" | "closed" | "unknown"


UNKNOWN = HoursStatus(open_now=None, next_change=None, label_key="unknown")

_MENTIONS_PH = re.compile(r"\bPH\b", re.IGNORECASE)
_PARSER_POSITION = re.compile(r"-->\s*\d+:(\d+)")


@lru_cache(maxsize=2048)
def _parse(text: str) -> OpeningHours:
    """Parse once per distinct expression: parsing costs more than evaluating."""
    return OpeningHours(text, timezone=SHANGHAI, country="CN")


def in_shanghai(now: datetime | None) -> datetime:
    """`now` as an aware Shanghai time; naive means Shanghai already."""
    if now is None:
        return shanghai_now()
    if now.tzinfo is None:
        return now.replace(tzinfo=SHANGHAI)
    # The library accepts ZoneInfo only, not datetime.timezone: always convert.
    return now.astimezone(SHANGHAI)


def _midnight(day: date) -> datetime:
    """00:00 of `day` in Shanghai."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


@lru_cache(maxsize=8192)
def _proxied_day(text: str, day: date, proxy: date) -> tuple:
    """(start, end, state) runs of `day`, evaluated on `proxy` and shifted back."""
    shift = day - proxy
    start = _midnight(proxy)
    return tuple((s + shift, e + shift, state)
                 for s, e, state, _ in _parse(text).intervals(start, start + DAY))


def _raw_runs(text: str, start: datetime, end: datetime):
    """Yield (start, end, state) from `start` to `end`, with Chinese days substituted."""
    oh, uses_ph = _parse(text), bool(_MENTIONS_PH.search(text))
    # With a fallback rule ("||") the library's intervals() over several days depends on
    # where it starts (it can miss a public holiday a day-long call sees, and state() with
    # it): such expressions are evaluated one day at a time.
    day_by_day = "||" in text
    t = start
    while t < end:
        day = t.date()
        proxy = cn_days.proxy(day, uses_ph)
        if proxy is None:
            following = cn_days.next_substituted(day, uses_ph, end.date())
            stop = min(end, _midnight(following)) if following else end
            if day_by_day:
                stop = min(stop, _midnight(day + DAY))
            for s, e, state, _ in oh.intervals(t, stop):
                yield s, e, state
            t = stop
            continue
        for s, e, state in _proxied_day(text, day, proxy):
            if e > t and s < end:
                yield max(s, t), min(e, end), state
        t = _midnight(day + DAY)


def _runs(text: str, start: datetime, end: datetime, limit: int | None = None):
    """Like _raw_runs (the first `limit` of them), neighbouring runs of one state merged."""
    current = None
    for s, e, state in islice(_raw_runs(text, start, end), limit):
        if current and current[2] == state and current[1] == s:
            current = (current[0], e, state)
            continue
        if current:
            yield current
        current = (s, e, state)
    if current:
        yield current


def status(opening_hours: str, now: datetime | None = None) -> HoursStatus:
    """Open now?, and when that changes, for an OSM opening_hours expression."""
    text = (opening_hours or "").strip()
    # Blank means nobody told us; the library would read "" as an error and " " as 24/7.
    if not text or validate(text) is not None:
        return UNKNOWN
    now = in_shanghai(now)
    timeline = _timeline(text, now.date())
    i = bisect_right(timeline, now, key=_start) - 1
    state = timeline[i][1]
    if state is State.UNKNOWN:
        return UNKNOWN
    is_open = state is State.OPEN
    # Unknown stretches count as "not open": the change we report is open ↔ not open.
    change = next((s for s, st in timeline[i + 1:] if (st is State.OPEN) != is_open), None)
    if is_open:
        return HoursStatus(True, change, "closes" if change else "open_24_7")
    return HoursStatus(False, change, "opens" if change else "closed")


def _start(run: tuple[datetime, State]) -> datetime:
    """A timeline entry's start, the key it is searched by."""
    return run[0]


# Every request of a day asks about the same expressions on the same date: the walk to the
# next change is done once per (expression, date) and each question after it is a bisection.
# The cache holds timelines, each a day's runs plus one: its size bounds memory, not time.
@lru_cache(maxsize=4096)
def _timeline(text: str, day: date) -> tuple[tuple[datetime, State], ...]:
    """(start, state) of each run from 00:00 of `day`, up to the first run after that day
    whose open-ness differs from the day's last run; nothing after it if none is found.

    The walk is lazy and ends there, at HORIZON, or after MAX_RUNS runs, whichever comes
    first: a valid expression may split a day into dozens of runs that never change whether
    the place is open ("00:00-01:00 unknown, 02:00-03:00 unknown, …"), and walking those for
    400 days would cost a request hundreds of milliseconds.
    """
    start = _midnight(day)
    tomorrow, timeline = start + DAY, []
    for s, _, state in _runs(text, start, start + HORIZON, MAX_RUNS):
        if s < tomorrow:
            timeline.append((s, state))
        elif (state is State.OPEN) != (timeline[-1][1] is State.OPEN):
            timeline.append((s, state))
            break
    return tuple(timeline)


def _day_spans(text: str, day: date) -> tuple[list[tuple[datetime, datetime]], bool, bool]:
    """Open spans starting on `day`, whether it is open all day, whether any of it is unknown."""
    start, end = _midnight(day), _midnight(day + DAY)
    spans, all_day, unknown = [], False, False
    # From a minute before midnight, so a range running in from yesterday is seen as such.
    for s, e, state in _runs(text, start - timedelta(minutes=1), end + DAY):
        if s >= end:
            break
        if state is State.OPEN and s <= start and e >= end:
            all_day = True
        elif state is State.OPEN and s >= start:
            spans.append((s, e))
        unknown = unknown or (state is State.UNKNOWN and e > start)
    return spans, all_day, unknown


def _clock_span(s: datetime, e: datetime, day: date) -> tuple[str, str]:
    """("08:30", "12:00"); an end at midnight reads "24:00", one past tomorrow "24:00+"."""
    midnight = _midnight(day + DAY)
    if e == midnight:
        end = "24:00"
    elif e >= midnight + DAY:  # open on through tomorrow: the day's table shows that
        end = "24:00+"
    else:
        end = e.strftime("%H:%M")
    return f"{s:%H:%M}", end


@dataclass(frozen=True)
class DayHours:
    """One day of the week table, as data: the words are the presentation layer's."""

    day: date
    kind: str  # "spans" | "all_day" | "closed" | "day_unknown" (partly) | "unknown" (no hours)
    spans: tuple[tuple[str, str], ...]  # ("08:30", "12:00") clock times, for kind "spans"
    calendar: str  # cn_days.HOLIDAY | cn_days.WORKDAY | LIBRARY_HOLIDAY | cn_days.ORDINARY
    holiday: str | None  # chinese_calendar's English festival name (a make-up day's too)


# A public holiday of the library's own calendar, in a year chinese_calendar does not know.
LIBRARY_HOLIDAY = "library_holiday"


# A facility page shows seven days; the same days are asked for all day long.
@lru_cache(maxsize=4096)
def _day_hours(text: str, day: date) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(kind, spans) of one day's hours, without the calendar."""
    if not text or validate(text) is not None:
        return "unknown", ()
    spans, all_day, unknown = _day_spans(text, day)
    if all_day:
        return "all_day", ()
    if spans:
        return "spans", tuple(_clock_span(s, e, day) for s, e in spans)
    return ("day_unknown" if unknown else "closed"), ()


def _calendar(day: date) -> tuple[str, str | None]:
    """What China's calendar says of `day`: (kind, festival name or None)."""
    kind, name = cn_days.classify(day)
    if kind == cn_days.UNKNOWN:
        return (LIBRARY_HOLIDAY if cn_days.library_knows_holiday(day) else cn_days.ORDINARY), None
    return kind, name


def week(opening_hours: str, start: date) -> list[DayHours]:
    """Seven days from `start`, each with its open intervals and its kind of day."""
    text = (opening_hours or "").strip()
    days = []
    for offset in range(7):
        day = start + timedelta(days=offset)
        kind, spans = _day_hours(text, day)
        calendar, name = _calendar(day)
        days.append(DayHours(day, kind, spans, calendar, name))
    return days


def mentions_ph(opening_hours: str) -> bool:
    """Whether the expression says anything of public holidays (PH)."""
    return bool(_MENTIONS_PH.search(opening_hours or ""))


@lru_cache(maxsize=2048)
def validate(opening_hours: str) -> str | None:
    """None if the expression is valid (blank is: it means unknown), else the parser's
    complaint in one short line: the one check of opening hours, for the importer too."""
    text = (opening_hours or "").strip()
    if not text:
        return None
    try:
        _parse(text)
    except (ParserError, SyntaxError, ValueError) as error:
        return _short_message(str(error))
    return None


def _short_message(message: str) -> str:
    """'at character 7: expected …' from the parser's multi-line, caret-drawing message."""
    reason = next((ln.strip(" =") for ln in message.splitlines() if ln.strip().startswith("=")),
                  message.splitlines()[0] if message else "")
    reason = reason.replace("EOI", "end of text")
    position = _PARSER_POSITION.search(message)
    if position:
        reason = f"at character {position.group(1)}: {reason}"
    return reason[:200]


def intervals(opening_hours: str, start: date, days: int) -> dict[str, list] | None:
    """Open and unknown (start, end) stretches of `days` days from 00:00 of `start`, exactly as
    status() sees each moment in them; None when the hours are blank or invalid (unknown).

    Each day is read from the same timeline status() bisects, so a moment inside an "open"
    stretch is one where status() says open, inside "unknown" one where it says unknown, and
    anywhere else closed: a client can answer open-now offline without evaluating the hours.
    """
    text = (opening_hours or "").strip()
    if not text or validate(text) is not None:
        return None
    out: dict[str, list] = {"open": [], "unknown": []}
    for offset in range(days):
        day = start + timedelta(days=offset)
        end_of_day = _midnight(day + DAY)
        timeline = [run for run in _timeline(text, day) if run[0] < end_of_day]
        ends = [s for s, _ in timeline[1:]] + [end_of_day]
        for (s, state), e in zip(timeline, ends, strict=True):
            key = "open" if state is State.OPEN else "unknown" if state is State.UNKNOWN else None
            if key is None:
                continue
            spans = out[key]
            if spans and spans[-1][1] == s:
                spans[-1] = (spans[-1][0], e)  # one stretch across midnight
            else:
                spans.append((s, e))
    return out

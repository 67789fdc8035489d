"""China's calendar for opening hours: which dates are days off or make-up working days,
and which date the opening_hours library should evaluate in their place (see hours.py).

chinese_calendar is the authority for the years it knows (statutory days off and 调休);
where it raises NotImplementedError the library's own CN holidays stand.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
from opening_hours import OpeningHours, State

from locator.core.clock import SHANGHAI

HOLIDAY = "holiday"  # a statutory day off (bridged days included)
WORKDAY = "workday"  # a Saturday or Sunday that is a working day (调休)
ORDINARY = "ordinary"  # a working weekday or a plain weekend day
UNKNOWN = "unknown"  # chinese_calendar has no data for the year

# Nearest-date searches give up this far away; the calendar never needs more than a week,
# and library holidays of a given weekday recur within a couple of years.
_SEARCH_YEARS = 2


@lru_cache(maxsize=4096)
def classify(day: date) -> tuple[str, str | None]:
    """(kind, chinese_calendar's English holiday name or None) for one date."""
    try:
        day_off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return UNKNOWN, None
    # A name alone is not a day off: make-up working days carry their festival's name too.
    if day_off and name:
        return HOLIDAY, name
    if not day_off and day.weekday() >= 5:
        return WORKDAY, name
    return ORDINARY, None


@lru_cache(maxsize=64)
def _library_holidays(year: int) -> frozenset[date]:
    """Dates the library's CN calendar treats as PH in `year`."""
    start = datetime(year, 1, 1, tzinfo=SHANGHAI)
    end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    days, calendar = set(), OpeningHours("PH", timezone=SHANGHAI, country="CN")
    for s, e, state, _ in calendar.intervals(start, end):
        if state is State.OPEN:
            days.update(s.date() + timedelta(days=n) for n in range((e - s).days))
    return frozenset(days)


def library_knows_holiday(day: date) -> bool:
    """True if the library's CN calendar has `day` as a public holiday."""
    return day in _library_holidays(day.year)


def _nearest(day: date, candidates, accept) -> date | None:
    """The candidate date nearest to `day` that `accept`s, earlier first on ties."""
    best = None
    for candidate in candidates:
        if accept(candidate) and (best is None or abs(candidate - day) < abs(best - day)):
            best = candidate
    return best


def _working_weekday_near(day: date) -> date | None:
    """The ordinary working weekday nearest to a make-up working day."""
    around = [day + timedelta(days=n) for n in range(-7, 8) if n]
    return _nearest(day, sorted(around), lambda d: d.weekday() < 5
                    and classify(d)[0] == ORDINARY and not library_knows_holiday(d))


def _library_holiday_like(day: date) -> date | None:
    """The library PH date nearest to `day`, on the same weekday when there is one."""
    years = range(day.year - _SEARCH_YEARS, day.year + _SEARCH_YEARS + 1)
    known = sorted(d for y in years for d in _library_holidays(y))
    return (_nearest(day, known, lambda d: d.weekday() == day.weekday())
            or _nearest(day, known, lambda d: True))


def _plain_same_weekday(day: date) -> date | None:
    """The nearest same weekday, a whole number of weeks away, that the library sees as plain."""
    around = [day + timedelta(weeks=n) for n in range(-4, 5) if n]
    return _nearest(day, sorted(around), lambda d: not library_knows_holiday(d))


@lru_cache(maxsize=8192)
def proxy(day: date, uses_ph: bool) -> date | None:
    """The date to evaluate in place of `day`, or None when `day` can stand for itself."""
    kind, _ = classify(day)
    if kind == WORKDAY:
        return _working_weekday_near(day)
    if not uses_ph or kind == UNKNOWN:
        return None
    library_ph = library_knows_holiday(day)
    if kind == HOLIDAY and not library_ph:
        return _library_holiday_like(day)
    if kind == ORDINARY and library_ph:
        return _plain_same_weekday(day)
    return None


@lru_cache(maxsize=128)
def _substituted_in(year: int, uses_ph: bool) -> tuple[date, ...]:
    """Every date of `year` that needs a proxy, in order (bisected on the hot path)."""
    day, found = date(year, 1, 1), []
    while day.year == year:
        if proxy(day, uses_ph) is not None:
            found.append(day)
        day += timedelta(days=1)
    return tuple(found)


def next_substituted(after: date, uses_ph: bool, until: date) -> date | None:
    """The first date after `after`, up to `until`, that needs a proxy."""
    for year in range(after.year, until.year + 1):
        dates = _substituted_in(year, uses_ph)
        i = bisect_right(dates, after)
        if i < len(dates):
            return dates[i] if dates[i] <= until else None
    return None

"""Opening hours in Asia/Shanghai with China's holidays and make-up days (locator.core.hours)."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import assume, example, given, note, settings
from hypothesis import strategies as st
from opening_hours import OpeningHours, State

from bench.hours_expressions import expressions as generated_expressions
from locator.core import cn_days, hours
from locator.core.clock import SHANGHAI
from locator.core.hours import HoursStatus

OFFICE = "Mo-Fr 08:30-17:30; Sa,Su off"
DAILY_PH_OFF = "Mo-Su 08:00-18:00; PH off"


def at(*args):
    """An aware Shanghai datetime."""
    return datetime(*args, tzinfo=SHANGHAI)


# --- the calendar facts the tests below rely on (chinese_calendar 1.11.0, 2026 schedule) ---

def test_2026_calendar_facts():
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 1)) == (True, "National Day")
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 5)) == (True, "National Day")
    # Make-up working days (调休): weekend days that are workdays, named after the festival.
    for day in (date(2026, 9, 20), date(2026, 10, 10)):
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day)
    assert not chinese_calendar.is_workday(date(2026, 10, 11))


def test_library_calendar_misses_bridged_days():
    # Why hours.py substitutes days: the library knows 10-01 but not the bridged 10-05.
    oh = OpeningHours(DAILY_PH_OFF, timezone=SHANGHAI, country="CN")
    assert oh.is_closed(at(2026, 10, 1, 10))
    assert oh.is_open(at(2026, 10, 5, 10))
    assert cn_days.classify(date(2026, 10, 5)) == (cn_days.HOLIDAY, "National Day")
    assert cn_days.classify(date(2026, 10, 10))[0] == cn_days.WORKDAY


# --- status --------------------------------------------------------------------------------

def test_open_inside_hours():
    st_ = hours.status(OFFICE, at(2026, 3, 3, 10, 0))  # a Tuesday
    assert st_ == HoursStatus(True, at(2026, 3, 3, 17, 30), "closes")


def test_closed_outside_hours():
    assert hours.status(OFFICE, at(2026, 3, 3, 7, 0)) == HoursStatus(
        False, at(2026, 3, 3, 8, 30), "opens")
    # Friday evening: next opening is Monday.
    assert hours.status(OFFICE, at(2026, 3, 6, 18, 0)) == HoursStatus(
        False, at(2026, 3, 9, 8, 30), "opens")


def test_overnight_range_is_open_after_midnight():
    st_ = hours.status("Mo-Su 22:00-02:00", at(2026, 3, 3, 1, 0))
    assert st_ == HoursStatus(True, at(2026, 3, 3, 2, 0), "closes")
    assert hours.status("Mo-Su 22:00-02:00", at(2026, 3, 3, 3, 0)).open_now is False


def test_24_7_never_changes():
    assert hours.status("24/7", at(2026, 10, 1, 3, 0)) == HoursStatus(True, None, "open_24_7")


@pytest.mark.parametrize("day", [date(2026, 10, 1), date(2026, 10, 5)])
def test_ph_off_on_chinese_public_holiday_and_bridged_day(day):
    st_ = hours.status(DAILY_PH_OFF, at(day.year, day.month, day.day, 10, 0))
    assert st_ == HoursStatus(False, at(2026, 10, 8, 8, 0), "opens")


def test_ph_off_day_before_holiday_is_open():
    assert hours.status(DAILY_PH_OFF, at(2026, 9, 30, 10, 0)).open_now is True


@pytest.mark.parametrize("expression", [OFFICE, OFFICE + "; PH off"])
@pytest.mark.parametrize("day", [date(2026, 9, 20), date(2026, 10, 10)])
def test_weekday_hours_apply_on_make_up_working_day(expression, day):
    st_ = hours.status(expression, at(day.year, day.month, day.day, 10, 0))
    assert st_ == HoursStatus(True, at(day.year, day.month, day.day, 17, 30), "closes")


def test_make_up_working_day_is_the_next_opening():
    assert hours.status(OFFICE, at(2026, 10, 9, 18, 0)) == HoursStatus(
        False, at(2026, 10, 10, 8, 30), "opens")
    # The Sunday after it is an ordinary day off.
    assert hours.status(OFFICE, at(2026, 10, 11, 10, 0)) == HoursStatus(
        False, at(2026, 10, 12, 8, 30), "opens")


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", None])
def test_blank_hours_are_unknown_not_closed(blank):
    assert hours.status(blank, at(2026, 3, 3, 10)) == HoursStatus(None, None, "unknown")


@pytest.mark.parametrize("expression", ["off", "closed", "24/7 off", "Mo-Su off"])
def test_off_and_closed_expressions(expression):
    assert hours.status(expression, at(2026, 3, 3, 10)) == HoursStatus(False, None, "closed")


def test_unknown_expression_state():
    assert hours.status("24/7 unknown", at(2026, 3, 3, 10)).open_now is None


def test_a_fallback_rule_gives_the_same_answer_whenever_asked():
    # The library's intervals() over several days, from 04-07, missed 05-01 (a PH the same
    # expression opens on) that a day-long call and state() see: found by the property tests.
    expression = '24/7 off "x"; PH "x"; PH "x" || 24/7 "x"'
    assert hours.status(expression, at(2026, 4, 7)) == HoursStatus(
        False, at(2026, 5, 1), "opens")
    assert hours.status(expression, at(2026, 4, 30, 23, 59)).next_change == at(2026, 5, 1)
    assert hours.status(expression, at(2026, 5, 1, 12)).open_now is True


def test_invalid_expression_is_unknown_status():
    assert hours.status("Mo-Fr 25:00-26:00", at(2026, 3, 3, 10)).label_key == "unknown"


def test_naive_now_is_shanghai_time():
    naive = hours.status(OFFICE, datetime(2026, 3, 3, 8, 45))
    assert naive == hours.status(OFFICE, at(2026, 3, 3, 8, 45))
    assert naive.open_now is True and naive.next_change.tzinfo is SHANGHAI


def test_aware_now_in_another_zone_is_converted():
    # 00:45 UTC is 08:45 in Shanghai: open. (datetime.UTC, not a ZoneInfo, on purpose.)
    utc = datetime(2026, 3, 3, 0, 45, tzinfo=UTC)
    assert hours.status(OFFICE, utc).open_now is True


def test_falls_back_to_library_where_chinese_calendar_has_no_data():
    with pytest.raises(NotImplementedError):
        chinese_calendar.get_holiday_detail(date(2035, 10, 1))
    assert hours.status(DAILY_PH_OFF, at(2035, 10, 1, 10)).open_now is False
    assert hours.status(DAILY_PH_OFF, at(2035, 10, 2, 10)).open_now is True


def test_now_defaults_to_the_current_time():
    assert hours.status("24/7").label_key == "open_24_7"


# --- week (data; its words are tests/web/test_hours_text.py's) -------------------------------

def test_week_marks_holidays_and_make_up_days():
    expression = "Mo-Fr 08:30-12:00,14:00-17:30; Sa 09:00-12:00; PH off"
    days = {d.day: d for d in hours.week(expression, date(2026, 10, 5))}
    assert list(days) == [date(2026, 10, 5) + timedelta(days=n) for n in range(7)]
    assert days[date(2026, 10, 5)] == hours.DayHours(
        date(2026, 10, 5), "closed", (), cn_days.HOLIDAY, "National Day")
    assert days[date(2026, 10, 8)] == hours.DayHours(
        date(2026, 10, 8), "spans", (("08:30", "12:00"), ("14:00", "17:30")),
        cn_days.ORDINARY, None)
    assert days[date(2026, 10, 10)].calendar == cn_days.WORKDAY
    assert days[date(2026, 10, 10)].spans == (("08:30", "12:00"), ("14:00", "17:30"))
    assert days[date(2026, 10, 11)].kind == "closed"


def test_week_overnight_and_all_day():
    assert hours.week("Mo-Su 22:00-02:00", date(2026, 3, 2))[0].spans == (("22:00", "02:00"),)
    assert hours.week("Mo-Su 08:00-24:00", date(2026, 3, 2))[0].spans == (("08:00", "24:00"),)
    assert {d.kind for d in hours.week("24/7", date(2026, 3, 2))} == {"all_day"}
    weekend = {d.day: d for d in hours.week("Fr 18:00-24:00; Sa,Su 00:00-24:00",
                                             date(2026, 3, 6))}
    assert weekend[date(2026, 3, 6)].spans == (("18:00", "24:00+"),)
    assert weekend[date(2026, 3, 7)].kind == "all_day"
    assert weekend[date(2026, 3, 9)].kind == "closed"


@pytest.mark.parametrize("expression", ["", "Mo-Fr 25:00-26:00"])
def test_week_of_unknown_hours(expression):
    assert {d.kind for d in hours.week(expression, date(2026, 3, 2))} == {"unknown"}


def test_week_of_partly_unknown_days():
    assert {d.kind for d in hours.week("Mo-Su 08:00-12:00 unknown", date(2026, 3, 2))} == {
        "day_unknown"}


def test_week_names_library_holidays_where_chinese_calendar_has_no_data():
    # chinese_calendar knows no year this far ahead; the library's CN calendar has Oct 1.
    day = hours.week("Mo-Su 08:00-18:00", date(2035, 10, 1))[0]
    assert (day.calendar, day.holiday) == (hours.LIBRARY_HOLIDAY, None)


# --- validate ------------------------------------------------------------------------------

@pytest.mark.parametrize("expression", ["24/7", OFFICE, "Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off",
                                        "", "  ", "off"])
def test_validate_accepts(expression):
    assert hours.validate(expression) is None


@pytest.mark.parametrize(("expression", "where"), [("Mo-Fr 25:00-26:00", "character 7"),
                                                   ("garbage", "character 1"),
                                                   ("ph off", "character 1")])
def test_validate_rejects_with_parser_message(expression, where):
    message = hours.validate(expression)
    assert message.startswith("at character") and where in message
    assert "expected" in message and "\n" not in message


# --- properties ----------------------------------------------------------------------------

instants_2026 = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31, 23, 59))
valid_expressions = generated_expressions().filter(lambda text: hours.validate(text) is None)
# The expressions the first release took 0.75–1.5 s to evaluate: they never change state, and
# the library's own next_change() searches for a change without a limit.
NEVER_CHANGING = ("Mo-Su 00:00-24:00", "Mo,Tu,We,Th,Fr,Sa,Su 00:00-24:00",
                  "Mo-Su 10:00-11:00 off")


@pytest.mark.parametrize("expression", NEVER_CHANGING)
def test_never_changing_expressions_say_so(expression):
    expected = "closed" if expression.endswith("off") else "open_24_7"
    for now in (at(2026, 3, 3, 10), at(2026, 10, 1, 3), at(2026, 10, 10, 12)):
        assert hours.status(expression, now) == HoursStatus(
            expected == "open_24_7", None, expected)


# At most four rules of four spans each in a generated expression, each span two runs.
RUNS_IN_A_DAY = 4 * 4 * 2 + 1


class CountingHours:
    """The library's object, counting the runs it hands out; the unbounded search is refused."""

    def __init__(self, parsed: OpeningHours):
        self.parsed, self.runs = parsed, 0

    def intervals(self, start, end):
        for run in self.parsed.intervals(start, end):
            self.runs += 1
            yield run

    def state(self, now):
        return self.parsed.state(now)

    def next_change(self, now):
        raise AssertionError("next_change() searches without a limit")


@contextmanager
def counting_library():
    """Make hours.py evaluate through CountingHours, with its caches cold; yield the counters."""
    counters, real_parse = [], hours._parse

    def parse(text):
        counters.append(CountingHours(real_parse(text)))
        return counters[-1]

    caches = (hours._timeline, hours._proxied_day, hours._day_hours)
    for cache in caches:
        cache.cache_clear()
    hours._parse = parse
    try:
        yield counters
    finally:
        hours._parse = real_parse
        for cache in caches:
            cache.cache_clear()


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(valid_expressions, instants_2026)
@example(NEVER_CHANGING[0], datetime(2026, 3, 3, 10))
@example(NEVER_CHANGING[1], datetime(2026, 9, 30, 19))
@example(NEVER_CHANGING[2], datetime(2026, 10, 10, 10))
@example("Mo-Su " + ",".join(f"{h:02d}:00-{h:02d}:30 unknown" for h in range(0, 24, 2)),
         datetime(2026, 3, 3, 10))
def test_status_work_is_bounded(expression, now):
    note(f"expression={expression!r} now={now!r}")
    # Work, not time: how many runs the library evaluates for one cold question. A run is a
    # stretch of one state; a day-by-day search to the end of time is what this rules out.
    with counting_library() as counters:
        hours.status(expression, now)
    # A substituted day is evaluated whole, so the walk's first and last day may add their runs.
    assert sum(c.runs for c in counters) <= hours.MAX_RUNS + 2 * RUNS_IN_A_DAY


def _substituted_near(expression: str, day: date) -> bool:
    """True if any day from yesterday to a week ahead is evaluated on a proxy date."""
    uses_ph = "PH" in expression
    return any(cn_days.proxy(day + timedelta(days=n), uses_ph) for n in range(-1, 9))


def _library_answer(expression: str, now: datetime) -> tuple[bool | None, datetime | None]:
    """The library's open now, and its first change of open-ness within a week, asked a day
    at a time (over several days its answer with a fallback rule depends on the start)."""
    oh = OpeningHours(expression, timezone=SHANGHAI, country="CN")
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    runs = [run for n in range(8) for run in oh.intervals(
        max(now, midnight + timedelta(days=n)), midnight + timedelta(days=n + 1))]
    state = runs[0][2]
    if state is State.UNKNOWN:
        return None, None
    is_open = state is State.OPEN
    change = next((s for s, _, st_, _ in runs if (st_ is State.OPEN) != is_open), None)
    return is_open, change


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(valid_expressions, instants_2026)
def test_matches_library_on_ordinary_days(expression, now):
    note(f"expression={expression!r} now={now!r}")  # hypothesis shows these args blank
    now = now.replace(tzinfo=SHANGHAI)
    assume(not _substituted_near(expression, now.date()))  # there we differ on purpose
    open_now, change = _library_answer(expression, now)
    ours = hours.status(expression, now)
    assert ours.open_now is open_now
    if change is not None:
        assert ours.next_change == change
    else:
        assert ours.next_change is None or ours.next_change > now + timedelta(days=7)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(valid_expressions, instants_2026)
def test_state_holds_until_next_change(expression, now):
    note(f"expression={expression!r} now={now!r}")
    st_ = hours.status(expression, now)
    assume(st_.next_change is not None)
    assert st_.next_change > now.replace(tzinfo=SHANGHAI)
    # The change reported is open ↔ not open: unknown stretches count as not open.
    before = hours.status(expression, st_.next_change - timedelta(seconds=1))
    assert (before.open_now is True) is st_.open_now
    assert (hours.status(expression, st_.next_change).open_now is True) is not st_.open_now

"""What a result shows: closing soon, the page's open-first order, and far places' estimates."""

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from locator.core import hours
from locator.core.clock import SHANGHAI
from locator.search.present import (
    WALKING_LIMIT_M,
    Statuses,
    closing_soon,
    describe,
    open_first,
)

AT = datetime(2026, 11, 30, 17, 0, tzinfo=SHANGHAI)  # a Monday
RECORD = {"id": "r", "verified_on": "", "opening_hours": "Mo-Fr 08:30-17:30"}


def closes_in(minutes: int) -> hours.HoursStatus:
    """Open now, closing `minutes` after AT."""
    return hours.HoursStatus(True, AT + timedelta(minutes=minutes), "closes")


def test_closing_within_half_an_hour_is_closing_soon():
    assert closing_soon(closes_in(30), AT) and closing_soon(closes_in(1), AT)
    assert not closing_soon(closes_in(31), AT)


def test_closing_before_the_walk_arrives_is_closing_soon():
    assert closing_soon(closes_in(40), AT, walk_min=45)
    assert not closing_soon(closes_in(40), AT, walk_min=39)


def test_closed_unknown_and_never_closing_are_not_closing_soon():
    assert not closing_soon(hours.HoursStatus(False, AT + timedelta(minutes=5), "opens"), AT)
    assert not closing_soon(hours.UNKNOWN, AT)
    assert not closing_soon(hours.HoursStatus(True, None, "open_24_7"), AT)


def test_describe_computes_closing_soon_from_the_real_hours():
    status = hours.status(RECORD["opening_hours"], AT)  # closes 17:30, in 30 min
    assert describe(RECORD, status, AT)["closing_soon"] is True
    later = hours.status("Mo-Fr 08:30-22:00", AT)
    assert describe(RECORD, later, AT, distance_m=100)["closing_soon"] is False
    # 3.5 km is 47 min of walking, but nobody walks that far: only the 30 minutes count
    status = hours.status("Mo-Fr 08:30-17:40", AT)
    assert describe(RECORD, status, AT, distance_m=WALKING_LIMIT_M + 1500)["closing_soon"] is False


def test_nearest_open_leads_when_the_nearest_is_closed():
    assert open_first(["c1", "c2", "o3", "o4"], lambda x: x[0] == "o") == ["o3", "c1", "c2", "o4"]
    assert open_first(["o1", "c2"], lambda x: x[0] == "o") == ["o1", "c2"]
    assert open_first(["c1", "c2"], lambda x: x[0] == "o") == ["c1", "c2"]
    assert open_first([], bool) == []


@given(st.lists(st.booleans(), max_size=20))
def test_open_first_is_a_permutation_led_by_an_open_one_when_any_is(opens):
    items = list(enumerate(opens))  # (distance rank, open)
    ordered = open_first(items, lambda item: item[1])
    assert sorted(ordered) == items
    if any(opens):
        assert ordered[0][1]
        assert ordered[0] == next(item for item in items if item[1])  # the nearest open one
    rest = ordered[1:]
    assert rest == sorted(rest)  # everything else stays nearest first


def test_statuses_tell_whether_unknown_hours_were_seen():
    statuses = Statuses(AT)
    statuses.is_open(RECORD)
    assert not statuses.saw_unknown()
    statuses.is_open({"id": "u", "opening_hours": ""})
    assert statuses.saw_unknown()

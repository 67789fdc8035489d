"""The offline snapshot: open stretches that agree with the server's open-now at every moment,
China's holidays and make-up days kept, one dataset version per answer, a few KB."""

import csv
import gzip
import json
import os
from datetime import date, datetime, timedelta

import pytest

from locator.core import hours
from locator.core.clock import SHANGHAI
from locator.core.nearest import Extent
from locator.search import snapshot
from locator.store import Store
from tests.factories import load, row
from tests.processes import ROOT

# 2026-10-05 (Mon) to 10-11: three days of the National Day holiday, Thu and Fri, then Saturday
# 10-10, a make-up working day (调休), and an ordinary Sunday.
HOLIDAY_WEEK = date(2026, 10, 5)
EXPRESSIONS = ["Mo-Fr 08:30-17:30; PH off", "Mo-Fr 08:30-17:30", "24/7", "Sa,Su 10:00-22:00",
               "Mo-Su 22:00-02:00", "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00 unknown",
               "Mo-Su 08:00-20:00 || PH off", "PH 09:00-12:00"]


def state_at(item: dict, moment: datetime, start: datetime) -> bool | None:
    """Open-now as the offline page reads it from one snapshot entry."""
    if item["open"] is None:
        return None
    minute = (moment - start).total_seconds() / 60
    if any(a <= minute < b for a, b in item.get("unknown", [])):
        return None
    return any(a <= minute < b for a, b in item["open"])


def monday_snapshot(db_path: str, max_facilities: int) -> snapshot.Snapshot:
    """The database's snapshot on Monday 2026-11-30 at 10:00."""
    store = Store(db_path)
    try:
        return snapshot.snapshot(store, datetime(2026, 11, 30, 10, tzinfo=SHANGHAI),
                                 max_facilities, source=db_path)
    finally:
        store.close()


def test_the_holiday_week_opens_on_the_make_up_saturday_and_not_on_the_holidays():
    item = snapshot.entry(row(1, opening_hours="Mo-Fr 08:30-17:30; PH off", lat=22.5, lon=113.0),
                          HOLIDAY_WEEK)
    days = [(HOLIDAY_WEEK + timedelta(minutes=a)).isoformat() for a, _ in item["open"]]
    assert days == ["2026-10-08", "2026-10-09", "2026-10-10"]
    assert all(b - a == 9 * 60 for a, b in item["open"])


@pytest.mark.parametrize("expression", EXPRESSIONS)
@pytest.mark.parametrize("day", [HOLIDAY_WEEK, date(2026, 2, 13), date(2026, 11, 30)],
                         ids=str)
def test_every_quarter_hour_agrees_with_the_servers_open_now(expression, day):
    item = snapshot.entry(row(1, opening_hours=expression, lat=22.5, lon=113.0), day)
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    for quarter in range(snapshot.DAYS * 24 * 4):
        moment = start + timedelta(minutes=15 * quarter)
        assert state_at(item, moment, start) == hours.status(expression, moment).open_now, moment


@pytest.mark.parametrize("expression", ["", "   ", "not hours at all"])
def test_blank_or_invalid_hours_are_unknown(expression):
    item = snapshot.entry(row(1, opening_hours=expression, lat=22.5, lon=113.0), HOLIDAY_WEEK)
    assert item["open"] is None and "unknown" not in item


def test_names_travel_as_they_are_in_valid_json(db_path):
    hostile = '</script><script>alert(1)</script>"\\\u2028&amp;'
    load(db_path, row(1, name=hostile, name_en=hostile, floor=hostile))
    item = json.loads(monday_snapshot(db_path, 100).body)["facilities"][0]
    assert item["name"] == item["name_en"] == item["floor"] == hostile


def test_one_version_and_day_is_computed_once_and_named_by_its_etag(db_path):
    load(db_path, row(1), row(2))
    store = Store(db_path)
    monday = datetime(2026, 11, 30, 10, tzinfo=SHANGHAI)
    try:
        first = snapshot.snapshot(store, monday, 100, source=db_path)
        again = snapshot.snapshot(store, monday.replace(hour=20), 100, source=db_path)
        tomorrow = snapshot.snapshot(store, monday + timedelta(days=1), 100, source=db_path)
        load(db_path, row(3), merge=True)
        changed = snapshot.snapshot(store, monday, 100, source=db_path)
    finally:
        store.close()
    assert again is first
    assert first.etag == "v1.1.2026-11-30" and tomorrow.etag == "v1.1.2026-12-01"
    assert changed.etag == "v1.2.2026-11-30"
    assert len(json.loads(changed.body)["facilities"]) == 3


def test_a_larger_deployment_answers_only_for_a_box(db_path):
    load(db_path, *[row(i) for i in range(1, 11)])
    store = Store(db_path)
    at = datetime(2026, 11, 30, 10, tzinfo=SHANGHAI)
    try:
        with pytest.raises(snapshot.TooMany, match="bbox"):
            snapshot.snapshot(store, at, 5, source=db_path)
        # room-i lies at (22.5 + i/1000, 113 + i/1000): this box holds rooms 1 to 3.
        box = (22.5005, 113.0005, 22.5035, 113.0035)
        snap = snapshot.snapshot(store, at, 5, source=db_path, box=box)
        with pytest.raises(snapshot.TooMany, match="smaller bbox"):
            snapshot.snapshot(store, at, 5, source=db_path, box=(22.0, 112.0, 23.0, 114.0))
    finally:
        store.close()
    document = json.loads(snap.body)
    assert [f["id"] for f in document["facilities"]] == ["room-1", "room-2", "room-3"]
    assert document["bbox"] == [113.0005, 22.5005, 113.0035, 22.5035]


def test_the_districts_snapshot_is_a_few_kilobytes(db_path):
    # The district's own file, then 300 facilities: a hundred bytes or so each, gzipped.
    with open(os.path.join(ROOT, "facilities.csv"), encoding="utf-8") as fh:
        load(db_path, *csv.DictReader(fh))
    load(db_path, *[row(i, opening_hours="Mo-Fr 08:30-17:30; PH off", amenities="crib")
                    for i in range(1, 301)], merge=True)
    snap = monday_snapshot(db_path, 5000)
    facilities = len(json.loads(snap.body)["facilities"])
    assert facilities > 300
    assert len(gzip.compress(snap.body)) / facilities < 120


@pytest.mark.parametrize("count, lat, cell", [
    (10_000, 22.1, 0.05),  # a dense district: the least that holds a 5 km circle
    (50_000, 22.1, 0.05),
    (6_000, 20.0, 0.5),  # spread over a province: larger cells
    (10_000, 60.0, 0.1),  # far north a degree of longitude is short: 0.05° is under 5 km
])
def test_a_box_cell_holds_the_pages_circle_and_about_half_the_limit(count, lat, cell):
    extent = Extent(count, lat, 110.0, lat + (0.7 if count != 6_000 else 4.0),
                    110.46 if count != 6_000 else 114.0)
    assert snapshot.box_cell(extent, 5000) == cell

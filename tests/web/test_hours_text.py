"""Opening hours in words, per request language (locator.web.hours_text): the catalogue's
phrases and Babel's weekday and month names around core/hours.py's data."""

from datetime import date, datetime

import pytest
from chinese_calendar.constants import Holiday

from locator.core import hours
from locator.core.clock import SHANGHAI
from locator.web import hours_text

OFFICE = "Mo-Fr 08:30-17:30; Sa,Su off"
DAILY_PH_OFF = "Mo-Su 08:00-18:00; PH off"


def at(*args):
    """An aware Shanghai datetime."""
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def words(app):
    """Calls a function inside a request in a given language."""
    def call(lang, function, *args):
        with app.test_request_context(f"/?lang={lang}"):
            return function(*args)
    return call


@pytest.mark.parametrize(("expression", "now", "en", "zh"), [
    (OFFICE, at(2026, 3, 3, 10), "closes 17:30", "17:30 关门"),
    (OFFICE, at(2026, 3, 3, 7), "opens 08:30", "08:30 开门"),
    (OFFICE, at(2026, 3, 6, 18), "opens Mon 08:30", "周一 08:30 开门"),
    ("Mo-Su 22:00-02:00", at(2026, 3, 3, 23), "closes Wed 02:00", "周三 02:00 关门"),
    ("Mo-Su 08:00-24:00", at(2026, 3, 3, 10), "closes 24:00", "24:00 关门"),
    (DAILY_PH_OFF, at(2026, 9, 30, 19), "opens Oct 8 08:00", "10月8日 08:00 开门"),
    ("24/7", at(2026, 3, 3, 10), "open 24/7", "24小时开放"),
    ("off", at(2026, 3, 3, 10), "closed", "关闭"),
    ("", at(2026, 3, 3, 10), "hours unknown", "营业时间未知"),
])
def test_next_change_text(words, expression, now, en, zh):
    status = hours.status(expression, now)
    assert words("en", hours_text.next_change_text, status, now) == en
    assert words("zh", hours_text.next_change_text, status, now) == zh


def test_next_change_text_takes_naive_now(words):
    status = hours.status(OFFICE, at(2026, 3, 3, 10))
    assert words("en", hours_text.next_change_text, status,
                 datetime(2026, 3, 3, 10)) == "closes 17:30"


def test_week_marks_holidays_and_make_up_days(words):
    expression = "Mo-Fr 08:30-12:00,14:00-17:30; Sa 09:00-12:00; PH off"
    zh = dict(words("zh", hours_text.week, expression, date(2026, 10, 5)))
    assert zh[date(2026, 10, 5)] == "国庆节 · 关闭"
    assert zh[date(2026, 10, 8)] == "08:30–12:00, 14:00–17:30"
    assert zh[date(2026, 10, 10)] == "调休上班 · 08:30–12:00, 14:00–17:30"
    assert zh[date(2026, 10, 11)] == "关闭"
    en = dict(words("en", hours_text.week, expression, date(2026, 10, 5)))
    assert en[date(2026, 10, 5)] == "National Day · closed"
    assert en[date(2026, 10, 10)] == "make-up working day · 08:30–12:00, 14:00–17:30"


def test_week_overnight_all_day_and_unknown(words):
    weekend = dict(words("en", hours_text.week, "Fr 18:00-24:00; Sa,Su 00:00-24:00",
                         date(2026, 3, 6)))
    assert weekend[date(2026, 3, 6)] == "18:00–24:00+"
    assert weekend[date(2026, 3, 7)] == "open 24 hours"
    assert {text for _, text in words("zh", hours_text.week, "24/7", date(2026, 3, 2))} == {
        "24小时开放"}
    for lang, blank, partly in (("en", "hours unknown", "hours unknown"),
                                ("zh", "营业时间未知", "时间未知")):
        assert {t for _, t in words(lang, hours_text.week, "", date(2026, 3, 2))} == {blank}
        assert {t for _, t in words(lang, hours_text.week, "Mo-Su 08:00-12:00 unknown",
                                    date(2026, 3, 2))} == {partly}


def test_library_holidays_read_public_holiday(words):
    assert words("en", hours_text.week, "Mo-Su 08:00-18:00", date(2035, 10, 1))[0][1] == (
        "public holiday · 08:00–18:00")
    assert words("zh", hours_text.week, "Mo-Su 08:00-18:00", date(2035, 10, 1))[0][1] == (
        "节假日 · 08:00–18:00")


def test_every_festival_reads_as_chinese_calendar_names_it(words):
    assert set(hours_text.HOLIDAYS) == {h.value for h in Holiday}
    for holiday in Holiday:
        day = hours.DayHours(date(2026, 1, 1), "closed", (), "holiday", holiday.value)
        assert words("zh", hours_text.day_label, day) == holiday.chinese
        assert words("en", hours_text.day_label, day) == holiday.value


@pytest.mark.parametrize(("expression", "en", "zh"), [
    (OFFICE, "Mon–Fri 08:30–17:30; Sat, Sun closed", "周一至周五 08:30–17:30；周六、周日 关闭"),
    (DAILY_PH_OFF, "every day 08:00–18:00; public holidays closed",
     "每天 08:00–18:00；节假日 关闭"),
    ("Tu-Su 09:00-17:00; PH 10:00-16:00", "Mon closed; Tue–Sun 09:00–17:00; public holidays "
     "10:00–16:00", "周一 关闭；周二至周日 09:00–17:00；节假日 10:00–16:00"),
    ("Mo,We 08:00-10:00", "Mon 08:00–10:00; Tue closed; Wed 08:00–10:00; Thu–Sun closed",
     "周一 08:00–10:00；周二 关闭；周三 08:00–10:00；周四至周日 关闭"),
])
def test_summary_reads_an_ordinary_week_and_a_public_holiday(words, expression, en, zh):
    assert words("en", hours_text.summary, expression, date(2026, 3, 4)) == en
    assert words("zh", hours_text.summary, expression, date(2026, 3, 4)) == zh


def test_summary_skips_a_week_with_holidays_or_make_up_days(words):
    # From National Day the first ordinary week is mid-October: the same reading as in March.
    assert (words("en", hours_text.summary, DAILY_PH_OFF, date(2026, 10, 1))
            == words("en", hours_text.summary, DAILY_PH_OFF, date(2026, 3, 4)))
    assert words("en", hours_text.summary, "Mo-Fr 25:00", date(2026, 3, 4)) == "hours unknown"

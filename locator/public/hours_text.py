"""Opening hours in words, in the request's language: core/hours.py says what is open when,
the catalogue says how to put it, and Babel names the weekdays and months."""

from datetime import date, datetime

from flask_babel import format_date

from locator.core import cn_days, hours
from locator.core.catalogue import N_
from locator.web.i18n import gettext, pgettext

# chinese_calendar's festival names, translated through the catalogue like every other word.
HOLIDAYS = (N_("New Year's Day"), N_("Spring Festival"), N_("Tomb-sweeping Day"),
            N_("Labour Day"), N_("Dragon Boat Festival"), N_("National Day"),
            N_("Mid-autumn Festival"), N_("Anti-Fascist 70th Day"))
# A status's label_key in words; "closes" and "opens" say when.
STATUS_WORDS = {"open_24_7": N_("open 24/7"), "closed": N_("closed"),
                "unknown": N_("hours unknown"), "closes": N_("closes %(when)s"),
                "opens": N_("opens %(when)s")}
# A day's kind in words (but "day_unknown", whose words differ: see day_hours_text).
DAY_WORDS = {"all_day": N_("open 24 hours"), "closed": N_("closed"),
             "unknown": N_("hours unknown")}


def when(moment: datetime, now: datetime) -> str:
    """A change time as people say it: 17:30 today, Mon 08:30 this week, Oct 8 later."""
    days_ahead = (moment.date() - now.date()).days
    clock = moment.strftime("%H:%M")
    if days_ahead == 0:
        return clock
    if days_ahead == 1 and clock == "00:00":
        return "24:00"  # closing at midnight tonight
    # A date, not a datetime: Flask-Babel would convert a datetime to the display timezone.
    day = moment.date()
    if days_ahead < 7:
        return f"{format_date(day, 'EEE')} {clock}"
    return f"{format_date(day, gettext('MMM d'))} {clock}"


def next_change_text(st: hours.HoursStatus, now: datetime | None) -> str:
    """E.g. "closes 17:30", "opens Mon 08:30" / "17:30 关门", "周一 08:30 开门"."""
    if st.next_change is None:
        return gettext(STATUS_WORDS[st.label_key])
    moment = hours.in_shanghai(st.next_change)
    return gettext(STATUS_WORDS[st.label_key], when=when(moment, hours.in_shanghai(now)))


def day_label(d: hours.DayHours) -> str | None:
    """The holiday or make-up-day label shown before a day's hours, if any."""
    if d.calendar == cn_days.HOLIDAY:
        return gettext(d.holiday) if d.holiday else None
    if d.calendar == cn_days.WORKDAY:
        return gettext("make-up working day")
    if d.calendar == hours.LIBRARY_HOLIDAY:
        return gettext("public holiday")
    return None


def day_hours_text(d: hours.DayHours) -> str:
    """One day's hours: "08:30–12:00, 14:00–17:30", "open 24 hours", "closed"…"""
    if d.kind == "spans":
        return ", ".join(f"{start}–{end}" for start, end in d.spans)
    if d.kind == "day_unknown":  # part of the day unknown: Chinese says it more briefly
        return pgettext("day", "hours unknown")
    return gettext(DAY_WORDS[d.kind])


def day_text(d: hours.DayHours) -> str:
    """A row of the week table, e.g. "国庆节 · 关闭"."""
    label, text = day_label(d), day_hours_text(d)
    return f"{label} · {text}" if label else text


def week(opening_hours: str, start: date) -> list[tuple[date, str]]:
    """Seven days from `start`, each with its hours in words."""
    return [(d.day, day_text(d)) for d in hours.week(opening_hours, start)]

"""Opening hours in words, in the request's language: core/hours.py says what is open when,
the catalogue says how to put it, and Babel names the weekdays and months."""

from datetime import date, datetime, timedelta

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
# How far ahead summary() looks for a week without holidays, and for a public holiday.
PLAIN_WEEKS = 26
HOLIDAY_DAYS = 400


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


def summary(opening_hours: str, around: date) -> str:
    """The hours in a few words, as the console's editor shows them while they are typed:
    "Mon–Fri 08:30–17:30; Sat, Sun closed; public holidays closed" / "周一至周五 08:30–17:30；
    周六、周日 关闭；节假日 关闭". Read over a week without holidays from `around` (so seasonal
    rules read as they are now), plus a public holiday if the expression mentions PH."""
    text = (opening_hours or "").strip()
    if not text or hours.validate(text) is not None:
        return gettext(DAY_WORDS["unknown"])
    days = hours.week(text, _plain_week(around))
    runs: list[list] = []  # [first day, last day, words], consecutive days alike
    for d in days:
        words = day_hours_text(d)
        if runs and runs[-1][2] == words:
            runs[-1][1] = d.day
        else:
            runs.append([d.day, d.day, words])
    if len(runs) == 1:
        parts = [f"{gettext('every day')} {runs[0][2]}"]
    else:
        parts = [f"{_days_text(first, last)} {words}" for first, last, words in runs]
    holiday = _public_holiday(around) if hours.mentions_ph(text) else None
    if holiday is not None:
        parts.append(gettext("public holidays %(hours)s",
                             hours=day_hours_text(hours.week(text, holiday)[0])))
    return pgettext("hours summary", "; ").join(parts)


def _days_text(first: date, last: date) -> str:
    """"Mon", "Sat, Sun" or "Mon–Fri" in the page language."""
    names = [format_date(first + timedelta(days=n), "EEE") for n in range((last - first).days + 1)]
    if len(names) <= 2:
        return pgettext("list", ", ").join(names)
    return gettext("%(first)s–%(last)s", first=names[0], last=names[-1])


def _plain_week(around: date) -> date:
    """The Monday of the first week from `around` with no holiday and no make-up working day."""
    monday = around - timedelta(days=around.weekday())
    for _ in range(PLAIN_WEEKS):
        week_days = [monday + timedelta(days=n) for n in range(7)]
        if all(_plain(d) for d in week_days):
            return monday
        monday += timedelta(days=7)
    return monday


def _plain(day: date) -> bool:
    """Whether `day` is an ordinary day (in a year chinese_calendar does not know: by the
    opening-hours library's own holidays)."""
    kind = cn_days.classify(day)[0]
    return kind == cn_days.ORDINARY or (kind == cn_days.UNKNOWN
                                        and not cn_days.library_knows_holiday(day))


def _public_holiday(around: date) -> date | None:
    """The statutory day off nearest `around` that China's calendar knows (the year ahead may
    not be published yet: then one just past), if any."""
    for n in range(HOLIDAY_DAYS):
        for day in (around + timedelta(days=n), around - timedelta(days=n)):
            if cn_days.classify(day)[0] == cn_days.HOLIDAY:
                return day
    return None

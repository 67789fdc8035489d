"""Generated OSM opening_hours expressions, for the property tests and the worst-case bench.

A small grammar of what admins write and of what the syntax allows on top: weekday and month
selectors, public holidays, one or several time spans (over midnight, to 24:00), modifiers
(off, closed, unknown, open), comments, and rules joined by ";", "," and "||". Not every draw
parses: callers keep the ones hours.validate() accepts.
"""

from hypothesis import strategies as st

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MODIFIERS = ("", " off", " closed", " unknown", " open")
SEPARATORS = ("; ", ", ", " || ")


@st.composite
def clock(draw, end: bool = False) -> str:
    """HH:MM; an end may be 24:00."""
    hour = draw(st.integers(0, 24 if end else 23))
    minute = 0 if hour == 24 else draw(st.sampled_from((0, 0, 15, 30, 45, 59)))
    return f"{hour:02d}:{minute:02d}"


@st.composite
def weekdays(draw) -> str:
    """"Mo-Fr", "Sa,Su", "Mo,Tu,We,Th,Fr,Sa,Su", "PH", "Mo-Su,PH"…"""
    kind = draw(st.sampled_from(("range", "list", "PH", "range+PH")))
    if kind == "PH":
        return "PH"
    if kind == "list":
        picked = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True))
        return ",".join(sorted(picked, key=DAYS.index))
    first, last = sorted(draw(st.lists(st.integers(0, 6), min_size=2, max_size=2)))
    text = f"{DAYS[first]}-{DAYS[last]}" if first != last else DAYS[first]
    return text + (",PH" if kind == "range+PH" else "")


@st.composite
def rule(draw) -> str:
    """One rule: [months] [weekdays] [time spans] [modifier] [comment]."""
    parts = []
    if draw(st.integers(0, 4)) == 0:
        first, last = sorted(draw(st.lists(st.integers(0, 11), min_size=2, max_size=2)))
        parts.append(f"{MONTHS[first]}-{MONTHS[last]}" if first != last else MONTHS[first])
    if draw(st.integers(0, 5)):
        parts.append(draw(weekdays()))
    spans = draw(st.lists(st.tuples(clock(), clock(end=True)), min_size=0, max_size=4))
    if spans:
        parts.append(",".join(f"{a}-{b}" for a, b in spans))
    text = " ".join(parts) or "24/7"
    text += draw(st.sampled_from(MODIFIERS))
    if draw(st.integers(0, 6)) == 0:
        text += ' "by appointment"'
    return text


@st.composite
def expressions(draw) -> str:
    """A whole expression: "24/7" alone, or one to four rules."""
    if draw(st.integers(0, 12)) == 0:
        return "24/7"
    rules = draw(st.lists(rule(), min_size=1, max_size=4))
    text = rules[0]
    for more in rules[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + more
    return text

"""hours.status() vs the bare library's state + next_change: `python -m bench.hours_bench`."""

import timeit
from datetime import datetime
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours

from locator import hours

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS = 5000
EXPRESSIONS = ("Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off", "24/7", "Mo-Su 22:00-02:00",
               "Mo-Fr 08:30-17:30; Sa,Su off")
# An ordinary Tuesday, the evening before National Day, and a make-up working day.
INSTANTS = (datetime(2026, 3, 3, 10, tzinfo=SHANGHAI), datetime(2026, 9, 30, 19, tzinfo=SHANGHAI),
            datetime(2026, 10, 10, 10, tzinfo=SHANGHAI))


def microseconds(fn) -> float:
    """Mean µs per call over CALLS calls, after one warm-up call."""
    fn()
    return timeit.timeit(fn, number=CALLS) / CALLS * 1e6


def library_only(expression: str, now: datetime):
    """The baseline: a pre-parsed library object answering the same two questions."""
    oh = OpeningHours(expression, timezone=SHANGHAI, country="CN")
    return lambda: (oh.state(now), oh.next_change(now))


def main() -> None:
    """Print a table of µs per call for each expression and instant."""
    print(f"mean of {CALLS} calls each, caches warm\n")
    print("| expression | now | library µs | status() µs | × library |")
    print("|---|---|---:|---:|---:|")
    for expression in EXPRESSIONS:
        for now in INSTANTS:
            base = microseconds(library_only(expression, now))
            ours = microseconds(lambda e=expression, n=now: hours.status(e, n))
            print(f"| `{expression}` | {now:%m-%d %H:%M} | {base:.1f} | {ours:.1f} "
                  f"| {ours / base:.1f} |")


if __name__ == "__main__":
    main()

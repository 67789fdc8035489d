"""Asia/Shanghai: the one time zone of opening hours, "today" and every time people see."""

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai_now() -> datetime:
    """The current time in Asia/Shanghai: the default of the app's clock (config.now, which
    tests set through CLOCK); code without an app asks this."""
    return datetime.now(SHANGHAI)

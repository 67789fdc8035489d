"""At most N requests a second to a provider, shared by every batch in this process."""

import threading
import time


class RateLimit:
    """Spaces request starts at least 1/per_s seconds apart (monotonic clock, thread-safe)."""

    def __init__(self, per_s: float, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / per_s
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until this caller's slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        # Sleep outside the lock: the next caller reserves the following slot meanwhile.
        if start > now:
            self._sleep(start - now)
        return start - now


_LIMITS: dict[tuple, RateLimit] = {}
_LIMITS_LOCK = threading.Lock()


def limit_for(provider: str, url: str, per_s: float) -> RateLimit:
    """The one RateLimit of this provider at this URL and rate in this process."""
    with _LIMITS_LOCK:
        return _LIMITS.setdefault((provider, url, per_s), RateLimit(per_s))

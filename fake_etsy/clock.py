"""Time sources for the fake Etsy server.

Why: token expiry (1 h access, 90 d refresh) and Etsy's 24-hour sliding daily quota
cannot be tested by sleeping. Everything in the fake that reasons about wall-clock
time takes a ``Clock`` (a zero-argument callable returning epoch seconds), so tests
inject a :class:`ManualClock` and jump forward in time instantly.

The per-second token bucket deliberately does NOT use this clock by default (see
``ratelimit``): a frozen manual clock would otherwise never refill it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Returns the current time in seconds since the Unix epoch."""

DEFAULT_MANUAL_START = 1_767_225_600.0
"""2026-01-01T00:00:00Z: late enough that every timestamp passes the spec's minimum."""


def system_clock() -> float:
    """The real wall clock (``time.time``)."""
    return time.time()


class ManualClock:
    """A clock that only moves when told to; safe to share between threads."""

    def __init__(self, start: float = DEFAULT_MANUAL_START) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (must not be negative); returns the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, now: float) -> None:
        """Jump to an absolute time (tests only; may go backwards)."""
        with self._lock:
            self._now = float(now)

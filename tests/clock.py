"""The one fake clock of the test suite, built on the fake Etsy's ``ManualClock``.

Why one: the app's parts ask for time in three shapes (the scheduler an aware
UTC ``datetime``, the rate limiter a monotonic reading and a ``sleep``, the
token manager epoch seconds), and the fake Etsy server takes a ``ManualClock``.
One object answers all of them from the same instant, so a test that moves it
moves every part together and no test waits for real time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from fake_etsy import ManualClock


class FakeClock(ManualClock):
    """A ``ManualClock`` (calling it gives epoch seconds) with the app's other faces.

    ``sleep(dt)`` means "until dt after this thread last read the clock", as a
    real sleep right after reading the time would: eight threads that read the
    clock at t and each sleep 0.1 s end at t + 0.1, not t + 0.8.  Time only
    moves when somebody sleeps or ``advance`` is called.
    """

    START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp()
    """Epoch seconds at which every fake clock starts (a Sunday noon, UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        """Start at ``START``, or at ``start`` (tests that meet a real clock: a database's)."""
        self._start = self.START if start is None else start.timestamp()
        super().__init__(self._start)
        self._moves = threading.Lock()
        self._local = threading.local()
        self._elapsed = 0.0  # kept apart so small sleeps add up exactly, not at epoch scale
        self.sleeps: list[float] = []

    @property
    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self(), UTC)

    def utcnow(self) -> datetime:
        """The scheduler's clock: a zero-argument callable giving aware UTC time."""
        return self.now

    def monotonic(self) -> float:
        """Seconds since the clock started (``time.monotonic``'s face)."""
        with self._moves:
            self._local.last_read = self._elapsed
            return self._elapsed

    def time(self) -> float:
        """Epoch seconds (``time.time``'s face)."""
        return self._start + self.monotonic()

    def sleep(self, seconds: float) -> None:
        """Move time to ``seconds`` after this thread last read the clock."""
        assert seconds >= 0, seconds
        with self._moves:
            self.sleeps.append(seconds)
            start = getattr(self._local, "last_read", self._elapsed)
            self._move_to(max(self._elapsed, start + seconds))
            self._local.last_read = self._elapsed

    def advance(self, seconds: float = 0.0, **delta: float) -> float:
        """Move forward by ``seconds`` plus a ``timedelta``'s keywords (``hours=1``)."""
        total = seconds + timedelta(**delta).total_seconds()
        if total < 0:
            raise ValueError("a clock cannot go backwards")
        with self._moves:
            self._move_to(self._elapsed + total)
            return self()

    def _move_to(self, elapsed: float) -> None:
        self._elapsed = elapsed
        self.set(self._start + elapsed)

"""Etsy's two rate limits: a per-second token bucket and a 24-hour sliding window.

Why: a sync client must pace itself from the response headers and back off on 429
("Rate limits", https://developers.etsy.com/documentation/essentials/rate-limits).
The fake enforces both limits the way Etsy documents them:

* per second: a token bucket of capacity ``qps`` refilled continuously at ``qps``
  tokens per second, measured with ``time.monotonic`` (not the injectable clock, which
  tests usually freeze; pass ``monotonic=`` to control it in unit tests);
* per day: a sliding 24-hour window split into buckets (10 minutes by default) on
  the injectable clock; when the oldest bucket slides out, its quota returns at once.

QPS is checked first, then QPD. Rejected requests consume nothing. ``None`` disables
a limit, and then its two headers are omitted (assumption: there is no honest value to
send; clients must cope with missing headers anyway since Etsy's docs misspell one).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from fake_etsy.clock import Clock

DAY_SECONDS = 86_400
PER_SECOND_ERROR = "Exceeded per second rate limit"
PER_DAY_ERROR = "Exceeded daily rate limit"


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one admission check, with the headers to send either way."""

    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    retry_after: int | None = None


class RateLimiter:
    """Thread-safe QPS + QPD limiter for one API key."""

    def __init__(
        self,
        *,
        qps: float | None,
        qpd: int | None,
        clock: Clock,
        monotonic: Clock = time.monotonic,
        bucket_seconds: int = 600,
    ) -> None:
        if bucket_seconds <= 0 or DAY_SECONDS % bucket_seconds:
            raise ValueError("bucket_seconds must divide 86400")
        self._clock = clock
        self._monotonic = monotonic
        self._bucket_seconds = bucket_seconds
        self._lock = threading.Lock()
        self._window: deque[tuple[int, int]] = deque()  # (bucket start, count)
        self._used_today = 0
        self._qps: float | None = None
        self._qpd: int | None = None
        self._tokens = 0.0
        self._last_refill = monotonic()
        self.set_limits(qps=qps, qpd=qpd)

    @property
    def qps(self) -> float | None:
        return self._qps

    @property
    def qpd(self) -> int | None:
        return self._qpd

    def set_limits(self, *, qps: float | None, qpd: int | None) -> None:
        """Change the limits at runtime (the bucket starts full, the day's usage stays)."""
        if qps is not None and qps <= 0:
            raise ValueError("qps must be positive or None")
        if qpd is not None and qpd <= 0:
            raise ValueError("qpd must be positive or None")
        with self._lock:
            self._qps = qps
            self._qpd = qpd
            self._tokens = float(qps or 0)
            self._last_refill = self._monotonic()

    def reset(self) -> None:
        """Forget all usage (full bucket, empty day)."""
        with self._lock:
            self._window.clear()
            self._used_today = 0
            self._tokens = float(self._qps or 0)
            self._last_refill = self._monotonic()

    def acquire(self) -> RateDecision:
        """Admit one request or refuse it with Etsy's 429 details."""
        with self._lock:
            self._refill()
            now = self._clock()
            self._slide(now)
            if self._qps is not None and self._tokens < 1.0:
                wait = (1.0 - self._tokens) / self._qps
                return RateDecision(
                    False, self._headers(), PER_SECOND_ERROR, max(1, math.ceil(wait))
                )
            if self._qpd is not None and self._used_today >= self._qpd:
                oldest = self._window[0][0] if self._window else now
                wait = oldest + self._bucket_seconds + DAY_SECONDS - now
                return RateDecision(False, self._headers(), PER_DAY_ERROR, max(1, math.ceil(wait)))
            if self._qps is not None:
                self._tokens -= 1.0
            self._count(now)
            return RateDecision(True, self._headers())

    def headers(self) -> dict[str, str]:
        """The current rate-limit headers without consuming anything."""
        with self._lock:
            self._refill()
            self._slide(self._clock())
            return self._headers()

    def _refill(self) -> None:
        now = self._monotonic()
        if self._qps is not None:
            elapsed = max(0.0, now - self._last_refill)
            self._tokens = min(float(self._qps), self._tokens + elapsed * self._qps)
        self._last_refill = now

    def _slide(self, now: float) -> None:
        horizon = now - DAY_SECONDS
        while self._window and self._window[0][0] + self._bucket_seconds <= horizon:
            _, count = self._window.popleft()
            self._used_today -= count

    def _count(self, now: float) -> None:
        start = int(now // self._bucket_seconds) * self._bucket_seconds
        if self._window and self._window[-1][0] == start:
            self._window[-1] = (start, self._window[-1][1] + 1)
        else:
            self._window.append((start, 1))
        self._used_today += 1

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self._qps is not None:
            headers["x-limit-per-second"] = f"{self._qps:g}"
            headers["x-remaining-this-second"] = str(max(0, math.floor(self._tokens)))
        if self._qpd is not None:
            headers["x-limit-per-day"] = str(self._qpd)
            headers["x-remaining-today"] = str(max(0, self._qpd - self._used_today))
        return headers

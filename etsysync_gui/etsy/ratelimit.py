"""Client-side pacing for Etsy's per-second and per-day limits, one per API key.

Why one limiter per key, shared process-wide: Etsy counts requests per API key
("Rate limits", https://developers.etsy.com/documentation/essentials/rate-limits),
not per client object or thread.  A scheduled sync and a manual
"refresh now" may run side by side; if each paced itself alone, together they
would run at twice the limit and collect 429s.  ``limiter_for(keystring)``
hands every client of a key the same limiter.

Why a token bucket paced slightly under the limit: a long read (50 pages for
a 5,000-listing shop) should run *at* the limit, not at a timid fraction of it,
without ever tripping the server.  Ours refills at ``limit * 0.97`` and holds a
small burst of ``max(1, limit * 0.03)`` tokens, so any one-second window sees
at most burst + 0.97 * limit <= limit requests.  That satisfies a strict
sliding-window counter (Etsy does not say which algorithm it uses) as well as
a token bucket of capacity = QPS refilled at QPS per second (what the fake
server enforces), and against such a bucket it leaves most of the capacity as
slack for network jitter bunching requests together on arrival.  The burst
buys almost nothing on a long read (a fraction of a second), so it stays small.

Why learn from headers: the defaults (10/s, 10,000/day) are only Etsy's old
defaults; the real limits and remaining budget come back on every response as
``x-limit-per-second``, ``x-remaining-this-second`` (documented misspelt as
``x-remaining-this-secon``; both are read), ``x-limit-per-day`` and
``x-remaining-today``.

The daily window slides (same page), so there is no reset time to wait for.
When the budget reads 0 the limiter refuses requests (``RateLimitedError``)
for ``daily_probe_interval`` seconds and then lets one request through to see
whether budget has come back; it never blocks a caller for longer than
``max_wait`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from etsysync_gui.etsy.errors import OperationCancelled, RateLimitedError

log = logging.getLogger(__name__)

DEFAULT_LIMIT_PER_SECOND = 10
DEFAULT_LIMIT_PER_DAY = 10_000

H_LIMIT_SECOND = "x-limit-per-second"
H_REMAINING_SECOND = ("x-remaining-this-second", "x-remaining-this-secon")
H_LIMIT_DAY = "x-limit-per-day"
H_REMAINING_DAY = "x-remaining-today"
# Float refills can land a hair under a whole token; without this slack a
# waiter could be asked to sleep a duration too small to move the clock.
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Budget:
    """What the app knows about its Etsy request budget, for the UI and the database.

    ``remaining_today`` is ``None`` until Etsy has reported it; ``observed_at`` is
    the wall-clock time (epoch seconds) of that report.
    """

    limit_per_second: int
    limit_per_day: int
    remaining_today: int | None
    observed_at: float | None


BudgetListener = Callable[[Budget], None]


def _header_int(headers: Mapping[str, str], *names: str) -> int | None:
    for name in names:
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = int(raw.strip())
        except ValueError:
            continue
        if value >= 0:
            return value
    return None


class RateLimiter:
    """A thread-safe token bucket plus daily budget, shared by all requests of one key.

    ``clock`` is monotonic seconds, ``wall_clock`` epoch seconds; ``sleep`` is
    how the limiter waits.  All three are injectable so tests run on a fake clock.
    """

    def __init__(
        self,
        *,
        limit_per_second: int = DEFAULT_LIMIT_PER_SECOND,
        limit_per_day: int = DEFAULT_LIMIT_PER_DAY,
        pace: float = 0.97,
        max_wait: float = 120.0,
        daily_probe_interval: float = 900.0,
        default_429_pause: float = 1.0,
        notify_interval: float = 2.0,
        wait_slice: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._pace = pace
        self._max_wait = max_wait
        self._probe_interval = daily_probe_interval
        self._default_429_pause = default_429_pause
        self._notify_interval = notify_interval
        self._wait_slice = wait_slice
        self._limit_per_second = max(1, limit_per_second)
        self._limit_per_day = max(1, limit_per_day)
        self._remaining_today: int | None = None
        self._observed_at: float | None = None
        self._tokens = self._capacity()
        self._last_refill = clock()
        self._paused_until = float("-inf")
        self._day_blocked_until = float("-inf")
        self._listeners: list[BudgetListener] = []
        self._last_notified: Budget | None = None
        self._last_notify_time = float("-inf")

    # --- pacing -----------------------------------------------------------------

    @property
    def rate(self) -> float:
        """Requests per second this limiter paces to."""
        with self._lock:
            return self._rate()

    def _rate(self) -> float:
        return self._limit_per_second * self._pace

    def _capacity(self) -> float:
        return max(1.0, float(int(self._limit_per_second * (1.0 - self._pace))))

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._last_refill)
        self._tokens = min(self._capacity(), self._tokens + elapsed * self._rate())
        self._last_refill = now

    def acquire(self, cancel: threading.Event | None = None) -> None:
        """Block until a request may be sent, then count it.

        Raises ``OperationCancelled`` as soon as ``cancel`` is set, and
        ``RateLimitedError`` when the wait would exceed ``max_wait`` (a long
        429 pause or an exhausted daily budget).
        """
        while True:
            if cancel is not None and cancel.is_set():
                raise OperationCancelled("Cancelled")
            with self._lock:
                now = self._clock()
                self._refill(now)
                wait, probe = self._blocked_wait(now)
                if wait <= 0:
                    if self._tokens >= 1.0 - _EPSILON:
                        self._tokens = max(0.0, self._tokens - 1.0)
                        if self._remaining_today is not None:
                            self._remaining_today = max(0, self._remaining_today - 1)
                        if probe:
                            self._day_blocked_until = now + self._probe_interval
                        return
                    wait = (1.0 - self._tokens) / self._rate()
            self._sleep(min(wait, self._wait_slice))

    def _blocked_wait(self, now: float) -> tuple[float, bool]:
        """(seconds until pauses lift, whether this is a daily-budget probe).

        Raises ``RateLimitedError`` when the wait exceeds ``max_wait``.  Lock held.
        """
        probe = False
        if self._remaining_today is not None and self._remaining_today <= 0:
            if self._day_blocked_until == float("-inf"):
                # The budget just ran out: refuse requests for a probe interval.
                self._day_blocked_until = now + self._probe_interval
            elif self._day_blocked_until <= now:
                # The probe interval is over: the next request that gets a token
                # finds out whether the sliding window has given budget back.
                probe = True
        blocked_until = max(self._paused_until, self._day_blocked_until)
        wait = blocked_until - now
        if wait > self._max_wait:
            daily = self._day_blocked_until >= self._paused_until
            raise RateLimitedError(
                (
                    "Etsy's daily request limit for this API key is used up"
                    if daily
                    else "Etsy asked EtsySync to pause its requests"
                )
                + f"; try again in about {max(1, round(wait / 60))} min",
                retry_after=wait,
                status=None,
            )
        return wait, probe

    def note_429(self, retry_after: float | None, *, daily: bool = False) -> None:
        """Etsy answered 429: pause every request of this key for ``retry_after`` s.

        ``daily`` marks a daily-limit 429, which also zeroes the remaining budget.
        """
        pause = self._default_429_pause if retry_after is None else max(0.0, retry_after)
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._paused_until = max(self._paused_until, now + pause)
            self._tokens = min(self._tokens, 0.0)
            if daily:
                self._remaining_today = 0
                self._observed_at = self._wall_clock()
                self._day_blocked_until = max(self._day_blocked_until, now + pause)
        self._notify(force=True)

    # --- learning -----------------------------------------------------------------

    def observe_headers(self, headers: Mapping[str, str]) -> None:
        """Learn limits and remaining budget from a response's headers (any status)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        limit_second = _header_int(lowered, H_LIMIT_SECOND)
        remaining_second = _header_int(lowered, *H_REMAINING_SECOND)
        limit_day = _header_int(lowered, H_LIMIT_DAY)
        remaining_day = _header_int(lowered, H_REMAINING_DAY)
        if (limit_second, remaining_second, limit_day, remaining_day) == (None,) * 4:
            return
        with self._lock:
            now = self._clock()
            self._refill(now)
            force = self._learn_per_second(limit_second, remaining_second)
            force = self._learn_per_day(limit_day, remaining_day, now) or force
        self._notify(force=force)

    def _learn_per_second(self, limit: int | None, remaining: int | None) -> bool:
        """Adopt the per-second headers (lock held); ``True`` when the limit changed."""
        changed = False
        if limit is not None and limit > 0:
            changed = limit != self._limit_per_second
            self._limit_per_second = limit
            self._tokens = min(self._tokens, self._capacity())
        if remaining is not None:
            # The server's bucket is authoritative when it is lower than ours
            # (e.g. another app instance uses the same key).
            self._tokens = min(self._tokens, float(remaining))
        return changed

    def _learn_per_day(self, limit: int | None, remaining: int | None, now: float) -> bool:
        """Adopt the daily headers (lock held); ``True`` when the limit changed or ran out."""
        changed = False
        if limit is not None and limit > 0:
            changed = limit != self._limit_per_day
            self._limit_per_day = limit
        if remaining is not None:
            if remaining == 0 and self._remaining_today != 0:
                changed = True
            self._remaining_today = remaining
            self._observed_at = self._wall_clock()
            if remaining > 0:
                self._day_blocked_until = float("-inf")
            elif self._day_blocked_until < now:
                self._day_blocked_until = now + self._probe_interval
        return changed

    def restore(self, budget: Budget) -> None:
        """Seed the limiter from a budget persisted by an earlier run.

        Limits are adopted as they are.  A remaining budget is adopted only while
        it is fresh (younger than ``daily_probe_interval``); an exhausted budget
        blocks until that interval has passed since it was observed.
        """
        with self._lock:
            self._limit_per_second = max(1, budget.limit_per_second)
            self._limit_per_day = max(1, budget.limit_per_day)
            self._tokens = min(self._tokens, self._capacity())
            if budget.remaining_today is None or budget.observed_at is None:
                return
            age = self._wall_clock() - budget.observed_at
            if age >= self._probe_interval:
                return
            self._remaining_today = budget.remaining_today
            self._observed_at = budget.observed_at
            if budget.remaining_today <= 0:
                self._day_blocked_until = self._clock() + (self._probe_interval - age)

    # --- reporting ------------------------------------------------------------------

    def budget(self) -> Budget:
        with self._lock:
            return self._budget()

    def _budget(self) -> Budget:
        return Budget(
            limit_per_second=self._limit_per_second,
            limit_per_day=self._limit_per_day,
            remaining_today=self._remaining_today,
            observed_at=self._observed_at,
        )

    def add_listener(self, listener: BudgetListener) -> Callable[[], None]:
        """Call ``listener(budget)`` when Etsy reports a changed budget.

        Calls come from whichever thread saw the response, at most every
        ``notify_interval`` seconds for plain countdowns, immediately for limit
        changes, 429s and exhaustion.  Returns a function that unsubscribes.
        """
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def _notify(self, *, force: bool) -> None:
        with self._lock:
            current = self._budget()
            now = self._clock()
            if current == self._last_notified:
                return
            if not force and now - self._last_notify_time < self._notify_interval:
                return
            self._last_notified = current
            self._last_notify_time = now
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(current)
            except Exception:  # a broken listener must not break Etsy calls
                log.exception("rate-limit budget listener failed")


_registry: dict[str, RateLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(keystring: str) -> RateLimiter:
    """The process-wide limiter for an API key (created on first use)."""
    with _registry_lock:
        limiter = _registry.get(keystring)
        if limiter is None:
            limiter = RateLimiter()
            _registry[keystring] = limiter
        return limiter

"""The per-key rate limiter: pacing, header learning, pauses, budget reporting."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from etsysync_gui.etsy.errors import OperationCancelled, RateLimitedError
from etsysync_gui.etsy.ratelimit import Budget, RateLimiter, limiter_for
from tests.clock import FakeClock

MakeLimiter = Callable[..., RateLimiter]


def _server_bucket_violations(times: list[float], qps: float) -> int:
    """How many of these arrival times a capacity=qps, refill=qps/s bucket would reject."""
    tokens, last, rejected = qps, 0.0, 0
    for t in times:
        tokens = min(qps, tokens + (t - last) * qps)
        last = t
        if tokens < 1.0:
            rejected += 1
        else:
            tokens -= 1.0
    return rejected


def test_pacing_runs_at_but_never_over_the_limit(
    clock: FakeClock, make_limiter: MakeLimiter
) -> None:
    limiter = make_limiter(limit_per_second=10)
    times = []
    for _ in range(300):
        limiter.acquire()
        times.append(clock.monotonic())

    assert _server_bucket_violations(times, 10) == 0
    # At the limit, not timidly under it: 300 requests in about (300 - burst) / 9.7 s.
    assert times[-1] == pytest.approx((300 - 1) / 9.7, rel=0.01)
    # Even a strict sliding window never sees more than 10 requests in a second.
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 10


def test_pacing_holds_with_many_threads(clock: FakeClock, make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(limit_per_second=10)
    times: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            limiter.acquire()
            with lock:
                times.append(clock.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    times.sort()
    assert len(times) == 200
    assert _server_bucket_violations(times, 10) == 0
    assert times[-1] == pytest.approx((200 - 1) / 9.7, rel=0.02)
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 10


@pytest.mark.parametrize("remaining_header", ["x-remaining-this-second", "x-remaining-this-secon"])
def test_learns_limits_from_headers_with_either_spelling(
    clock: FakeClock, make_limiter: MakeLimiter, remaining_header: str
) -> None:
    limiter = make_limiter()
    seen: list[Budget] = []
    limiter.add_listener(seen.append)

    limiter.observe_headers(
        {
            "X-Limit-Per-Second": "150",
            remaining_header: "0",
            "x-limit-per-day": "100000",
            "x-remaining-today": "99000",
        }
    )

    assert limiter.rate == pytest.approx(150 * 0.97)
    budget = limiter.budget()
    assert budget == Budget(150, 100_000, 99_000, FakeClock.START)
    assert seen == [budget]
    # The server said nothing is left this second: the next request waits a bit.
    before = clock.monotonic()
    limiter.acquire()
    assert clock.monotonic() > before


def test_remaining_this_second_is_honoured_from_misspelt_header(
    clock: FakeClock, make_limiter: MakeLimiter
) -> None:
    limiter = make_limiter(limit_per_second=10)
    limiter.observe_headers({"x-remaining-this-secon": "0"})
    limiter.acquire()
    assert clock.monotonic() == pytest.approx(1 / 9.7, rel=0.01)


def test_note_429_pauses_every_caller(clock: FakeClock, make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(limit_per_second=10)
    limiter.note_429(3.0)
    limiter.acquire()
    assert clock.monotonic() >= 3.0


def test_long_pause_raises_instead_of_blocking(clock: FakeClock, make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    limiter.note_429(86400.0, daily=True)
    with pytest.raises(RateLimitedError) as info:
        limiter.acquire()
    assert info.value.retry_after == pytest.approx(86400.0)
    assert clock.monotonic() == 0.0  # it did not sleep
    assert limiter.budget().remaining_today == 0


def test_exhausted_daily_budget_refuses_then_probes(
    clock: FakeClock, make_limiter: MakeLimiter
) -> None:
    limiter = make_limiter(daily_probe_interval=900.0)
    limiter.observe_headers({"x-limit-per-day": "10000", "x-remaining-today": "2"})
    limiter.acquire()
    limiter.acquire()
    with pytest.raises(RateLimitedError, match="daily"):
        limiter.acquire()

    clock.advance(901.0)
    limiter.acquire()  # one probe goes through ...
    with pytest.raises(RateLimitedError):
        limiter.acquire()  # ... the rest wait for its answer
    limiter.observe_headers({"x-remaining-today": "50"})  # the window gave budget back
    limiter.acquire()
    assert limiter.budget().remaining_today == 49


def test_restore_seeds_limits_and_fresh_budget(clock: FakeClock, make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    limiter.restore(Budget(20, 50_000, 0, FakeClock.START - 100.0))
    assert limiter.budget().limit_per_second == 20
    with pytest.raises(RateLimitedError):
        limiter.acquire()

    stale = make_limiter()
    stale.restore(Budget(20, 50_000, 0, FakeClock.START - 10_000.0))
    stale.acquire()  # an old "exhausted" is not trusted: the window has slid since


def test_acquire_respects_cancellation(clock: FakeClock, make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    limiter.note_429(60.0)
    cancel = threading.Event()
    original_sleep = clock.sleep

    def sleep_then_cancel(seconds: float) -> None:
        original_sleep(seconds)
        if clock.monotonic() > 5.0:
            cancel.set()

    limiter._sleep = sleep_then_cancel
    with pytest.raises(OperationCancelled):
        limiter.acquire(cancel)
    assert 5.0 < clock.monotonic() < 6.0


def test_listener_errors_do_not_break_requests(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()

    def broken(_: Budget) -> None:
        raise RuntimeError("db down")

    remove = limiter.add_listener(broken)
    limiter.observe_headers({"x-remaining-today": "5"})
    remove()
    limiter.observe_headers({"x-remaining-today": "4"})
    assert limiter.budget().remaining_today == 4


def test_countdown_notifications_are_throttled(clock: FakeClock, make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(notify_interval=2.0)
    seen: list[int | None] = []
    limiter.add_listener(lambda b: seen.append(b.remaining_today))
    for remaining in (100, 99, 98):
        limiter.observe_headers({"x-remaining-today": str(remaining)})
    clock.advance(2.5)
    limiter.observe_headers({"x-remaining-today": "97"})
    limiter.observe_headers({"x-remaining-today": "0"})  # exhaustion is reported at once
    assert seen == [100, 97, 0]


def test_one_limiter_per_key_across_threads() -> None:
    results: list[RateLimiter] = []
    lock = threading.Lock()

    def get() -> None:
        limiter = limiter_for("shared-key-for-test")
        with lock:
            results.append(limiter)

    threads = [threading.Thread(target=get) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(x) for x in results}) == 1
    assert limiter_for("another-key-for-test") is not results[0]

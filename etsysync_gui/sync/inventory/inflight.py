"""Several Etsy writes in flight side by side, their database work kept on the run's thread.

Why: an inventory PUT takes about 250 ms on the wire, so one PUT at a time runs
a push at ~3-4 calls/s while Etsy allows 10/s ("Rate limits",
https://developers.etsy.com/documentation/essentials/rate-limits).  Keeping a
few PUTs in flight lets the one shared rate limiter, not the latency, set the
pace.

What stays exactly as it was, per listing: its write-ahead record is committed
(on the run's thread) BEFORE its Etsy call is handed to a worker; its commit
happens on the run's thread AFTER its answer, in the order the listings were
started; errors are handled by the same code, one listing at a time; progress
is reported as each listing is committed.  Only the Etsy calls (and the hooks
that sit between them) run on worker threads.

When a listing's handling raises (a stop for the user, an exhausted rate limit,
a crash), the other calls in flight are waited for but NOT committed: their
write-ahead records stay, exactly as if the process had died there, and the
next run's recovery resolves them.  Before the next listing is started, a call
that already failed is handled first (``settle``), so a stop starts no new
write.  Cancellation, a lost lease and another sync's record are checked
between listings as before; the calls already in flight are finished and
committed first, as the one in flight was when writes went one at a time.

How many are in flight is ``SyncOptions.writes_in_flight``, default 12: to
keep Etsy's 10 requests/s busy, as many calls must be in flight as arrive in
one call's time, which is ~250 ms on the wire plus its turn at the limiter and
the machine's own delays (measured with ``benchmarks/floor_bench.py`` on a
loaded 2-core machine, pushing 500 listings: 1 in flight 2.65x the floor, 4
1.16-1.21x, 8 1.11-1.16x, 12 1.09-1.10x; no 429).  With 1 nothing runs on
another thread: exactly the old sequence.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

T = TypeVar("T")


class Window(Generic[T]):
    """Up to ``size`` calls in flight; their results are finished in start order.

    ``submit(call, finish)`` runs ``call`` on a worker; ``finish(result)`` later
    runs on the caller's thread, where ``result()`` returns the call's value or
    raises its exception.  With ``size`` 1 nothing runs on another thread.
    """

    def __init__(self, size: int) -> None:
        self._size = max(1, size)
        self._pending: deque[tuple[Future[T], Callable[[Callable[[], T]], None]]] = deque()
        self._executor: ThreadPoolExecutor | None = None

    def __enter__(self) -> Window[T]:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None:
            self.abandon()
        self.close()

    def submit(self, call: Callable[[], T], finish: Callable[[Callable[[], T]], None]) -> None:
        if self._size == 1:
            finish(call)
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._size, thread_name_prefix="etsy-write")
        self._pending.append((self._executor.submit(call), finish))
        while len(self._pending) >= self._size:
            self._finish_oldest()

    def settle(self) -> None:
        """Finish, in start order, every call up to the last one that already failed.

        Called before the next listing is started, so a failure that stops the
        run (an authentication problem, an exhausted rate limit) stops it
        before another write-ahead record or Etsy call, not up to ``size``
        listings later; a failure that does not stop the run (Etsy refusing a
        write) is recorded, and the run carries on.
        """
        failed = [n for n, (future, _) in enumerate(self._pending) if _failed(future)]
        for _ in range(failed[-1] + 1 if failed else 0):
            self._finish_oldest()

    def drain(self) -> None:
        """Finish every call in flight, in start order."""
        while self._pending:
            self._finish_oldest()

    def abandon(self) -> None:
        """Wait for the calls in flight without finishing them (their records stay)."""
        wait([future for future, _ in self._pending])
        self._pending.clear()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _finish_oldest(self) -> None:
        future, finish = self._pending.popleft()
        try:
            finish(future.result)
        except BaseException:
            self.abandon()
            raise


def _failed(future: Future[T]) -> bool:
    """Whether ``future`` has already ended with an exception (never waits)."""
    return future.done() and future.exception() is not None

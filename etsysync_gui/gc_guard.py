"""Put off Python's full garbage collections while heavy background work runs.

Why: CPython's full (generation 2) collection walks every container object in
the process with the GIL held, stopping every thread.  After start-up that is
about 220,000 objects (SQLAlchemy, httpx, the Qt bindings, the app), and a
cold ``sync all`` allocates enough to set off a full collection every second
or so, each 50-150 ms in the engine and 0.2-1 s in the GUI (which holds more),
finding almost nothing: reference counting frees nearly all of it.  Measured:

* in the GUI (``benchmarks/gui_bench.py``), each froze the window;
* in the engine (``benchmarks/floor_bench.py``), each left a gap in the paced
  request stream: the reader threads could not take their rate-limit slot on
  time, and a slot not taken when due is lost (the limiter keeps a single
  spare), so a cold 5,000-listing read lost 0.2-0.4 s to four or five
  collections, which were also about a tenth of the run's CPU.

So while a sync run (``sync.runs.frame``) or a GUI background job holds
``GC_GUARD``, the full-collection threshold is set out of reach; the young
generations are still collected as usual, so short-lived cycles are freed.
The count is process-wide because the collector is: full collections resume
(the thresholds are put back) when the last holder releases, and the first
one that follows walks the app's usual objects, not a half-built result.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FULL_COLLECTIONS_OFF = 1_000_000


class FullCollectionGuard:
    """Counted across threads: full collections resume when the last holder releases."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: tuple[int, int, int] | None = None

    def hold(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._saved = gc.get_threshold()
                gc.set_threshold(self._saved[0], self._saved[1], FULL_COLLECTIONS_OFF)
            self._depth += 1

    def release(self) -> None:
        with self._lock:
            self._depth = max(0, self._depth - 1)
            if self._depth == 0 and self._saved is not None:
                gc.set_threshold(*self._saved)
                self._saved = None

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the guard for the ``with`` block."""
        self.hold()
        try:
            yield
        finally:
            self.release()

    @property
    def is_held(self) -> bool:
        return self._depth > 0


GC_GUARD = FullCollectionGuard()

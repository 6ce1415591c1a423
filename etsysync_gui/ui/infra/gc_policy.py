"""Keep Python's full garbage collections from freezing the window during background work.

Measured (``benchmarks/gui_bench.py``): a full (generation 2) collection
stops every thread, the GUI thread included, for as long as it takes to
walk every live object.  During a 10,000-listing sync the engine holds a few
hundred thousand objects, and CPython 3.11 ran several full collections,
each freezing the window for 0.2 to 1 s.  Nearly all those objects are freed
by reference counting anyway; the full collections found almost nothing.

Two measures, both standard CPython practice:

* ``freeze_startup_objects``: after start-up, move everything alive
  (modules, Qt wrappers, settings) to the permanent generation, which
  collections never walk again;
* ``GC_GUARD``: while a sync or a background read runs, automatic full
  collections are put off (young generations are still collected as usual,
  so short-lived cycles are freed).  The runners hold it from the start of a
  job until its result has been handed out, so the full collection that
  follows walks the app's usual objects, not a half-built result.  Loading
  100,000 listings otherwise triggered a 150 ms full collection.
"""

from __future__ import annotations

import gc
import threading

FULL_COLLECTIONS_OFF = 1_000_000


def freeze_startup_objects() -> None:
    gc.collect()
    gc.freeze()


class _SyncGcGuard:
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

    @property
    def held(self) -> bool:
        return self._depth > 0


GC_GUARD = _SyncGcGuard()

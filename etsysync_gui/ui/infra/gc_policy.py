"""Keep Python's full garbage collections from freezing the window.

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
* ``gc_guard.GC_GUARD``: while a sync or a background read runs, automatic
  full collections are put off (young generations are still collected as
  usual, so short-lived cycles are freed).  The sync engine holds it for each
  run; the runners also hold it from the start of a job until its result has
  been handed out, so the full collection that follows walks the app's usual
  objects, not a half-built result.  Loading 100,000 listings otherwise
  triggered a 150 ms full collection.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    gc.collect()
    gc.freeze()

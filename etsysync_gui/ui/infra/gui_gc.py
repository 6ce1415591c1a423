"""Python's cyclic garbage collector runs on the GUI thread only.

Why: a collection runs on whichever thread happens to allocate when a
threshold is crossed, often a worker (a sync, a database job).  If the
garbage holds a Qt object with a Python wrapper (a finished job's signal
emitter, a closed dialog's model), its C++ destructor then runs on that
worker: it takes one of Qt's connection mutexes and asks for the GIL, while
the GUI thread holds the GIL and waits for the same mutex inside
``setModel``/``disconnect``.  Both wait forever (seen as a hung test run; the
native stacks showed ``QObject::~QObject`` under ``gc_collect_main`` on
``scheduler-db_0`` and ``QObject::disconnectImpl`` on the main thread).

So automatic collection is switched off while the app runs and a timer on
the GUI thread collects the generations that are due, by the same counts
and thresholds CPython uses (so ``gc_guard.GC_GUARD``, which raises the
full-collection threshold during a sync, keeps working).  Reference counting
frees almost everything as before; only cycles wait for the next tick.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

TICK_MS = 200


class GuiThreadCollector(QObject):
    """Owns the GUI thread's collection timer; ``start`` switches automatic GC off."""

    def __init__(self, parent: QObject | None = None, *, tick_ms: int = TICK_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.collect_due)
        self.collections = [0, 0, 0]

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    def collect_due(self) -> None:
        """Collect the oldest generation whose count passed its threshold (as CPython does)."""
        thresholds, counts = gc.get_threshold(), gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                self.collections[generation] += 1
                return

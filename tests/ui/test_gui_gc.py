"""The cycle collector runs on the GUI thread only, at CPython's own thresholds."""

from __future__ import annotations

import gc
import threading

from etsysync_gui.ui.infra.gui_gc import GuiThreadCollector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cycle collector frees it


def test_a_worker_thread_never_collects_and_the_gui_tick_does(
    gui_thread_gc: GuiThreadCollector,
) -> None:
    assert not gc.isenabled()  # no collection can start on whichever thread allocates
    before = gc.get_count()[0]
    worker = threading.Thread(target=lambda: [_Node() for _ in range(5 * gc.get_threshold()[0])])
    worker.start()
    worker.join()
    assert gc.get_count()[0] > before  # the worker's garbage waits for the GUI thread
    done = list(gui_thread_gc.collections)
    gui_thread_gc.collect_due()
    assert gui_thread_gc.collections != done
    assert gc.get_count()[0] < gc.get_threshold()[0]

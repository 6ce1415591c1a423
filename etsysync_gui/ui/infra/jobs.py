"""Work off the GUI thread: ``JobRunner`` for reads and small writes, ``SyncRunner`` for syncs.

A ``QRunnable`` cannot own signals, so each ``Worker`` carries a small
``WorkerEmitter`` (maestral-qt's pattern).  Both runners keep a strong
reference to each worker until its ``done`` signal has been delivered on the
GUI thread, then call the caller's callbacks there.  A callback whose
``context`` widget has been deleted meanwhile is dropped.

``SyncRunner`` is the ONE place sync work runs (see ``sync_runner``).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from shiboken6 import isValid

from etsysync_gui.gc_guard import GC_GUARD

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class WorkerEmitter(QObject):
    """Signals of one worker; emitted on the worker thread, delivered queued."""

    done = Signal(int, bool, object)  # job id, ok, value or exception
    progress = Signal(int, str, int, int)  # job id, phase, done, total


class Worker(QRunnable):
    """Runs ``fn`` on a pool thread and reports through its emitter."""

    def __init__(self, job_id: int, fn: Callable[[], Any], emitter: WorkerEmitter) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.job_id = job_id
        self._fn = fn
        self.emitter = emitter

    def run(self) -> None:
        try:
            value = self._fn()
        except BaseException as exc:  # reported to the caller, never lost
            if not isinstance(exc, Exception):
                log.error("A worker stopped with %r", exc)
            self.emitter.done.emit(self.job_id, False, exc)
        else:
            self.emitter.done.emit(self.job_id, True, value)


@dataclass
class _Pending:
    worker: Worker
    on_result: Callback | None
    on_error: Callback | None
    context: QObject | None


def _alive(context: QObject | None) -> bool:
    return context is None or isValid(context)


class JobRunner(QObject):
    """A small thread pool for database reads and writes the views ask for."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 3) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._closed = False

    def submit(
        self,
        fn: Callable[[], Any],
        on_result: Callback | None = None,
        on_error: Callback | None = None,
        *,
        context: QObject | None = None,
    ) -> int:
        """Run ``fn`` on a worker; ``on_result`` / ``on_error`` run later on the GUI thread."""
        if self._closed:
            raise RuntimeError("the job runner is shut down")
        job_id = next(self._ids)
        emitter = WorkerEmitter()
        emitter.done.connect(self._done)
        worker = Worker(job_id, fn, emitter)
        self._pending[job_id] = _Pending(worker, on_result, on_error, context)
        GC_GUARD.hold()
        self._pool.start(worker)
        return job_id

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @Slot(int, bool, object)
    def _done(self, job_id: int, ok: bool, value: object) -> None:
        pending = self._pending.pop(job_id, None)
        if pending is None:
            return
        QTimer.singleShot(0, GC_GUARD.release)  # once this result is in place (gc_guard)
        if self._closed or not _alive(pending.context):
            return
        callback = pending.on_result if ok else pending.on_error
        if callback is not None:
            callback(value)
        elif not ok:
            log.error("A background job failed: %r", value, exc_info=value)  # type: ignore[arg-type]

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop accepting work and wait for running jobs (their results are dropped)."""
        self._closed = True
        finished = self._pool.waitForDone(timeout_ms)
        for _job in self._pending:
            GC_GUARD.release()
        self._pending.clear()
        return bool(finished)

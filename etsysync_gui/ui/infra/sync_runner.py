"""``SyncRunner``: the one place sync work runs, one request at a time.

Why one runner: a manual "Sync inventory now" and a scheduled inventory run
must never overlap (the engine's lease would refuse the second anyway, but
the seller should see why, not an error).  Rules, decided at ``submit`` under
a short lock (never held across anything that can open a dialog):

* idle → the request starts at once;
* busy, and the request would do the same work as the one running or waiting
  (same kind: listings, or inventory / plan / apply) →
  - scheduled: refused with "skipped: already running" (the scheduler records
    it; it never queues a duplicate);
  - manual: queued once behind the running one; refused if one is waiting;
* busy with other work → queued, and run when the current one ends.

``submit`` may be called from any thread (the scheduler's) and answers at
once.  Progress is throttled on the worker (at most one signal per
``PROGRESS_EVERY_S``, plus phase changes and the end) so a 10,000-listing
sync cannot flood the GUI thread.  ``cancel`` sets the running request's
``threading.Event``; the engine stops between listings.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from etsysync_gui.etsy.ratelimit import Budget
from etsysync_gui.gc_guard import GC_GUARD
from etsysync_gui.scheduling.execute import execute
from etsysync_gui.scheduling.requests import (
    ALREADY_RUNNING,
    Admission,
    Submission,
    SyncOutcome,
    SyncRequest,
)
from etsysync_gui.sync.runs.lease import SyncAlreadyRunning
from etsysync_gui.sync.service import SyncService
from etsysync_gui.ui.infra.jobs import Worker, WorkerEmitter

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.05
ServiceProvider = Callable[[], SyncService]


class _Throttle:
    """Worker-side progress filter: phase changes, the end, and at most one per interval."""

    def __init__(self, emit: Callable[[str, int, int], None]) -> None:
        self._emit = emit
        self._phase = ""
        self._last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self._phase or done >= total or now - self._last >= PROGRESS_EVERY_S:
            self._phase, self._last = phase, now
            self._emit(phase, done, total)


class SyncRunner(QObject):
    started = Signal(object)  # SyncRequest
    progress = Signal(str, int, int)  # phase, done, total
    finished = Signal(object)  # SyncOutcome
    refused = Signal(object, str)  # SyncRequest, reason
    queue_changed = Signal()
    budget_changed = Signal(object)  # Budget
    _kick = Signal()

    def __init__(self, service: ServiceProvider, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._lock = threading.Lock()
        self._current: SyncRequest | None = None
        self._cancel: threading.Event | None = None
        self._queue: deque[SyncRequest] = deque()
        self._worker: Worker | None = None
        self._closed = False
        self._kick.connect(self._start_next)

    # --- any thread ------------------------------------------------------------------

    def submit(self, request: SyncRequest) -> Submission:
        with self._lock:
            if self._closed:
                return Submission(Admission.REFUSED, "EtsySync is closing")
            answer = self._admit_locked(request)
            if answer.accepted:
                self._queue.append(request)
        if answer.accepted:
            self._kick.emit()
            self.queue_changed.emit()
        else:
            log.info("%s (%s): %s", request.title, request.trigger, answer.reason)
            self.refused.emit(request, answer.reason or "")
        return answer

    def _admit_locked(self, request: SyncRequest) -> Submission:
        if self._current is None and not self._queue:
            return Submission(Admission.STARTED)
        running = self._current is not None and bool(self._current.covers & request.covers)
        waiting = any(r.covers & request.covers for r in self._queue)
        if request.trigger == "scheduled" and (running or waiting):
            return Submission(Admission.REFUSED, ALREADY_RUNNING)
        if waiting:
            return Submission(
                Admission.REFUSED, f"A {request.title.lower()} is already waiting to run"
            )
        busy = self._current.title.lower() if self._current else "another sync"
        return Submission(Admission.QUEUED, f"Waiting for the {busy} to finish")

    def cancel(self) -> bool:
        """Ask the running request to stop (it finishes the listing in progress)."""
        with self._lock:
            if self._cancel is None:
                return False
            self._cancel.set()
            return True

    @property
    def current(self) -> SyncRequest | None:
        with self._lock:
            return self._current

    @property
    def waiting(self) -> tuple[SyncRequest, ...]:
        with self._lock:
            return tuple(self._queue)

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._current is not None or bool(self._queue)

    # --- GUI thread ------------------------------------------------------------------

    @Slot()
    def _start_next(self) -> None:
        with self._lock:
            if self._current is not None or not self._queue or self._closed:
                return
            request = self._queue.popleft()
            cancel = threading.Event()
            self._current, self._cancel = request, cancel
        GC_GUARD.hold()
        emitter = WorkerEmitter()
        emitter.done.connect(self._done)
        emitter.progress.connect(self._progress)
        throttle = _Throttle(lambda p, d, t: emitter.progress.emit(0, p, d, t))
        self._worker = Worker(0, lambda: self._run(request, cancel, throttle), emitter)
        self.queue_changed.emit()
        self.started.emit(request)
        self._pool.start(self._worker)

    def _run(self, request: SyncRequest, cancel: threading.Event, throttle: _Throttle) -> object:
        """On the worker thread: the request, turned into an outcome whatever happens."""
        if request.listener is not None:
            request.listener.on_run_started(request)
        try:
            service = self._service()
            outcome = execute(service, request, progress=throttle, cancel=cancel)
        except SyncAlreadyRunning as exc:
            outcome = SyncOutcome(request, error=exc.message, already_running=True)
        except Exception as exc:
            outcome = SyncOutcome.from_error(request, exc)
        budget = _budget_of(self._service) if outcome.error is None else None
        if request.listener is not None:
            try:
                request.listener.on_run_finished(outcome)
            except Exception:
                log.exception("A run listener failed")
        return (outcome, budget)

    @Slot(int, str, int, int)
    def _progress(self, _job: int, phase: str, done: int, total: int) -> None:
        self.progress.emit(phase, done, total)

    @Slot(int, bool, object)
    def _done(self, _job: int, ok: bool, value: object) -> None:
        with self._lock:
            request, self._current, self._cancel = self._current, None, None
        if self._worker is None:  # already let go by shutdown
            return
        self._worker = None
        if ok:
            outcome, budget = value  # type: ignore[misc]
        else:
            assert request is not None
            outcome, budget = SyncOutcome.from_error(request, value), None  # type: ignore[arg-type]
        if isinstance(budget, Budget):
            self.budget_changed.emit(budget)
        log.info("%s", outcome.summary)
        self.finished.emit(outcome)
        del outcome, value
        # After the handlers dropped the outcome: the next full collection is cheap.
        QTimer.singleShot(0, GC_GUARD.release)
        self._start_next()
        self.queue_changed.emit()

    def shutdown(self, timeout_ms: int = 60_000) -> bool:
        """Drop waiting requests, cancel the running one and wait for its worker."""
        with self._lock:
            self._closed = True
            self._queue.clear()
            if self._cancel is not None:
                self._cancel.set()
        finished = bool(self._pool.waitForDone(timeout_ms))
        if self._worker is not None:  # its outcome will not be delivered any more
            self._worker = None
            GC_GUARD.release()
        return finished


def _budget_of(service: ServiceProvider) -> Budget | None:
    try:
        return service().client.budget()
    except Exception:
        return None

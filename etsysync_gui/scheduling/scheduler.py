"""The background scheduler: per profile a listing job and an inventory job.

Design (lessons from Vorta's years with APScheduler, see docs/STYLE):

* **The database is the truth.**  Each job's last success, last attempt,
  failures in a row and pause live in ``scheduled_jobs``; the next run is
  computed from them (``scheduling.policy``) at start and after every run.
  A run missed while the app was closed, or while the machine slept (a
  wall-clock gap between heartbeat ticks), therefore runs ONCE.
* **Job functions only hand work over.**  ``tick()`` (the heartbeat, and each
  job's own APScheduler trigger) submits a ``SyncRequest`` to the one sync
  runner and returns.  The runner answers at once; a refusal (a sync of the
  same kind is running) is recorded as "skipped: already running".
* **Say why.**  Repeated failures back off; an authentication failure pauses
  every job until the seller reconnects; a run that costs too many API calls
  for its interval stretches the intervals.  Each state carries a sentence
  (``scheduling.snapshot``) the panel and the dashboard show.
* **Never block the GUI.**  Public methods only change memory under a short
  lock; loading and saving rows happens on the scheduler's own writer thread.
  Listeners get a ``SchedulerSnapshot`` on whatever thread changed it.

The clock is injected (aware UTC datetimes); tests use ``ManualDriver`` and
call ``tick()`` on a fake clock instead of waiting.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from etsysync_gui.db.engine import Database
from etsysync_gui.db.types import utcnow
from etsysync_gui.etsy.ratelimit import DEFAULT_LIMIT_PER_DAY
from etsysync_gui.scheduling.driver import Driver, ManualDriver
from etsysync_gui.scheduling.policy import (
    Stretch,
    is_due,
    next_run,
    stretch_for_budget,
    woke_from_sleep,
)
from etsysync_gui.scheduling.record import (
    AUTH_PAUSE,
    after_manual_run,
    after_run,
    auth_paused,
    newer_success,
)
from etsysync_gui.scheduling.requests import (
    ALREADY_RUNNING,
    Submission,
    SyncKind,
    SyncOutcome,
    SyncRequest,
)
from etsysync_gui.scheduling.snapshot import JOB_TITLES, SchedulerSnapshot, job_view
from etsysync_gui.scheduling.state import JobState, load_states, save_state

log = logging.getLogger(__name__)

JOB_IDS: tuple[str, ...] = ("listings", "inventory")
JOB_KINDS: dict[str, SyncKind] = {"listings": "listings", "inventory": "inventory"}
HEARTBEAT_S = 60.0
USER_PAUSE = "paused by you"

Submit = Callable[[SyncRequest], Submission]
SnapshotListener = Callable[[SchedulerSnapshot], None]


class Scheduler:
    """Schedules the listing and inventory syncs of one profile (see the module notes)."""

    def __init__(
        self,
        database: Database,
        profile: str,
        submit: Submit,
        *,
        intervals: Mapping[str, int],
        enabled: bool = True,
        clock: Callable[[], datetime] = utcnow,
        limit_per_day: Callable[[], int | None] = lambda: DEFAULT_LIMIT_PER_DAY,
        driver: Driver | None = None,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self._database = database
        self.profile = profile
        self._submit = submit
        self._clock = clock
        self._limit_per_day = limit_per_day
        self._driver: Driver = driver or ManualDriver()
        self._heartbeat_s = heartbeat_s
        self._lock = threading.Lock()
        self._enabled = enabled
        self._states = {job: JobState(job, intervals[job], enabled) for job in JOB_IDS}
        self._in_flight: set[str] = set()
        self._loaded = False
        self._stopped = False
        self._last_tick: datetime | None = None
        self._woke_at: datetime | None = None
        self._listeners: list[SnapshotListener] = []
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scheduler-db")

    # --- lifecycle ------------------------------------------------------------------

    def add_listener(self, listener: SnapshotListener) -> None:
        self._listeners.append(listener)

    def start(self) -> Future[None]:
        """Load the jobs' state, arm the driver and catch up, on the writer thread."""
        return self._writer.submit(self._load_and_arm)

    def _load_and_arm(self) -> None:
        with self._lock:
            defaults = list(self._states.values())
        states = load_states(self._database, self.profile, defaults)
        with self._lock:
            if self._stopped:
                return
            self._states = {
                job: newer_success(stored, self._states[job]).but(enabled=self._enabled)
                for job, stored in states.items()
            }
            self._loaded = True
        self._driver.start(self.tick, self._heartbeat_s)
        self._rearm()
        self.tick()

    def shutdown(self) -> None:
        """Stop the driver and finish pending writes (joins the writer thread)."""
        with self._lock:
            self._stopped = True
        self._driver.shutdown()
        self._writer.shutdown(wait=True)

    def flush(self) -> None:
        """Wait until every state change so far is written (tests, shutdown)."""
        self._writer.submit(lambda: None).result()

    @property
    def loaded(self) -> bool:
        return self._loaded

    # --- the heartbeat ----------------------------------------------------------------

    def tick(self) -> list[str]:
        """Submit every due job (once); returns the jobs the runner accepted."""
        now = self._clock()
        with self._lock:
            if not self._loaded or self._stopped:
                return []
            stretch = self._stretch_locked()
            woke = woke_from_sleep(self._last_tick, now, self._heartbeat_s)
            self._last_tick = now
            if woke:
                self._woke_at = now
            due = [job for job in JOB_IDS if self._due_locked(job, now, stretch)]
            self._in_flight.update(due)
        if woke:
            log.info("The clock jumped since the last tick (sleep?): catching up and re-arming")
            self._rearm()
        accepted = []
        for job in due:
            request = SyncRequest(JOB_KINDS[job], "scheduled", job_id=job, listener=self)
            submission = self._submit(request)
            if submission.accepted:
                accepted.append(job)
            else:
                self._record_skip(job, submission.reason or ALREADY_RUNNING, now)
        self._notify()
        return accepted

    def _due_locked(self, job: str, now: datetime, stretch: Stretch) -> bool:
        state = self._states[job]
        if not self._enabled or state.paused_reason is not None or job in self._in_flight:
            return False
        return is_due(state.timing(stretch.intervals[job]), now)

    def _stretch_locked(self) -> Stretch:
        return stretch_for_budget(
            {job: s.interval_s for job, s in self._states.items()},
            {job: s.calls_per_run for job, s in self._states.items()},
            self._limit_per_day(),
            JOB_TITLES,
        )

    # --- commands from the panel --------------------------------------------------------

    def run_now(self, job_id: str) -> Submission:
        """The seller's "Run now": the job's sync, recorded as the job's run."""
        with self._lock:
            self._in_flight.add(job_id)
        submission = self._submit(
            SyncRequest(JOB_KINDS[job_id], "manual", job_id=job_id, listener=self)
        )
        if not submission.accepted:
            with self._lock:
                self._in_flight.discard(job_id)
        self._notify()
        return submission

    def pause(self, job_id: str | None = None, reason: str = USER_PAUSE) -> None:
        self._change(job_id, lambda s: s.but(paused_reason=reason))

    def resume(self, job_id: str | None = None) -> None:
        self._change(job_id, lambda s: s.but(paused_reason=None))

    def resume_after_reconnect(self) -> None:
        """Lift the pause an authentication failure put on the jobs."""
        self._change(
            None,
            lambda s: s.but(paused_reason=None) if auth_paused(s) else s,
        )

    def reconfigure(self, intervals: Mapping[str, int], enabled: bool) -> None:
        """New intervals or the sync switch from the settings.

        Before ``start`` only the memory changes: saving now would write the
        defaults over the times the database remembers, which ``start`` loads.
        """
        with self._lock:
            self._enabled = enabled
            if not self._loaded:
                self._states = {
                    job: state.but(interval_s=intervals[job], enabled=enabled)
                    for job, state in self._states.items()
                }
                return
        self._change(None, lambda s: s.but(interval_s=intervals[s.job_id], enabled=enabled))

    def _change(self, job_id: str | None, change: Callable[[JobState], JobState]) -> None:
        jobs = [job_id] if job_id else list(JOB_IDS)
        with self._lock:
            for job in jobs:
                self._states[job] = change(self._states[job])
            changed = [self._states[job] for job in jobs]
        for state in changed:
            self._persist(state)
        self._rearm()
        self._notify()

    # --- what the runner tells us (worker thread) ------------------------------------------

    def on_run_started(self, request: SyncRequest) -> None:
        job = request.job_id
        if job is None:
            return
        now = self._clock()
        self._change(job, lambda s: s.but(last_started_at=now))

    def on_run_finished(self, outcome: SyncOutcome) -> None:
        job = outcome.request.job_id
        if job is None:
            return
        now = self._clock()
        with self._lock:
            self._in_flight.discard(job)
        self._change(job, lambda s: after_run(s, outcome, now))
        if outcome.needs_user:
            self.pause_for_reconnect(outcome.error or "Etsy refused the connection")

    def observe(self, outcome: SyncOutcome) -> None:
        """Any run the seller started: a success counts for the jobs it did the work of."""
        if outcome.request.job_id is not None:
            return
        if outcome.needs_user:
            self.pause_for_reconnect(outcome.error or "Etsy refused the connection")
            return
        result = outcome.result
        if result is None or result.dry_run or not outcome.ok:
            return
        now = self._clock()  # the scheduler's clock, not the engine's: one time line
        for job in outcome.request.covers & set(JOB_IDS):
            self._change(job, lambda s: after_manual_run(s, outcome, now))

    def pause_for_reconnect(self, detail: str) -> None:
        log.warning("Scheduled syncs paused until Etsy is reconnected: %s", detail)
        self.pause(None, f"{AUTH_PAUSE} ({detail})")

    def _record_skip(self, job: str, reason: str, now: datetime) -> None:
        log.info("Scheduled %s %s", job, reason)
        with self._lock:
            self._in_flight.discard(job)
        self._change(
            job, lambda s: s.but(last_result="skipped", last_message=reason, last_skipped_at=now)
        )

    # --- internals ----------------------------------------------------------------------

    def _persist(self, state: JobState) -> None:
        if self._stopped:
            return
        with contextlib.suppress(RuntimeError):  # shut down meanwhile
            self._writer.submit(self._save, state)

    def _save(self, state: JobState) -> None:
        try:
            save_state(self._database, self.profile, state)
        except Exception:
            log.exception("Could not save the state of scheduled job %s", state.job_id)

    def _rearm(self) -> None:
        with self._lock:
            if not self._loaded or self._stopped:
                return
            stretch = self._stretch_locked()
            now = self._clock()
            plans = [
                (job, s, stretch.intervals[job], next_run(s.timing(stretch.intervals[job]), now))
                for job, s in self._states.items()
            ]
            enabled = self._enabled
        for job, state, interval, at in plans:
            if enabled and state.paused_reason is None:
                self._driver.arm(job, interval, max(at, now), self.tick)
            else:
                self._driver.disarm(job)

    def snapshot(self) -> SchedulerSnapshot:
        now = self._clock()
        with self._lock:
            stretch = self._stretch_locked()
            jobs = tuple(
                job_view(
                    self._states[job],
                    enabled=self._enabled,
                    effective_s=stretch.intervals[job],
                    running=job in self._in_flight,
                    now=now,
                )
                for job in JOB_IDS
            )
            return SchedulerSnapshot(
                self.profile, self._enabled, self._loaded, jobs, stretch.note, self._woke_at
            )

    def _notify(self) -> None:
        if not self._listeners:
            return
        snapshot = self.snapshot()
        for listener in list(self._listeners):
            try:
                listener(snapshot)
            except Exception:
                log.exception("A scheduler listener failed")

"""What the scheduler panel and the dashboard show: a frozen picture of every job.

Built under the scheduler's lock from its in-memory state and handed to
listeners on whatever thread changed it; the GUI re-emits it as a queued Qt
signal.  Every sentence a seller reads about scheduling (paused, backing off,
stretched for the budget, skipped) is composed here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from etsysync_gui.scheduling.policy import (
    backing_off,
    backoff_delay,
    describe_interval,
    next_run,
)
from etsysync_gui.scheduling.state import JobState
from etsysync_gui.sync.runs.records import RunKind

JOB_TITLES = {"listings": RunKind.LISTINGS.title, "inventory": RunKind.INVENTORY.title}


@dataclass(frozen=True, slots=True)
class JobView:
    job_id: str
    title: str
    enabled: bool
    paused_reason: str | None
    interval_s: int
    effective_interval_s: int
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_success_at: datetime | None
    last_result: str | None
    last_message: str | None
    consecutive_failures: int
    calls_per_run: int | None
    next_run_at: datetime | None
    running: bool
    note: str | None

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None


@dataclass(frozen=True, slots=True)
class SchedulerSnapshot:
    profile: str
    enabled: bool
    loaded: bool
    jobs: tuple[JobView, ...]
    budget_note: str | None = None
    woke_at: datetime | None = None

    def job(self, job_id: str) -> JobView:
        for job in self.jobs:
            if job.job_id == job_id:
                return job
        raise KeyError(job_id)

    @property
    def paused_reason(self) -> str | None:
        """The reason shared by every paused job (e.g. waiting for a reconnect)."""
        reasons = {job.paused_reason for job in self.jobs}
        return reasons.pop() if len(reasons) == 1 else None


def job_view(
    state: JobState, *, enabled: bool, effective_s: int, running: bool, now: datetime
) -> JobView:
    waits = enabled and state.paused_reason is None
    upcoming = next_run(state.timing(effective_s), now) if waits else None
    if upcoming is not None and upcoming < now:
        upcoming = now
    return JobView(
        job_id=state.job_id,
        title=JOB_TITLES.get(state.job_id, state.job_id),
        enabled=enabled,
        paused_reason=state.paused_reason,
        interval_s=state.interval_s,
        effective_interval_s=effective_s,
        last_started_at=state.last_started_at,
        last_finished_at=state.last_finished_at,
        last_success_at=state.last_success_at,
        last_result=state.last_result,
        last_message=state.last_message,
        consecutive_failures=state.consecutive_failures,
        calls_per_run=state.calls_per_run,
        next_run_at=upcoming,
        running=running,
        note=_note(state, enabled, effective_s),
    )


def _note(state: JobState, enabled: bool, effective_s: int) -> str | None:
    if not enabled:
        return "Sync is turned off for this profile (Settings → Sync enabled)."
    if state.paused_reason is not None:
        return f"Paused: {state.paused_reason}"
    failures = state.consecutive_failures
    if backing_off(failures):
        wait = describe_interval(int(backoff_delay(effective_s, failures).total_seconds()))
        return (
            f"Backing off after {failures} failures in a row: next try {wait} after the "
            "last one, until a run succeeds."
        )
    if effective_s != state.interval_s:
        return (
            f"Every {describe_interval(effective_s)} instead of "
            f"{describe_interval(state.interval_s)} to stay within Etsy's daily budget."
        )
    if state.last_result == "skipped":
        return state.last_message
    return None

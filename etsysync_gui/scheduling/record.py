"""How one finished run changes a job's remembered state (pure, no clock, no database).

Kept apart from the ``Scheduler`` so the rules read in one place: a success
resets the failures and moves the anchor; a cancel moves the anchor without
counting as a failure; a failure counts (and eventually backs off); a run
another process blocked is a skip, never a failure.
"""

from __future__ import annotations

from datetime import datetime

from etsysync_gui.scheduling.requests import ALREADY_RUNNING, SyncOutcome
from etsysync_gui.scheduling.state import JobState

AUTH_PAUSE = "waiting for you to reconnect to Etsy"


def auth_paused(state: JobState) -> bool:
    return state.paused_reason is not None and state.paused_reason.startswith(AUTH_PAUSE)


def after_run(state: JobState, outcome: SyncOutcome, now: datetime) -> JobState:
    result = outcome.result
    run_id = result.run_id if result is not None else state.last_run_id
    if outcome.already_running:
        return state.but(
            last_result="skipped",
            last_message=f"{ALREADY_RUNNING} ({outcome.error})",
            last_skipped_at=now,
        )
    if outcome.ok:
        words = "success" if result is None or result.status == "completed" else result.status
        return state.but(
            last_finished_at=now,
            last_success_at=now,
            last_result=words,
            last_message=outcome.summary,
            last_run_id=run_id,
            calls_per_run=result.counts.api_calls if result is not None else state.calls_per_run,
            consecutive_failures=0,
        )
    if outcome.cancelled:
        return state.but(
            last_finished_at=now,
            last_result="cancelled",
            last_message=outcome.summary,
            last_run_id=run_id,
        )
    return state.but(
        last_finished_at=now,
        last_result="failed",
        last_message=outcome.error or outcome.summary,
        last_run_id=run_id,
        consecutive_failures=state.consecutive_failures + 1,
    )


def newer_success(stored: JobState, memory: JobState) -> JobState:
    """The stored state, unless a run finished in this process before it was loaded."""
    if memory.last_success_at is None:
        return stored
    if stored.last_success_at is not None and stored.last_success_at >= memory.last_success_at:
        return stored
    return stored.but(
        last_success_at=memory.last_success_at,
        last_finished_at=memory.last_finished_at,
        last_result=memory.last_result,
        last_message=memory.last_message,
        last_run_id=memory.last_run_id,
        consecutive_failures=0,
    )


def after_manual_run(state: JobState, outcome: SyncOutcome, now: datetime) -> JobState:
    """A successful run the seller started did this job's work: it counts as its run."""
    result = outcome.result
    assert result is not None
    return state.but(
        last_success_at=now,
        last_finished_at=now,
        last_result="success" if result.status == "completed" else result.status,
        last_message=f"{outcome.summary} (started by you)",
        last_run_id=result.run_id,
        consecutive_failures=0,
    )

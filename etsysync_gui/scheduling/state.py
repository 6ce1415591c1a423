"""The ``scheduled_jobs`` rows: load them at start, save one after each change.

Why persisted: the truth about "when did this job last succeed" must outlive
the process, or every start would either run everything at once or forget a
run missed overnight.  Both functions do one short transaction and are called
off the GUI thread (the scheduler's own writer thread).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import ScheduledJob
from etsysync_gui.scheduling.policy import Timing


@dataclass(frozen=True, slots=True)
class JobState:
    """What the scheduler remembers about one job (a ``scheduled_jobs`` row)."""

    job_id: str
    interval_s: int
    enabled: bool = True
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_success_at: datetime | None = None
    last_result: str | None = None
    last_message: str | None = None
    last_run_id: int | None = None
    calls_per_run: int | None = None
    consecutive_failures: int = 0
    paused_reason: str | None = None
    # In memory only: a skip delays the retry a little (see policy.SKIP_RETRY).
    last_skipped_at: datetime | None = None

    def timing(self, interval_s: int | None = None) -> Timing:
        return Timing(
            interval_s=interval_s or self.interval_s,
            last_success_at=self.last_success_at,
            last_finished_at=self.last_finished_at,
            consecutive_failures=self.consecutive_failures,
            last_skipped_at=self.last_skipped_at,
        )

    def but(self, **changes: object) -> JobState:
        return replace(self, **changes)  # type: ignore[arg-type]


_COLUMNS = (
    "enabled",
    "interval_s",
    "last_started_at",
    "last_finished_at",
    "last_success_at",
    "last_result",
    "last_message",
    "last_run_id",
    "calls_per_run",
    "consecutive_failures",
    "paused_reason",
)


def load_states(
    database: Database, profile: str, defaults: Iterable[JobState]
) -> dict[str, JobState]:
    """The stored state of each job in ``defaults`` (the default when none is stored)."""
    states = {state.job_id: state for state in defaults}
    with database.session() as session:
        rows = session.scalars(
            select(ScheduledJob).where(
                ScheduledJob.profile == profile, ScheduledJob.job_id.in_(list(states))
            )
        )
        for row in rows:
            default = states[row.job_id]
            states[row.job_id] = default.but(
                **{name: getattr(row, name) for name in _COLUMNS if name != "interval_s"}
            )
    return states


def save_state(database: Database, profile: str, state: JobState) -> None:
    """Insert or update the job's row (one short transaction)."""
    values = {name: getattr(state, name) for name in _COLUMNS}
    with database.session() as session:
        row = session.scalar(
            select(ScheduledJob).where(
                ScheduledJob.profile == profile, ScheduledJob.job_id == state.job_id
            )
        )
        if row is None:
            session.add(ScheduledJob(profile=profile, job_id=state.job_id, **values))
            return
        for name, value in values.items():
            setattr(row, name, value)

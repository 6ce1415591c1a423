"""What makes the scheduler's ticks and job triggers happen: APScheduler, or a hand crank.

Why a seam here: the scheduler's rules are tested on a fake clock by calling
``Scheduler.tick()`` directly (``ManualDriver`` only records what would be
armed), while the app uses APScheduler's ``BackgroundScheduler`` to call the
same functions at the right wall-clock moments.  Either way the job functions
only hand work to the sync runner and return.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

log = logging.getLogger(__name__)

Fire = Callable[[], object]


class Driver(Protocol):
    def start(self, heartbeat: Fire, every_s: float) -> None: ...

    def arm(self, job_id: str, interval_s: int, next_run_at: datetime, fire: Fire) -> None: ...

    def disarm(self, job_id: str) -> None: ...

    def shutdown(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Armed:
    interval_s: int
    next_run_at: datetime


class ManualDriver:
    """Arms nothing real; tests read ``armed`` and call ``Scheduler.tick()`` themselves."""

    def __init__(self) -> None:
        self.armed: dict[str, Armed] = {}
        self.started = False
        self.stopped = False

    def start(self, heartbeat: Fire, every_s: float) -> None:
        self.started = True

    def arm(self, job_id: str, interval_s: int, next_run_at: datetime, fire: Fire) -> None:
        self.armed[job_id] = Armed(interval_s, next_run_at)

    def disarm(self, job_id: str) -> None:
        self.armed.pop(job_id, None)

    def shutdown(self) -> None:
        self.stopped = True


class APSchedulerDriver:
    """APScheduler 3's ``BackgroundScheduler``: one interval job per sync job, plus a heartbeat.

    Every job uses a stable id (``<prefix>:<job>``), ``coalesce=True``,
    ``max_instances=1`` and ``replace_existing=True``, so re-arming after each
    run (the next run moved) replaces the trigger instead of adding one.
    Missed runs are decided by the scheduler from the database, not by
    APScheduler's ``misfire_grace_time``.
    """

    def __init__(self, prefix: str) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._prefix = prefix
        self._scheduler: Any = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1}
        )

    def _id(self, job_id: str) -> str:
        return f"{self._prefix}:{job_id}"

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self._scheduler.get_jobs())

    def job_options(self, job_id: str) -> Any:
        return self._scheduler.get_job(self._id(job_id))

    def start(self, heartbeat: Fire, every_s: float) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        self._scheduler.add_job(
            heartbeat,
            IntervalTrigger(seconds=every_s, timezone=UTC),
            id=self._id("heartbeat"),
            coalesce=True,
            max_instances=1,
            replace_existing=True,
            misfire_grace_time=None,
        )
        if not self._scheduler.running:
            self._scheduler.start()

    def arm(self, job_id: str, interval_s: int, next_run_at: datetime, fire: Fire) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        self._scheduler.add_job(
            fire,
            IntervalTrigger(seconds=interval_s, start_date=next_run_at, timezone=UTC),
            id=self._id(job_id),
            coalesce=True,
            max_instances=1,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def disarm(self, job_id: str) -> None:
        from apscheduler.jobstores.base import JobLookupError

        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(self._id(job_id))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

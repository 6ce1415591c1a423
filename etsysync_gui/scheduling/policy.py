"""Pure scheduling rules: when a job runs next, how it backs off, how the budget stretches it.

Why pure functions: every rule here is about time and counts, and tests
should check them with plain datetimes, not by waiting.  The ``Scheduler``
feeds them the persisted ``JobState`` and its injected clock.

* **Next run** is computed from what the database remembers: the later of the
  last success and the last finished attempt, plus the interval.  A job that
  never ran is due at once.  A run missed while the app was closed or the
  machine slept is therefore due ONCE (its anchor moves when it runs).
* **Back-off**: after ``BACKOFF_AFTER`` failures in a row the wait doubles with
  each further failure (interval × 2, × 4, ...), capped at ``MAX_BACKOFF`` (or
  the interval, if that is longer).  One success resets it.
* **Skips** (another sync of the same kind was running) retry after
  ``SKIP_RETRY``, not at every heartbeat.
* **Budget**: when the measured calls per run at the chosen intervals would
  spend more than ``BUDGET_SHARE`` of Etsy's daily limit, every interval is
  stretched by the same factor, and a sentence says so.  The rest of the
  budget is left for manual syncs and the seller's other tools.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

BACKOFF_AFTER = 2
MAX_BACKOFF = timedelta(hours=24)
SKIP_RETRY = timedelta(minutes=5)
BUDGET_SHARE = 0.8
DAY_S = 86_400
DUE_TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Timing:
    """What ``next_run`` needs to know about a job (a slice of ``JobState``)."""

    interval_s: int
    last_success_at: datetime | None
    last_finished_at: datetime | None
    consecutive_failures: int
    last_skipped_at: datetime | None = None


def backoff_delay(interval_s: int, failures: int) -> timedelta:
    """How long to wait after ``failures`` failures in a row."""
    interval = timedelta(seconds=interval_s)
    if failures < BACKOFF_AFTER:
        return interval
    factor = 1 << (failures - BACKOFF_AFTER + 1)
    return min(interval * factor, max(MAX_BACKOFF, interval))


def backing_off(failures: int) -> bool:
    return failures >= BACKOFF_AFTER


def next_run(timing: Timing, now: datetime) -> datetime:
    """When the job should run next (``now`` or earlier means: due)."""
    anchors = [t for t in (timing.last_success_at, timing.last_finished_at) if t is not None]
    if not anchors:
        due = now
    elif timing.consecutive_failures > 0 and timing.last_finished_at is not None:
        due = timing.last_finished_at + backoff_delay(
            timing.interval_s, timing.consecutive_failures
        )
    else:
        due = max(anchors) + timedelta(seconds=timing.interval_s)
    if timing.last_skipped_at is not None:
        due = max(due, timing.last_skipped_at + SKIP_RETRY)
    return due


def is_due(timing: Timing, now: datetime) -> bool:
    return now + DUE_TOLERANCE >= next_run(timing, now)


def woke_from_sleep(last_tick: datetime | None, now: datetime, tick_s: float) -> bool:
    """A wall-clock gap of more than three ticks between two ticks: the machine slept."""
    if last_tick is None:
        return False
    return (now - last_tick).total_seconds() > 3 * tick_s


@dataclass(frozen=True, slots=True)
class Stretch:
    """Effective intervals per job and, when they were stretched, why."""

    intervals: dict[str, int]
    note: str | None = None

    @property
    def stretched(self) -> bool:
        return self.note is not None


def describe_interval(seconds: int) -> str:
    """``"1 h 30 min"``, ``"45 min"``, ``"2 days"``."""
    if seconds >= 2 * DAY_S or (seconds % DAY_S == 0 and seconds >= DAY_S):
        days = round(seconds / DAY_S)
        return f"{days} day" + ("s" if days != 1 else "")
    hours, rest = divmod(seconds, 3600)
    minutes = math.ceil(rest / 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{max(minutes, 1)} min"


def stretch_for_budget(
    intervals: Mapping[str, int],
    calls_per_run: Mapping[str, int | None],
    limit_per_day: int | None,
    titles: Mapping[str, str],
) -> Stretch:
    """Stretch all intervals by one factor when the runs would overspend the day's budget."""
    plain = dict(intervals)
    if not limit_per_day or limit_per_day <= 0:
        return Stretch(plain)
    needed = sum(
        (calls_per_run.get(job) or 0) * DAY_S / interval
        for job, interval in intervals.items()
        if interval > 0
    )
    allowed = limit_per_day * BUDGET_SHARE
    if needed <= allowed:
        return Stretch(plain)
    factor = needed / allowed
    stretched = {job: math.ceil(interval * factor) for job, interval in intervals.items()}
    parts = ", ".join(
        f"{titles.get(job, job)} every {describe_interval(stretched[job])} "
        f"instead of {describe_interval(intervals[job])}"
        for job in intervals
    )
    note = (
        f"Intervals stretched to stay within Etsy's budget: at the chosen intervals the "
        f"syncs would spend about {round(needed):,} of the {limit_per_day:,} calls Etsy "
        f"allows a day (EtsySync keeps {round(allowed):,} for them). {parts}."
    )
    return Stretch(stretched, note)

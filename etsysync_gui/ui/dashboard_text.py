"""The dashboard's sentences: runs, the schedule and phases, composed from plain values."""

from __future__ import annotations

from datetime import datetime

from etsysync_gui.config import Profile
from etsysync_gui.policies import WriteMode
from etsysync_gui.queries.dashboard import RunSummary
from etsysync_gui.scheduling.snapshot import SchedulerSnapshot
from etsysync_gui.ui.formatting import relative, when

PHASES = {
    "listings": "Reading listings from Etsy",
    "saving": "Saving listings",
    "recovery": "Finishing interrupted writes",
    "inventory": "Reading stock from Etsy",
    "planning": "Deciding",
    "writing": "Writing to Etsy",
}


def run_text(run: RunSummary | None, now: datetime) -> str:
    if run is None:
        return "Never."
    text = (
        f"{when(run.finished_at or run.started_at)} ({relative(run.started_at, now)}) · "
        f"<b>{run.status.replace('_', ' ')}</b> ({run.trigger})<br>{run.counts.describe()}"
    )
    if run.message:
        text += f"<br><i>{run.message}</i>"
    return text


def schedule_text(snapshot: SchedulerSnapshot, now: datetime) -> str:
    lines = []
    for job in snapshot.jobs:
        if job.next_run_at is not None:
            next_text = f"next {relative(job.next_run_at, now)} ({when(job.next_run_at)})"
        else:
            next_text = "not scheduled"
        line = f"<b>{job.title}</b>: {'running · ' if job.running else ''}{next_text}"
        if job.note:
            line += f"<br><i>{job.note}</i>"
        lines.append(line)
    if snapshot.budget_note:
        lines.append(f"<i>{snapshot.budget_note}</i>")
    return "<br>".join(lines)


def _every(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return "every hour" if hours == 1 else f"every {hours} hours"
    return f"every {minutes} min"


def mode_text(profile: Profile, inventory_interval: int | None = None) -> str:
    """Autopilot or drafts in plain words, so the seller knows what runs without asking.

    ``inventory_interval``: the interval in force when it differs from the profile's
    (one sized for the shop while the seller has not set one).
    """
    every = _every(inventory_interval or profile.inventory_sync_interval)
    if profile.write_mode is WriteMode.DRAFTS:
        return (
            f"<b>Drafts</b>: background syncs ({every}) prepare a plan and wait for you "
            "in Needs you."
        )
    return (
        f"<b>Autopilot</b>: background syncs write to Etsy {every} without asking; "
        f"a plan that drops a stock by more than {profile.review_drop_percent}% or writes "
        f"more than {profile.review_max_listings} listings, or follows a CSV import, waits "
        "for you."
    )

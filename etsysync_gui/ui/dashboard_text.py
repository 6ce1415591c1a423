"""The dashboard's sentences: runs, the schedule and phases, composed from plain values."""

from __future__ import annotations

from datetime import datetime

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

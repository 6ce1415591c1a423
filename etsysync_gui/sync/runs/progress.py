"""Progress reporting and cooperative cancellation for sync runs.

Why one tiny module: the GUI runs syncs on worker threads and shows a progress
bar; the CLI prints nothing or a line per phase.  Both hand the engine a
``Progress`` callback ``(phase, done, total)`` and a ``threading.Event`` to
cancel.  The Etsy client reports ``(done, total, phase)`` instead; ``for_client``
adapts one to the other so every layer speaks the engine's order.

Cancellation is cooperative: the engine checks the event between listings, so a
cancelled run always finishes the listing in progress (its write-ahead record,
PUT and commit) and never stops half-way through one listing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; phases are the ``PHASE_*`` names below."""

ClientProgress = Callable[[int, int, str], None]

PHASE_LISTINGS = "listings"
PHASE_SAVING = "saving"
PHASE_RECOVERY = "recovery"
PHASE_INVENTORY = "inventory"
PHASE_PLANNING = "planning"
PHASE_WRITING = "writing"


def report(progress: Progress | None, phase: str, done: int, total: int) -> None:
    """Call ``progress`` if there is one; a broken callback must not break a sync."""
    if progress is not None:
        progress(phase, done, total)


def for_client(progress: Progress | None) -> ClientProgress | None:
    """The Etsy client's ``(done, total, phase)`` callback feeding ``progress``."""
    if progress is None:
        return None
    target = progress

    def forward(done: int, total: int, phase: str) -> None:
        target(phase, done, total)

    return forward


def cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()

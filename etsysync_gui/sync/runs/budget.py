"""Persisting Etsy's request budget to ``etsy_sync_config`` for the dashboard and ``health``.

Why: the dashboard and ``etsysync health`` show how many requests are left
today, but they run in other processes (or before any client exists), so the
number must be in the database.  The limiter knows it (``budget()``: learnt
from Etsy's ``x-remaining-today`` header and counted down per request).

How, without a database write per request: the values ride along the writes
the lease already makes to the same row, its renewals (at most every quarter
TTL while a run lasts) and its release (the end of every run, however it
ended).  No extra API call, no extra statement.

``rate_limit_reset_at``: Etsy's daily window slides ("Rate limits",
https://developers.etsy.com/documentation/essentials/rate-limits), so there is no
reset moment; stored is the time Etsy reported the figure plus 24 hours, the
latest moment by which every request counted in it has left the window (the
full budget is back by then at the latest).  Nothing is written until Etsy has
reported a figure (an unlimited or header-less server leaves the columns
alone rather than blanking what an earlier run stored).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from etsysync_gui.etsy.ratelimit import Budget

WINDOW = timedelta(hours=24)


def budget_columns(budget: Budget) -> dict[str, Any]:
    """The ``etsy_sync_config`` values for ``budget`` ({} when Etsy reported none)."""
    if budget.remaining_today is None or budget.observed_at is None:
        return {}
    observed = datetime.fromtimestamp(budget.observed_at, UTC)
    return {
        "rate_limit_remaining": budget.remaining_today,
        "rate_limit_reset_at": observed + WINDOW,
    }


def budget_reader(read: Callable[[], Budget]) -> Callable[[], dict[str, Any]]:
    """What the lease adds to its writes: the budget as it is at that moment."""
    return lambda: budget_columns(read())

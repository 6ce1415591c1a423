"""The default stock-sync interval, sized from the shop's size and Etsy's daily request budget.

Why: a fixed default is wrong at both ends.  An hour is too slow for a shop of
a few hundred listings, where a sale on a one-of-a-kind item should reach the
other side within minutes; ten minutes would spend most of Etsy's daily
allowance on a shop of many thousands, leaving nothing for the seller's own
actions or other tools.  Etsy gives each app a daily number of requests
("Rate limits", https://developers.etsy.com/documentation/essentials/rate-limits;
10,000 a day unless Etsy granted more), and an inventory run reads stock in
batches of 100 listings (getListingsInventoryByListingIds), so a run's cost
grows with the shop and the interval can be chosen from it.

Pure arithmetic: the scheduler view shows the sentence, the controller and the
wizard use the interval only when the seller has not set one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from etsysync_gui.etsy.ratelimit import DEFAULT_LIMIT_PER_DAY

LISTINGS_PER_CALL = 100
"""getListingsInventoryByListingIds takes up to 100 listing ids a call."""
FIXED_CALLS = 1
"""Calls every run makes whatever the shop's size (the new sales since the last run)."""
WRITE_ALLOWANCE = 2
"""A typical run writes a listing or so: the write and the fresh read just before it."""
INVENTORY_SHARE = 0.08
"""The share of the daily budget the default stock interval may spend; the rest is left for
listing syncs, syncs started by hand and the seller's other tools."""
LADDER_MIN = (10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1440)
"""The intervals offered, in minutes: round numbers a seller recognises."""
DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class IntervalAdvice:
    """An interval and what it costs a day, for the sentence the scheduler view shows."""

    interval_s: int
    calls_per_run: int
    daily_limit: int

    @property
    def runs_per_day(self) -> int:
        return DAY_S // self.interval_s

    @property
    def calls_per_day(self) -> int:
        return self.runs_per_day * self.calls_per_run

    @property
    def share_percent(self) -> float:
        return 100 * self.calls_per_day / self.daily_limit if self.daily_limit else 0.0


def calls_per_run(listings: int) -> int:
    """About how many requests one inventory run of a shop with ``listings`` listings makes."""
    reads = math.ceil(max(0, listings) / LISTINGS_PER_CALL)
    return max(1, reads) + FIXED_CALLS + WRITE_ALLOWANCE


def suggest_inventory_interval(
    listings: int, daily_limit: int | None = DEFAULT_LIMIT_PER_DAY
) -> IntervalAdvice:
    """The shortest interval of ``LADDER_MIN`` whose runs stay within ``INVENTORY_SHARE``."""
    limit = daily_limit or DEFAULT_LIMIT_PER_DAY
    cost = calls_per_run(listings)
    allowed = limit * INVENTORY_SHARE
    for minutes in LADDER_MIN:
        advice = IntervalAdvice(minutes * 60, cost, limit)
        if advice.calls_per_day <= allowed:
            return advice
    return IntervalAdvice(LADDER_MIN[-1] * 60, cost, limit)


def interval_words(seconds: int) -> str:
    """``900`` → ``15 min``, ``3600`` → ``1 h``, ``5400`` → ``1 h 30 min``."""
    hours, minutes = divmod(max(1, round(seconds / 60)), 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def explain(advice: IntervalAdvice) -> str:
    """One sentence: "Every 15 min: a run costs about 6 calls; 96 runs a day use 6 % of …"."""
    share = advice.share_percent
    shown = f"{share:.0f}" if share >= 1 else "less than 1"
    return (
        f"Every {interval_words(advice.interval_s)}: a run costs about "
        f"{advice.calls_per_run:,} calls; {advice.runs_per_day:,} runs a day use {shown} % "
        f"of Etsy's daily {advice.daily_limit:,}."
    )

"""When a background plan must wait for the seller instead of being written to Etsy.

Why: a scheduled sync writes to Etsy while nobody watches.  In drafts mode the
seller asked to review every one of them; in autopilot most plans are routine
(a few sales), but some are not, and those are exactly the ones a seller
would want to see first: a stale spreadsheet import that halves the stock, a
plan that touches a large part of the shop at once, or any plan made after a
CSV import changed the catalog (until a sync has been applied).  Such a plan
waits for review in either mode.  Pure: the rules come from the profile
(Settings), the plan from ``plan_inventory``, the import mark from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from etsysync_gui.policies import WriteMode
from etsysync_gui.sync.inventory.plan_types import PoolPlan, SyncPlan

DEFAULT_DROP_PERCENT = 50
DEFAULT_MAX_LISTINGS = 50


@dataclass(frozen=True, slots=True)
class HoldRules:
    """``drop_percent``: a pool losing more than this share of its stock is unusual;
    ``max_listings``: a plan writing more listings than this is unusual."""

    mode: WriteMode = WriteMode.AUTOPILOT
    drop_percent: int = DEFAULT_DROP_PERCENT
    max_listings: int = DEFAULT_MAX_LISTINGS


def hold_reason(
    plan: SyncPlan, rules: HoldRules, imported_at: datetime | None = None
) -> str | None:
    """Why ``plan`` must wait for the seller, in one sentence; ``None`` to write it.

    ``imported_at``: when a CSV import changed the catalog with no sync applied
    since (``sync.runs.import_mark``); such a plan always waits.
    """
    if plan.totals.listings_to_write == 0 and not any(x.needs_commit for x in plan.listings):
        return None
    if rules.mode is WriteMode.DRAFTS:
        return "drafts mode: background syncs prepare a plan and wait for you."
    if imported_at is not None:
        return "it carries data from a CSV import made since the last sync."
    writes = plan.totals.listings_to_write
    if writes > rules.max_listings:
        return (
            f"it would write {writes} listings, more than the {rules.max_listings} set in Settings."
        )
    for listing in plan.listings:
        for pool in listing.pools:
            if _big_drop(pool, rules.drop_percent):
                name = f"{listing.title} {pool.label}".strip()
                return (
                    f"the stock of {name} would drop from {_before(pool)} to {pool.new_local}, "
                    f"more than {rules.drop_percent}%."
                )
    return None


def _before(pool: PoolPlan) -> int:
    return max(pool.local_before, pool.etsy_before)


def _big_drop(pool: PoolPlan, percent: int) -> bool:
    """Whether either side would lose more than ``percent`` of what it holds now."""
    if pool.first_link:
        return False
    drops = (
        (pool.local_before, pool.new_local),
        (pool.etsy_before, pool.etsy_after),
    )
    return any(before > 0 and (before - after) * 100 > before * percent for before, after in drops)

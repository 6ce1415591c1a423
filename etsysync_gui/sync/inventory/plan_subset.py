"""A plan with some listings left out: what the seller unticked in the review.

Why whole listings: one listing is one write to Etsy (its whole inventory in
one PUT), and ``apply`` re-decides a listing from its pools' plans, so a
listing is either carried out as planned or not touched at all.  A listing
left out is simply not applied: its bases stay as they were, so the next plan
sees the same changes and offers them again.  The plan keeps their ids
(``left_out``): after a CSV import, a plan applied without them does not settle
the import, so the next background plan waits for the seller again instead of
writing what they chose not to write this time (``sync.runs.import_mark``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from etsysync_gui.sync.inventory.plan_types import SyncPlan


def without_listings(plan: SyncPlan, left_out: Collection[int]) -> SyncPlan:
    """``plan`` minus the listings in ``left_out`` (totals recomputed)."""
    if not left_out:
        return plan
    dropped = {x.listing_id for x in plan.listings if x.listing_id in left_out}
    kept = SyncPlan.build(
        shop_id=plan.shop_id,
        created_at=plan.created_at,
        policy=plan.policy,
        zero_stock_policy=plan.zero_stock_policy,
        source=plan.source,
        listings=tuple(x for x in plan.listings if x.listing_id not in left_out),
        in_step=plan.in_step,
    )
    return replace(
        kept,
        confirmed_states=plan.confirmed_states,
        left_out=tuple(sorted(dropped.union(plan.left_out))),
    )

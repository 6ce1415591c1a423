"""Confirm a listing's state on Etsy before a plan says it will be (de)activated.

Why: the stored state comes from the last listing sync, which may be hours
old.  The common case: a customer buys the last item, Etsy itself sets the
listing ``sold_out``, and EtsySync still believes it is ``active``.  The plan
then said "deactivate listing" in every run, apply found the listing not
active and did nothing, and the next plan said it again until the next
listing sync; "apply small plans without asking" never applied meanwhile.

So a plan made with fresh inventories asks Etsy for the state of the few
listings it would deactivate or reactivate (one getListingsByListingIds call
per 100), re-decides those whose state moved, and carries the states it saw
(``SyncPlan.confirmed_states``) so applying the plan stores them.  What the
plan shows is then what the run does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from sqlalchemy import bindparam, update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct
from etsysync_gui.db.sql_helpers import table_of
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.sync.inventory.plan_types import ListingPlan, SyncPlan
from etsysync_gui.sync.inventory.states import ListingState

LISTINGS = table_of(EtsyProduct)


def confirm_states(
    client: EtsyClient,
    plan: SyncPlan,
    states: Mapping[int, ListingState],
    redecide: Callable[[ListingState], ListingPlan],
) -> SyncPlan:
    """``plan`` with its state changes checked against Etsy (see the module notes).

    ``redecide`` plans one listing again from a corrected state (the planner's
    ``decide_listing`` with that listing's inventory).
    """
    candidates = [x.listing_id for x in plan.listings if x.deactivate or x.reactivate]
    if not candidates:
        return plan
    actual = {x.listing_id: x.state for x in client.get_listings_by_ids(candidates)}
    moved = {
        lid: state
        for lid, state in actual.items()
        if state is not None and state != states[lid].state
    }
    if not moved:
        return plan
    listings = tuple(
        redecide(_corrected(states[x.listing_id], moved[x.listing_id]))
        if x.listing_id in moved
        else x
        for x in plan.listings
    )
    return replace(
        SyncPlan.build(
            shop_id=plan.shop_id,
            created_at=plan.created_at,
            policy=plan.policy,
            zero_stock_policy=plan.zero_stock_policy,
            source=plan.source,
            listings=listings,
            in_step=plan.in_step,
        ),
        confirmed_states=tuple(sorted(moved.items())),
    )


def _corrected(state: ListingState, actual: str) -> ListingState:
    """The listing as Etsy has it now; a listing someone else made active is not ours to
    reactivate any more (the listing sync clears the flag the same way)."""
    deactivated = state.deactivated_by_etsysync and actual != "active"
    return replace(state, state=actual, deactivated_by_etsysync=deactivated)


def remember_states(database: Database, plan: SyncPlan) -> None:
    """Store the states ``confirm_states`` saw, so the next plan starts from them."""
    if not plan.confirmed_states:
        return
    with database.session() as session:
        session.execute(
            update(LISTINGS)
            .where(LISTINGS.c.etsy_listing_id == bindparam("b_lid"))
            .values(state=bindparam("v_state"), etsy_digest=None),  # no longer as read
            [{"b_lid": lid, "v_state": state} for lid, state in plan.confirmed_states],
        )

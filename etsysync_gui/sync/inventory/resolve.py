"""Settling one pool the seller was asked about: keep mine, keep Etsy's, merge, or a stocktake.

Why a module of its own: a conflict left by the "skip" policy (or a pool in
error) must be settled from the app, and the settlement must go through the
same safe write path as any sync (write-ahead record, a quantity-only PUT
built from Etsy's inventory read just now, the answer checked, one local
transaction that stores both bases and the log row).  So a resolution is
turned into an ordinary one-listing plan here and handed to ``apply_plan``;
nothing in this module writes by itself.

The choices, for one pool with local ``L``, Etsy ``E`` and bases ``bL``/``bE``:

* ``KEEP_MINE``: Etsy gets ``L`` (capped at 999); local stays.
* ``KEEP_ETSY``: local gets ``E``; Etsy stays.
* ``MERGE``: both changes since the last sync are applied (``bL + ΔL + ΔE``),
  as the merge policy would; only possible once the pool has bases.
* ``COUNTED`` ``N`` (a stocktake): ``N`` is the true stock *now*, and it
  already includes every sale on either side, so it is NOT treated as a local
  change on top of Etsy's sales.  Both sides are set to ``N`` and both bases
  reset to it, so the next decision starts from the count.

The listing's other linked pools are decided as a normal sync would, so
settling one variation never leaves its siblings' changes half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from etsysync_gui.errors import EtsySyncError
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.policies import ConflictPolicy
from etsysync_gui.sync.inventory.decide import (
    ETSY_MAX_QUANTITY,
    Action,
    PoolDecision,
    PoolState,
    decide,
)
from etsysync_gui.sync.inventory.plan_types import CHECK, ListingPlan, SyncPlan
from etsysync_gui.sync.inventory.planning import finish_listing
from etsysync_gui.sync.inventory.pools import StockPool, pools_of
from etsysync_gui.sync.inventory.states import ListingState, PoolLink, load_states
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.context import RunContext


class Resolution(StrEnum):
    """The seller's fix for one pool (the values are what the GUI and the log use)."""

    KEEP_MINE = "keep_mine"
    KEEP_ETSY = "keep_etsy"
    MERGE = "merge"
    COUNTED = "counted"


class CannotResolve(EtsySyncError):
    """The pool cannot be settled as asked; the message says what to do instead."""

    title = "Cannot settle this"


@dataclass(frozen=True, slots=True)
class PoolFix:
    """Which pool to settle and how; ``count`` only for ``COUNTED``."""

    listing_id: int
    pool_key: str
    resolution: Resolution
    count: int | None = None

    def __post_init__(self) -> None:
        if self.resolution is Resolution.COUNTED and (self.count is None or self.count < 0):
            raise CannotResolve(
                "Enter the number you counted (0 or more), then choose I counted again."
            )


def forced_decision(fix: PoolFix, sides: PoolState) -> PoolDecision:
    """The decision the seller chose for ``sides`` (pure)."""
    if fix.resolution is Resolution.KEEP_MINE:
        return _set_both(sides, sides.local, "you kept your number")
    if fix.resolution is Resolution.KEEP_ETSY:
        return _set_both(sides, sides.etsy, "you kept Etsy's number", etsy_stays=True)
    if fix.resolution is Resolution.MERGE:
        if sides.base_local is None:
            raise CannotResolve(
                "This link has never been synced, so there is nothing to merge; "
                "choose Keep mine, Keep Etsy's or I counted instead."
            )
        merged = decide(sides, policy=ConflictPolicy.MERGE)
        return _labelled(merged, "you chose to merge both sides' changes")
    assert fix.count is not None
    return _set_both(sides, fix.count, f"stocktake: you counted {fix.count}")


def _set_both(sides: PoolState, true: int, why: str, *, etsy_stays: bool = False) -> PoolDecision:
    """Local becomes ``true``; Etsy becomes ``true`` capped at 999 (or keeps its number)."""
    new_etsy = sides.etsy if etsy_stays else min(true, ETSY_MAX_QUANTITY)
    clamped = not etsy_stays and true > ETSY_MAX_QUANTITY
    local_moves, etsy_moves = true != sides.local, new_etsy != sides.etsy
    if local_moves and etsy_moves:
        action = Action.MERGE
    elif etsy_moves:
        action = Action.PUSH
    elif local_moves:
        action = Action.PULL
    else:
        action = Action.NO_CHANGE
    reason = f"{why}: local {sides.local} → {true}, Etsy {sides.etsy} → {new_etsy}"
    if clamped:
        reason += f" (Etsy holds at most {ETSY_MAX_QUANTITY}; local keeps {true})"
    return PoolDecision(action, true, new_etsy, conflict=False, clamped=clamped, reason=reason)


def _labelled(decision: PoolDecision, why: str) -> PoolDecision:
    """``decision`` without the conflict flag, its reason prefixed with the seller's choice."""
    return PoolDecision(
        decision.action,
        decision.new_local,
        decision.new_etsy,
        conflict=False,
        clamped=decision.clamped,
        reason=f"{why}: {decision.reason}",
    )


def resolution_plan(
    fix: PoolFix, state: ListingState, inventory: Inventory, options: SyncOptions, *, now: datetime
) -> SyncPlan:
    """A one-listing plan: the chosen decision for the pool, normal ones for its siblings."""
    pools = {pool.key: pool for pool in pools_of(inventory)}
    decisions: list[tuple[PoolLink, StockPool, PoolDecision]] = []
    found = False
    for link in state.links:
        pool = pools.get(link.pool_key)
        if pool is None:
            raise CannotResolve(
                f"The variation {link.label} is no longer on Etsy; "
                "run a listing sync, then link it again."
            )
        sides = PoolState(link.local_quantity, pool.quantity, link.base_local, link.base_etsy)
        if link.pool_key == fix.pool_key:
            found = True
            decision = forced_decision(fix, sides)
        else:
            decision = decide(sides, policy=options.conflict_policy, first_truth=link.first_truth)
        decisions.append((link, pool, decision))
    if not found:
        raise CannotResolve(_NOT_LINKED)
    listing = _settled(
        finish_listing(state, inventory, decisions, options, tuple(pools.values())), fix
    )
    return SyncPlan.build(
        shop_id=options.shop_id,
        created_at=now,
        policy=options.conflict_policy,
        zero_stock_policy=options.zero_stock_policy,
        source="fresh",
        listings=(listing,),
    )


def _settled(listing: ListingPlan, fix: PoolFix) -> ListingPlan:
    """The seller's number settles a pool flagged ``check``: the flag goes."""
    pools = tuple(
        replace(p, status="ok") if p.pool_key == fix.pool_key and p.status == CHECK else p
        for p in listing.pools
    )
    return replace(listing, pools=pools)


_NOT_LINKED = (
    "This variation is no longer linked to a catalog item; refresh Needs you and link it first."
)


def plan_fix(ctx: RunContext, fix: PoolFix) -> SyncPlan:
    """Read the listing fresh from Etsy and build the plan that carries out ``fix``."""
    with ctx.database.session() as session:
        state = load_states(session, ctx.options.shop_id, [fix.listing_id]).get(fix.listing_id)
    if state is None:
        raise CannotResolve(_NOT_LINKED)
    inventory = ctx.client.get_inventories_by_listing_ids([fix.listing_id]).get(fix.listing_id)
    if inventory is None:
        raise CannotResolve(
            "This listing is no longer on Etsy; run a listing sync to mark it as gone."
        )
    return resolution_plan(fix, state, inventory, ctx.options, now=ctx.clock())

"""What apply executes for one listing, given Etsy's inventory read just before the write.

Why a separate step: the plan was decided on numbers that may be minutes old.
If Etsy's quantities for the listing's linked pools are still the plan's, the
plan's decisions stand and only the PUT body is rebuilt from the fresh
inventory (so a price the seller changed meanwhile is sent back as Etsy now has
it, never as it was).  If Etsy moved (a sale, a seller's edit), or the links or
bases changed since the plan (``stale``: another run applied something first),
the listing is decided again from scratch with the current numbers, and the
returned note says why, for the log.
"""

from __future__ import annotations

from etsysync_gui.errors import EtsySyncError
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.sync.inventory.plan_types import CHECK, RELINK, ListingPlan, PoolPlan
from etsysync_gui.sync.inventory.planning import decide_listing, failed_listing, finish_listing
from etsysync_gui.sync.inventory.pools import AmbiguousInventoryError, pools_of
from etsysync_gui.sync.inventory.states import ListingState, PoolLink
from etsysync_gui.sync.ledger.overwrites import Sale
from etsysync_gui.sync.options import SyncOptions

STALE_NOTE = "re-decided: links or bases changed since the plan was made"


def prepare_listing(
    plan: ListingPlan,
    state: ListingState,
    inventory: Inventory,
    options: SyncOptions,
    *,
    stale: bool,
) -> tuple[ListingPlan, str | None]:
    """``(plan to execute, note)``; the note is set when the listing was re-decided."""
    try:
        pools = {pool.key: pool for pool in pools_of(inventory)}
    except AmbiguousInventoryError as exc:
        return failed_listing(state, exc.message), None
    moved = []
    for pool_plan in plan.pools:
        pool = pools.get(pool_plan.pool_key)
        if pool is None and pool_plan.status == RELINK:
            continue  # planned as vanished, still vanished
        now = "gone" if pool is None else str(pool.quantity)
        if pool is None or pool.quantity != pool_plan.etsy_before or pool_plan.status == RELINK:
            moved.append(f"{pool_plan.label}: Etsy {pool_plan.etsy_before} → {now}")
    if moved or stale:
        note = (
            "re-decided: Etsy changed since the plan (" + ", ".join(moved) + ")"
            if moved
            else STALE_NOTE
        )
        return decide_listing(state, inventory, options, known_pools=tuple(pools.values())), note
    current = {link.pool_key: link.sales for link in state.links}
    links = {p.pool_key: _link_of(p, current.get(p.pool_key, ())) for p in plan.pools}
    decisions = [
        (links[p.pool_key], pools[p.pool_key], p.decision())
        for p in plan.pools
        if p.status != RELINK
    ]
    vanished = [links[p.pool_key] for p in plan.pools if p.status == RELINK]
    try:
        return finish_listing(
            state, inventory, decisions, options, tuple(pools.values()), vanished=vanished
        ), None
    except EtsySyncError as exc:
        return failed_listing(state, exc.message), None


def _link_of(p: PoolPlan, sales: tuple[Sale, ...]) -> PoolLink:
    """The link as it was when ``p`` was planned (``stale`` says whether it still is).

    ``sales``: the erased sales the ledger holds for the pool now (``sync.ledger``).
    A plan that clears a ``check`` flag (the seller settled the number, ``resolve``)
    keeps it cleared: finishing the listing again must not raise it back.
    """
    settled = p.status_before == CHECK and p.status != CHECK
    return PoolLink(
        p.pool_key,
        p.label,
        p.sku,
        p.local_variant_id,
        p.first_truth,
        p.base_local,
        p.base_etsy,
        p.local_before,
        p.status if settled else p.status_before,
        sales,
    )

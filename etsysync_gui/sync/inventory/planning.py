"""Deciding an inventory sync: from stored links and Etsy's numbers to a ``SyncPlan``.

Writes nothing.  For every linked pool of every listing that is not missing,
it calls ``decide()`` with the local variant's quantity, Etsy's quantity, the
stored bases, the shop's conflict policy and the link's first truth; then
``plan_listing()`` once per listing with the zero-stock policy, the offerings
EtsySync disabled, whether EtsySync deactivated the listing, and its state.

Etsy's numbers are read fresh by default (``get_inventories_by_listing_ids``,
100 listings per call, only for listings with a link); ``sync all`` passes the
inventories its listing sync has just read instead, which saves those calls.

``decide_listing`` is also what ``apply`` uses to re-decide a listing whose
Etsy numbers moved between the plan and the write.

A linked pool Etsy no longer has (the seller removed the variation, or renamed
it so its key changed) is flagged ``relink`` and skipped on its own: the other
pools of the listing are decided and written as usual.  Why not stop the whole
listing: a local sale of another variation would then never reach Etsy, and
Etsy would go on selling stock that is gone, for a change that has nothing to
do with that variation.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from etsysync_gui.db.engine import Database
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.sync.inventory.decide import Action, PoolDecision, PoolState, decide
from etsysync_gui.sync.inventory.plan_types import (
    CHECK,
    RELINK,
    ListingPlan,
    PoolPlan,
    SyncPlan,
)
from etsysync_gui.sync.inventory.pools import StockPool, pools_of
from etsysync_gui.sync.inventory.put_builder import ListingEdit, plan_listing
from etsysync_gui.sync.inventory.state_check import confirm_states
from etsysync_gui.sync.inventory.states import ListingState, PoolLink, load_states
from etsysync_gui.sync.ledger.overwrites import sales_note
from etsysync_gui.sync.listings.rows import NO_INVENTORY
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.progress import PHASE_PLANNING, Progress, for_client, report

GONE = "This listing is no longer on Etsy; it is not synced (its history is kept)"
PENDING = "An interrupted write is pending; the next sync completes it first"


def failed_listing(state: ListingState, error: str, *, gone: bool = False) -> ListingPlan:
    return ListingPlan(
        state.listing_id,
        state.title,
        state.state,
        (),
        None,
        False,
        False,
        False,
        state.disabled_by_us,
        state.disabled_by_us,
        state.deactivated_by_etsysync,
        (),
        error=error,
        gone=gone,
    )


def decide_listing(
    state: ListingState,
    inventory: Inventory | None,
    options: SyncOptions,
    *,
    missing_means_gone: bool = True,
    known_pools: Sequence[StockPool] | None = None,
) -> ListingPlan:
    """Decide every linked pool of one listing and its listing edit.

    ``inventory`` None means Etsy no longer has the listing when it comes from
    a fresh read (``missing_means_gone``), else that Etsy sent no inventory.
    ``known_pools``: ``pools_of(inventory)`` if the caller computed it already.
    """
    if inventory is None:
        if missing_means_gone:
            return failed_listing(state, GONE, gone=True)
        return failed_listing(state, NO_INVENTORY)
    if state.pending:
        return failed_listing(state, PENDING)
    try:
        found = pools_of(inventory) if known_pools is None else known_pools
        pools = {pool.key: pool for pool in found}
        decisions = []
        vanished = []
        for link in state.links:
            pool = pools.get(link.pool_key)
            if pool is None:
                vanished.append(link)
                continue
            decisions.append((link, pool, _decide_pool(link, pool, options)))
        return finish_listing(
            state, inventory, decisions, options, tuple(pools.values()), vanished=vanished
        )
    except EtsySyncError as exc:
        return failed_listing(state, exc.message)


def relink_message(link: PoolLink) -> str:
    """Why a linked pool is skipped, with the next step."""
    return (
        f"The linked variation {link.label} ({link.pool_key}) no longer exists on Etsy; "
        "run a listing sync and link it again (the listing's other variations sync on)"
    )


def relink_plan(link: PoolLink) -> PoolPlan:
    """The plan of a pool whose variation vanished: nothing moves, the flag is set.

    Its bases are kept (``SKIP``), so nothing is lost if the variation comes
    back; it is logged only when it becomes flagged (``PoolPlan.log_worthy``).
    """
    etsy = link.base_etsy if link.base_etsy is not None else 0
    return PoolPlan(
        pool_key=link.pool_key,
        label=link.label,
        sku=link.sku,
        local_variant_id=link.local_variant_id,
        first_truth=link.first_truth,
        base_local=link.base_local,
        base_etsy=link.base_etsy,
        local_before=link.local_quantity,
        etsy_before=etsy,
        action=Action.SKIP,
        new_local=link.local_quantity,
        new_etsy=etsy,
        etsy_after=etsy,
        reason=relink_message(link),
        conflict=False,
        clamped=False,
        status_before=link.status,
        status=RELINK,
    )


def _decide_pool(link: PoolLink, pool: StockPool, options: SyncOptions) -> PoolDecision:
    """``decide`` with Etsy's quantity less the sales a write erased (see ``sync.ledger``).

    Etsy shows those sales as still in stock, so the decision is made with what
    Etsy really has: the erased sales become an Etsy-side sale of the pool, the
    local side goes down and Etsy is written down too.
    """
    erased = sum(sale.quantity for sale in link.sales)
    etsy = max(0, pool.quantity - erased)
    sides = PoolState(link.local_quantity, etsy, link.base_local, link.base_etsy)
    decision = decide(sides, policy=options.conflict_policy, first_truth=link.first_truth)
    if not link.sales:
        return decision
    return replace(decision, reason=f"{decision.reason}; {sales_note(link.sales)}")


def finish_listing(
    state: ListingState,
    inventory: Inventory,
    decisions: Sequence[tuple[PoolLink, StockPool, PoolDecision]],
    options: SyncOptions,
    all_pools: Sequence[StockPool] | None = None,
    *,
    vanished: Sequence[PoolLink] = (),
) -> ListingPlan:
    """The listing edit for ``decisions`` and the per-pool plans (raises on Etsy data errors).

    ``all_pools``: every pool of ``inventory`` (``pools_of``), if the caller has them;
    ``vanished``: linked pools Etsy no longer has, flagged and left out of the edit.

    The target handed to ``plan_listing`` is the decision's ``new_etsy``,
    except for a pool whose true stock is 0: its target is 0 even when Etsy
    still holds the last quantity it could not be told (a listing deactivated
    or left to sell out keeps it), so an out-of-stock pool is never treated as
    sellable and a deactivated listing is not switched back on.  A skipped
    conflict keeps Etsy's number: nothing is written for it.
    """
    targets = {link.pool_key: _target(decision) for link, _, decision in decisions}
    all_pools = pools_of(inventory) if all_pools is None else all_pools
    others, other_ids, other_notes = _unlinked_corrections(state, all_pools)
    targets.update(others)
    edit = plan_listing(
        inventory,
        targets,
        zero_stock_policy=options.zero_stock_policy,
        disabled_by_us=state.disabled_by_us,
        listing_deactivated_by_us=state.deactivated_by_etsysync,
        listing_active=state.state == "active",
        known_pools=all_pools,
    )
    pools = (
        *(
            _pool_plan(link, pool, decision, edit, targets[link.pool_key])
            for link, pool, decision in decisions
        ),
        *(relink_plan(link) for link in vanished),
    )
    notes = (*edit.notes, *(relink_message(link) for link in vanished))
    return ListingPlan(
        state.listing_id,
        state.title,
        _shared(state.state),
        pools,
        edit.put_body,
        edit.deactivate,
        edit.reactivate,
        edit.left_to_sell_out,
        state.disabled_by_us,
        edit.disabled_by_us,
        state.deactivated_by_etsysync,
        notes,
        written=edit.written + other_notes if edit.put_body is not None else edit.written,
        other_sales=other_ids if edit.put_body is not None else (),
    )


def _unlinked_corrections(
    state: ListingState, pools: Sequence[StockPool]
) -> tuple[dict[str, int], tuple[int, ...], tuple[str, ...]]:
    """Targets that put right the sales an earlier write erased in pools that are not linked.

    Nobody else will: no local side decides those pools, and it was EtsySync's
    write that gave Etsy its stale number back.  Returns the targets, the
    sales' transaction ids and one phrase per pool for the log.
    """
    by_key = {pool.key: pool for pool in pools}
    targets: dict[str, int] = {}
    ids: list[int] = []
    notes: list[str] = []
    for key, sales in state.other_sales:
        pool = by_key.get(key)
        if pool is None:
            continue
        targets[key] = max(0, pool.quantity - sum(sale.quantity for sale in sales))
        ids.extend(sale.transaction_id for sale in sales)
        notes.append(f"{pool.label} (not linked): {sales_note(sales)}")
    return targets, tuple(ids), tuple(notes)


def _pool_plan(
    link: PoolLink, pool: StockPool, decision: PoolDecision, edit: ListingEdit, target: int
) -> PoolPlan:
    """One pool's line of the plan; Etsy keeps its number when nothing is written."""
    return PoolPlan(
        pool_key=link.pool_key,
        label=pool.label,
        sku=pool.sku,
        local_variant_id=link.local_variant_id,
        first_truth=link.first_truth,
        base_local=link.base_local,
        base_etsy=link.base_etsy,
        local_before=link.local_quantity,
        etsy_before=pool.quantity,
        action=decision.action,
        new_local=decision.new_local,
        new_etsy=decision.new_etsy,
        etsy_after=target if edit.put_body is not None else pool.quantity,
        reason=sys.intern(decision.reason),  # a few wordings repeat across a whole plan
        conflict=decision.conflict,
        clamped=decision.clamped,
        status_before=sys.intern(link.status),  # one of a few words, kept per pool
        status=_pool_status(decision, edit, link),
        sales=tuple(s.transaction_id for s in link.sales),
    )


def _shared(word: str | None) -> str | None:
    """One copy of a short word a whole plan repeats (a listing's state): each row
    read from the database brings its own, and a ``sync all`` plan keeps one per listing."""
    return None if word is None else sys.intern(word)


def _pool_status(decision: PoolDecision, edit: ListingEdit, link: PoolLink) -> str:
    if decision.action is Action.SKIP:
        return "conflict"
    if link.status == CHECK or any(sale.unsure for sale in link.sales):
        return CHECK  # until the seller settles it (``resolve``)
    if decision.clamped:
        return "clamped"
    if edit.left_to_sell_out:
        return "sold_out_left"
    return "ok"


def _target(decision: PoolDecision) -> int:
    if decision.new_local == 0 and decision.action is not Action.SKIP:
        return 0
    return decision.new_etsy


def plan_from(
    states: Mapping[int, ListingState],
    inventories: Mapping[int, Inventory],
    options: SyncOptions,
    *,
    now: datetime,
    source: str,
    progress: Progress | None = None,
    known_pools: Mapping[int, Sequence[StockPool]] | None = None,
) -> SyncPlan:
    """The plan for ``states`` with Etsy's ``inventories`` (pure; a missing one = gone).

    ``known_pools``: each listing's ``pools_of`` where already computed (the listing sync).
    """
    listings = []
    total = len(states)
    for done, (lid, state) in enumerate(sorted(states.items()), start=1):
        listings.append(
            decide_listing(
                state,
                inventories.get(lid),
                options,
                missing_means_gone=source == "fresh",
                known_pools=known_pools.get(lid) if known_pools is not None else None,
            )
        )
        if done % 500 == 0 or done == total:
            report(progress, PHASE_PLANNING, done, total)
    return SyncPlan.build(
        shop_id=options.shop_id,
        created_at=now,
        policy=options.conflict_policy,
        zero_stock_policy=options.zero_stock_policy,
        source=source,
        listings=tuple(listings),
    )


def plan_inventory(
    database: Database,
    client: EtsyClient,
    options: SyncOptions,
    *,
    now: datetime,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> SyncPlan:
    """Plan the shop's inventory sync with Etsy's numbers read fresh (``plan_from`` otherwise)."""
    with database.session() as session:
        states = load_states(session, options.shop_id)
    inventories = client.get_inventories_by_listing_ids(
        sorted(states), progress=for_client(progress), cancel=cancel
    )
    plan = plan_from(states, inventories, options, now=now, source="fresh", progress=progress)
    return confirm_states(
        client,
        plan,
        states,
        lambda state: decide_listing(state, inventories.get(state.listing_id), options),
    )

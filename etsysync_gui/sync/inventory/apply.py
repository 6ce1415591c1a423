"""Applying a ``SyncPlan``: exactly what it says, safely, listing by listing.

Per listing that writes Etsy, in chunks of 100 listings:

1. read the chunk's inventories FRESH (one batch call per 100 listings);
2. if Etsy's quantities of a listing's linked pools differ from the plan's, or
   its links/bases changed since the plan (another run got there first), the
   listing is re-decided with the fresh numbers and the log says so;
3. the PUT body is built with ``plan_listing`` from the FRESH inventory, so only
   quantities and ``is_enabled`` differ from what Etsy holds;
4. write-ahead record → PUT → ``verify_written`` → state change → one local
   transaction (see ``commit`` and ``writeahead``).

These are the engine's only Etsy writes (updateListingInventory and
updateListing).  Each one Etsy accepts is counted in ``RunCounts.etsy_writes``
and said in words on the listing's log rows, whatever the pool decisions were
(a re-enabled offering, a deactivation, a PUT a pull still needed): a seller
reading "0 Etsy writes" can trust that nothing was changed on Etsy.

Listings that only change the local side (pulls, new bases) need no Etsy call
and are committed ``LOCAL_BATCH`` per transaction (``apply_local_writes``).
An inventory PUT costs ONE call per listing, so a run that pushes to n
listings costs ceil(n/100) + n calls, plus one call per state change (and one
per chunk holding a deactivation, to confirm the listing is still active
before EtsySync takes responsibility for switching it off).

Failures: Etsy refusing a write (``EtsyValidationError``) is logged with Etsy's
words and the run carries on; a failure that may or may not have reached Etsy
(5xx after retries, network) leaves the write-ahead record for the next run's
recovery; an authentication problem or an exhausted rate limit stops the run.
Cancellation is checked between listings only.  The lease is confirmed
(renewed, unthrottled) before every batch of local commits and every listing's
writes, so a run whose lease another sync took over stops with ``LeaseLost``
before it writes anything more.

Several listings' Etsy calls may be in flight at once (``inflight``); every
database step above (the lease confirmation included) still runs on the run's
thread, in listing order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from etsysync_gui.db.sql_helpers import chunks
from etsysync_gui.etsy.errors import EtsyError, EtsyValidationError, RateLimitedError
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.sync.inventory.answer_check import verify_written
from etsysync_gui.sync.inventory.commit import (
    apply_local_writes,
    apply_write,
    fail_write,
    mark_gone,
)
from etsysync_gui.sync.inventory.inflight import Window
from etsysync_gui.sync.inventory.plan_types import ListingPlan, SyncPlan
from etsysync_gui.sync.inventory.planning import decide_listing
from etsysync_gui.sync.inventory.pools import AmbiguousInventoryError, pools_of
from etsysync_gui.sync.inventory.prepare import prepare_listing
from etsysync_gui.sync.inventory.states import ListingState, load_states
from etsysync_gui.sync.inventory.writeahead import ListingWrite
from etsysync_gui.sync.ledger.overwrites import Sale, produced_by, snapshot_of
from etsysync_gui.sync.runs.context import RunContext
from etsysync_gui.sync.runs.lease import SyncAlreadyRunning
from etsysync_gui.sync.runs.progress import PHASE_WRITING, cancelled, report

log = logging.getLogger(__name__)
CHUNK = 100
LOCAL_BATCH = 500  # local-only listings per transaction (see ``apply_local_writes``)


def apply_plan(ctx: RunContext, plan: SyncPlan) -> bool:
    """Execute ``plan``; updates ``ctx.tally``; ``False`` when cancelled part-way."""
    ctx.tally.add(listings=len(plan.listings) + plan.in_step)
    ctx.tally.plan_errors(plan)
    gone = [x.listing_id for x in plan.listings if x.gone]
    if gone:
        mark_gone(ctx.database, gone, now=ctx.clock())
    todo = [x for x in plan.listings if x.needs_commit and x.error is None]
    if not todo:
        return True
    # Listings that write Etsy are re-checked per chunk below; only the rest are loaded here.
    local = [x for x in todo if not x.etsy_write]
    local_only: list[ListingPlan] = []
    for part in chunks(local, LOCAL_BATCH):  # states a batch at a time: memory stays bounded
        with ctx.database.session() as session:
            states = load_states(session, plan.shop_id, [x.listing_id for x in part])
        local_only.extend(x for x in part if not _stale(x, states.get(x.listing_id)))
    local_ids = {x.listing_id for x in local_only}
    remote = [x for x in todo if x.listing_id not in local_ids]
    done = 0
    for batch in chunks(local_only, LOCAL_BATCH):
        if cancelled(ctx.cancel):
            return False
        ctx.confirm_lease()
        _commit_local_batch(ctx, batch)
        done += len(batch)
        report(ctx.progress, PHASE_WRITING, done, len(todo))
    return _write_remote(ctx, plan.shop_id, remote, done, len(todo))


def _write_remote(
    ctx: RunContext, shop_id: int, remote: Sequence[ListingPlan], done: int, total: int
) -> bool:
    """Listings that write Etsy, a chunk at a time; ``False`` if cancelled.

    One window of writes in flight spans the chunks, so the next chunk's fresh
    read goes out while the last writes of the one before are still in flight
    (a chunk boundary does not empty the window: the rate limit, not the
    latency, keeps setting the pace).
    """

    def step() -> None:
        nonlocal done
        done += 1
        report(ctx.progress, PHASE_WRITING, done, total)

    with Window[_EtsyOutcome](ctx.options.writes_in_flight) as window:
        for start in range(0, len(remote), CHUNK):
            window.settle()
            if cancelled(ctx.cancel):
                window.drain()
                return False
            chunk = remote[start : start + CHUNK]
            ids = [x.listing_id for x in chunk]
            read_at = ctx.client.etsy_time()  # the snapshot's time (see ``sync.ledger``)
            fresh = ctx.client.get_inventories_by_listing_ids(ids)
            with ctx.database.session() as session:
                states = load_states(session, shop_id, ids)
            prepared = {
                x.listing_id: _prepare(ctx, x, states.get(x.listing_id), fresh) for x in chunk
            }
            _confirm_deactivations(ctx, prepared, states, fresh)
            if not _write_chunk(ctx, window, chunk, prepared, fresh, read_at, step):
                return False
        window.drain()
    return True


def _write_chunk(
    ctx: RunContext,
    window: Window[_EtsyOutcome],
    chunk: Sequence[ListingPlan],
    prepared: dict[int, tuple[ListingPlan, str | None]],
    fresh: dict[int, Inventory],
    read_at: float,
    step: Callable[[], None],
) -> bool:
    """Start a chunk's listings in ``window`` (see ``inflight``); ``False`` if cancelled.

    Before each listing, a call in flight that already failed is handled first
    (``settle``), so a stop for the user starts nothing new.  A cancel, a lost
    lease or another sync's record met here start nothing new either, and the
    calls already in flight are committed first, as the one listing in flight
    was when writes went one at a time.
    """
    for listing in chunk:
        window.settle()
        if cancelled(ctx.cancel):
            window.drain()
            return False
        execute, note = prepared[listing.listing_id]
        try:
            ctx.confirm_lease()
            _execute(ctx, execute, fresh.get(listing.listing_id), note, read_at, window, step)
        except SyncAlreadyRunning:
            window.drain()
            raise
    return True


def _stale(plan: ListingPlan, state: ListingState | None) -> bool:
    """Whether links or bases changed since the plan was made (or a record is pending)."""
    if state is None or state.pending:
        return True
    now = {
        (x.pool_key, x.local_variant_id, x.base_local, x.base_etsy, _ids(x.sales))
        for x in state.links
    }
    then = {
        (p.pool_key, p.local_variant_id, p.base_local, p.base_etsy, p.sales) for p in plan.pools
    }
    return now != then


def _ids(sales: Sequence[Sale]) -> tuple[int, ...]:
    return tuple(sale.transaction_id for sale in sales)


def _prepare(
    ctx: RunContext,
    plan: ListingPlan,
    state: ListingState | None,
    fresh: dict[int, Inventory],
) -> tuple[ListingPlan, str | None]:
    """The plan to execute for one listing, re-decided when Etsy or the links moved."""
    inventory = fresh.get(plan.listing_id)
    if state is None:
        return replace(plan, error="no longer linked or no longer on Etsy; skipped"), None
    if inventory is None:
        return decide_listing(state, None, ctx.options), None
    return prepare_listing(plan, state, inventory, ctx.options, stale=_stale(plan, state))


def _confirm_deactivations(
    ctx: RunContext,
    prepared: dict[int, tuple[ListingPlan, str | None]],
    states: dict[int, ListingState],
    fresh: dict[int, Inventory],
) -> None:
    """Re-check the state of listings about to be deactivated (the stored state may be old)."""
    candidates = [lid for lid, (plan, _) in prepared.items() if plan.deactivate]
    if not candidates:
        return
    actual = {x.listing_id: x.state for x in ctx.client.get_listings_by_ids(candidates)}
    for lid in candidates:
        state = states[lid]
        if actual.get(lid, state.state) != state.state:
            corrected = replace(state, state=actual.get(lid))
            plan, note = prepared[lid]
            again, _ = prepare_listing(plan, corrected, fresh[lid], ctx.options, stale=True)
            prepared[lid] = (again, note)


def _commit_local_batch(ctx: RunContext, plans: Sequence[ListingPlan]) -> None:
    """Commit listings that change only the local side, many per transaction."""
    writes = [ListingWrite.of(x, run_id=ctx.run_id, inventory=None) for x in plans]
    applied = apply_local_writes(ctx.database, writes, now=ctx.clock(), run_id=ctx.run_id)
    for plan in plans:
        if plan.listing_id in applied:
            ctx.count_applied(plan)
        ctx.hooks.after_commit(plan.listing_id)


def _commit_local(ctx: RunContext, plan: ListingPlan, note: str | None) -> None:
    write = ListingWrite.of(plan, run_id=ctx.run_id, inventory=None, note=note)
    if apply_write(ctx.database, write, now=ctx.clock(), run_id=ctx.run_id, from_record=False):
        ctx.count_applied(plan)
    ctx.hooks.after_commit(plan.listing_id)


def _execute(
    ctx: RunContext,
    plan: ListingPlan,
    inventory: Inventory | None,
    note: str | None,
    read_at: float,
    window: Window[_EtsyOutcome],
    step: Callable[[], None],
) -> None:
    """Execute one listing's plan: a local commit, or write-ahead → Etsy → commit.

    ``step`` is called once the listing is done (for an Etsy write, when its
    answer is committed, which may be after later listings were started).
    """
    lid = plan.listing_id
    if note is not None:
        ctx.tally.redecided.append(lid)
        log.info("Listing %s re-decided: %s", lid, note)
    if plan.gone:
        mark_gone(ctx.database, [lid], now=ctx.clock())
    elif plan.error is not None:
        ctx.tally.error(lid, plan.error)
    elif plan.needs_commit and (not plan.etsy_write or inventory is None):
        _commit_local(ctx, plan, note)
    elif plan.needs_commit and inventory is not None:
        _write_to_etsy(ctx, plan, inventory, note, read_at, window, step)
        return
    step()


@dataclass(slots=True)
class _EtsyOutcome:
    """What the Etsy calls for one listing left to record with the commit."""

    holds: dict[str, int] | None = None
    problem: str | None = None
    new_state: str | None = None
    deactivated: bool | None = None
    written_at: float | None = None  # Etsy's answer arrived (sales ledger); set on the worker
    produced: dict[str, Any] | None = None  # what the PUT left on Etsy (sales ledger)


def _write_to_etsy(
    ctx: RunContext,
    plan: ListingPlan,
    inventory: Inventory,
    note: str | None,
    read_at: float,
    window: Window[_EtsyOutcome],
    step: Callable[[], None],
) -> None:
    """Record the write ahead, call Etsy (in ``window``), then commit what Etsy now holds.

    The record keeps the snapshot a PUT is based on (``read_at``: when the
    batch read was sent), so the sales ledger can find the sales the PUT erases.
    """
    lid = plan.listing_id
    snapshot = None
    if plan.put_body is not None:
        snapshot = {
            **snapshot_of(inventory, read_at),
            "shop_id": ctx.options.shop_id,
            "orders_read": ctx.orders_read,
        }
    write = ListingWrite.of(
        plan, run_id=ctx.run_id, inventory=inventory, note=note, snapshot=snapshot
    )
    ctx.hooks.before_write_ahead(lid)
    ctx.save_write_ahead(write)
    ctx.hooks.after_write_ahead(lid)

    def finish(result: Callable[[], _EtsyOutcome]) -> None:
        _finish_write(ctx, plan, write, result)
        step()

    window.submit(lambda: _call_etsy(ctx, plan, write, inventory), finish)


def _finish_write(
    ctx: RunContext, plan: ListingPlan, write: ListingWrite, result: Callable[[], _EtsyOutcome]
) -> None:
    """On the run's thread: take the Etsy answer (``result()``) and commit or record the failure."""
    lid = plan.listing_id
    try:
        outcome = result()
    except EtsyValidationError as exc:
        fail_write(ctx.database, write, message=exc.message, now=ctx.clock(), run_id=ctx.run_id)
        ctx.tally.error(lid, exc.message)
        return
    except EtsyError as exc:
        if exc.needs_user or isinstance(exc, RateLimitedError):
            raise
        ctx.tally.error(lid, f"{exc.message}; the write is checked again at the next sync")
        return
    applied = apply_write(
        ctx.database,
        write,
        now=ctx.clock(),
        run_id=ctx.run_id,
        from_record=True,
        etsy_holds=outcome.holds,
        deactivated=outcome.deactivated,
        state=outcome.new_state,
        listing_error=outcome.problem,
        etsy_note=write.etsy_note(state=outcome.new_state is not None),
        written_at=outcome.written_at,
        produced=outcome.produced,
    )
    if applied:
        ctx.count_applied(plan)
        if outcome.problem is not None:
            ctx.tally.error(lid, outcome.problem)
    ctx.hooks.after_commit(lid)


def _call_etsy(
    ctx: RunContext, plan: ListingPlan, write: ListingWrite, inventory: Inventory
) -> _EtsyOutcome:
    """The inventory PUT (its answer checked against the body), then the state change."""
    lid = plan.listing_id
    outcome = _EtsyOutcome()
    if plan.put_body is not None:
        after = ctx.client.update_listing_inventory(lid, plan.put_body)
        ctx.tally.add(etsy_writes=1)
        problems = verify_written(inventory, plan.put_body, after)
        ctx.hooks.after_put(lid)
        outcome.produced = produced_by(after)
        if problems:
            outcome.holds = _holds(after)
            outcome.problem = "Etsy stored something other than what was sent: " + "; ".join(
                problems
            )
    if write.state_change is not None:
        _change_state(ctx, plan, write, write.state_change, outcome)
    outcome.written_at = ctx.client.etsy_time()  # when the answer arrived, not when committed
    return outcome


def _change_state(
    ctx: RunContext, plan: ListingPlan, write: ListingWrite, state: str, outcome: _EtsyOutcome
) -> None:
    """Activate or deactivate the listing; a refusal after a PUT is a problem, not a failure.

    The PUT already changed Etsy, so the write must still be committed; without
    a PUT the refusal fails the write like any other validation error.
    """
    lid = plan.listing_id
    try:
        ctx.client.update_listing_state(ctx.options.shop_id, lid, state)
        ctx.tally.add(etsy_writes=1)
        outcome.new_state = state
    except EtsyValidationError as exc:
        if not write.put:
            raise
        outcome.deactivated = plan.deactivated_before
        outcome.problem = f"Etsy refused to set the listing {state}: {exc.message}"
    ctx.hooks.after_state_change(lid)


def _holds(after: Inventory) -> dict[str, int] | None:
    """What Etsy holds per pool after a write it stored differently (None if unreadable)."""
    try:
        return {pool.key: pool.quantity for pool in pools_of(after)}
    except AmbiguousInventoryError:
        return None

"""Finishing or discarding writes a previous run left half-done.

Runs at the start of every inventory run (while holding the lease, so no other
run can be mid-write).  For each listing with a write-ahead record:

* read its inventory fresh (one batch call per 100 such listings) and, if the
  record changes the listing's state, the listing itself;
* the listing is gone from Etsy → drop the record, mark the listing missing;
* the PUT landed → Etsy's offering ids differ from those in the record (Etsy
  regenerates them on every inventory PUT; a purchase does not change them)
  AND Etsy's quantities say so (``put_landed``).  Apply the local side, bases
  and log rows exactly as the record says, logged as "completed after an
  interrupted run";
* a state-only write (zero-stock deactivation) landed → the listing is in the
  state the record asked for; apply it the same way;
* otherwise the write never reached Etsy → drop the record; the normal
  decision then runs again with current numbers and the bases that held
  before the write (nothing was applied, nothing was logged, so nothing is
  applied twice).

Why ids are not enough: a seller who saves the listing in Etsy's web editor
(a new price, another variation's quantity) also regenerates the ids (the fake
assumes so; UNCONFIRMED for Etsy).  Taking that for our own PUT once stored
bases for a write that never happened, and the next run "pulled" Etsy's old
number home: a local sale was lost on both sides.  So when the ids moved, the
pools the write changed decide: if they hold what they held before the write
rather than what it wrote, the write did not land and the local change is
decided (and pushed) again; an edit that touched neither such a pool's quantity
nor its identity is no conflict.

If the PUT landed but the reactivation after it did not, the listing keeps
``deactivated_by_etsysync`` so the next plan reactivates it (setting a state
twice is harmless).

A completed write's log rows say what landed on Etsy (``etsy_note``), but it
is not counted in this run's ``etsy_writes``: this run did not send it (the
interrupted run did, and was killed before it could count it).

Known limit (Etsy does not document whether a seller's save regenerates offering
ids; assumption, the safe choice, and the one the fake makes: it does): when the ids moved and the
written pools hold neither the old nor the written numbers (the seller typed a
new quantity into the very pool being written, or a buyer bought from it after
the write landed), the ids decide and the write counts as landed: bases say
Etsy holds what EtsySync meant to write, Etsy's real number is then seen as a
change made on Etsy and synced like one; nothing is counted twice.  And a
write that did not land, followed by a seller's save AND purchases of exactly
the amount it meant to write, reads as landed (that local change is lost);
Etsy's orders since the record (``landed(sold_since=...)``) tell the two apart.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import select

from etsysync_gui.db.models import EtsyProduct
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.sync.inventory.commit import apply_write, discard_record
from etsysync_gui.sync.inventory.decide import Action
from etsysync_gui.sync.inventory.pools import AmbiguousInventoryError, pools_of
from etsysync_gui.sync.inventory.writeahead import ListingWrite, live_offering_ids
from etsysync_gui.sync.ledger.overwrites import SoldAfterRead, rematch_listing, sold_after_read
from etsysync_gui.sync.runs.context import RunContext
from etsysync_gui.sync.runs.progress import PHASE_RECOVERY, report

log = logging.getLogger(__name__)
GONE_NOTE = "The listing is no longer on Etsy; its interrupted write was dropped"
BAD_RECORD = "An interrupted write could not be read and was dropped"
IN_FLIGHT_GRACE_S = 90
"""Three times the client's request timeout (30 s): after that no request of a dead
process can still reach Etsy (see ``_settled``)."""


def recover_pending(ctx: RunContext) -> int:
    """Complete or discard every write-ahead record of the shop; returns how many completed."""
    records = _settled(ctx, _load_records(ctx))
    if not records:
        return 0
    ids = sorted(records)
    inventories = ctx.client.get_inventories_by_listing_ids(ids)
    with_state = [lid for lid in ids if records[lid].state_change is not None]
    states = (
        {x.listing_id: x.state for x in ctx.client.get_listings_by_ids(with_state)}
        if with_state
        else {}
    )
    completed = 0
    for done, lid in enumerate(ids, start=1):
        inventory = inventories.get(lid)
        if inventory is None:
            discard_record(ctx.database, lid, now=ctx.clock(), error=GONE_NOTE, missing=True)
        elif _recover_one(ctx, lid, records[lid], inventory, states.get(lid)):
            completed += 1
        report(ctx.progress, PHASE_RECOVERY, done, len(ids))
    ctx.tally.recovered += completed
    return completed


def _settled(ctx: RunContext, records: dict[int, ListingWrite]) -> dict[int, ListingWrite]:
    """The records recovery may judge now: not those a gone holder saved just before it died.

    Why: a sync killed with writes in flight (``writes_in_flight``) may have sent a
    PUT that Etsy applies after this run's recovery read; judged "did not land",
    the record would be dropped and the late write later taken for a change made
    on Etsy (a local sale counted twice).  When this run took the lease over from
    a process of this machine that is gone (not by expiry, which takes far longer
    than a request), a record saved less than ``IN_FLIGHT_GRACE_S`` ago (same
    machine, same clock) is left as it is: its listing waits, reported pending,
    and the next run completes it.
    """
    lease = ctx.lease
    if lease is None or not lease.took_over_gone:
        return records
    now = ctx.clock().timestamp()
    young = {
        lid
        for lid, write in records.items()
        if write.saved_at is not None and now - write.saved_at < IN_FLIGHT_GRACE_S
    }
    if young:
        log.info(
            "Left %d interrupted write(s) for the next sync: the run that saved them "
            "stopped %d s ago at most and its requests may still reach Etsy",
            len(young),
            IN_FLIGHT_GRACE_S,
        )
    return {lid: write for lid, write in records.items() if lid not in young}


def _load_records(ctx: RunContext) -> dict[int, ListingWrite]:
    """The shop's write-ahead records; an unreadable one is dropped (and said so)."""
    with ctx.database.session() as session:
        rows = session.execute(
            select(EtsyProduct.etsy_listing_id, EtsyProduct.pending_write).where(
                EtsyProduct.shop_id == ctx.options.shop_id,
                EtsyProduct.pending_write.is_not(None),
            )
        ).all()
    records: dict[int, ListingWrite] = {}
    for listing_id, data in rows:
        try:
            records[listing_id] = ListingWrite.from_json(data)
        except (KeyError, TypeError, ValueError):
            log.warning("Dropping unreadable write-ahead record of listing %s", listing_id)
            discard_record(ctx.database, listing_id, now=ctx.clock(), error=BAD_RECORD)
    return records


def _recover_one(
    ctx: RunContext, lid: int, write: ListingWrite, inventory: Inventory, state: str | None
) -> bool:
    """Finish one record whose write reached Etsy, or drop it to be decided again."""
    sold = _sold_after_read(ctx, lid, write)
    put_landed = write.put and landed(
        write, inventory, sold_since=sold.sold, erasable=sold.erasable
    )
    state_landed = write.state_change is not None and state == write.state_change
    if not (put_landed or (not write.put and state_landed)):
        log.info("Listing %s: the interrupted write did not reach Etsy; decided again", lid)
        discard_record(ctx.database, lid, now=ctx.clock())
        return False
    deactivated = write.deactivated_by_etsysync
    if write.state_change is not None and not state_landed:
        deactivated = write.state_change == "active"  # still ours to reactivate
    applied = apply_write(
        ctx.database,
        write,
        now=ctx.clock(),
        run_id=ctx.run_id,
        from_record=True,
        deactivated=deactivated,
        state=write.state_change if state_landed else None,
        etsy_note=write.etsy_note(put=put_landed, state=state_landed),
        # Landed at some moment before now: the widest window, the safe side.
        written_at=ctx.client.etsy_time() if put_landed else None,
        suffix="completed after an interrupted run"
        + (f" (run {write.run_id})" if write.run_id is not None else ""),
    )
    if applied:
        _count(ctx, write)
        if put_landed and write.snapshot is not None:
            # Its snapshot exists now: match the sales it erased, for this run's decisions.
            with ctx.database.session() as session:
                rematch_listing(session, lid, int(write.snapshot["read_ts"]))
    return applied


def _sold_after_read(ctx: RunContext, lid: int, write: ListingWrite) -> SoldAfterRead:
    """Etsy's orders since the record's read (what the ledger holds; the run read it first)."""
    if write.snapshot is None:
        return SoldAfterRead({}, {})
    with ctx.database.session() as session:
        return sold_after_read(session, lid, write.snapshot, write.run_id)


def landed(
    write: ListingWrite,
    inventory: Inventory,
    sold_since: Mapping[str, int] | None = None,
    erasable: Mapping[str, int] | None = None,
) -> bool:
    """Whether the record's inventory PUT reached Etsy, judged from a fresh read.

    Unchanged offering ids: it did not (every PUT regenerates them).  Moved ids
    may also be a seller's save on etsy.com, so the pools whose quantity the
    write changed are asked: more of them holding the quantity of before the
    write than the written one means it did not land (module notes).  A tie
    (e.g. a write that only switched offerings on) leaves it to the ids.

    ``sold_since``: units sold on Etsy per pool key since the record was saved,
    when known (Etsy's orders); they are added back before comparing, so a
    purchase after the edit cannot make an unlanded write look landed.
    ``erasable``: the part of them sold on the inventory the record read; a
    landed PUT erased those, so they are not added back when asking "landed?".
    """
    if live_offering_ids(inventory) == write.offering_ids:
        return False
    try:
        held = {pool.key: pool.quantity for pool in pools_of(inventory)}
    except AmbiguousInventoryError:
        return True
    written = before = 0
    for pool in write.pools:
        now = held.get(pool.pool_key)
        if now is None or pool.new_etsy == pool.etsy_before:
            continue
        now += (sold_since or {}).get(pool.pool_key, 0)
        written += now - (erasable or {}).get(pool.pool_key, 0) == pool.new_etsy
        before += now == pool.etsy_before
    return written >= before


def _count(ctx: RunContext, write: ListingWrite) -> None:
    for pool in write.pools:
        if pool.action == Action.PUSH.value:
            ctx.tally.add(pushes=1)
        elif pool.action == Action.PULL.value:
            ctx.tally.add(pulls=1)
        elif pool.action == Action.MERGE.value:
            ctx.tally.add(merges=1)

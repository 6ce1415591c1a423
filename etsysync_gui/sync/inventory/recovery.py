"""Finishing or discarding writes a previous run left half-done.

Runs at the start of every inventory run (while holding the lease, so no other
run can be mid-write).  For each listing with a write-ahead record:

* read its inventory fresh (one batch call per 100 such listings) and, if the
  record changes the listing's state, the listing itself;
* the listing is gone from Etsy → drop the record, mark the listing missing;
* the PUT landed → Etsy's offering ids differ from those in the record (Etsy
  regenerates them on every inventory PUT; a purchase does not change them).
  Apply the local side, bases and log rows exactly as the record says, logged
  as "completed after an interrupted run";
* a state-only write (zero-stock deactivation) landed → the listing is in the
  state the record asked for; apply it the same way;
* otherwise the write never reached Etsy → drop the record; the normal
  decision then runs again with current numbers (nothing was applied, nothing
  was logged, so nothing is applied twice).

If the PUT landed but the reactivation after it did not, the listing keeps
``deactivated_by_etsysync`` so the next plan reactivates it (setting a state
twice is harmless).

A completed write's log rows say what landed on Etsy (``etsy_note``), but it
is not counted in this run's ``etsy_writes``: this run did not send it (the
interrupted run did, and was killed before it could count it).

Known limit (Etsy's behaviour here is not documented; assumption, the safe
choice, and the one the fake makes): if the seller saves
the listing's inventory in Etsy's web editor between the crash and the next run
and that regenerates offering ids (the fake assumes it does), a write that did
not land is read as landed.  The consequence is bounded: bases say Etsy holds
what EtsySync meant to write, Etsy's real number is then seen as a change made
on Etsy and synced like one; the seller's number wins over a local change that
was in flight; nothing is counted twice.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from etsysync_gui.db.models import EtsyProduct
from etsysync_gui.sync.inventory.commit import apply_write, discard_record
from etsysync_gui.sync.inventory.decide import Action
from etsysync_gui.sync.inventory.writeahead import ListingWrite, live_offering_ids
from etsysync_gui.sync.runs.context import RunContext
from etsysync_gui.sync.runs.progress import PHASE_RECOVERY, report

log = logging.getLogger(__name__)
GONE_NOTE = "The listing is no longer on Etsy; its interrupted write was dropped"
BAD_RECORD = "An interrupted write could not be read and was dropped"


def recover_pending(ctx: RunContext) -> int:
    """Complete or discard every write-ahead record of the shop; returns how many completed."""
    with ctx.database.session() as session:
        rows = session.execute(
            select(EtsyProduct.etsy_listing_id, EtsyProduct.pending_write).where(
                EtsyProduct.shop_id == ctx.options.shop_id,
                EtsyProduct.pending_write.is_not(None),
            )
        ).all()
    if not rows:
        return 0
    records: dict[int, ListingWrite] = {}
    for listing_id, data in rows:
        try:
            records[listing_id] = ListingWrite.from_json(data)
        except (KeyError, TypeError, ValueError):
            log.warning("Dropping unreadable write-ahead record of listing %s", listing_id)
            discard_record(ctx.database, listing_id, now=ctx.clock(), error=BAD_RECORD)
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
        write = records[lid]
        inventory = inventories.get(lid)
        if inventory is None:
            discard_record(ctx.database, lid, now=ctx.clock(), error=GONE_NOTE, missing=True)
            continue
        put_landed = write.put and live_offering_ids(inventory) != write.offering_ids
        state_landed = write.state_change is not None and states.get(lid) == write.state_change
        if not (put_landed or (not write.put and state_landed)):
            log.info("Listing %s: the interrupted write did not reach Etsy; decided again", lid)
            discard_record(ctx.database, lid, now=ctx.clock())
            continue
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
            completed += 1
            _count(ctx, write)
        report(ctx.progress, PHASE_RECOVERY, done, len(ids))
    ctx.tally.recovered += completed
    return completed


def _count(ctx: RunContext, write: ListingWrite) -> None:
    for pool in write.pools:
        if pool.action == Action.PUSH.value:
            ctx.tally.add(pushes=1)
        elif pool.action == Action.PULL.value:
            ctx.tally.add(pulls=1)
        elif pool.action == Action.MERGE.value:
            ctx.tally.add(merges=1)

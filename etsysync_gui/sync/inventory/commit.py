"""The database side of one listing's write: each function is ONE transaction.

* ``save_write_ahead``: commit the record before Etsy is written.
* ``apply_write``: apply the local side and everything else a decision implies,
  and clear the record, atomically.  Local quantities change by a DELTA
  (``quantity + new_local - local_before``, floored at 0) computed in SQL, so
  a local sale made while the write was in flight is kept and shows up as a
  local change at the next sync (its base is ``new_local``).  Pool rows are
  updated only while still linked to the same variant, so a link changed
  meanwhile is not given bases that belong to the old one.
* ``apply_local_writes``: the same for many listings that need no Etsy call,
  in one transaction (a first sync commits thousands of them).
* ``fail_write``: Etsy refused the write; nothing is applied, pools and log say
  why (Etsy's words), the record is cleared.
* ``discard_record``: recovery found the write did not land.

Log rows are written only by ``apply_write`` / ``apply_local_writes`` and
``fail_write``, inside the transaction that applies (or definitively fails)
the decision; ``apply_write`` refuses to run twice for one record (it requires
the record to still be there), so each decision is logged exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, null, select, update

from etsysync_gui.db import pipeline
from etsysync_gui.db.bulk import insert_rows, update_rows
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, ProductVariant
from etsysync_gui.db.sql_helpers import IN_CHUNK, chunks, rowcount, table_of
from etsysync_gui.sync.inventory.quantities import move_quantities
from etsysync_gui.sync.inventory.writeahead import ListingWrite, PoolWrite
from etsysync_gui.sync.ledger.overwrites import mark_applied, record_snapshot
from etsysync_gui.sync.runs.audit import LOG_TABLE, log_row
from etsysync_gui.sync.runs.lease import SyncAlreadyRunning

LISTINGS = table_of(EtsyProduct)
POOLS = table_of(EtsyStockPool)
VARIANTS = table_of(ProductVariant)


class PendingWriteExists(SyncAlreadyRunning):
    """A listing already has a write-ahead record: another sync is writing it right now.

    Recovery clears every record at the start of a run while holding the
    lease, so a record met later belongs to a sync running in parallel (one
    that lost track of the lease).  That is "busy" for the seller (the CLI
    exits 3), never an internal error.
    """


def save_write_ahead(database: Database, write: ListingWrite, *, now: datetime) -> None:
    with database.session() as session:
        result = session.execute(
            update(LISTINGS)
            .where(
                LISTINGS.c.etsy_listing_id == write.listing_id,
                LISTINGS.c.pending_write.is_(None),
            )
            # Etsy is about to change: the stored digest no longer describes it (``in_step``).
            .values(pending_write=write.to_json(), etsy_digest=None, updated_at=now)
        )
        if rowcount(result) != 1:
            raise PendingWriteExists(
                f"Another sync is writing listing {write.listing_id} right now, so this one "
                "stopped without changing it; sync again once the other has finished."
            )


# Long because the docstring states the whole contract and the body is ONE transaction
# (record, rows, ledger marks, snapshot) that reads best in one place; about 40 lines.
def apply_write(
    database: Database,
    write: ListingWrite,
    *,
    now: datetime,
    run_id: int | None,
    from_record: bool,
    etsy_holds: Mapping[str, int] | None = None,
    deactivated: bool | None = None,
    state: str | None = None,
    listing_error: str | None = None,
    suffix: str | None = None,
    etsy_note: str | None = None,
    written_at: float | None = None,
    produced: Mapping[str, Any] | None = None,
) -> bool:
    """Apply ``write`` locally in one transaction; ``False`` if the record state is wrong.

    ``from_record``: the write has a saved record that must still exist (and is
    cleared); without it the listing must have no record (recovery runs first).
    ``etsy_holds`` overrides ``new_etsy`` per pool with what Etsy
    answered; ``deactivated`` overrides the flag; ``state`` is the listing's new
    state on Etsy; ``listing_error`` marks the listing in error (the decision is
    still applied, e.g. Etsy stored something other than what was sent);
    ``etsy_note``: what Etsy accepted (``ListingWrite.etsy_note``), added to
    every log row so no Etsy write is missing from the listing's log.
    ``written_at``: when Etsy's answer to the PUT arrived (Etsy-comparable epoch
    seconds); with the record's snapshot it is kept so the sales ledger can find
    the sales this write erased (``sync.ledger.overwrites``); ``produced`` is
    what the PUT's answer held (``overwrites.produced_by``), kept with it.
    """
    values: dict[str, Any] = {
        "pending_write": null(),
        "disabled_by_us": list(write.disabled_by_us),
        "deactivated_by_etsysync": (
            write.deactivated_by_etsysync if deactivated is None else deactivated
        ),
        "sync_status": "error" if listing_error else "synced",
        "sync_error": listing_error,
        "last_synced_at": now,
        "updated_at": now,
    }
    if state is not None:
        values["state"] = state
    part = _Part(write, etsy_holds or {}, listing_error, suffix, etsy_note)
    with database.session() as session:
        where = [
            LISTINGS.c.etsy_listing_id == write.listing_id,
            LISTINGS.c.pending_write.is_not(None)
            if from_record
            else LISTINGS.c.pending_write.is_(None),
        ]
        if rowcount(session.execute(update(LISTINGS).where(*where).values(**values))) != 1:
            return False
        _apply_parts(session, [part], now, run_id)
        if write.other_sales and write.put:
            mark_applied(session, write.other_sales, run_id=run_id, now=now)
        snapshot = write.snapshot
        if snapshot is not None and written_at is not None and write.put:
            record_snapshot(
                session,
                shop_id=int(snapshot["shop_id"]),
                listing_id=write.listing_id,
                run_id=write.run_id,  # the run that read the snapshot, even after recovery
                snapshot=snapshot,
                written_at=written_at,
                produced=produced,
                now=now,
            )
    return True


def apply_local_writes(
    database: Database, writes: Sequence[ListingWrite], *, now: datetime, run_id: int | None
) -> set[int]:
    """Apply many writes that need no Etsy call in ONE transaction; returns the applied ids.

    Why one transaction for many listings: a first sync links thousands of
    pools and each needs its bases and a log row; a transaction (and, on
    SQLite, an fsync) per listing made that the slowest part of a big shop's
    sync.  Nothing here touches Etsy, so batching costs no crash safety: a
    kill rolls the whole batch back and the next run decides it again (nothing
    was applied, nothing logged).  Like ``apply_write(from_record=False)``, a
    listing that has a write-ahead record is left out (recovery runs first).
    """
    if not writes:
        return set()
    ids = [w.listing_id for w in writes]
    with database.session() as session:
        free: set[int] = set()
        for chunk in chunks(ids, IN_CHUNK):
            free.update(
                session.scalars(
                    select(LISTINGS.c.etsy_listing_id).where(
                        LISTINGS.c.etsy_listing_id.in_(chunk), LISTINGS.c.pending_write.is_(None)
                    )
                )
            )
        todo = [w for w in writes if w.listing_id in free]
        if not todo:
            return set()
        # Only writes from here on: sent without waiting for each (``db.pipeline``).
        in_flight = pipeline.begin(session)
        try:
            _apply_local(session, todo, now, run_id)
        except BaseException as exc:
            if in_flight is not None:
                in_flight.abandon(exc)
            raise
        if in_flight is not None:
            in_flight.settle()
    return {w.listing_id for w in todo}


def _apply_local(
    session: Any, todo: Sequence[ListingWrite], now: datetime, run_id: int | None
) -> None:
    """The writes of ``apply_local_writes`` (no reads: they may be in flight)."""
    update_rows(
        session,
        LISTINGS,
        [
            {
                "b_lid": w.listing_id,
                "v_disabled": list(w.disabled_by_us),
                "v_deactivated": w.deactivated_by_etsysync,
            }
            for w in todo
        ],
        match={"b_lid": "etsy_listing_id"},
        values={"v_disabled": "disabled_by_us", "v_deactivated": "deactivated_by_etsysync"},
        constants={
            "sync_status": "synced",
            "sync_error": None,
            "last_synced_at": now,
            "updated_at": now,
        },
    )
    _apply_parts(session, [_Part(w, {}, None, None) for w in todo], now, run_id)


@dataclass(frozen=True, slots=True)
class _Part:
    """One listing's write with what Etsy answered (for ``_apply_parts``)."""

    write: ListingWrite
    holds: Mapping[str, int]
    listing_error: str | None
    suffix: str | None
    etsy_note: str | None = None


def _apply_parts(session: Any, parts: Sequence[_Part], now: datetime, run_id: int | None) -> None:
    """Local quantities (by delta), pool bases and log rows of ``parts``, set-based."""
    deltas = [
        {"b_vid": p.local_variant_id, "b_delta": p.new_local - p.local_before}
        for part in parts
        for p in part.write.pools
        if p.store_bases and p.new_local != p.local_before
    ]
    move_quantities(session, deltas, now)
    _update_pools(session, parts, now)
    counted = [s for part in parts for p in part.write.pools if p.store_bases for s in p.sales]
    if counted:
        mark_applied(session, counted, run_id=run_id, now=now)
    rows = [
        log_row(
            run_id=run_id,
            listing_id=part.write.listing_id,
            pool_key=p.pool_key,
            local_variant_id=p.local_variant_id,
            local_found=p.local_before,
            etsy_found=p.etsy_before,
            action=p.log_action,
            result="skipped" if p.skipped else "error" if part.listing_error else "success",
            message=_message(
                p.reason, part.write.note, part.etsy_note, part.listing_error, part.suffix
            ),
            now=now,
        )
        for part in parts
        for p in part.write.pools
        if p.log
    ]
    if rows:
        insert_rows(session, LOG_TABLE, rows)


def _update_pools(session: Any, parts: Sequence[_Part], now: datetime) -> None:
    def params(part: _Part, pool: PoolWrite) -> dict[str, Any]:
        held = part.holds.get(pool.pool_key, pool.new_etsy)
        return {
            "b_lid": part.write.listing_id,
            "b_key": pool.pool_key,
            "b_vid": pool.local_variant_id,
            "v_base_local": pool.new_local,
            "v_base_etsy": held,
            "v_etsy": held,
            "v_status": pool.status,
            "v_message": _message(pool.reason, part.suffix),
        }

    match = {"b_lid": "etsy_listing_id", "b_key": "pool_key", "b_vid": "local_variant_id"}
    common = {"v_etsy": "etsy_quantity", "v_status": "status", "v_message": "message"}
    times = {"last_synced_at": now, "updated_at": now}
    bases = {"v_base_local": "base_local", "v_base_etsy": "base_etsy"}
    moved = sorted(
        {
            x.write.listing_id
            for x in parts
            for p in x.write.pools
            if x.holds.get(p.pool_key, p.new_etsy) != p.etsy_before
        }
    )
    if moved:  # Etsy-side numbers that differ from the read: the digest no longer holds
        session.execute(
            update(LISTINGS).where(LISTINGS.c.etsy_listing_id.in_(moved)).values(etsy_digest=None)
        )
    with_bases = [params(x, p) for x in parts for p in x.write.pools if p.store_bases]
    update_rows(
        session, POOLS, with_bases, match=match, values={**bases, **common}, constants=times
    )
    skipped = [params(x, p) for x in parts for p in x.write.pools if not p.store_bases]
    update_rows(session, POOLS, skipped, match=match, values=common, constants=times)


def fail_write(
    database: Database,
    write: ListingWrite,
    *,
    message: str,
    now: datetime,
    run_id: int | None,
) -> None:
    """Etsy refused the write: apply nothing, record why, clear any record."""
    with database.session() as session:
        session.execute(
            update(LISTINGS)
            .where(LISTINGS.c.etsy_listing_id == write.listing_id)
            .values(pending_write=null(), sync_status="error", sync_error=message, updated_at=now)
        )
        keys = [{"b_key": p.pool_key, "b_vid": p.local_variant_id} for p in write.pools]
        if keys:
            session.execute(
                update(POOLS)
                .where(
                    POOLS.c.etsy_listing_id == write.listing_id,
                    POOLS.c.pool_key == bindparam("b_key"),
                    POOLS.c.local_variant_id == bindparam("b_vid"),
                )
                .values(status="error", message=message, updated_at=now),
                keys,
            )
        rows = [
            log_row(
                run_id=run_id,
                listing_id=write.listing_id,
                pool_key=p.pool_key,
                local_variant_id=p.local_variant_id,
                local_found=p.local_before,
                etsy_found=p.etsy_before,
                action=p.log_action,
                result="error",
                message=f"Etsy refused the write: {message} (decision: {p.reason})",
                now=now,
            )
            for p in write.pools
            if p.log
        ]
        if rows:
            insert_rows(session, LOG_TABLE, rows)


def discard_record(
    database: Database,
    listing_id: int,
    *,
    now: datetime,
    error: str | None = None,
    missing: bool = False,
) -> None:
    """Drop a record whose write did not land (the normal decision runs again)."""
    values: dict[str, Any] = {"pending_write": null(), "updated_at": now}
    if error is not None:
        values.update(sync_status="error", sync_error=error)
    if missing:
        values["missing_since"] = now
    with database.session() as session:
        session.execute(
            update(LISTINGS).where(LISTINGS.c.etsy_listing_id == listing_id).values(**values)
        )


def mark_gone(database: Database, listing_ids: Sequence[int], *, now: datetime) -> None:
    """Etsy confirmed these listings no longer exist: exclude them from syncing."""
    with database.session() as session:
        for chunk in chunks(list(listing_ids), IN_CHUNK):
            session.execute(
                update(LISTINGS)
                .where(LISTINGS.c.etsy_listing_id.in_(chunk), LISTINGS.c.missing_since.is_(None))
                .values(missing_since=now, updated_at=now)
            )


def _message(reason: str, *extra: str | None) -> str:
    parts = [reason, *extra]
    return "; ".join(p for p in parts if p)

"""The audit log (``etsy_inventory_sync_log``): what is written, when, and for how long.

One row per stock decision that was APPLIED, written in the same transaction
that applies it, so a decision is logged exactly once even across crashes
(recovery writes the row when it completes an interrupted write; a write that
never landed leaves no row, its decision is simply made again).

Which decisions get a row:

* every push, pull and merge;
* every decision whose write Etsy rejected (``sync_result`` 'error', Etsy's own
  words in ``message``);
* a ``no_change`` row only when something notable happened: the first sync of
  a new link, a conflict (resolved by policy, or skipped and left for the
  seller: ``sync_result`` 'skipped'), or a decision that moved the bases
  without writing anything (a sale floored at 0, a clamp);
* every pool of a listing the run wrote to on Etsy when none of the above
  applies (e.g. a deactivation with both sides unchanged), and on every row
  of such a listing the message says what Etsy accepted (``writeahead``):
  no Etsy write goes unlogged.

Why not a ``no_change`` row for every unchanged pool on every run: a shop with
10,000 linked variants synced hourly would add 240,000 rows a day that say
nothing; the run row in ``sync_runs`` already records that the run happened.

The seller's own catalog changes share the table (``catalog.journal``): a
CSV import (``catalog_import``, no listing) and a quantity typed in the GUI
(``catalog_edit``, the linked pool if any), so the journal answers "why did
this number change?" whichever side changed it.

Columns: ``local_quantity`` / ``etsy_quantity`` are what the decision FOUND on
each side; ``quantity_diff`` is found local minus found Etsy (the discrepancy
the sync resolved); ``message`` says what was done ("Etsy 5 → 3").

Retention: ``prune_log`` deletes rows older than ``log_retention_days`` in
batches of ``batch_size`` rows, each in its own short transaction, using the
``synced_at`` index; it never holds a long lock on a table with millions of
rows, and other work can interleave between batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyInventorySyncLog, EtsyProduct
from etsysync_gui.db.sql_helpers import rowcount, table_of

PRUNE_BATCH = 5_000
LOG_TABLE = table_of(EtsyInventorySyncLog)


def log_row(
    *,
    run_id: int | None,
    listing_id: int | None,
    pool_key: str | None,
    local_variant_id: int | None,
    local_found: int | None,
    etsy_found: int | None,
    action: str,
    result: str,
    message: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A row for a bulk insert into the log (see the module notes for the columns)."""
    diff = None if local_found is None or etsy_found is None else local_found - etsy_found
    return {
        "run_id": run_id,
        "etsy_listing_id": listing_id,
        "pool_key": pool_key,
        "local_variant_id": local_variant_id,
        "local_quantity": local_found,
        "etsy_quantity": etsy_found,
        "quantity_diff": diff,
        "sync_action": action,
        "sync_result": result,
        "synced_at": now,
        "message": message,
    }


def prune_log(
    database: Database,
    *,
    retention_days: int,
    now: datetime,
    batch_size: int = PRUNE_BATCH,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Delete log rows older than ``retention_days``; returns how many were deleted."""
    cutoff = now - timedelta(days=retention_days)
    log = EtsyInventorySyncLog
    total = 0
    while should_stop is None or not should_stop():
        oldest = (
            select(log.id).where(log.synced_at < cutoff).order_by(log.synced_at).limit(batch_size)
        )
        with database.session() as session:
            deleted = rowcount(
                session.execute(
                    delete(log)
                    .where(log.id.in_(oldest.scalar_subquery()))
                    .execution_options(synchronize_session=False)
                )
            )
        total += deleted
        if deleted < batch_size:
            break
    return total


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One audit row as the CLI and the GUI show it."""

    id: int
    synced_at: datetime
    run_id: int | None
    listing_id: int | None
    """None on a catalog import row (``CATALOG_ACTIONS``)."""
    listing_title: str | None
    pool_key: str | None
    action: str
    result: str
    local_quantity: int | None
    etsy_quantity: int | None
    quantity_diff: int | None
    message: str | None
    pool_label: str | None = None
    """The pool's name as Inventory shows it ("Red / Large"), when the pool still exists."""

    @property
    def pool_name(self) -> str:
        """What the seller reads: the pool's name, its key only when the pool is gone."""
        return self.pool_label or self.pool_key or ""

    @classmethod
    def from_row(
        cls, row: EtsyInventorySyncLog, title: str | None, pool_label: str | None = None
    ) -> LogEntry:
        return cls(
            id=row.id,
            synced_at=row.synced_at,
            run_id=row.run_id,
            listing_id=row.etsy_listing_id,
            listing_title=title,
            pool_key=row.pool_key,
            action=row.sync_action,
            result=row.sync_result,
            local_quantity=row.local_quantity,
            etsy_quantity=row.etsy_quantity,
            quantity_diff=row.quantity_diff,
            message=row.message,
            pool_label=pool_label,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "synced_at": self.synced_at.isoformat(),
            "run_id": self.run_id,
            "listing_id": self.listing_id,
            "listing_title": self.listing_title,
            "pool_key": self.pool_key,
            "sync_action": self.action,
            "sync_result": self.result,
            "local_quantity": self.local_quantity,
            "etsy_quantity": self.etsy_quantity,
            "quantity_diff": self.quantity_diff,
            "message": self.message,
        }


def names_receipt(receipt: int) -> ColumnElement[bool]:
    """The journal rows whose message names Etsy receipt ``receipt`` as a whole number.

    Messages say "receipt 123456" or "receipts 123456, 123457" (see
    ``sync.ledger.overwrites.sales_note``); 123456 must not match 1234567.
    """
    message = EtsyInventorySyncLog.message
    number = str(receipt)
    return and_(
        message.like("%receipt%"),
        or_(*(message.like(f"% {number}{end}") for end in ("", ",%", ";%", " %", ")%"))),
    )


def recent_log(
    database: Database,
    *,
    limit: int = 50,
    listing_id: int | None = None,
    receipt: int | None = None,
) -> list[LogEntry]:
    """The newest ``limit`` log rows, newest first (optionally of one listing).

    ``receipt``: only decisions that name that Etsy receipt ("receipt 123456",
    "receipts 123456, 123457"; see ``sync.ledger.overwrites.sales_note``).
    """
    log = EtsyInventorySyncLog
    query = (
        select(log, EtsyProduct.title)
        .outerjoin(EtsyProduct, EtsyProduct.etsy_listing_id == log.etsy_listing_id)
        .order_by(log.synced_at.desc(), log.id.desc())
        .limit(limit)
    )
    if listing_id is not None:
        query = query.where(log.etsy_listing_id == listing_id)
    if receipt is not None:
        query = query.where(names_receipt(receipt))
    with database.session() as session:
        return [LogEntry.from_row(row, title) for row, title in session.execute(query)]

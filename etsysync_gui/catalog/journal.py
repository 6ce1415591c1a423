"""The seller's own catalog changes in the sync log, and the "imported since the last sync" mark.

Why in the sync log: what the next sync writes to Etsy comes from the
catalog, so "why did Etsy's stock change to 40?" is answered only when the
seller's import or typed quantity sits in the same journal as the sync's
decisions (the Log view and ``etsysync log`` read one table).

An import row names no listing (``etsy_listing_id`` is NULL); an edit of a
variant linked to an Etsy stock pool names that pool, so the Log view shows
it next to the sync decisions about the same pool.

The mark (``etsy_sync_config.catalog_imported_at``) makes the next
background plan wait for review (``sync.inventory.hold``): a stale
spreadsheet imported by mistake must not reach Etsy unseen.  It is cleared
by the first applied sync whose plan was made after the import
(``sync.runs.import_mark``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyStockPool, EtsySyncConfig
from etsysync_gui.db.sql_helpers import table_of
from etsysync_gui.sync.runs.audit import LOG_TABLE, log_row

_CONFIG = table_of(EtsySyncConfig)


def import_summary(file_name: str, created: int, changed: int, unchanged: int, invalid: int) -> str:
    """The one line the log, the status bar and the CLI say about an import."""
    return (
        f"Imported {file_name}: {created:,} new, {changed:,} changed, "
        f"{unchanged:,} unchanged, {invalid:,} invalid"
    )


def log_import(conn: Connection, message: str, *, changed_catalog: bool, now: datetime) -> None:
    """Record an import in the log (in the import's own transaction), and mark it unsynced."""
    row = log_row(
        run_id=None,
        listing_id=None,
        pool_key=None,
        local_variant_id=None,
        local_found=None,
        etsy_found=None,
        action="catalog_import",
        result="success",
        message=message,
        now=now,
    )
    conn.execute(insert(LOG_TABLE), [row])
    if changed_catalog:
        conn.execute(update(_CONFIG).values(catalog_imported_at=now))


def log_quantity_edit(
    session: Session, variant_id: int, label: str, before: int, after: int, now: datetime
) -> None:
    """Record a quantity the seller typed (before → after), naming the linked pool if any."""
    if before == after:
        return
    pool = session.execute(
        select(EtsyStockPool.etsy_listing_id, EtsyStockPool.pool_key)
        .where(EtsyStockPool.local_variant_id == variant_id)
        .limit(1)
    ).first()
    listing, key = (int(pool[0]), str(pool[1])) if pool is not None else (None, None)
    row = log_row(
        run_id=None,
        listing_id=listing,
        pool_key=key,
        local_variant_id=variant_id,
        local_found=after,
        etsy_found=None,
        action="catalog_edit",
        result="success",
        message=f"Quantity of {label} changed by you: {before} → {after}",
        now=now,
    )
    session.execute(insert(LOG_TABLE), [row])

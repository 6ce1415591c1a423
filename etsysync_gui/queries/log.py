"""The sync journal (``etsy_inventory_sync_log``) and the runs list, for 1,000,000 rows.

Pages, never everything: rows come newest first in pages of ``PAGE_SIZE``
using a keyset (``(synced_at, id) < last seen``), so page 200 costs what page
1 costs.  Each filter maps onto an index (time → ``synced_at``; listing →
``(etsy_listing_id, synced_at)``; result → ``(sync_result, synced_at)``; run →
``run_id``); the free-text filter scans, newest first, only until a page is
full.  The export streams every matching row in the same order.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Select, select, tuple_

from etsysync_gui.catalog.cells import escape_formula
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyInventorySyncLog, EtsyProduct, EtsyStockPool, SyncRun
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.queries.dashboard import RunSummary, run_summary
from etsysync_gui.sync.runs.audit import LogEntry, names_receipt

PAGE_SIZE = 500
EXPORT_BATCH = 5_000
LOG_COLUMNS = (
    "synced_at",
    "run_id",
    "etsy_listing_id",
    "listing_title",
    "pool_key",
    "sync_action",
    "sync_result",
    "local_quantity",
    "etsy_quantity",
    "quantity_diff",
    "message",
)

LogKey = tuple[datetime, int]


class LogExportError(EtsySyncError):
    title = "Export failed"


@dataclass(frozen=True, slots=True)
class LogFilter:
    since: datetime | None = None
    until: datetime | None = None
    run_id: int | None = None
    action: str | None = None
    result: str | None = None
    listing_id: int | None = None
    text: str = ""
    receipt: int | None = None
    """Only decisions that name this Etsy receipt (the search box's "receipt 123456")."""


LogRow = LogEntry
"""The GUI shows the same audit row the CLI prints."""


@dataclass(frozen=True, slots=True)
class LogPage:
    rows: list[LogRow]
    next_key: LogKey | None
    """Pass as ``after`` for the next page; None when this was the last."""


def _filtered(flt: LogFilter) -> Select[EtsyInventorySyncLog, str | None, str | None]:
    """The journal rows with the listing's title and the pool's name (as Inventory shows it)."""
    log = EtsyInventorySyncLog
    pool = EtsyStockPool
    query = (
        select(log, EtsyProduct.title, pool.label)
        .outerjoin(EtsyProduct, EtsyProduct.etsy_listing_id == log.etsy_listing_id)
        .outerjoin(
            pool, (pool.etsy_listing_id == log.etsy_listing_id) & (pool.pool_key == log.pool_key)
        )
    )
    if flt.since is not None:
        query = query.where(log.synced_at >= flt.since)
    if flt.until is not None:
        query = query.where(log.synced_at < flt.until)
    if flt.run_id is not None:
        query = query.where(log.run_id == flt.run_id)
    if flt.action:
        query = query.where(log.sync_action == flt.action)
    if flt.result:
        query = query.where(log.sync_result == flt.result)
    if flt.listing_id is not None:
        query = query.where(log.etsy_listing_id == flt.listing_id)
    if flt.receipt is not None:
        query = query.where(names_receipt(flt.receipt))
    if flt.text.strip():
        needle = f"%{flt.text.strip()}%"
        query = query.where(
            log.message.ilike(needle) | log.pool_key.ilike(needle) | pool.label.ilike(needle)
        )
    return query.order_by(log.synced_at.desc(), log.id.desc())


def fetch_log_page(
    database: Database, flt: LogFilter, after: LogKey | None = None, limit: int = PAGE_SIZE
) -> LogPage:
    log = EtsyInventorySyncLog
    query = _filtered(flt)
    if after is not None:
        query = query.where(tuple_(log.synced_at, log.id) < tuple_(after[0], after[1]))
    with database.session() as session:
        rows = [LogEntry.from_row(e, t, p) for e, t, p in session.execute(query.limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    next_key = (rows[-1].synced_at, rows[-1].id) if more and rows else None
    return LogPage(rows, next_key)


def export_log_csv(
    database: Database,
    flt: LogFilter,
    path: Path,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Write every row matching ``flt`` to ``path`` (newest first); returns the count.

    Text cells (listing titles come from Etsy) are escaped like the catalog
    export's, so a spreadsheet never runs a cell as a formula.
    """
    tmp = path.with_name(path.name + ".partial")
    written = 0
    after: LogKey | None = None
    try:
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(LOG_COLUMNS)
            while should_stop is None or not should_stop():
                page = fetch_log_page(database, flt, after, EXPORT_BATCH)
                for r in page.rows:
                    writer.writerow(
                        [
                            r.synced_at.isoformat(),
                            r.run_id or "",
                            r.listing_id,
                            escape_formula(r.listing_title or ""),
                            escape_formula(r.pool_key or ""),
                            r.action,
                            r.result,
                            "" if r.local_quantity is None else r.local_quantity,
                            "" if r.etsy_quantity is None else r.etsy_quantity,
                            "" if r.quantity_diff is None else r.quantity_diff,
                            escape_formula(r.message or ""),
                        ]
                    )
                written += len(page.rows)
                if page.next_key is None:
                    break
                after = page.next_key
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LogExportError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return written


def load_runs(database: Database, shop_id: int | None = None, limit: int = 500) -> list[RunSummary]:
    query = select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)
    if shop_id is not None:
        query = query.where(SyncRun.shop_id == shop_id)
    with database.session() as session:
        return [run_summary(row) for row in session.scalars(query)]

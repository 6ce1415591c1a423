"""Storing order lines once and keeping the receipts watermark.

Why an upsert keyed by Etsy's transaction id: every run re-reads the receipts
of the last hour (the safety overlap, see ``read``), so the same line arrives
many times; only what can change on Etsy (cancellation, the receipt's update
time) is refreshed, never what the engine set (matching, applied).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsySyncConfig, EtsyTransaction
from etsysync_gui.db.sql_helpers import table_of, upsert
from etsysync_gui.etsy.receipts import Order

TRANSACTIONS = table_of(EtsyTransaction)


def store_orders(
    session: Session,
    shop_id: int,
    orders: Sequence[Order],
    *,
    now: datetime,
    run_id: int | None,
) -> list[int]:
    """Upsert every line of ``orders``; returns their transaction ids.

    ``run_id`` is kept on lines seen for the first time: a line this run's read
    returned existed before any of this run's inventory reads (see ``overwrites``).
    """
    rows: list[dict[str, Any]] = [
        {
            "transaction_id": line.transaction_id,
            "receipt_id": order.receipt_id,
            "shop_id": shop_id,
            "etsy_listing_id": line.listing_id,
            "product_id": line.product_id,
            "sku": line.sku,
            "property_values": [list(pair) for pair in line.variations],
            "quantity": line.quantity,
            "created_ts": line.created,
            "receipt_updated_ts": order.updated,
            "canceled": order.canceled,
            "first_seen_run_id": run_id,
            "first_seen_at": now,
            "updated_at": now,
        }
        for order in orders
        for line in order.lines
    ]
    upsert(
        session,
        TRANSACTIONS,
        rows,
        keys=["transaction_id"],
        update=["canceled", "receipt_updated_ts", "quantity", "updated_at"],
    )
    return [row["transaction_id"] for row in rows]


def read_watermark(session: Session, shop_id: int) -> int | None:
    """Where the last complete receipts read started (epoch seconds), if any."""
    return session.scalar(
        select(EtsySyncConfig.receipts_read_until).where(EtsySyncConfig.shop_id == shop_id)
    )


def save_watermark(session: Session, shop_id: int, value: int) -> None:
    """Move the watermark forward (never back: a slow run must not undo a newer one)."""
    session.execute(
        update(EtsySyncConfig)
        .where(
            EtsySyncConfig.shop_id == shop_id,
            (EtsySyncConfig.receipts_read_until.is_(None))
            | (EtsySyncConfig.receipts_read_until < value),
        )
        .values(receipts_read_until=value)
    )

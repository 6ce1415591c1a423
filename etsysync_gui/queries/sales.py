"""Etsy sales per day and per item, read from the sales ledger (never from Etsy).

Why from the ledger: every stock sync already reads the shop's orders (one call,
see ``sync.ledger``), so the Sales view costs no API call at all.  Days are UTC
days (Etsy's timestamps are UTC epoch seconds); canceled order lines are shown
apart and never counted as sold.  The ledger holds what the syncs have read:
orders from the day before the first stock sync onwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import distinct, func, select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyTransaction


@dataclass(frozen=True, slots=True)
class DaySales:
    """Sales of one UTC day."""

    day: date
    orders: int
    units: int
    canceled_units: int


@dataclass(frozen=True, slots=True)
class ItemSales:
    """Sales of one item (listing and SKU) over the period."""

    listing_id: int | None
    title: str | None
    sku: str | None
    orders: int
    units: int
    last_sold: datetime


def sales_per_day(database: Database, shop_id: int, *, since: int | None = None) -> list[DaySales]:
    """Newest day first; ``since``: epoch seconds (all the ledger holds when None)."""
    t = EtsyTransaction
    query = select(t.created_ts, t.receipt_id, t.quantity, t.canceled).where(t.shop_id == shop_id)
    if since is not None:
        query = query.where(t.created_ts >= since)
    days: dict[date, tuple[set[int], int, int]] = {}
    with database.session() as session:
        for created, receipt, quantity, canceled in session.execute(query):
            day = datetime.fromtimestamp(created, UTC).date()
            receipts, units, gone = days.setdefault(day, (set(), 0, 0))
            if canceled:
                days[day] = (receipts, units, gone + quantity)
            else:
                receipts.add(receipt)
                days[day] = (receipts, units + quantity, gone)
    return [
        DaySales(day, len(receipts), units, gone)
        for day, (receipts, units, gone) in sorted(days.items(), reverse=True)
    ]


def sales_per_item(
    database: Database, shop_id: int, *, since: int | None = None
) -> list[ItemSales]:
    """Best sellers first (units, then the newest sale); canceled lines left out."""
    t = EtsyTransaction
    units = func.sum(t.quantity)
    last = func.max(t.created_ts)
    query = (
        select(
            t.etsy_listing_id,
            func.max(EtsyProduct.title),
            t.sku,
            func.count(distinct(t.receipt_id)),
            units,
            last,
        )
        .outerjoin(EtsyProduct, EtsyProduct.etsy_listing_id == t.etsy_listing_id)
        .where(t.shop_id == shop_id, t.canceled.is_(False))
        .group_by(t.etsy_listing_id, t.sku)
        .order_by(units.desc(), last.desc())
    )
    if since is not None:
        query = query.where(t.created_ts >= since)
    with database.session() as session:
        return [
            ItemSales(
                listing_id, title, sku, int(orders), int(sold), datetime.fromtimestamp(ts, UTC)
            )
            for listing_id, title, sku, orders, sold, ts in session.execute(query)
        ]

"""The listings table: every ``etsy_products`` row with its link, in one query.

Shaped for 100,000 rows: one SELECT of plain columns (no ORM objects) joined
with the linked product's title and a per-listing count of pools and linked
pools; the view sorts and filters the list in memory.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import String, func, select, type_coerce

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, Product

PART = 2_000


class ListingRow(NamedTuple):
    """One listing (a named tuple: 100,000 of them are built in a fraction of a second)."""

    listing_id: int
    title: str | None
    state: str | None
    sku: str | None
    price_raw: Decimal | float | int | str | None
    """As the driver gave it (a float on SQLite); read ``price``."""
    quantity: int | None
    local_product_id: int | None
    local_product: str | None
    sync_status: str
    link_problem: str | None
    sync_error: str | None
    last_synced_raw: datetime | str | None
    """As the driver gave it (text on SQLite); read ``last_synced_at``."""
    url: str | None
    pools: int
    linked_pools: int
    missing: bool

    @property
    def link(self) -> str:
        """'linked', 'partly linked' or 'unlinked'."""
        if self.linked_pools == 0:
            return "unlinked"
        return "linked" if self.linked_pools >= self.pools else "partly linked"

    @property
    def has_error(self) -> bool:
        return self.sync_status == "error" or self.sync_error is not None

    @property
    def price(self) -> Decimal | None:
        """The price as an exact Decimal (the column has 2 decimal places)."""
        return as_money(self.price_raw)

    @property
    def last_synced_at(self) -> datetime | None:
        return as_utc(self.last_synced_raw)


def as_utc(value: datetime | str | None) -> datetime | None:
    """A timestamp read without the column type's conversion, as an aware UTC datetime.

    Converting 100,000 timestamps costs a third of a second; the view only
    needs the few on screen, so the rows keep the raw value.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_money(value: Decimal | float | int | str | None) -> Decimal | None:
    """A ``Money`` value read without the column type's conversion, as a Decimal.

    SQLite hands back a float; rounding it to the column's 2 places gives
    the exact amount that was stored (what SQLAlchemy's Numeric does too).
    """
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(f"{value:.2f}")
    return Decimal(value)


def load_listings(database: Database, shop_id: int | None = None) -> list[ListingRow]:
    """Every listing of the shop (all shops when None), by listing id.

    Executed on the driver's cursor (no ORM, no Core row processing), fetched
    in parts of ``PART`` rows and built with ``ListingRow._make``: this is the
    hot path of the listings view, and it runs beside the GUI thread.
    """
    pools = (
        select(
            EtsyStockPool.etsy_listing_id.label("listing_id"),
            func.count().label("pools"),
            func.count(EtsyStockPool.local_variant_id).label("linked"),
        )
        .group_by(EtsyStockPool.etsy_listing_id)
        .subquery()
    )
    e = EtsyProduct
    query = (
        select(
            e.etsy_listing_id,
            e.title,
            e.state,
            e.sku,
            e.price,  # raw: see ListingRow.price
            e.quantity,
            e.local_product_id,
            Product.title,
            e.sync_status,
            e.link_problem,
            e.sync_error,
            type_coerce(e.last_synced_at, String),
            e.url,
            func.coalesce(pools.c.pools, 0),
            func.coalesce(pools.c.linked, 0),
            e.missing_since.is_not(None),
        )
        .outerjoin(Product, Product.id == e.local_product_id)
        .outerjoin(pools, pools.c.listing_id == e.etsy_listing_id)
        .order_by(e.etsy_listing_id)
    )
    if shop_id is not None:
        query = query.where(e.shop_id == int(shop_id))
    sql = query.compile(dialect=database.engine.dialect, compile_kwargs={"literal_binds": True})
    make = ListingRow._make
    rows: list[ListingRow] = []
    with database.engine.connect() as connection:
        # The driver's own cursor: SQLAlchemy's Row objects and type processors
        # cost a third of the load at 100,000 rows (hence the raw price and
        # timestamp above).  Fetched in parts: building every row in one C call
        # would hold the GIL and stall the GUI.  The only bound value is the
        # integer shop id, so rendering it into the SQL is safe.
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(str(sql))
            while part := cursor.fetchmany(PART):
                rows.extend(map(make, part))
        finally:
            cursor.close()
    return rows

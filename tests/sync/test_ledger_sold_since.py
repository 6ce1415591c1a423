"""``sold_since``: what recovery's ``landed(sold_since=...)`` needs from the ledger."""

from __future__ import annotations

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyTransaction
from etsysync_gui.sync.ledger.overwrites import SKEW_S, sold_since

LISTING = 1_400_000_008
READ = 1_767_225_600
SNAPSHOT = {
    "read_ts": READ,
    "quantities": {"sku:R": 5, "sku:B": 5},
    "products": {"11": "sku:R", "12": "sku:B"},
    "skus": {"r": "sku:R", "b": "sku:B"},
}


def _line(
    tid: int, created: int, *, product: int | None, sku: str, canceled: bool = False
) -> EtsyTransaction:
    return EtsyTransaction(
        transaction_id=tid,
        receipt_id=tid + 1000,
        shop_id=1,
        etsy_listing_id=LISTING,
        product_id=product,
        sku=sku,
        quantity=tid,
        created_ts=created,
        receipt_updated_ts=created,
        canceled=canceled,
    )


def test_units_sold_per_pool_since_the_snapshot(database: Database) -> None:
    read = READ
    with database.session() as session:
        session.add_all(
            [
                _line(1, read - SKEW_S - 1, product=11, sku="R"),  # before the read: not counted
                _line(2, read, product=11, sku="R"),  # a snapshot product
                _line(3, read + 5, product=99, sku="B"),  # a product the write made: by SKU
                _line(4, read + 6, product=None, sku="B"),  # no product id: by SKU
                _line(5, read + 7, product=12, sku="B", canceled=True),  # canceled: never
            ]
        )
    with database.session() as session:
        assert sold_since(session, LISTING, SNAPSHOT) == {"sku:R": 2, "sku:B": 7}

"""The catalog table: one row per local variant (products without variants get one row too)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyStockPool, Product, ProductVariant


@dataclass(frozen=True, slots=True)
class VariantRow:
    product_id: int
    product_title: str
    variant_id: int | None
    name: str | None
    sku: str | None
    price: Decimal | None
    quantity: int | None
    linked_listing_id: int | None
    linked_label: str | None

    @property
    def linked(self) -> bool:
        return self.linked_listing_id is not None


def load_catalog(database: Database) -> list[VariantRow]:
    v = ProductVariant
    query = (
        select(
            Product.id,
            Product.title,
            v.id,
            v.name,
            v.sku,
            v.price,
            v.quantity,
            EtsyStockPool.etsy_listing_id,
            EtsyStockPool.label,
        )
        .outerjoin(v, v.product_id == Product.id)
        .outerjoin(EtsyStockPool, EtsyStockPool.local_variant_id == v.id)
        .order_by(Product.id, v.id)
    )
    with database.session() as session:
        return [VariantRow(*row) for row in session.execute(query)]

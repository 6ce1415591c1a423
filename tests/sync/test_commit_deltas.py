"""Local stock moves by delta, never below 0, one delta after the other (``quantities``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import Product, ProductVariant
from etsysync_gui.sync.inventory.quantities import move_quantities

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_deltas_apply_in_order_each_clamped_at_zero(database: Database) -> None:
    with database.session() as session:
        product = Product(title="Mug", created_at=NOW, updated_at=NOW)
        product.variants = [
            ProductVariant(sku=sku, quantity=q, created_at=NOW, updated_at=NOW)
            for sku, q in (("A", 2), ("B", 5), ("C", 1))
        ]
        session.add(product)
        session.flush()
        ids = {v.sku: v.id for v in product.variants}
    later = NOW.replace(hour=13)
    with database.session() as session:
        move_quantities(
            session,
            [
                {"b_vid": ids["A"], "b_delta": -5},  # 2 -> 0 (clamped) ...
                {"b_vid": ids["B"], "b_delta": 4},
                {"b_vid": ids["A"], "b_delta": 3},  # ... then 0 -> 3, not 2 - 5 + 3 = 0
            ],
            later,
        )
    with database.session() as session:
        variants = session.scalars(select(ProductVariant)).all()
        stored = {v.sku: (v.quantity, v.updated_at) for v in variants}
    assert stored == {"A": (3, later), "B": (9, later), "C": (1, NOW)}

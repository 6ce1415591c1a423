"""Writes sent without waiting fail when settled, as SQLAlchemy errors (``db.pipeline``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from etsysync_gui.db import pipeline
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import Product, ProductVariant

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_writes_in_flight_land_in_the_transaction_and_fail_when_settled(
    database: Database,
) -> None:
    with database.session() as session:
        product = Product(title="Mug", created_at=NOW, updated_at=NOW)
        session.add(product)
        session.flush()
        product_id = product.id
    variant = {"product_id": product_id, "quantity": 1, "created_at": NOW, "updated_at": NOW}
    # Rows only: an INSERT ... RETURNING (SQLAlchemy's single-row insert) could not run.
    add = text(
        "INSERT INTO product_variants (product_id, sku, quantity, created_at, updated_at) "
        "VALUES (:product_id, :sku, :quantity, :created_at, :updated_at)"
    )
    with database.sessions() as session:
        session.execute(select(1))  # the transaction is open before the writes
        in_flight = pipeline.begin(session)
        if database.engine.dialect.name != "postgresql":
            assert in_flight is None  # SQLite runs each write as it is made
            return
        assert in_flight is not None
        session.execute(add, {"sku": "A", **variant})
        session.execute(add, {"sku": "A", **variant})  # not raised yet
        with pytest.raises(IntegrityError):
            in_flight.settle()
        session.rollback()
    with database.sessions() as session:
        in_flight = pipeline.begin(session)
        assert in_flight is not None
        session.execute(add, {"sku": "B", **variant})
        in_flight.settle()
        session.commit()
    with database.sessions() as session:
        count = session.scalar(select(func.count()).select_from(ProductVariant))
        assert count == 1

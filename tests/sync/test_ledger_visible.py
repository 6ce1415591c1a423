"""``shown_by_read``: which sales a write's read already showed, and when it cannot tell."""

from __future__ import annotations

from typing import Any

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyTransaction
from etsysync_gui.sync.ledger.visible import shown_by_read

LISTING = 1_400_000_008
READ = 1_767_225_600
PREVIOUS = {"produced": {"written": {"sku:R": 4}, "made": {"21": "sku:R", "22": "sku:B"}}}
POOLS = {"quantities": {"sku:R": 3}, "products": {"21": "sku:R", "22": "sku:B"}}


def _line(tid: int, created: int, product: int | None = 21, quantity: int = 1) -> EtsyTransaction:
    return EtsyTransaction(
        transaction_id=tid,
        receipt_id=tid + 1000,
        shop_id=1,
        etsy_listing_id=LISTING,
        product_id=product,
        sku="R",
        quantity=quantity,
        created_ts=created,
        receipt_updated_ts=created,
    )


def _shown(
    database: Database,
    lines: list[EtsyTransaction],
    tid: int,
    *,
    pools: dict[str, Any] = POOLS,
    previous: dict[str, Any] | None = PREVIOUS,
) -> bool | None:
    with database.session() as session:
        session.add_all(lines)
    with database.session() as session:
        line = session.get(EtsyTransaction, tid)
        assert line is not None
        return shown_by_read(session, line, pools, previous, "sku:R", latest_shown=READ + 2)


def test_written_less_read_units_are_the_earliest_sales_of_that_version(
    database: Database,
) -> None:
    lines = [_line(1, READ), _line(2, READ + 1)]  # written 4, read 3: one was in the read
    assert _shown(database, lines, 1) is True
    with database.session() as session:
        second = session.get(EtsyTransaction, 2)
        assert second is not None
        assert (
            shown_by_read(session, second, POOLS, PREVIOUS, "sku:R", latest_shown=READ + 2) is False
        )


def test_a_version_no_write_of_ours_made_cannot_tell(database: Database) -> None:
    seller = {"quantities": {"sku:R": 3}, "products": {"31": "sku:R", "32": "sku:B"}}
    assert _shown(database, [_line(1, READ, product=31)], 1, pools=seller) is None


def test_more_gone_than_sold_cannot_tell(database: Database) -> None:
    """Read 2 of 4 written, one sale on the version: something else lowered the pool."""
    pools = {**POOLS, "quantities": {"sku:R": 2}}
    assert _shown(database, [_line(1, READ)], 1, pools=pools) is None


def test_a_sale_well_after_the_read_taken_for_shown_is_a_contradiction(
    database: Database,
) -> None:
    """The count says "in the read", its second says "after it": cannot tell."""
    assert _shown(database, [_line(1, READ + 30)], 1) is None


def test_no_product_id_or_no_previous_write_cannot_tell(database: Database) -> None:
    assert _shown(database, [_line(1, READ, product=None)], 1) is None
    assert _shown(database, [_line(2, READ)], 2, previous=None) is None

"""Sales tab: Etsy sales per day and per item from the ledger; no Etsy call."""

from __future__ import annotations

from datetime import datetime, timedelta

from pytestqt.qtbot import QtBot

from etsysync_gui.db.models import EtsyTransaction
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.sales_view import SalesView

from .conftest import FakeClock


def _line(
    tid: int, receipt: int, sku: str, quantity: int, at: datetime, shop_id: int, **kw: bool
) -> EtsyTransaction:
    return EtsyTransaction(
        transaction_id=tid,
        receipt_id=receipt,
        shop_id=shop_id,
        etsy_listing_id=1_400_000_008 if sku == "MUG" else 1_400_000_015,
        sku=sku,
        quantity=quantity,
        created_ts=int(at.timestamp()),
        receipt_updated_ts=int(at.timestamp()),
        canceled=bool(kw.get("canceled", False)),
    )


def test_sales_per_day_and_item_within_the_chosen_range(
    qtbot: QtBot, controller: AppController, clock: FakeClock
) -> None:
    shop_id = controller.shop_id
    assert shop_id is not None
    today = clock.now - timedelta(hours=1)
    old = clock.now - timedelta(days=20)
    with controller.database.session() as session:
        session.add_all(
            [
                _line(1, 10, "MUG", 2, today, shop_id=shop_id),
                _line(2, 11, "CUP", 1, today, shop_id=shop_id),
                _line(3, 12, "MUG", 5, today, shop_id=shop_id, canceled=True),
                _line(4, 13, "MUG", 4, old, shop_id=shop_id),
            ]
        )
    view = SalesView(controller)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.days.total == 1)
    (day,) = view.days.visible_rows()
    assert (day.day, day.orders, day.units, day.canceled_units) == (today.date(), 2, 3, 5)
    assert [(i.sku, i.units) for i in view.items.visible_rows()] == [("MUG", 2), ("CUP", 1)]
    assert "3 sold on Etsy in 2 orders" in view.status.text()
    view.range.setCurrentIndex(2)  # everything the ledger holds
    qtbot.waitUntil(lambda: view.days.total == 2)
    assert [(i.sku, i.units) for i in view.items.visible_rows()] == [("MUG", 6), ("CUP", 1)]

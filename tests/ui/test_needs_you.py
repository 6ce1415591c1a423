"""The Needs you inbox: a conflict settled by each button, the dashboard card, the tray.

The conflict is made the way a seller meets one: a linked pool sells one on
Etsy and two locally, and an inventory sync under the "skip" policy leaves it
for the seller.  Every fix then runs through the app's sync runner against the
fake Etsy over real HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from etsysync_gui.catalog.editing import set_variant_quantity
from etsysync_gui.db.models import EtsyStockPool, ProductVariant
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from fake_etsy import FakeEtsyServer
from tests.ui.test_sync_flows import pool_quantity, sku_pools


@dataclass(frozen=True)
class Conflict:
    listing_id: int
    pool_key: str
    sku: str
    variant_id: int
    base: int

    @property
    def key(self) -> str:
        return f"conflict:{self.listing_id}:{self.pool_key}"


def make_conflict(controller: AppController, etsy: FakeEtsyServer) -> Conflict:
    """One Etsy sale and two local sales on a linked pool, synced with "skip"."""
    pools = sku_pools(controller, min_base=5)
    assert pools
    pool = pools[0]
    assert pool.sku
    assert pool.local_variant_id
    assert pool.base_local
    found = Conflict(
        pool.etsy_listing_id, pool.pool_key, pool.sku, pool.local_variant_id, pool.base_local
    )
    etsy.simulate_purchase(found.listing_id, 1, sku=found.sku)
    set_variant_quantity(controller.database, found.variant_id, found.base - 2)
    result = controller.service().sync_inventory("manual", policy="skip")
    assert result.counts.conflicts >= 1
    return found


def local_of(controller: AppController, variant_id: int) -> int:
    with controller.database.session() as session:
        variant = session.get(ProductVariant, variant_id)
        assert variant is not None
        return variant.quantity


def status_of(controller: AppController, conflict: Conflict) -> str:
    with controller.database.session() as session:
        return str(
            session.scalar(
                select(EtsyStockPool.status).where(
                    EtsyStockPool.etsy_listing_id == conflict.listing_id,
                    EtsyStockPool.pool_key == conflict.pool_key,
                )
            )
        )


@pytest.mark.parametrize(
    ("fix", "expected"),
    [
        ("keep_mine", lambda base: base - 2),
        ("keep_etsy", lambda base: base - 1),
        ("merge", lambda base: base - 3),
        ("counted", lambda base: base + 7),
    ],
)
def test_a_conflict_is_settled_by_each_button(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
    fix: str,
    expected: object,
) -> None:
    conflict = make_conflict(controller, etsy)
    view = window.needs_you
    view.reload()
    qtbot.waitUntil(lambda: window.dashboard.needs_you_button.text() != "Needs you: nothing")
    window.dashboard.needs_you_button.click()
    assert window.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: conflict.key in view.rows, timeout=10_000)
    row = view.rows[conflict.key]
    assert set(row.buttons) == {"keep_mine", "keep_etsy", "merge", "counted"}
    if fix == "counted":
        row.count.setValue(conflict.base + 7)
    row.buttons[fix].click()
    qtbot.waitUntil(lambda: conflict.key not in view.rows, timeout=20_000)
    want = expected(conflict.base)  # type: ignore[operator]
    assert local_of(controller, conflict.variant_id) == want
    assert pool_quantity(etsy, conflict.listing_id, conflict.sku) == want
    assert status_of(controller, conflict) == "ok"
    assert "Settled" in view.message.text()


def test_something_new_is_told_through_the_tray_once(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    view = window.needs_you
    qtbot.waitUntil(lambda: view._seen is not None, timeout=10_000)
    conflict = make_conflict(controller, etsy)
    controller.data_changed.emit()
    qtbot.waitUntil(
        lambda: any(m[0] == "EtsySync needs you" for m in window.tray.messages), timeout=10_000
    )
    assert conflict.key not in view.rows  # a hidden inbox counts, and builds no rows
    window.tabs.setCurrentWidget(view)
    assert conflict.key in view.rows
    told = [m for m in window.tray.messages if m[0] == "EtsySync needs you"]
    assert len(told) == 1
    assert "Open Needs you" in told[0][1]
    controller.data_changed.emit()  # the same item again: no second message
    qtbot.waitUntil(lambda: not controller.jobs.busy)
    assert len([m for m in window.tray.messages if m[0] == "EtsySync needs you"]) == 1

"""The plan review lets the seller untick rows: those are not written and come back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from etsysync_gui.catalog.editing import set_variant_quantity
from etsysync_gui.db.models import EtsyStockPool
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.plan_review_dialog import PlanReviewDialog
from fake_etsy import FakeEtsyServer
from tests.ui.test_sync_flows import outcomes_of, pool_quantity, sku_pools


def two_pools(controller: AppController) -> list[EtsyStockPool]:
    """Linked pools of two different simple listings."""
    pools = sku_pools(controller)
    chosen: dict[int, EtsyStockPool] = {}
    for pool in pools:
        chosen.setdefault(pool.etsy_listing_id, pool)
    found = list(chosen.values())[:2]
    assert len(found) == 2
    return found


def review(qtbot: QtBot, window: MainWindow) -> PlanReviewDialog:
    window.dashboard.sync_inventory()
    qtbot.waitUntil(lambda: window.dashboard.review_dialog is not None, timeout=20_000)
    dialog = window.dashboard.review_dialog
    assert dialog is not None
    return dialog


def test_an_unticked_row_is_not_written_and_comes_back(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    kept, written = two_pools(controller)
    for pool in (kept, written):
        assert pool.local_variant_id is not None
        set_variant_quantity(controller.database, pool.local_variant_id, (pool.base_local or 0) + 2)
    dialog = review(qtbot, window)
    row = dialog.model.find(lambda r: r.listing_id == kept.etsy_listing_id)
    assert row is not None
    index = dialog.model.index(row, 0)
    assert dialog.model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert dialog.model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert "1 listing(s) left out" in dialog.left_out.text()
    outcomes = outcomes_of(controller)
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    assert outcomes[0].result is not None
    assert outcomes[0].result.counts.pushes == 1
    assert (
        pool_quantity(etsy, written.etsy_listing_id, written.sku) == (written.base_local or 0) + 2
    )
    assert pool_quantity(etsy, kept.etsy_listing_id, kept.sku) == kept.base_local
    with controller.database.session() as session:
        again = session.get(EtsyStockPool, kept.id)
        assert again is not None
        assert (again.base_local, again.base_etsy) == (kept.base_local, kept.base_etsy)
    qtbot.waitUntil(lambda: window.dashboard.review_dialog is None)
    second = review(qtbot, window)
    listings = {r.listing_id for r in second.model.visible_rows()}
    assert kept.etsy_listing_id in listings
    assert written.etsy_listing_id not in listings

"""Autopilot or drafts: what a scheduled inventory run may write without the seller.

Drafts mode stops every scheduled run at its plan and puts it in Needs you;
autopilot writes routine plans but holds an unusual one (a stock drop of more
than half).  Runs go through the real scheduler on a fake clock, the real
runner and the fake Etsy over HTTP.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from etsysync_gui.catalog.editing import set_variant_quantity
from etsysync_gui.db.models import EtsyStockPool
from etsysync_gui.sync.service import HELD
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from fake_etsy import FakeEtsyServer
from tests.ui.test_sync_flows import pool_quantity, runs, sku_pools, wait_idle


def set_mode(qtbot: QtBot, controller: AppController, mode: str) -> None:
    done: list[bool] = []
    controller.save_settings({"write_mode": mode}, lambda: done.append(True), print)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)


def a_linked_pool(controller: AppController) -> EtsyStockPool:
    pools = sku_pools(controller, min_base=6)
    assert pools
    return pools[0]


def run_scheduled_inventory(qtbot: QtBot, controller: AppController) -> None:
    scheduler = controller.scheduler
    assert scheduler is not None
    scheduler.start().result()  # the inventory job never ran: it runs once now
    wait_idle(qtbot, controller)


def test_drafts_mode_leaves_etsy_untouched_and_shows_the_plan_in_needs_you(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    set_mode(qtbot, controller, "drafts")
    assert "Drafts" in window.dashboard.mode.text()
    pool = a_linked_pool(controller)
    assert pool.local_variant_id is not None
    assert pool.base_local is not None
    set_variant_quantity(controller.database, pool.local_variant_id, pool.base_local + 1)
    etsy.reset_stats()
    run_scheduled_inventory(qtbot, controller)
    assert etsy.stats.calls("updateListingInventory") == 0
    assert pool_quantity(etsy, pool.etsy_listing_id, pool.sku) == pool.base_local
    assert controller.held is not None
    assert "drafts mode" in controller.held.reason
    last = runs(controller, "scheduled")[-1]
    assert (last.status, last.message) == ("completed", HELD)
    view = window.needs_you
    window.tabs.setCurrentWidget(view)  # the seller opens Needs you
    qtbot.waitUntil(lambda: any(k.startswith("review:") for k in view.rows), timeout=10_000)
    assert any(m[0] == "A sync is waiting for you" for m in window.tray.messages)
    key = next(k for k in view.rows if k.startswith("review:"))
    view.rows[key].buttons["review"].click()
    assert view.review_dialog is not None
    view.review_dialog.apply_button.click()
    qtbot.waitUntil(lambda: controller.held is None, timeout=20_000)
    assert pool_quantity(etsy, pool.etsy_listing_id, pool.sku) == pool.base_local + 1
    qtbot.waitUntil(lambda: key not in view.rows, timeout=10_000)


def test_an_unusual_plan_waits_for_review_in_autopilot(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    assert "Autopilot" in window.dashboard.mode.text()
    pool = a_linked_pool(controller)
    assert pool.local_variant_id is not None
    assert pool.base_local is not None
    set_variant_quantity(controller.database, pool.local_variant_id, 1)  # a stale import, say
    etsy.reset_stats()
    run_scheduled_inventory(qtbot, controller)
    assert etsy.stats.calls("updateListingInventory") == 0
    assert pool_quantity(etsy, pool.etsy_listing_id, pool.sku) == pool.base_local
    assert controller.held is not None
    assert "would drop" in controller.held.reason


def test_a_routine_plan_is_written_in_autopilot(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    pool = a_linked_pool(controller)
    assert pool.local_variant_id is not None
    assert pool.base_local is not None
    set_variant_quantity(controller.database, pool.local_variant_id, pool.base_local - 1)
    run_scheduled_inventory(qtbot, controller)
    assert controller.held is None
    assert pool_quantity(etsy, pool.etsy_listing_id, pool.sku) == pool.base_local - 1


def test_the_trays_sync_now_also_waits_in_drafts_mode(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    set_mode(qtbot, controller, "drafts")
    pool = a_linked_pool(controller)
    assert pool.local_variant_id is not None
    assert pool.base_local is not None
    set_variant_quantity(controller.database, pool.local_variant_id, pool.base_local + 1)
    window.tray.sync_now()
    wait_idle(qtbot, controller)
    assert pool_quantity(etsy, pool.etsy_listing_id, pool.sku) == pool.base_local
    assert controller.held is not None
    assert "waiting for your review" in window.tray.status_action.text()

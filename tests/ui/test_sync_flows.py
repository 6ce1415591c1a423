"""The main flows end to end: the real runner, the real engine, the fake Etsy over HTTP.

Manual syncs go through the dashboard's buttons; scheduled ones through the
scheduler on a fake clock (``tick()``), exactly as APScheduler would call it.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from etsysync_gui.catalog.editing import set_variant_quantity
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, ProductVariant, SyncRun
from etsysync_gui.scheduling.requests import SyncOutcome
from etsysync_gui.scheduling.scheduler import AUTH_PAUSE
from etsysync_gui.scheduling.state import JobState, save_state
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from fake_etsy import FakeEtsyServer
from tests.clock import FakeClock


def outcomes_of(controller: AppController) -> list[SyncOutcome]:
    seen: list[SyncOutcome] = []
    controller.runner.finished.connect(seen.append)
    return seen


def runs(controller: AppController, trigger: str | None = None) -> list[SyncRun]:
    with controller.database.session() as session:
        query = select(SyncRun).order_by(SyncRun.id)
        if trigger:
            query = query.where(SyncRun.trigger == trigger)
        return list(session.scalars(query))


def linked_pools(controller: AppController) -> list[EtsyStockPool]:
    """Linked pools of ACTIVE listings (buyers can buy them), oldest first.

    Pool ids follow the order the listing pages arrived in, so the oldest pool
    may be a draft's; the tests simulate purchases on these.
    """
    with controller.database.session() as session:
        return list(
            session.scalars(
                select(EtsyStockPool)
                .join(EtsyProduct, EtsyProduct.etsy_listing_id == EtsyStockPool.etsy_listing_id)
                .where(EtsyStockPool.local_variant_id.is_not(None), EtsyProduct.state == "active")
                .order_by(EtsyStockPool.id)
            )
        )


def sku_pools(controller: AppController, *, min_base: int = 0) -> list[EtsyStockPool]:
    """Linked pools keyed by SKU whose local base is at least ``min_base``, oldest first."""
    return [
        pool
        for pool in linked_pools(controller)
        if pool.pool_key.startswith("sku:") and (pool.base_local or 0) >= min_base
    ]


def pool_quantity(etsy: FakeEtsyServer, listing_id: int, sku: str | None) -> int:
    products = etsy.inventory_json(listing_id)["products"]
    chosen = [p for p in products if sku is None or p["sku"] == sku] or products
    return int(chosen[0]["offerings"][0]["quantity"])


def wait_idle(qtbot: QtBot, controller: AppController, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=timeout)


def test_manual_inventory_sync_shows_progress_and_cancels(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    # One pool on each listing, more listings than writes go in flight at once, and
    # the second listing's PUT held by Etsy until the seller has clicked Cancel: the
    # cancel lands while some listings are still to start.
    # Any linked listing will do (nobody buys here), drafts too: there are more of them.
    with controller.database.session() as session:
        linked = session.scalars(
            select(EtsyStockPool)
            .where(
                EtsyStockPool.local_variant_id.is_not(None),
                EtsyStockPool.pool_key.startswith("sku:"),
            )
            .order_by(EtsyStockPool.id.desc())
        ).all()
    by_listing = {p.etsy_listing_id: p for p in linked}
    pools = [by_listing[lid] for lid in sorted(by_listing)]
    assert len(pools) > SyncOptions(shop_id=1).writes_in_flight + 1
    clicked = threading.Event()
    etsy.on_request(
        "before",
        "updateListingInventory",
        lambda: clicked.wait(20),
        listing_id=pools[1].etsy_listing_id,
    )
    for pool in pools:
        assert pool.local_variant_id is not None
        set_variant_quantity(controller.database, pool.local_variant_id, (pool.base_local or 0) + 3)
    etsy.faults.latency_ms = 250
    dashboard = window.dashboard
    outcomes = outcomes_of(controller)
    qtbot.mouseClick(dashboard.sync_inventory_button, qtbot_button())
    qtbot.waitUntil(lambda: dashboard.review_dialog is not None, timeout=20_000)
    review = dashboard.review_dialog
    assert review is not None
    assert review.plan.totals.pushes == len(pools)
    phases: list[tuple[str, int, int]] = []
    controller.runner.progress.connect(lambda p, d, t: phases.append((p, d, t)))
    review.apply_button.click()
    qtbot.waitUntil(lambda: any(p == "writing" and d >= 1 for p, d, _t in phases), timeout=20_000)
    assert dashboard.progress.isVisible()
    assert dashboard.cancel_button.isEnabled()
    assert "Writing to Etsy" in dashboard.running.text()
    qtbot.mouseClick(dashboard.cancel_button, qtbot_button())
    clicked.set()
    qtbot.waitUntil(lambda: any(o.request.kind == "apply" for o in outcomes), timeout=20_000)
    applied = next(o for o in outcomes if o.request.kind == "apply")
    assert applied.cancelled
    assert runs(controller)[-1].status == "cancelled"
    written = sum(
        pool_quantity(etsy, p.etsy_listing_id, p.sku) == (p.base_local or 0) + 3 for p in pools
    )
    assert 1 <= written < len(pools)  # the listings in progress were finished, the rest left
    assert not dashboard.cancel_button.isEnabled()


def qtbot_button() -> object:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_review_the_plan_and_apply_it(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    pool = next(p for p in linked_pools(controller) if p.pool_key == "listing" or p.sku)
    etsy.simulate_purchase(pool.etsy_listing_id, 1, sku=pool.sku)
    window.dashboard.sync_inventory()
    qtbot.waitUntil(lambda: window.dashboard.review_dialog is not None, timeout=20_000)
    review = window.dashboard.review_dialog
    assert review is not None
    rows = review.model.visible_rows()
    assert [r.action for r in rows if r.listing_id == pool.etsy_listing_id] == ["pull from etsy"]
    assert "1 pulls" in review.summary.text()
    outcomes = outcomes_of(controller)
    review.apply_button.click()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    assert outcomes[0].ok
    assert outcomes[0].result is not None
    assert outcomes[0].result.counts.pulls == 1
    with controller.database.session() as session:
        variant = session.get(ProductVariant, pool.local_variant_id)
        assert variant is not None
        assert variant.quantity == (pool.base_local or 0) - 1


def test_edit_a_local_quantity_and_see_it_pushed(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    inventory = window.inventory
    window.tabs.setCurrentWidget(inventory)
    qtbot.waitUntil(lambda: inventory.model.total > 0)
    row = inventory.model.find(lambda r: r.editable and r.pool_key.startswith("sku:"))
    assert row is not None
    target = inventory.model.row_at(row)
    new_quantity = (target.local_quantity or 0) + 5
    with qtbot.waitSignal(inventory.quantity_saved, timeout=10_000):
        assert inventory.model.setData(inventory.model.index(row, 4), str(new_quantity))
    assert inventory.model.row_at(row).next_action == "push to Etsy"
    window.dashboard.sync_inventory()
    qtbot.waitUntil(lambda: window.dashboard.review_dialog is not None, timeout=20_000)
    outcomes = outcomes_of(controller)
    window.dashboard.review_dialog.apply_button.click()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    assert outcomes[0].result is not None
    assert outcomes[0].result.counts.pushes == 1
    assert pool_quantity(etsy, target.listing_id, target.sku) == new_quantity


def test_a_scheduled_run_on_a_fake_clock(
    qtbot: QtBot, controller: AppController, clock: FakeClock, synced: object
) -> None:
    scheduler = controller.scheduler
    assert scheduler is not None
    scheduler.start().result()
    # The import sync just done counts as the listing job's run; inventory never ran.
    wait_idle(qtbot, controller)
    assert [r.kind for r in runs(controller, "scheduled")] == ["inventory"]
    assert scheduler.tick() == []
    clock.advance(minutes=61)
    assert scheduler.tick() == ["inventory"]
    wait_idle(qtbot, controller)
    clock.advance(minutes=60)
    assert sorted(scheduler.tick()) == ["inventory", "listings"]
    wait_idle(qtbot, controller)
    kinds = [r.kind for r in runs(controller, "scheduled")]
    assert kinds == ["inventory", "inventory", "products", "inventory"]
    qtbot.waitUntil(lambda: controller.scheduler_snapshot is not None)
    snapshot = scheduler.snapshot()
    assert snapshot.job("inventory").last_result == "success"
    assert snapshot.job("inventory").next_run_at == clock.now + timedelta(hours=1)


def test_a_missed_run_is_caught_up_once_at_start(
    qtbot: QtBot, controller: AppController, clock: FakeClock
) -> None:
    long_ago = clock.now - timedelta(hours=7)
    for job, interval in (("listings", 7200), ("inventory", 3600)):
        save_state(
            controller.database,
            "production",
            JobState(job, interval, last_success_at=long_ago, last_finished_at=long_ago),
        )
    scheduler = controller.scheduler
    assert scheduler is not None
    scheduler.start().result()
    wait_idle(qtbot, controller)
    assert [r.kind for r in runs(controller, "scheduled")] == ["products", "inventory"]
    assert scheduler.tick() == []
    clock.advance(minutes=30)
    assert scheduler.tick() == []
    assert len(runs(controller, "scheduled")) == 2


def test_manual_and_scheduled_requested_together_run_one_after_the_other(
    qtbot: QtBot, window: MainWindow, controller: AppController, clock: FakeClock, synced: object
) -> None:
    scheduler = controller.scheduler
    assert scheduler is not None
    scheduler.start().result()
    wait_idle(qtbot, controller)
    before = len(runs(controller))
    clock.advance(minutes=61)
    outcomes = outcomes_of(controller)
    window.dashboard.sync_listings()  # the seller clicks ...
    assert scheduler.tick() == ["inventory"]  # ... as the inventory job comes due
    assert "Waiting" in window.dashboard.waiting.text()
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=30_000)
    assert [(o.request.kind, o.request.trigger) for o in outcomes] == [
        ("listings", "manual"),
        ("inventory", "scheduled"),
    ]
    first, second = runs(controller)[before:]
    assert first.finished_at is not None
    assert second.started_at >= first.finished_at


def test_an_authentication_failure_pauses_the_schedule_until_reconnect(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    clock: FakeClock,
    etsy: FakeEtsyServer,
    monkeypatch: pytest.MonkeyPatch,
    no_dialogs: list[str],
    synced: object,
) -> None:
    scheduler = controller.scheduler
    assert scheduler is not None
    scheduler.start().result()
    wait_idle(qtbot, controller)
    etsy.revoke_all_tokens()
    clock.advance(minutes=61)
    assert scheduler.tick() == ["inventory"]
    qtbot.waitUntil(lambda: controller.connection.state == "needs_user", timeout=20_000)
    qtbot.waitUntil(lambda: (scheduler.snapshot().paused_reason or "").startswith(AUTH_PAUSE))
    assert window.dashboard.reconnect_button.isVisible()
    assert any("needs you" in title for title, _m, _e in window.tray.messages)
    clock.advance(hours=5)
    assert scheduler.tick() == []  # paused: nothing is tried while Etsy refuses us

    access, refresh, _ = etsy.issue_tokens()  # the seller reconnects
    monkeypatch.setenv("ETSY_ACCESS_TOKEN", access)
    monkeypatch.setenv("ETSY_REFRESH_TOKEN", refresh)
    window.dashboard.reconnect_button.click()
    qtbot.waitUntil(lambda: controller.connection.state == "connected", timeout=20_000)
    qtbot.waitUntil(lambda: scheduler.snapshot().paused_reason is None)
    assert any("Reconnect" in text for text in no_dialogs)
    assert sorted(scheduler.tick()) == ["inventory", "listings"]
    wait_idle(qtbot, controller)
    with controller.database.session() as session:
        failed = session.scalar(select(func.count()).where(SyncRun.status == "failed"))
    assert failed == 1

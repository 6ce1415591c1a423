"""A catalog CSV import shows a preview first; imports and edits reach the log; the next
scheduled plan after an import waits for review, even in autopilot.

The preview is computed on a worker and shown in ``ImportPreviewDialog``;
nothing changes until the seller presses Import, and Cancel leaves the
catalog as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from etsysync_gui.catalog.importer import import_catalog
from etsysync_gui.db.models import ProductVariant
from etsysync_gui.sync.runs.import_mark import import_pending
from etsysync_gui.ui.catalog_view import CatalogView
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.import_preview_dialog import ImportPreviewDialog
from etsysync_gui.ui.log_view import LogView
from etsysync_gui.ui.main_window import MainWindow
from fake_etsy import FakeEtsyServer
from tests.catalog.test_import_preview import EDIT, START
from tests.ui.test_drafts import a_linked_pool, run_scheduled_inventory
from tests.ui.test_sync_flows import pool_quantity, wait_idle


@pytest.fixture
def view(qtbot: QtBot, controller: AppController) -> Iterator[CatalogView]:
    widget = CatalogView(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: "products" in widget.count.text())
    return widget


def stock(controller: AppController) -> dict[str, tuple[int, str | None]]:
    with controller.database.session() as session:
        return {v.sku or "": (v.quantity, v.name) for v in session.scalars(select(ProductVariant))}


def open_preview(qtbot: QtBot, view: CatalogView, path: Path) -> ImportPreviewDialog:
    view.import_csv(path)
    qtbot.waitUntil(lambda: view.preview.dialog is not None and view.preview.dialog.isVisible())
    dialog = view.preview.dialog
    assert dialog is not None
    return dialog


def test_the_preview_shows_counts_and_before_after_and_cancel_changes_nothing(
    qtbot: QtBot, view: CatalogView, controller: AppController, tmp_path: Path
) -> None:
    import_catalog(
        controller.database, _write(tmp_path, "start.csv", START), now=controller.clock()
    )
    before = stock(controller)
    dialog = open_preview(qtbot, view, _write(tmp_path, "catalog.csv", EDIT))
    assert "1 new · 2 changed · 1 unchanged · 1 invalid" in dialog.counts.text()
    assert "Nothing has changed yet" in dialog.intro.text()
    changed = {
        dialog.changed.item(r, 1).text(): dialog.changed.item(r, 3).text()
        for r in range(dialog.changed.rowCount())
    }
    assert changed["A"] == "quantity 5 → 8, price 10.00 → 12.50"
    assert changed["C"] == "name Bowl → Big bowl"
    assert dialog.new.item(0, 1).text() == "D"
    assert dialog.invalid.item(0).text() == "line 6: quantity -1 is negative"
    assert [dialog.tabs.tabText(i) for i in range(3)] == [
        "Changed (2)",
        "New (1)",
        "Invalid (1)",
    ]
    assert stock(controller) == before  # the preview wrote nothing
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in view.status.text())
    assert view.status.text() == "Import cancelled; the catalog is unchanged."
    assert stock(controller) == before


def test_import_changes_the_catalog_only_when_accepted_and_the_log_shows_it(
    qtbot: QtBot, view: CatalogView, controller: AppController, tmp_path: Path
) -> None:
    import_catalog(
        controller.database, _write(tmp_path, "start.csv", START), now=controller.clock()
    )
    dialog = open_preview(qtbot, view, _write(tmp_path, "catalog.csv", EDIT))
    assert stock(controller)["A"] == (5, "Mug")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.status.text().startswith("Imported"))
    assert stock(controller)["A"] == (8, "Mug")
    assert stock(controller)["D"] == (2, "Plate")
    assert "E" not in stock(controller)
    log = LogView(controller)
    qtbot.addWidget(log)
    log.show()
    qtbot.waitUntil(lambda: log.model.rowCount() >= 2)
    newest = log.model.rows[0]
    assert newest.message == "Imported catalog.csv: 1 new, 2 changed, 1 unchanged, 1 invalid"
    assert newest.action == "catalog_import"
    title = [c[0] for c in _log_columns()].index("Title")
    assert log.model.data(log.model.index(0, title)) == "Catalog"


def test_the_next_scheduled_plan_after_an_import_waits_for_review_in_autopilot(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
    tmp_path: Path,
) -> None:
    assert "Autopilot" in window.dashboard.mode.text()
    assert "follows a CSV import" in window.dashboard.mode.text()  # the seller is told
    pool = a_linked_pool(controller)
    assert pool.base_local is not None
    assert pool.sku is not None
    etsy_before = pool.base_local
    path = _write(tmp_path, "stock.csv", f"sku,quantity\n{pool.sku},{etsy_before + 1}\n")
    view = window.catalog
    window.tabs.setCurrentWidget(view)
    dialog = open_preview(qtbot, view, path)
    assert dialog.changed.item(0, 3).text() == f"quantity {etsy_before} → {etsy_before + 1}"
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.status.text().startswith("Imported"))
    assert "waits for your review" in view.status.text()
    etsy.reset_stats()
    run_scheduled_inventory(qtbot, controller)  # a routine +1, but from a CSV import
    assert etsy.stats.calls("updateListingInventory") == 0
    assert pool_quantity(etsy, pool.etsy_listing_id, pool.sku) == etsy_before
    assert controller.held is not None
    assert "CSV import" in controller.held.reason
    needs_you = window.needs_you
    window.tabs.setCurrentWidget(needs_you)
    qtbot.waitUntil(lambda: any(k.startswith("review:") for k in needs_you.rows), timeout=10_000)
    key = next(k for k in needs_you.rows if k.startswith("review:"))
    needs_you.rows[key].buttons["review"].click()
    assert needs_you.review_dialog is not None
    needs_you.review_dialog.apply_button.click()
    qtbot.waitUntil(lambda: controller.held is None, timeout=20_000)
    wait_idle(qtbot, controller)
    assert pool_quantity(etsy, pool.etsy_listing_id, pool.sku) == etsy_before + 1
    assert controller.shop_id is not None
    assert import_pending(controller.database, controller.shop_id) is None  # cleared by the sync


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _log_columns() -> list[tuple[str, object, int]]:
    from etsysync_gui.ui.log_model import COLUMNS

    return [(c[0], c[1], c[2]) for c in COLUMNS]

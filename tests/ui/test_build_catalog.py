"""Onboarding that ends linked: "Build your catalog" with counts, the import's report,
a CSV round trip for SKU-less listings, and the real shop opening on the Dashboard."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.catalog.importer import export_catalog, import_catalog
from etsysync_gui.db.models import EtsyStockPool, Product, ProductVariant
from etsysync_gui.demo.settings import DEMO_PROFILE
from etsysync_gui.scheduling.requests import SyncOutcome
from etsysync_gui.ui.build_catalog_dialog import BuildCatalogDialog
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.listings_view import ListingsView
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.widgets import gui_settings
from tests.ui.conftest import RunSync


@pytest.fixture
def dialog(qtbot: QtBot, controller: AppController) -> Iterator[BuildCatalogDialog]:
    widget = BuildCatalogDialog(controller)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.close()


def _unique_skus(controller: AppController, count: int) -> list[str]:
    with controller.database.session() as session:
        skus = [s for s in session.scalars(select(EtsyStockPool.sku)) if s]
    unique = sorted(s for s in set(skus) if skus.count(s) == 1)
    assert len(unique) >= count
    return unique[:count]


def test_onboarding_links_all_exact_sku_matches_with_counts(
    qtbot: QtBot, controller: AppController, run_sync: RunSync
) -> None:
    assert run_sync("listings").ok  # read, nothing linked (an empty catalog)
    skus = _unique_skus(controller, 5)
    with controller.database.session() as session:
        product = Product(title="My spreadsheet")
        product.variants.extend(ProductVariant(sku=sku, quantity=3) for sku in skus)
        session.add(product)
    dialog = BuildCatalogDialog(controller)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.start.sku_matches == 5, timeout=10_000)
    assert dialog.start.linked_pools == 0
    assert "5 unlinked stock pool(s)" in dialog.sku_text.text()
    assert f"{dialog.start.listings:,}</b> listings" in dialog.intro.text()
    assert dialog.sku_button.isEnabled()
    with qtbot.waitSignal(controller.runner.finished, timeout=20_000):
        dialog.sku_button.click()
    qtbot.waitUntil(lambda: "Linked 5 stock pool(s)" in dialog.report.text())
    qtbot.waitUntil(lambda: dialog.start.linked_pools == 5, timeout=10_000)
    assert dialog.start.sku_matches == 0
    assert not dialog.sku_button.isEnabled()


def test_start_from_etsy_listings_imports_with_counts(
    qtbot: QtBot, dialog: BuildCatalogDialog, controller: AppController, run_sync: RunSync
) -> None:
    assert run_sync("listings").ok
    qtbot.waitUntil(lambda: dialog.start.importable_pools > 0, timeout=10_000)
    pools = dialog.start.importable_pools
    assert f"{pools:,} variant(s)" in dialog.etsy_text.text()
    with qtbot.waitSignal(controller.runner.finished, timeout=20_000):
        dialog.etsy_button.click()
    qtbot.waitUntil(lambda: "Imported" in dialog.report.text(), timeout=10_000)
    assert f"Imported {pools:,} variant(s)" in dialog.report.text()
    qtbot.waitUntil(lambda: dialog.start.linked_pools == dialog.start.pools, timeout=10_000)


def test_import_unlinked_says_why_it_skipped_a_listing_unlinked_by_hand(
    qtbot: QtBot, controller: AppController, synced: SyncOutcome, no_dialogs: list[str]
) -> None:
    with controller.database.session() as session:
        pool = session.scalars(select(EtsyStockPool).order_by(EtsyStockPool.id)).first()
        assert pool is not None
        listing_id, key = pool.etsy_listing_id, pool.pool_key
    controller.service().unlink(listing_id, key)
    view = ListingsView(controller)
    qtbot.addWidget(view)
    view.import_unlinked()
    qtbot.waitUntil(lambda: bool(view.import_report), timeout=20_000)
    assert view.import_report[0] == "Nothing was imported."
    assert any("unlinked it by hand" in line for line in view.import_report)
    assert "Skipped" in no_dialogs[-1]


def test_export_edit_import_round_trips_a_catalog_made_from_sku_less_listings(
    controller: AppController, synced: SyncOutcome, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.csv"
    database = controller.database
    written = export_catalog(database, path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == written
    sku_less = [r for r in rows if not r["sku"]]
    assert sku_less, "the fake shop has listings without SKU"
    for row in sku_less:
        row["quantity"] = str(int(row["quantity"]) + 7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_catalog(database, path)
    assert report.skipped == []
    assert (report.created, report.updated) == (0, len(sku_less))
    assert report.unchanged == written - len(sku_less)
    again = import_catalog(database, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, written)


def test_a_sku_typed_into_an_exported_row_is_given_to_its_variant(
    controller: AppController, synced: SyncOutcome, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.csv"
    export_catalog(controller.database, path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if not r["sku"])
    row["sku"] = "NEW-SKU-1"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_catalog(controller.database, path)
    assert (report.created, report.updated) == (0, 1)
    with controller.database.session() as session:
        pool = session.scalars(
            select(EtsyStockPool).where(
                EtsyStockPool.etsy_listing_id == int(row["etsy_listing"]),
                EtsyStockPool.pool_key == row["etsy_pool_key"],
            )
        ).one()
        variant = session.get(ProductVariant, pool.local_variant_id)
        assert variant is not None
        assert variant.sku == "NEW-SKU-1"


def test_the_real_shop_opens_on_the_dashboard_with_build_your_catalog(
    qtbot: QtBot, context: AppContext, controller: AppController
) -> None:
    gui_settings(DEMO_PROFILE).setValue("window/tab", 3)  # the demo was left on Catalog
    window = MainWindow(context, controller=controller)
    qtbot.addWidget(window)
    window.show()
    assert window.tabs.currentWidget() is window.dashboard
    window.start(scheduler=False)
    window.offer_catalog_start()
    qtbot.waitUntil(lambda: getattr(window, "build_catalog_dialog", None) is not None)
    assert window.build_catalog_dialog.isVisible()
    window.build_catalog_dialog.close()
    window.shutdown()


def test_import_my_spreadsheet_shows_the_preview_first(
    qtbot: QtBot, controller: AppController, run_sync: RunSync, tmp_path: Path
) -> None:
    assert run_sync("listings").ok
    skus = _unique_skus(controller, 3)
    path = tmp_path / "mine.csv"
    path.write_text("sku,quantity\n" + "".join(f"{s},4\n" for s in skus), encoding="utf-8")
    dialog = BuildCatalogDialog(controller)
    qtbot.addWidget(dialog)
    dialog.from_spreadsheet(path)
    qtbot.waitUntil(lambda: dialog.preview.dialog is not None, timeout=10_000)
    preview = dialog.preview.dialog
    assert preview is not None
    assert "3 new · 0 changed" in preview.counts.text()
    with controller.database.session() as session:
        assert session.scalars(select(ProductVariant)).first() is None  # nothing yet
    with qtbot.waitSignal(controller.runner.finished, timeout=20_000):
        preview.import_button.click()
    qtbot.waitUntil(lambda: "Imported the spreadsheet: 3 new" in dialog.report.text())
    qtbot.waitUntil(lambda: "Linked 3 stock pool(s)" in dialog.report.text())

"""Render each main view (and the main dialogs) to PNG in docs/screenshots, with demo data.

Demo data is real: the demo shop (``demo.shop.DemoShop``, the fake Etsy and
generated shop that ``etsysync-gui --demo`` opens, connected through OAuth), a
listing sync that imports it into a temporary SQLite catalog, the scheduler's
first runs, then local stock edits and purchases on Etsy so the inventory view
and the plan review have work to show.  The demo banner is left out: the
pictures show the views as a seller's own shop has them.  Offscreen, no
display needed:

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/screenshots.py [--out docs/screenshots]
        [--size 1600x1000]

The README's pictures are taken at 1600×1000; ``--size 1024x700 --out
docs/screenshots/1024x700`` shows the same views on a small laptop screen
(the details panes keep the reasons readable there).

If the setup wizard (``ui/wizard/``) offers ``screenshot_pages(parent)``
returning ``[(name, widget), ...]``, its pages are rendered too.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import os
import random
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gui_support import run_request, spin, wait_until
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

import etsysync_gui.ui  # noqa: F401
from etsysync_gui.bootstrap import start_with
from etsysync_gui.catalog.editing import set_variant_quantity
from etsysync_gui.catalog.importer import export_catalog
from etsysync_gui.catalog.preview import preview_import
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool
from etsysync_gui.demo.shop import DEMO_LISTINGS, DemoShop
from etsysync_gui.queries.catalog import load_catalog
from etsysync_gui.queries.listings import load_listings
from etsysync_gui.scheduling.driver import ManualDriver
from etsysync_gui.scheduling.requests import SyncRequest
from etsysync_gui.sync.inventory.plan_types import SyncPlan
from etsysync_gui.ui.build_catalog_dialog import BuildCatalogDialog
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.import_preview_dialog import ImportPreviewDialog
from etsysync_gui.ui.link_dialog import LinkDialog
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.plan_review_dialog import PlanReviewDialog
from etsysync_gui.ui.settings_dialog import SettingsDialog
from fake_etsy import FakeEtsyServer

SIZE = (1600, 1000)


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def save(widget: QWidget, out: Path, name: str) -> None:
    spin(150)
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


def make_work(server: FakeEtsyServer, controller: AppController, rng: random.Random) -> None:
    """Local restocks and Etsy purchases, then a listing sync so both sides are known."""
    database = controller.database
    linked = [r for r in load_catalog(database) if r.variant_id and r.linked]
    for row in rng.sample(linked, 12):
        assert row.variant_id is not None
        set_variant_quantity(database, row.variant_id, (row.quantity or 0) + rng.randint(2, 9))
    for listing_id in rng.sample(server.listing_ids("active"), 15):
        with contextlib.suppress(Exception):  # a listing with variations wants a SKU
            server.simulate_purchase(listing_id, 1)
    run_request(controller, SyncRequest("listings"))


def render_wizard(window: QWidget, out: Path) -> None:
    try:
        wizard = importlib.import_module("etsysync_gui.ui.wizard")
    except ImportError:
        print("no ui/wizard package: wizard pages skipped")
        return
    pages = getattr(wizard, "screenshot_pages", None)
    if not callable(pages):
        print("ui/wizard has no screenshot_pages(parent): wizard pages skipped")
        return
    for name, widget in pages(window):
        widget.resize(900, 640)
        widget.show()
        save(widget, out, f"wizard-{name}")
        widget.close()


def edited_catalog(controller: AppController, folder: Path) -> Path:
    """The catalog exported, then edited as a seller would: restocks, a price, new and bad rows."""
    path = folder / "catalog.csv"
    export_catalog(controller.database, path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows[3:11]:
        row["quantity"] = str(int(row["quantity"]) + 5)
    rows[4]["price"] = "18.50"
    rows[12]["title"] = (rows[12]["title"] or "Variant") + " (new colour)"
    blank = dict.fromkeys(rows[0], "")
    rows += [
        {**blank, "sku": f"NEW-{i}", "quantity": "6", "title": f"Tote bag {i}"} for i in (1, 2)
    ]
    rows.append({**blank, "sku": "NEW-3", "quantity": "six", "title": "Tote bag 3"})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def render_csv_preview(controller: AppController, window: QWidget, out: Path) -> None:
    """The preview in front of a catalog CSV import (cancelled: nothing is imported)."""
    with tempfile.TemporaryDirectory() as folder:
        preview = preview_import(controller.database, edited_catalog(controller, Path(folder)))
    dialog = ImportPreviewDialog(preview, window)
    dialog.show()
    save(dialog, out, "csv-preview")
    dialog.reject()


def make_conflict(server: FakeEtsyServer, controller: AppController) -> None:
    """One sale on Etsy and two local sales on a linked pool, synced with "skip me".

    Only active listings can be bought; drafts and inactive ones are left out up
    front (the first 40 pools by id were once all on such listings, and the
    Needs-you picture then waited for a conflict that never came).
    """
    with controller.database.session() as session:
        pools = session.scalars(
            select(EtsyStockPool)
            .join(EtsyProduct, EtsyProduct.etsy_listing_id == EtsyStockPool.etsy_listing_id)
            .where(
                EtsyProduct.state == "active",
                EtsyStockPool.local_variant_id.is_not(None),
                EtsyStockPool.pool_key.startswith("sku:"),
                EtsyStockPool.base_local >= 5,
                EtsyStockPool.status == "ok",
            )
            .order_by(EtsyStockPool.id)
            .limit(40)
        ).all()
    made = 0
    for pool in pools:
        assert pool.local_variant_id is not None
        try:
            server.simulate_purchase(pool.etsy_listing_id, 1, sku=pool.sku)
        except ValueError:  # an inactive listing: buyers cannot buy it
            continue
        set_variant_quantity(controller.database, pool.local_variant_id, (pool.base_local or 2) - 2)
        made += 1
        if made == 2:
            break
    if made == 0:
        raise RuntimeError("no linked pool on an active listing to make a conflict on")
    controller.service().sync_inventory("manual", policy="skip")


def render_review(plan: SyncPlan, window: QWidget, out: Path) -> None:
    """The plan review as it opens, then with two listings unticked (left out this time)."""
    review = PlanReviewDialog(plan, window)
    review.show()
    save(review, out, "plan-review")
    for row in (1, 3):
        if row < review.model.rowCount():
            index = review.model.index(row, 0)
            review.model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    save(review, out, "plan-review-unticked")
    review.reject()


def render_dialogs(controller: AppController, window: QWidget, out: Path) -> None:
    """The link dialog, Build your catalog, Settings and the CSV import preview."""
    render_csv_preview(controller, window, out)
    database = controller.database
    unlinked = next(r for r in load_listings(database) if r.linked_pools == 0)
    link = LinkDialog(controller, unlinked.listing_id, unlinked.title, window)
    link.show()
    wait_until(lambda: link.model.total > 0 or "No likely" in link.count.text())
    save(link, out, "link-dialog")
    link.reject()
    build = BuildCatalogDialog(controller, window)
    build.show()
    wait_until(lambda: build.start.listings > 0)
    save(build, out, "build-catalog")
    build.reject()
    settings = SettingsDialog(controller, window)
    settings.show()
    save(settings, out, "settings")
    settings.reject()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--listings", type=int, default=DEMO_LISTINGS)
    parser.add_argument("--size", type=parse_size, default=SIZE, help="window size, WxH")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    home = tempfile.mkdtemp(prefix="etsysync-shots-")
    app = QApplication.instance() or QApplication(["etsysync-screenshots"])
    os.environ["ETSYSYNC_HOME"] = home
    with DemoShop.open(listings=args.listings) as demo:
        server = demo.server
        context = start_with(demo.settings(), quiet=True)
        context.credentials = demo.credentials
        context.settings_loader = demo.settings
        controller = AppController(context, driver=ManualDriver())
        window = MainWindow(context, controller=controller)
        window.resize(*args.size)
        window.show()
        window.start(scheduler=False)
        run_request(controller, SyncRequest("listings", import_unlinked=True))
        database = controller.database
        service = controller.service()
        for row in load_listings(database)[:: max(1, args.listings // 12)][:12]:
            service.unlink(row.listing_id)
        scheduler = controller.scheduler
        assert scheduler is not None
        scheduler.start().result()
        wait_until(lambda: not controller.runner.busy, 300)
        make_work(server, controller, rng)
        controller.data_changed.emit()

        window.tabs.setCurrentWidget(window.listings)
        wait_until(lambda: window.listings.model.total > 0)
        window.listings.table.selectRow(2)
        save(window, args.out, "listings")
        window.tabs.setCurrentWidget(window.inventory)
        wait_until(lambda: window.inventory.model.total > 0)
        window.inventory.table.sortByColumn(8, Qt.SortOrder.DescendingOrder)
        window.inventory.table.selectRow(0)
        save(window, args.out, "inventory")
        window.tabs.setCurrentWidget(window.catalog)
        wait_until(lambda: window.catalog.model.total > 0)
        save(window, args.out, "catalog")

        plan = run_request(controller, SyncRequest("plan")).plan
        assert plan is not None
        render_review(plan, window, args.out)
        render_dialogs(controller, window, args.out)

        run_request(controller, SyncRequest("apply", plan=plan))
        for listing_id in rng.sample(server.listing_ids("active"), 6):
            with contextlib.suppress(Exception):
                server.simulate_purchase(listing_id, 1)
        window.tabs.setCurrentWidget(window.log_view)
        wait_until(lambda: window.log_view.model.rowCount() > 0 and window.log_view.runs.total > 0)
        window.log_view.table.selectRow(0)
        save(window, args.out, "sync-log")
        window.tabs.setCurrentWidget(window.scheduler_panel)
        wait_until(lambda: window.scheduler_panel.model.total > 0)
        save(window, args.out, "scheduler")

        server.faults.latency_ms = 120
        controller.runner.submit(SyncRequest("inventory"))
        window.tabs.setCurrentWidget(window.dashboard)
        wait_until(lambda: window.dashboard.progress.value() > 0, 60)
        save(window, args.out, "dashboard")
        wait_until(lambda: not controller.runner.busy, 300)
        server.faults.latency_ms = 0
        make_conflict(server, controller)
        controller.data_changed.emit()
        window.tabs.setCurrentWidget(window.needs_you)
        wait_until(lambda: any(k.startswith("conflict:") for k in window.needs_you.rows))
        save(window, args.out, "needs-you")
        render_wizard(window, args.out)
        window.shutdown()
        window.close()
        context.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

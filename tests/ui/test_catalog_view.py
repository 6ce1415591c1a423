"""Catalog: add, edit, delete (refused while linked unless unlinked too), CSV in and out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from etsysync_gui.catalog import importer
from etsysync_gui.catalog.importer import ImportReport
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyStockPool, ProductVariant
from etsysync_gui.ui import catalog_view, dialogs
from etsysync_gui.ui.catalog_view import CatalogView
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.import_preview_dialog import ImportPreviewDialog


@pytest.fixture
def view(qtbot: QtBot, controller: AppController) -> Iterator[CatalogView]:
    widget = CatalogView(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: "products" in widget.count.text())
    return widget


def _variants(controller: AppController) -> dict[str, ProductVariant]:
    with controller.database.session() as session:
        return {v.sku or "": v for v in session.scalars(select(ProductVariant))}


def test_add_a_product_then_a_variant_then_edit_it(
    qtbot: QtBot, view: CatalogView, controller: AppController
) -> None:
    view.add_product()
    dialog = view.dialog
    assert dialog is not None
    dialog.product.setText("Linen apron")
    dialog.sku.setText("APRON-RED")
    dialog.quantity.setText("-1")
    dialog.accept()
    assert "cannot be negative" in dialog.problem.text()
    assert dialog.isVisible()
    dialog.quantity.setText("4")
    dialog.price.setText("24,50")
    dialog.accept()
    qtbot.waitUntil(lambda: view.model.total == 1)
    assert _variants(controller)["APRON-RED"].quantity == 4

    view.table.selectRow(0)
    view.add_variant()
    second = view.dialog
    assert second is not None
    second.accept()  # Enter on the empty form
    assert "SKU or a name" in second.problem.text()
    assert second.isVisible()
    second.sku.setText("APRON-RED")  # taken
    second.name.setText("Blue")
    second.accept()
    qtbot.waitUntil(lambda: "already has SKU" in second.problem.text())
    assert second.isVisible()  # stays open, the typing kept
    assert (second.sku.text(), second.name.text()) == ("APRON-RED", "Blue")
    second.sku.setText("APRON-BLUE")
    second.accept()
    qtbot.waitUntil(lambda: view.model.total == 2)
    assert not second.isVisible()

    row = view.model.find(lambda r: r.sku == "APRON-BLUE")
    assert row is not None
    view.table.selectRow(row)
    view.edit_selected()
    edit = view.dialog
    assert edit is not None
    assert edit.sku.text() == "APRON-BLUE"
    edit.quantity.setText("9")
    edit.accept()
    qtbot.waitUntil(lambda: _variants(controller)["APRON-BLUE"].quantity == 9)


def test_deleting_a_linked_variant_needs_unlinking(
    qtbot: QtBot,
    view: CatalogView,
    controller: AppController,
    synced: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view.reload()
    qtbot.waitUntil(lambda: view.model.total > 0)
    row = view.model.find(lambda r: r.linked)
    assert row is not None
    target = view.model.row_at(row)
    questions: list[str] = []
    monkeypatch.setattr(dialogs, "ask", lambda _p, _t, text: questions.append(text) or False)
    view.table.selectRow(row)
    view.delete_variant()
    assert "is linked to Etsy listing" in questions[0]
    assert target.variant_id in {v.id for v in _variants(controller).values()}

    monkeypatch.setattr(dialogs, "ask", lambda _p, _t, _text: True)
    view.delete_variant()
    qtbot.waitUntil(lambda: view.status.text() == "Deleted.")
    with controller.database.session() as session:
        pool = session.scalar(
            select(EtsyStockPool).where(
                EtsyStockPool.etsy_listing_id == target.linked_listing_id,
                EtsyStockPool.label == target.linked_label,
            )
        )
        assert pool is not None
        assert pool.local_variant_id is None
        assert pool.link_source == "unlinked"  # the next listing sync will not re-link it


def accept_preview(qtbot: QtBot, view: CatalogView) -> ImportPreviewDialog:
    """Wait for the import preview of ``view`` and press its Import button."""
    qtbot.waitUntil(lambda: view.preview.dialog is not None and view.preview.dialog.isVisible())
    dialog = view.preview.dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    return dialog


def test_csv_import_preview_lists_row_problems_and_imports_the_valid_rows(
    qtbot: QtBot, view: CatalogView, controller: AppController, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("sku,quantity,title\nMUG-1,5,Mug\nMUG-2,-4,Bad mug\n,3,No sku\n")
    view.import_csv(path)
    preview = accept_preview(qtbot, view)
    assert preview.invalid.count() == 2
    assert "line 3: quantity -4 is negative" in preview.invalid.item(0).text()
    assert "skip 2 invalid" in preview.import_button.text()
    qtbot.waitUntil(lambda: view.status.text().startswith("Imported"))
    assert "1 new" in view.status.text()
    assert "2 rows skipped" in view.status.text()
    assert _variants(controller)["MUG-1"].quantity == 5


def test_csv_export_writes_every_variant(
    qtbot: QtBot, view: CatalogView, controller: AppController, synced: object, tmp_path: Path
) -> None:
    path = tmp_path / "out.csv"
    view.export_csv(path)
    qtbot.waitUntil(lambda: view.status.text().startswith("Exported"))
    lines = path.read_text().splitlines()
    assert lines[0] == "sku,quantity,title,price,product,etsy_listing,etsy_pool_key"
    with controller.database.session() as session:
        variants = session.scalar(select(func.count()).select_from(ProductVariant))
    assert len(lines) - 1 == variants


def test_csv_import_shows_progress_and_cancel_imports_nothing(
    qtbot: QtBot,
    view: CatalogView,
    controller: AppController,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    real = catalog_view.import_catalog

    def after_cancel(database: Database, path: Path, **options: Any) -> ImportReport:
        options["cancel"].wait(10)  # the seller presses Cancel while the import runs
        return real(database, path, **options)

    monkeypatch.setattr(catalog_view, "import_catalog", after_cancel)
    before = set(_variants(controller))
    path = tmp_path / "big.csv"
    path.write_text("sku,quantity\n" + "".join(f"NEW-{i},1\n" for i in range(20)))
    view.import_csv(path)
    accept_preview(qtbot, view)
    dialog = view.import_dialog
    assert dialog.isVisible()
    assert "Importing big.csv" in dialog.labelText()
    button = dialog.findChild(QPushButton)
    assert button is not None
    assert button.text() == "Cancel"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in view.status.text())
    assert "nothing was imported" in view.status.text()
    assert not dialog.isVisible()
    assert set(_variants(controller)) == before


def test_csv_import_progress_reaches_the_end(
    qtbot: QtBot, view: CatalogView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    path = tmp_path / "c.csv"
    path.write_text("sku,quantity\n" + "".join(f"P-{i},1\n" for i in range(7)))
    view.import_csv(path)
    accept_preview(qtbot, view)
    dialog = view.import_dialog
    qtbot.waitUntil(lambda: view.status.text().startswith("Imported"))
    assert "7 new" in view.status.text()
    assert not dialog.isVisible()
    assert dialog.value() == dialog.maximum()  # the last chunk reported the whole file

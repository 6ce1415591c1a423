"""Catalog: the seller's own products and variants; add, edit, delete, CSV in and out.

Every write runs on a worker through ``catalog.editing`` (rules and
messages live there).  Deleting a linked variant is refused unless the seller
agrees to unlink it in the same step.  CSV import and export go through
``catalog.importer``, behind a preview (``csv_preview_flow``): the seller
sees new / changed / unchanged / invalid rows, before → after, and nothing
changes unless they press Import (invalid rows are then left out).  An
import shows a progress dialog whose Cancel rolls the whole import back
(nothing of the file is kept).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.catalog import editing as edits
from etsysync_gui.catalog.importer import ImportReport, export_catalog, import_catalog
from etsysync_gui.errors import CatalogImportError
from etsysync_gui.queries.catalog import VariantRow, load_catalog
from etsysync_gui.ui import dialogs
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.csv_preview_flow import CsvPreviewFlow
from etsysync_gui.ui.formatting import count, money
from etsysync_gui.ui.import_problems_dialog import ImportProblemsDialog
from etsysync_gui.ui.import_progress_dialog import ImportProgressDialog
from etsysync_gui.ui.plain_errors import plain_error
from etsysync_gui.ui.row_model import Column, RowTableModel
from etsysync_gui.ui.variant_dialog import VariantDialog
from etsysync_gui.ui.widgets import FastTableView, LazyView, SearchBox

COLUMNS: list[Column[VariantRow]] = [
    Column("Product", lambda r: r.product_title, width=240),
    Column("Variant", lambda r: r.name, width=160),
    Column("SKU", lambda r: r.sku, width=120),
    Column("Price", lambda r: money(r.price), lambda r: r.price, right=True, width=80),
    Column("Quantity", lambda r: count(r.quantity), lambda r: r.quantity, right=True, width=80),
    Column(
        "Linked to",
        lambda r: f"listing {r.linked_listing_id} ({r.linked_label})" if r.linked else "",
    ),
]


def choose_open_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import catalog", "", "CSV files (*.csv)")
    return Path(name) if name else None


def choose_save_file(parent: QWidget, title: str, suggested: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, "CSV files (*.csv)")
    return Path(name) if name else None


def _search(row: VariantRow) -> str:
    return f"{row.product_title} {row.name or ''} {row.sku or ''}".lower()


class CatalogView(LazyView):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.database = controller.database
        self.dialog: VariantDialog | None = None
        self.model: RowTableModel[VariantRow] = RowTableModel(COLUMNS, self)
        layout = QVBoxLayout(self)
        self.search = SearchBox("Search product, variant or SKU")
        self.search.search.connect(lambda text: self.model.set_filter(None, text))
        layout.addWidget(self.search)
        self.table = FastTableView("catalog", self)
        self.table.setModel(self.model)
        self.table.enable_sorting()
        self.table.restore_state([c.width for c in COLUMNS])
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.count = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons.addWidget(self.count)
        buttons.addWidget(self.status, 1)
        for text, slot in (
            ("Add product…", self.add_product),
            ("Add variant…", self.add_variant),
            ("Edit…", self.edit_selected),
            ("Delete variant", self.delete_variant),
            ("Delete product", self.delete_product),
            ("Import CSV…", self.import_csv),
            ("Export CSV…", self.export_csv),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.preview = CsvPreviewFlow(self, controller.jobs, self.database)
        controller.data_changed.connect(self.mark_stale)

    def reload(self) -> None:
        self.loaded = True
        database = self.database

        def load() -> tuple[list[VariantRow], list[str]]:
            rows = load_catalog(database)
            return rows, [_search(r) for r in rows]

        self.controller.jobs.submit(load, self._loaded, self._failed, context=self)

    def _loaded(self, value: tuple[list[VariantRow], list[str]]) -> None:
        self.model.set_rows(*value)
        products = len({r.product_id for r in value[0]})
        self.count.setText(f"{products:,} products, {self.model.total:,} rows ·")

    def selected(self) -> VariantRow | None:
        row = self.table.selected_row()
        return self.model.row_at(row) if row is not None else None

    # --- add and edit ---------------------------------------------------------------------

    def add_product(self) -> None:
        dialog = VariantDialog("New product", self, with_product=True)
        dialog.submitted.connect(
            lambda: self._save(
                dialog,
                lambda: edits.add_product(self.database, dialog.product.text(), _value(dialog)),
                "Product added.",
            )
        )
        self._open(dialog)

    def add_variant(self) -> None:
        row = self.selected()
        if row is None:
            self.status.setText("Select a product first.")
            return
        dialog = VariantDialog(f"New variant of {row.product_title}", self)
        dialog.submitted.connect(
            lambda: self._save(
                dialog,
                lambda: edits.add_variant(self.database, row.product_id, _value(dialog)),
                "Variant added.",
            )
        )
        self._open(dialog)

    def edit_selected(self) -> None:
        row = self.selected()
        if row is None or row.variant_id is None:
            self.status.setText("Select a variant first.")
            return
        variant_id = row.variant_id
        dialog = VariantDialog("Edit variant", self, row=row)
        dialog.submitted.connect(
            lambda: self._save(
                dialog,
                lambda: edits.update_variant(
                    self.database, variant_id, _value(dialog), dialog.product.text()
                ),
                "Saved.",
            )
        )
        self._open(dialog)

    def _open(self, dialog: VariantDialog) -> None:
        self.dialog = dialog
        dialog.open()

    # --- delete -------------------------------------------------------------------------------

    def delete_variant(self) -> None:
        row = self.selected()
        if row is None or row.variant_id is None:
            self.status.setText("Select a variant first.")
            return
        variant_id = row.variant_id
        self._delete(
            row, f"variant {row.sku or row.name or variant_id}",
            lambda unlink: edits.delete_variant(self.database, variant_id, unlink=unlink),
        )  # fmt: skip

    def delete_product(self) -> None:
        row = self.selected()
        if row is None:
            self.status.setText("Select a product first.")
            return
        self._delete(
            row, f"product {row.product_title} and all its variants",
            lambda unlink: edits.delete_product(self.database, row.product_id, unlink=unlink),
        )  # fmt: skip

    def _delete(self, row: VariantRow, what: str, delete: Callable[[bool], None]) -> None:
        linked = row.linked
        question = f"Delete {what}?"
        if linked:
            question = (
                f"The {what} is linked to Etsy listing {row.linked_listing_id}. Unlink it "
                f"and delete it? The listing's stock stops syncing."
            )
        if not dialogs.ask(self, "Delete", question):
            return
        self._write(lambda: delete(True), "Deleted.")

    # --- CSV -----------------------------------------------------------------------------------

    def import_csv(self, path: Path | None = None) -> None:
        """Check the file and show the preview; only an accepted preview is imported."""
        path = path or choose_open_file(self)
        if path is None:
            return
        chosen = path
        self.status.setText(f"Checking {chosen.name}…")
        self.preview.start(
            chosen,
            lambda skip_invalid: self._import(chosen, skip_invalid=skip_invalid),
            self.status.setText,
        )

    def _import(self, chosen: Path, *, skip_invalid: bool) -> None:
        self.status.setText(f"Importing {chosen.name}…")
        now = self.controller.clock()  # the log row and the import mark use the app's clock
        progress = ImportProgressDialog(chosen.name, self)
        self.import_dialog = progress
        progress.show()
        self.controller.jobs.submit(
            lambda: import_catalog(
                self.database,
                chosen,
                skip_invalid=skip_invalid,
                progress=progress.report,
                cancel=progress.cancel_event,
                now=now,
            ),
            lambda report: self._imported(progress, report),
            lambda exc: self._import_failed(progress, chosen, exc),
            context=self,
        )

    def _imported(self, progress: ImportProgressDialog, report: ImportReport) -> None:
        progress.finish()
        skipped = f", {report.skipped_count} rows skipped" if report.skipped_count else ""
        review = " The next sync waits for your review." if report.created + report.updated else ""
        self.status.setText(
            f"Imported: {report.created} new, {report.updated} changed, "
            f"{report.unchanged} unchanged{skipped}.{review}"
        )
        self.controller.data_changed.emit()

    def _import_failed(self, progress: ImportProgressDialog, path: Path, exc: object) -> None:
        progress.finish()
        if isinstance(exc, CatalogImportError) and exc.problems:
            dialog = ImportProblemsDialog(exc.message, exc.problems, self)
            dialog.accepted.connect(lambda: self._import(path, skip_invalid=True))
            self.problems_dialog = dialog
            dialog.open()
            return
        self._failed(exc)

    def export_csv(self, path: Path | None = None) -> None:
        path = path or choose_save_file(self, "Export catalog", "catalog.csv")
        if path is None:
            return
        chosen = path
        self.controller.jobs.submit(
            lambda: export_catalog(self.database, chosen),
            lambda n: self.status.setText(f"Exported {n} rows to {chosen}."),
            self._failed,
            context=self,
        )

    # --- shared -------------------------------------------------------------------------------

    def _write(self, change: Callable[[], object], done: str) -> None:
        def ok(_: object) -> None:
            self.status.setText(done)
            self.controller.data_changed.emit()

        self.controller.jobs.submit(change, ok, self._failed, context=self)

    def _save(self, dialog: VariantDialog, change: Callable[[], object], done: str) -> None:
        """Write the dialog's form; it closes on success and stays open on a refusal."""
        product = dialog.product.text()

        def ok(_: object) -> None:
            dialog.saved()
            self.status.setText(done)
            self.controller.data_changed.emit()

        def refused(exc: object) -> None:
            dialog.failed(plain_error(str(exc)).text or f"Not saved: {product}")

        self.controller.jobs.submit(change, ok, refused, context=self)

    def _failed(self, exc: object) -> None:
        self.status.setText(plain_error(str(exc)).text)


def _value(dialog: VariantDialog) -> edits.VariantInput:
    assert dialog.value is not None
    return dialog.value

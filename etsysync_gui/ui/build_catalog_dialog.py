""" "Build your catalog": the step after setup that ends with a linked catalog.

Why a step of its own: after the wizard the shop's listings are read but
nothing is linked, and stock cannot sync until each Etsy stock pool is linked
to a catalog variant.  The seller chooses one of three starts, each saying in
numbers what it will do and, once done, what it did:

* *Start from my Etsy listings*: a listing sync that imports every unlinked
  listing into the catalog (Etsy's quantity and price), and reports each
  listing it skipped, and why;
* *Import my spreadsheet*: a catalog CSV, then a listing sync that links by SKU;
* *Link by SKU*: "Link all exact SKU matches" in one click (a listing sync).

All work runs on the controller's workers; the numbers come back as signals.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.catalog.importer import ImportReport, import_catalog
from etsysync_gui.queries.onboarding import (
    CatalogStart,
    import_report,
    listing_sync_of,
    load_catalog_start,
)
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.sync.listings.run import ListingSyncResult
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.csv_preview_flow import CsvPreviewFlow
from etsysync_gui.ui.plain_errors import outcome_text, plain_error


def _label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class BuildCatalogDialog(QDialog):
    def __init__(
        self,
        controller: AppController,
        parent: QWidget | None = None,
        *,
        choose_file: Callable[[QWidget], Path | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Build your catalog")
        self.setMinimumWidth(640)
        self.controller = controller
        self._choose_file = choose_file
        self.start = CatalogStart()
        self._pending: SyncRequest | None = None
        self._action = ""
        self._imported = ""
        self.preview = CsvPreviewFlow(self, controller.jobs, controller.database)
        layout = QVBoxLayout(self)
        self.intro = _label("Counting your listings…")
        layout.addWidget(self.intro)
        self.etsy_text, self.etsy_button = self._option(
            layout, "Start from my Etsy listings", "Import unlinked listings", self.from_etsy
        )
        self.csv_text, self.csv_button = self._option(
            layout, "Import my spreadsheet", "Import a CSV file…", self.from_spreadsheet
        )
        self.sku_text, self.sku_button = self._option(
            layout, "Link by SKU", "Link all exact SKU matches", self.link_by_sku
        )
        self.report = _label()
        self.report.setObjectName("buildCatalogResult")
        layout.addWidget(self.report)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        controller.runner.finished.connect(self._finished)
        controller.data_changed.connect(self.reload)
        self.reload()

    def _option(
        self, layout: QVBoxLayout, title: str, button_text: str, slot: Callable[[], None]
    ) -> tuple[QLabel, QPushButton]:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        text = _label()
        button = QPushButton(button_text)
        button.clicked.connect(lambda _checked=False: slot())
        inner.addWidget(text)
        inner.addWidget(button)
        layout.addWidget(box)
        return text, button

    # --- counts -------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        database, shop_id = self.controller.database, self.controller.shop_id
        self.controller.jobs.submit(
            lambda: load_catalog_start(database, shop_id), self._show, context=self
        )

    def _show(self, start: CatalogStart) -> None:
        self.start = start
        if start.listings == 0:
            self.intro.setText("Reading your listings from Etsy… (the first listing sync)")
        else:
            self.intro.setText(
                f"Your shop has <b>{start.listings:,}</b> listings with {start.pools:,} stock "
                f"pools; <b>{start.linked_pools:,}</b> are linked to your catalog of "
                f"{start.catalog_variants:,} variants. Stock syncs only for linked pools."
            )
        held = len(start.unlinked_by_you)
        self.etsy_text.setText(
            f"Creates catalog products for the {start.unlinked_listings:,} listing(s) not "
            f"linked yet: {start.importable_pools:,} variant(s) with Etsy's quantity and "
            "price, linked at once."
            + (f" {held:,} stock pool(s) you unlinked by hand are left alone." if held else "")
        )
        self.csv_text.setText(
            "Reads a CSV file (columns sku, quantity; optionally title, price, product) into "
            "your catalog, then links every listing whose SKU matches."
        )
        self.sku_text.setText(
            f"{start.sku_matches:,} unlinked stock pool(s) have an SKU that is exactly a "
            "catalog variant's SKU."
        )
        self.etsy_button.setEnabled(start.importable_pools > 0 and not self.busy)
        self.sku_button.setEnabled(start.sku_matches > 0 and not self.busy)
        self.csv_button.setEnabled(not self.busy)
        self.adjustSize()  # the wrapped texts changed height

    @property
    def busy(self) -> bool:
        return self._pending is not None

    # --- the three starts ------------------------------------------------------------------

    def from_etsy(self) -> None:
        self._submit(SyncRequest("listings", import_unlinked=True), "import")

    def link_by_sku(self) -> None:
        self._submit(SyncRequest("listings"), "link")

    def from_spreadsheet(self, path: Path | None = None) -> None:
        if path is None and self._choose_file is not None:
            path = self._choose_file(self)
        if path is None:
            return
        chosen = path
        self.report.setText(f"Checking {escape(chosen.name)}…")
        self.preview.start(
            chosen,
            lambda skip_invalid: self._import_spreadsheet(chosen, skip_invalid),
            lambda message: self.report.setText(escape(message)),
        )

    def _import_spreadsheet(self, chosen: Path, skip_invalid: bool) -> None:
        """The seller accepted the preview: import (leaving out the invalid rows it listed)."""
        database, now = self.controller.database, self.controller.clock()
        self.report.setText(f"Importing {escape(chosen.name)}…")
        self.controller.jobs.submit(
            lambda: import_catalog(database, chosen, skip_invalid=skip_invalid, now=now),
            self._spreadsheet_done,
            lambda exc: self.report.setText(escape(plain_error(str(exc)).text)),
            context=self,
        )

    def _spreadsheet_done(self, report: ImportReport) -> None:
        self._imported = (
            f"Imported the spreadsheet: {report.created:,} new, {report.updated:,} changed, "
            f"{report.unchanged:,} unchanged."
        )
        self._submit(SyncRequest("listings"), "spreadsheet")

    def _submit(self, request: SyncRequest, action: str) -> None:
        submission = self.controller.runner.submit(request)
        if not submission.accepted:
            self.report.setText(escape(submission.reason or "A sync is running; try again."))
            return
        self._pending, self._action = request, action
        self.report.setText("Working… (a listing sync)")
        self._show(self.start)

    @Slot(object)
    def _finished(self, outcome: SyncOutcome) -> None:
        if outcome.request is not self._pending:
            return
        self._pending = None
        result = listing_sync_of(outcome)
        if result is None:
            self.report.setText(escape(outcome_text(outcome)[0]))
            self._show(self.start)
            return
        self.report.setText("<br>".join(escape(line) for line in self._did(result)))
        self.reload()

    def _did(self, result: ListingSyncResult) -> list[str]:
        if self._action == "import":
            return import_report(
                result.imported_products,
                result.imported_variants,
                result.link_problems,
                self.start.unlinked_by_you,
            )
        lines = [f"Linked {result.linked:,} stock pool(s) by exact SKU."]
        if self._action == "spreadsheet":
            lines.insert(0, self._imported)
        return lines

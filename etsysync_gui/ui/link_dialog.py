"""Link one stock pool of a listing to a local variant, or unlink it.

Suggestions come from ``queries.link_suggestions`` on a worker: the same SKU
first, then title likeness (difflib) with a confidence; the search box
narrows to variants whose SKU, name or product contains the text.  The link
itself is ``SyncService.link`` (by SKU, so a variant without SKU is shown but
cannot be chosen); a new link's first sync starts from Etsy's stock unless
the seller picks the local stock.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.queries.link_suggestions import (
    ListingLinks,
    PoolChoice,
    VariantSuggestion,
    listing_links,
    suggest_variants,
)
from etsysync_gui.sync.inventory.decide import FirstTruth
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.plain_errors import problem_text
from etsysync_gui.ui.row_model import Column, RowTableModel
from etsysync_gui.ui.widgets import FastTableView, SearchBox

COLUMNS: list[Column[VariantSuggestion]] = [
    Column("Confidence", lambda s: f"{round(s.confidence * 100)}%", lambda s: s.confidence),
    Column("SKU", lambda s: s.sku or "(no SKU)", width=110),
    Column("Product", lambda s: s.product_title, width=200),
    Column("Variant", lambda s: s.variant_name, width=120),
    Column("Local qty", lambda s: s.quantity, right=True, width=70),
    Column("Why", lambda s: s.reason, width=150),
    Column("Linked to", lambda s: s.linked_to),
]


class LinkDialog(QDialog):
    changed = Signal()

    def __init__(
        self, controller: AppController, listing_id: int, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.listing_id = listing_id
        self.listing_title = title
        self.links: ListingLinks | None = None
        self._generation = 0
        self.setWindowTitle(f"Link listing {listing_id}")
        self.resize(860, 480)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("Listing:", QLabel(f"{listing_id} — {title}"))
        self.pool = QComboBox()
        self.pool.currentIndexChanged.connect(lambda _i: self._pool_changed())
        form.addRow("Stock pool:", self.pool)
        self.current = QLabel()
        form.addRow("Linked now:", self.current)
        layout.addLayout(form)
        self.search = SearchBox("Search the catalog by SKU, product or variant name")
        self.search.search.connect(lambda _t: self.suggest())
        layout.addWidget(self.search)
        self.model: RowTableModel[VariantSuggestion] = RowTableModel(COLUMNS, self)
        self.table = FastTableView("linkSuggestions", self)
        self.table.setModel(self.model)
        self.table.restore_state([c.width for c in COLUMNS])
        self.table.doubleClicked.connect(lambda _i: self.link_selected())
        layout.addWidget(self.table, 1)
        self.etsy_first = QRadioButton("First sync starts from Etsy's stock")
        self.local_first = QRadioButton("First sync pushes the local stock to Etsy")
        self.etsy_first.setChecked(True)
        layout.addWidget(self.etsy_first)
        layout.addWidget(self.local_first)
        # What the suggestions are, and what the last link or unlink did, on lines of
        # their own: the reload after a link must not wipe the sentence that confirms it.
        self.count = QLabel("Loading…")
        layout.addWidget(self.count)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.link_button = QPushButton("Link")
        self.unlink_button = QPushButton("Unlink this pool")
        buttons.addButton(self.link_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.unlink_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.link_button.clicked.connect(self.link_selected)
        self.unlink_button.clicked.connect(self.unlink_pool)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        database = self.controller.database
        self.controller.jobs.submit(
            lambda: listing_links(database, self.listing_id),
            self._show_links,
            lambda exc: self.status.setText(problem_text("Could not read the listing", exc)),
            context=self,
        )

    def _show_links(self, links: ListingLinks) -> None:
        self.links = links
        self.pool.blockSignals(True)
        self.pool.clear()
        for choice in links.pools:
            quantity = "" if choice.etsy_quantity is None else f" — Etsy {choice.etsy_quantity}"
            self.pool.addItem(f"{choice.label}{quantity}")
        self.pool.blockSignals(False)
        if not links.pools:
            self.count.setText("This listing has no stock pools EtsySync can link.")
            return
        self._pool_changed()

    def selected_pool(self) -> PoolChoice | None:
        if self.links is None or not 0 <= self.pool.currentIndex() < len(self.links.pools):
            return None
        return self.links.pools[self.pool.currentIndex()]

    def _pool_changed(self) -> None:
        pool = self.selected_pool()
        if pool is None:
            return
        if pool.local_variant_id is None:
            self.current.setText("not linked")
        else:
            self.current.setText(f"variant {pool.local_sku or pool.local_variant_id}")
        self.unlink_button.setEnabled(pool.local_variant_id is not None)
        self.suggest()

    def suggest(self) -> None:
        pool = self.selected_pool()
        self._generation += 1
        generation = self._generation
        database, title, text = self.controller.database, self.listing_title, self.search.text()
        self.count.setText("Looking for variants…")
        self.controller.jobs.submit(
            lambda: suggest_variants(database, title, pool, search=text),
            lambda found: self._show_suggestions(generation, found),
            context=self,
        )

    def _show_suggestions(self, generation: int, found: list[VariantSuggestion]) -> None:
        if generation != self._generation:
            return
        self.model.set_rows(found)
        if found:
            self.table.selectRow(0)
            self.count.setText(f"{len(found)} suggestion(s); the best first.")
        else:
            self.count.setText("No likely variant; search the catalog above.")

    def link_selected(self) -> None:
        pool, row = self.selected_pool(), self.table.selected_row()
        if pool is None or row is None:
            self.status.setText("Choose a stock pool and a variant.")
            return
        choice = self.model.row_at(row)
        if not choice.sku:
            self.status.setText("That variant has no SKU; give it one in the catalog first.")
            return
        sku = choice.sku
        truth = FirstTruth.LOCAL if self.local_first.isChecked() else FirstTruth.ETSY
        service = self.controller.service
        self.controller.jobs.submit(
            lambda: service().link(sku, self.listing_id, pool.pool_key, first_truth=truth),
            lambda result: self._done(f"Linked {result.label} to {result.sku}."),
            lambda exc: self.status.setText(problem_text("Not linked", exc)),
            context=self,
        )

    def unlink_pool(self) -> None:
        pool = self.selected_pool()
        if pool is None:
            return
        service = self.controller.service
        self.controller.jobs.submit(
            lambda: service().unlink(self.listing_id, pool.pool_key),
            lambda _n: self._done(f"Unlinked {pool.label}."),
            lambda exc: self.status.setText(problem_text("Not unlinked", exc)),
            context=self,
        )

    def _done(self, message: str) -> None:
        self.status.setText(message)
        self.changed.emit()
        self.reload()

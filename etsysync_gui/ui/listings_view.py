"""Listings: every Etsy listing EtsySync knows, its link to the catalog, and commands.

Rows come from ``queries.listings`` on a worker (100,000 rows in well under a
second); sorting, the state / link / error filters and the debounced text
search run in ``RowTableModel`` without touching the database again.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.queries.listings import ListingRow, load_listings
from etsysync_gui.queries.onboarding import (
    CatalogStart,
    import_report,
    listing_sync_of,
    load_catalog_start,
)
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.ui import dialogs
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.formatting import count, money, when
from etsysync_gui.ui.link_dialog import LinkDialog
from etsysync_gui.ui.plain_errors import outcome_text, problem_text
from etsysync_gui.ui.row_model import Column, Presorted, RowTableModel, SortSpec
from etsysync_gui.ui.widgets import FastTableView, LazyView, SearchBox

STATES = ("active", "inactive", "draft", "expired", "sold_out")
LINKS = ("linked", "partly linked", "unlinked")

COLUMNS: list[Column[ListingRow]] = [
    Column("Listing", lambda r: r.listing_id, right=True, width=110),
    Column("Title", lambda r: r.title, width=280, tooltip=lambda r: r.title),
    Column("State", lambda r: "missing" if r.missing else r.state, width=80),
    Column("SKU", lambda r: r.sku, width=110),
    Column("Price", lambda r: money(r.price), sort_key=lambda r: r.price, right=True, width=80),
    Column("Etsy qty", lambda r: count(r.quantity), lambda r: r.quantity, right=True, width=70),
    Column("Local product", lambda r: r.local_product, width=200),
    Column(
        "Link",
        lambda r: r.link + (f" ({r.link_problem.replace('_', ' ')})" if r.link_problem else ""),
        width=150,
    ),
    Column(
        "Sync",
        lambda r: "error" if r.has_error else r.sync_status,
        width=70,
        tooltip=lambda r: r.sync_error,
    ),
    Column("Last synced", lambda r: when(r.last_synced_at), lambda r: r.last_synced_raw),
]

open_url = QDesktopServices.openUrl


def search_text(row: ListingRow) -> str:
    return f"{row.listing_id} {row.title or ''} {row.sku or ''} {row.local_product or ''}".lower()


Loaded = tuple[list[ListingRow], list[str], Presorted]


def load_for_view(
    controller: AppController, model: RowTableModel[ListingRow], spec: SortSpec | None
) -> Loaded:
    """On the worker: the rows, their search texts, and their order for the current sort."""
    rows = load_listings(controller.database, controller.shop_id)
    return rows, [search_text(r) for r in rows], model.presort(rows, spec)


class ListingsView(LazyView):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._generation = 0
        self.model: RowTableModel[ListingRow] = RowTableModel(COLUMNS, self)
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.search = SearchBox("Search title, SKU, listing id or product (Ctrl+F)")
        self.search.search.connect(lambda _t: self.apply_filter())
        self.state = QComboBox()
        self.state.addItems(["Any state", *STATES, "missing"])
        self.link = QComboBox()
        self.link.addItems(["Linked or not", *LINKS])
        self.errors = QCheckBox("Errors only")
        for widget in (self.state, self.link):
            widget.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.errors.toggled.connect(lambda _on: self.apply_filter())
        filters.addWidget(self.search, 1)
        filters.addWidget(self.state)
        filters.addWidget(self.link)
        filters.addWidget(self.errors)
        layout.addLayout(filters)
        self.table = FastTableView("listings", self)
        self.table.setModel(self.model)
        self.table.enable_sorting()
        self.table.restore_state([c.width for c in COLUMNS])
        self.table.doubleClicked.connect(lambda _i: self.link_selected())
        layout.addWidget(self.table, 1)
        actions = QHBoxLayout()
        # The count and the last command's outcome sit side by side: the reload that
        # follows a command must not wipe the sentence that says what it did.
        self.count = QLabel("Loading…")
        self.status = QLabel()
        self.status.setWordWrap(True)
        actions.addWidget(self.count)
        self.link_button = QPushButton("Link…")
        self.link_button.clicked.connect(self.link_selected)
        self.unlink_button = QPushButton("Unlink")
        self.unlink_button.clicked.connect(self.unlink_selected)
        self.open_button = QPushButton("Open on Etsy")
        self.open_button.clicked.connect(self.open_selected)
        self.import_button = QPushButton("Import unlinked listings into the catalog…")
        self.import_button.clicked.connect(self.import_unlinked)
        actions.addWidget(self.status, 1)
        for button in (self.link_button, self.unlink_button, self.open_button, self.import_button):
            actions.addWidget(button)
        layout.addLayout(actions)
        controller.data_changed.connect(self.mark_stale)
        self._import_request: SyncRequest | None = None
        self.import_report: list[str] = []
        controller.runner.finished.connect(self._import_finished)

    # --- loading and filtering ------------------------------------------------------------

    def reload(self) -> None:
        self.loaded = True
        self._generation += 1
        generation = self._generation
        self.count.setText("Loading…")
        controller, model, spec = self.controller, self.model, self.model.sort_spec
        controller.jobs.submit(
            lambda: load_for_view(controller, model, spec),
            lambda value: self._loaded(generation, value),
            lambda exc: self.status.setText(problem_text("Could not load the listings", exc)),
            context=self,
        )

    def _loaded(self, generation: int, value: Loaded) -> None:
        if generation != self._generation:
            return
        self.model.set_rows(*value)
        self._show_count()

    def apply_filter(self) -> None:
        state = self.state.currentText() if self.state.currentIndex() > 0 else None
        link = self.link.currentText() if self.link.currentIndex() > 0 else None
        errors = self.errors.isChecked()

        def keep(row: ListingRow) -> bool:
            if state is not None and ("missing" if row.missing else row.state) != state:
                return False
            if link is not None and row.link != link:
                return False
            return not errors or row.has_error

        plain = state is None and link is None and not errors
        self.model.set_filter(None if plain else keep, self.search.text())
        self._show_count()

    def _show_count(self) -> None:
        self.count.setText(f"{self.model.rowCount():,} of {self.model.total:,} listings")

    # --- commands -----------------------------------------------------------------------------

    def selected(self) -> ListingRow | None:
        row = self.table.selected_row()
        return self.model.row_at(row) if row is not None else None

    @Slot()
    def link_selected(self) -> None:
        listing = self.selected()
        if listing is None:
            self.status.setText("Select a listing first.")
            return
        # A listing without a title still links; its suggestions then rest on SKUs.
        dialog = LinkDialog(self.controller, listing.listing_id, listing.title or "", self)
        dialog.changed.connect(self.controller.data_changed)
        self.link_dialog = dialog
        dialog.open()

    @Slot()
    def unlink_selected(self) -> None:
        listing = self.selected()
        if listing is None or listing.linked_pools == 0:
            self.status.setText("Select a linked listing first.")
            return
        if not dialogs.ask(
            self,
            "Unlink listing",
            f"Unlink every stock pool of listing {listing.listing_id} ({listing.title})? "
            "Its stock stops syncing until you link it again.",
        ):
            return
        controller = self.controller

        def unlinked(pools: int) -> None:
            self.status.setText(f"Unlinked {pools} stock pool(s).")
            controller.data_changed.emit()

        controller.jobs.submit(
            lambda: controller.service().unlink(listing.listing_id),
            unlinked,
            lambda exc: self.status.setText(problem_text("Could not unlink", exc)),
            context=self,
        )

    @Slot()
    def open_selected(self) -> None:
        listing = self.selected()
        if listing is None or not listing.url:
            self.status.setText("This listing has no Etsy address yet.")
            return
        open_url(QUrl(listing.url))

    @Slot()
    def import_unlinked(self) -> None:
        if not dialogs.ask(
            self,
            "Import unlinked listings",
            "Create a local product for every listing (and a variant for every stock pool) "
            "that is not linked yet, with Etsy's quantity and price, and link them? "
            "This runs a listing sync.",
        ):
            return
        request = SyncRequest("listings", import_unlinked=True)
        submission = self.controller.runner.submit(request)
        self.status.setText(submission.reason or "Importing with a listing sync…")
        if submission.accepted:
            self._import_request = request

    @Slot(object)
    def _import_finished(self, outcome: SyncOutcome) -> None:
        """Say what the import did and why it skipped each listing (never silently nothing)."""
        if outcome.request is not self._import_request:
            return
        self._import_request = None
        result = listing_sync_of(outcome)
        if result is None:
            self.status.setText(outcome_text(outcome)[0])
            return
        database, shop_id = self.controller.database, self.controller.shop_id

        def report(start: CatalogStart) -> None:
            lines = import_report(
                result.imported_products,
                result.imported_variants,
                result.link_problems,
                start.unlinked_by_you,
            )
            self.import_report = lines
            self.status.setText(lines[0])
            if len(lines) > 1:
                dialogs.tell(self, "Import unlinked listings", "\n".join(lines))

        self.controller.jobs.submit(
            lambda: load_catalog_start(database, shop_id), report, context=self
        )

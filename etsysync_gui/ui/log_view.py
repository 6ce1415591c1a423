"""Sync log: the runs (counts, API calls) above, the journal of decisions below.

Filters (time range, run, action, result, listing, text) map onto indexed
columns (``queries.log``); the journal loads in keyset pages as the user
scrolls, so a million rows open as fast as a hundred.  Double-clicking a run
shows only its decisions.  "Export CSV" writes every matching row (not just
the loaded pages) on a worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.db.models import SYNC_ACTIONS, SYNC_RESULTS
from etsysync_gui.queries.dashboard import RunSummary
from etsysync_gui.queries.log import (
    LogFilter,
    LogKey,
    LogPage,
    LogRow,
    export_log_csv,
    fetch_log_page,
    load_runs,
)
from etsysync_gui.ui.catalog_view import choose_save_file
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.details_pane import DetailsPane
from etsysync_gui.ui.formatting import when
from etsysync_gui.ui.log_model import COLUMNS as LOG_COLUMNS
from etsysync_gui.ui.log_model import LogModel
from etsysync_gui.ui.plain_errors import problem_text
from etsysync_gui.ui.row_model import Column, RowTableModel
from etsysync_gui.ui.widgets import FastTableView, LazyView, SearchBox

RECEIPT_SEARCH = re.compile(r"(?:receipts?|order)\s*#?\s*(\d+)", re.IGNORECASE)
"""Typed in the search box, "receipt 123456" shows the decisions that name that Etsy order."""

RANGES: list[tuple[str, timedelta | None]] = [
    ("Any time", None),
    ("Last hour", timedelta(hours=1)),
    ("Last 24 hours", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
]
RUN_COLUMNS: list[Column[RunSummary]] = [
    Column("Run", lambda r: r.id, right=True, width=60),
    Column("Started", lambda r: when(r.started_at), lambda r: r.started_at, width=130),
    Column("Kind", lambda r: r.kind.title, width=100),
    Column("Trigger", lambda r: r.trigger, width=80),
    Column("Status", lambda r: r.status.replace("_", " "), width=150),
    Column("Listings", lambda r: r.counts.listings, right=True, width=70),
    Column("Pushed", lambda r: r.counts.pushes, right=True, width=60),
    Column("Pulled", lambda r: r.counts.pulls, right=True, width=60),
    Column("Merged", lambda r: r.counts.merges, right=True, width=60),
    Column("Conflicts", lambda r: r.counts.conflicts, right=True, width=70),
    Column("Errors", lambda r: r.counts.errors, right=True, width=60),
    Column("API calls", lambda r: r.counts.api_calls, right=True, width=70),
    Column("Etsy writes", lambda r: r.counts.etsy_writes, right=True, width=80),
    Column("Message", lambda r: r.message, tooltip=lambda r: r.message),
]


def describe_entry(entry: LogRow) -> str:
    """One decision in full: which pool (by name), what was done, the numbers, the message."""
    fallback = f"Listing {entry.listing_id}" if entry.listing_id is not None else "Catalog"
    title = escape(entry.listing_title or fallback)
    numbers = " · ".join(
        f"{name} {value}"
        for name, value in (
            ("local", entry.local_quantity),
            ("Etsy", entry.etsy_quantity),
            ("change", entry.quantity_diff),
        )
        if value is not None
    )
    text = (
        f"<b>{title}</b> · {escape(entry.pool_name)}: {escape(entry.action.replace('_', ' '))}"
        f" ({escape(entry.result)}) {when(entry.synced_at)}"
    )
    if numbers:
        text += f"<br>{numbers}"
    if entry.message:
        text += f"<br>{escape(entry.message)}"
    return text


def describe_run(run: RunSummary) -> str:
    text = f"<b>Run {run.id}</b> ({run.kind.title}, {run.trigger}): {run.counts.describe()}"
    if run.message:
        text += f"<br>{escape(run.message)}"
    return text


def _combo(first: str, values: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.addItem(first, None)
    for value in values:
        combo.addItem(value.replace("_", " "), value)
    return combo


class LogView(LazyView):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.run_id: int | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.range = QComboBox()
        for text, _ in RANGES:
            self.range.addItem(text)
        self.action = _combo("Any action", SYNC_ACTIONS)
        self.result = _combo("Any result", SYNC_RESULTS)
        self.listing = QLineEdit()
        self.listing.setPlaceholderText("Listing id")
        self.listing.setMaximumWidth(120)
        self.text = SearchBox("Search messages and pools, or type receipt 123456")
        self.run_chip = QPushButton()
        self.run_chip.setToolTip("Show every run's decisions again")
        self.run_chip.clicked.connect(lambda: self.show_run(None))
        self.run_chip.hide()
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(lambda: self.export_csv())
        for widget in (self.range, self.action, self.result):
            widget.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.listing.editingFinished.connect(self.apply_filter)
        self.text.search.connect(lambda _t: self.apply_filter())
        for field in (self.range, self.action, self.result, self.listing):
            bar.addWidget(field)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.run_chip)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.runs: RowTableModel[RunSummary] = RowTableModel(RUN_COLUMNS, self)
        self.runs_table = FastTableView("runs", self)
        self.runs_table.setModel(self.runs)
        self.runs_table.enable_sorting(0, Qt.SortOrder.DescendingOrder)
        self.runs_table.restore_state([c.width for c in RUN_COLUMNS])
        self.runs_table.doubleClicked.connect(
            lambda index: self.show_run(self.runs.row_at(index.row()).id)
        )
        self.model = LogModel(self._request_page, self)
        self.table = FastTableView("log", self)
        self.table.setModel(self.model)
        self.table.restore_state([w or None for _t, _f, w in LOG_COLUMNS])
        splitter.addWidget(self.runs_table)
        splitter.addWidget(self.table)
        splitter.setSizes([180, 420])
        layout.addWidget(splitter, 1)
        self._add_details_panes(layout)
        self.status = QLabel()
        layout.addWidget(self.status)
        controller.data_changed.connect(self.mark_stale)

    def _add_details_panes(self, layout: QVBoxLayout) -> None:
        """The selected run's and decision's whole text, under the tables."""
        self.details = DetailsPane(
            self.table,
            lambda view_row: describe_entry(self.model.rows[view_row]),
            "Select a decision to read it in full.",
        )
        self.run_details = DetailsPane(
            self.runs_table,
            lambda view_row: describe_run(self.runs.row_at(view_row)),
            "",
            hide_when_empty=True,
        )
        self.run_details.hide()
        layout.addWidget(self.run_details)
        layout.addWidget(self.details)

    # --- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.loaded = True
        database, shop_id = self.controller.database, self.controller.shop_id
        self.controller.jobs.submit(
            lambda: load_runs(database, shop_id), self.runs.set_rows, self._failed, context=self
        )
        self.apply_filter()

    def current_filter(self) -> LogFilter:
        span = RANGES[self.range.currentIndex()][1]
        listing = self.listing.text().strip()
        receipt = RECEIPT_SEARCH.fullmatch(self.text.text().strip())
        return LogFilter(
            since=self.controller.clock() - span if span is not None else None,
            run_id=self.run_id,
            action=self.action.currentData(),
            result=self.result.currentData(),
            listing_id=int(listing) if listing.isdigit() else None,
            text="" if receipt else self.text.text(),
            receipt=int(receipt.group(1)) if receipt else None,
        )

    def apply_filter(self) -> None:
        if self.listing.text().strip() and not self.listing.text().strip().isdigit():
            self.status.setText("A listing id is a number.")
            return
        self.status.setText("Loading…")
        self.model.reset(self.current_filter())

    def _request_page(
        self, flt: LogFilter, after: LogKey | None, deliver: Callable[[LogPage], None]
    ) -> None:
        database = self.controller.database

        def arrived(page: LogPage) -> None:
            deliver(page)
            more = "" if self.model.complete else " (scroll for more)"
            self.status.setText(f"{self.model.rowCount():,} decisions shown{more}")

        self.controller.jobs.submit(
            lambda: fetch_log_page(database, flt, after), arrived, self._failed, context=self
        )

    def show_run(self, run_id: int | None) -> None:
        self.run_id = run_id
        self.run_chip.setText(f"Run {run_id} ✕")
        self.run_chip.setVisible(run_id is not None)
        self.apply_filter()

    def export_csv(self, path: Path | None = None) -> None:
        path = path or choose_save_file(self, "Export the sync log", "sync-log.csv")
        if path is None:
            return
        chosen, flt, database = path, self.current_filter(), self.controller.database
        self.status.setText(f"Exporting to {chosen}…")
        self.controller.jobs.submit(
            lambda: export_log_csv(database, flt, chosen),
            lambda n: self.status.setText(f"Exported {n:,} rows to {chosen}."),
            self._failed,
            context=self,
        )

    def _failed(self, exc: object) -> None:
        self.status.setText(problem_text("Could not read the log", exc))

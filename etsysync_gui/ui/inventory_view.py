"""Inventory: one row per stock pool, both quantities, the bases, and the next step.

"Next sync" is ``sync.decide`` on the known numbers (see ``queries.inventory``).
The local quantity of a linked pool is edited in place: the text is checked
(``catalog.editing.parse_quantity``: a whole number of 0 or more, with a
clear message otherwise) and written to the variant on a worker; the next
inventory sync then pushes it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from etsysync_gui.catalog.editing import CatalogEditError, parse_quantity, set_variant_quantity
from etsysync_gui.policies import ConflictPolicy
from etsysync_gui.queries.inventory import PoolRow, last_etsy_read, load_pools, next_step
from etsysync_gui.sync.inventory.decide import FirstTruth
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.details_pane import DetailsPane
from etsysync_gui.ui.formatting import count, when
from etsysync_gui.ui.plain_errors import problem_text
from etsysync_gui.ui.row_model import Column, Presorted, RowTableModel
from etsysync_gui.ui.widgets import FastTableView, LazyView, SearchBox

LOCAL_COLUMN = 4
ETSY_COLUMN = 5
Loaded = tuple[list[PoolRow], list[str], Presorted, datetime | None]


def etsy_qty_help(latest: datetime | None) -> str:
    """The Etsy column is the figure read at the last sync, not a live one: say when."""
    if latest is None:
        return "Etsy's quantity as read at the last sync (no sync yet)"
    return f"Etsy qty at last sync {when(latest)}: not live; the next sync reads it again"


COLUMNS: list[Column[PoolRow]] = [
    Column("Listing", lambda r: r.listing_id, right=True, width=110),
    Column("Title", lambda r: r.listing_title, width=220, tooltip=lambda r: r.listing_title),
    Column("Stock pool", lambda r: r.label, width=130, tooltip=lambda r: r.pool_key),
    Column("Local SKU", lambda r: r.local_sku, width=100),
    Column(
        "Local qty",
        lambda r: count(r.local_quantity),
        lambda r: r.local_quantity,
        right=True,
        width=70,
        tooltip=lambda r: "Double-click to change the local stock" if r.editable else None,
    ),
    Column(
        "Etsy qty",
        lambda r: count(r.etsy_quantity),
        lambda r: r.etsy_quantity,
        right=True,
        width=70,
    ),
    Column("Base", lambda r: r.base, lambda r: r.base_local, right=True, width=70),
    Column("Status", lambda r: r.status, width=80, tooltip=lambda r: r.message),
    Column("Next sync", lambda r: r.next_action, width=110, tooltip=lambda r: r.next_reason),
    Column("Why", lambda r: r.next_reason, tooltip=lambda r: r.next_reason, width=300),
    Column("Last synced", lambda r: when(r.last_synced_at), lambda r: r.last_synced_at),
]


def describe_pool(row: PoolRow) -> str:
    """The details pane's text: which pool, what the next sync does and why, in full."""
    text = (
        f"<b>{escape(row.listing_title)}</b> · {escape(row.label)}<br>"
        f"Next sync: <b>{escape(row.next_action)}</b> — {escape(row.next_reason)}"
    )
    if row.base_local is not None:
        text += f"<br>Base (agreed at the last sync): {escape(row.base)}"
    if row.message:
        text += f"<br>Last sync: {escape(row.status)} — {escape(row.message)}"
    return text


def search_text(row: PoolRow) -> str:
    parts = (row.listing_id, row.listing_title, row.label, row.sku or "", row.local_sku or "")
    return " ".join(str(p) for p in parts).lower()


class InventoryModel(RowTableModel[PoolRow]):
    edit_requested = Signal(int, int, int)  # source index, variant id, quantity
    invalid_edit = Signal(str)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == LOCAL_COLUMN and self.row_at(index.row()).editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != LOCAL_COLUMN:
            return False
        row = self.row_at(index.row())
        if row.local_variant_id is None:
            return False
        try:
            quantity = parse_quantity(str(value))
        except CatalogEditError as exc:
            self.invalid_edit.emit(exc.message)
            return False
        if quantity == row.local_quantity:
            return False
        self.edit_requested.emit(self.source_index(index.row()), row.local_variant_id, quantity)
        return True


class InventoryView(LazyView):
    quantity_saved = Signal(int, int)  # variant id, quantity

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._generation = 0
        self.model = InventoryModel(COLUMNS, self)
        self.model.edit_requested.connect(self._save_quantity)
        self.model.invalid_edit.connect(self._show_problem)
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.search = SearchBox("Search listing, title, pool or SKU")
        self.search.search.connect(lambda _t: self.apply_filter())
        self.attention = QCheckBox("Needs attention (conflicts, errors, clamped, unlinked, relink)")
        self.attention.toggled.connect(lambda _on: self.apply_filter())
        filters.addWidget(self.search, 1)
        filters.addWidget(self.attention)
        layout.addLayout(filters)
        self.table = FastTableView("inventory", self)
        self.table.setModel(self.model)
        self.table.enable_sorting()
        self.table.restore_state([c.width for c in COLUMNS])
        layout.addWidget(self.table, 1)
        self.details = DetailsPane(
            self.table,
            lambda view_row: describe_pool(self.model.row_at(view_row)),
            "Select a stock pool to see why the next sync does what it does.",
        )
        layout.addWidget(self.details)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.problem.hide()
        # The count and the last edit's outcome have labels of their own: a reload or a
        # filter must not wipe the sentence that says what was saved.
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)
        self.status = QLabel("Loading…")
        layout.addWidget(self.status)
        controller.data_changed.connect(self.mark_stale)

    def policy(self) -> ConflictPolicy:
        return self.controller.settings.profile.conflict_policy

    def reload(self) -> None:
        self.loaded = True
        self._generation += 1
        generation = self._generation
        database, shop_id, policy = self.controller.database, self.controller.shop_id, self.policy()
        model, spec = self.model, self.model.sort_spec

        def load() -> Loaded:
            rows = load_pools(database, shop_id, policy)
            latest = last_etsy_read(database, shop_id)
            return rows, [search_text(r) for r in rows], model.presort(rows, spec), latest

        self.controller.jobs.submit(
            load,
            lambda value: self._loaded(generation, value),
            lambda exc: self.status.setText(problem_text("Could not load the stock", exc)),
            context=self,
        )

    def _loaded(self, generation: int, value: Loaded) -> None:
        if generation != self._generation:
            return
        rows, search, presorted, latest = value
        self.model.set_rows(rows, search, presorted)
        self.model.set_header_help(ETSY_COLUMN, etsy_qty_help(latest))
        self._show_count()

    def apply_filter(self) -> None:
        attention = self.attention.isChecked()
        self.model.set_filter(
            (lambda r: r.needs_attention) if attention else None, self.search.text()
        )
        self._show_count()

    def _show_count(self) -> None:
        attention = sum(1 for r in self.model.visible_rows() if r.needs_attention)
        self.status.setText(
            f"{self.model.rowCount():,} of {self.model.total:,} stock pools · "
            f"{attention:,} need attention · double-click a local quantity to change it"
        )

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setVisible(bool(message))

    def _save_quantity(self, source: int, variant_id: int, quantity: int) -> None:
        self._show_problem("")
        self.outcome.clear()
        database = self.controller.database
        policy = self.policy()
        old = self.model.source_row(source)

        def saved(_: object) -> None:
            action, reason, conflict, clamped = next_step(
                quantity,
                old.etsy_quantity,
                old.base_local,
                old.base_etsy,
                policy=policy,
                first_truth=FirstTruth(old.first_truth),
            )
            row = replace(
                old,
                local_quantity=quantity,
                next_action=action,
                next_reason=reason,
                conflict=conflict,
                clamped=clamped,
            )
            self.model.replace_row(source, row)
            self.outcome.setText(
                f"Saved: {old.label} now {quantity} locally. Next sync: {action} ({reason})."
            )
            self.quantity_saved.emit(variant_id, quantity)

        self.controller.jobs.submit(
            lambda: set_variant_quantity(database, variant_id, quantity),
            saved,
            lambda exc: self._show_problem(problem_text("Not saved", exc)),
            context=self,
        )

"""Sales: Etsy sales per day and per item, from the sales ledger (no Etsy call).

Why here: every stock sync already reads the shop's orders to catch the sales
a write erased (``sync.ledger``); showing them costs nothing more.  The view
only presents ``queries.sales``; a time range narrows both tables.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from etsysync_gui.queries.sales import DaySales, ItemSales, sales_per_day, sales_per_item
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.formatting import when
from etsysync_gui.ui.row_model import Column, RowTableModel
from etsysync_gui.ui.widgets import FastTableView, LazyView

RANGES: list[tuple[str, timedelta | None]] = [
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
    ("Everything the ledger holds", None),
]
DAY_COLUMNS: list[Column[DaySales]] = [
    Column("Day (UTC)", lambda r: r.day.isoformat(), width=110),
    Column("Orders", lambda r: r.orders, right=True, width=70),
    Column("Sold", lambda r: r.units, right=True, width=70),
    Column("Canceled", lambda r: r.canceled_units, right=True, width=80),
]
ITEM_COLUMNS: list[Column[ItemSales]] = [
    Column("Listing", lambda r: r.listing_id, right=True, width=110),
    Column("Title", lambda r: r.title, width=260),
    Column("SKU", lambda r: r.sku, width=120),
    Column("Orders", lambda r: r.orders, right=True, width=70),
    Column("Sold", lambda r: r.units, right=True, width=70),
    Column("Last sale", lambda r: when(r.last_sold), lambda r: r.last_sold, width=130),
]


class SalesView(LazyView):
    """Two tables: sales per day (newest first) and per item (best sellers first)."""

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.range = QComboBox()
        for text, _ in RANGES:
            self.range.addItem(text)
        self.range.currentIndexChanged.connect(lambda _i: self.reload())
        bar.addWidget(self.range)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.days: RowTableModel[DaySales] = RowTableModel(DAY_COLUMNS, self)
        self.items: RowTableModel[ItemSales] = RowTableModel(ITEM_COLUMNS, self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for name, model, columns in (
            ("sales-days", self.days, DAY_COLUMNS),
            ("sales-items", self.items, ITEM_COLUMNS),
        ):
            table = FastTableView(name, self)
            table.setModel(model)
            table.restore_state([c.width for c in columns])
            splitter.addWidget(table)
        splitter.setSizes([340, 760])
        layout.addWidget(splitter, 1)
        self.status = QLabel()
        layout.addWidget(self.status)
        controller.data_changed.connect(self.mark_stale)

    def reload(self) -> None:
        self.loaded = True
        shop_id = self.controller.shop_id
        if shop_id is None:
            self.status.setText("Connect a shop to see its Etsy sales.")
            return
        span = RANGES[self.range.currentIndex()][1]
        since = None if span is None else int((self.controller.clock() - span).timestamp())
        database = self.controller.database

        def load() -> tuple[list[DaySales], list[ItemSales]]:
            return (
                sales_per_day(database, shop_id, since=since),
                sales_per_item(database, shop_id, since=since),
            )

        self.status.setText("Loading…")
        self.controller.jobs.submit(load, self._show, self._failed, context=self)

    def _show(self, result: tuple[list[DaySales], list[ItemSales]]) -> None:
        days, items = result
        self.days.set_rows(days)
        self.items.set_rows(items)
        sold = sum(d.units for d in days)
        self.status.setText(
            f"{sold:,} sold on Etsy in {sum(d.orders for d in days):,} orders "
            "(read from the orders each stock sync fetches; no extra Etsy call)."
        )

    def _failed(self, exc: object) -> None:
        self.status.setText(f"Could not read the sales: {exc}")

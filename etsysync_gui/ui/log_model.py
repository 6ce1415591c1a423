"""``LogModel``: the journal, one page at a time, newest first (keyset paging).

The view asks for more when the user scrolls near the end (Qt's
``canFetchMore`` / ``fetchMore``); the page is read on a worker by
``queries.log.fetch_log_page`` and appended.  A new filter starts a new
generation, so a page that arrives for an old filter is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from etsysync_gui.queries.log import LogFilter, LogKey, LogPage, LogRow
from etsysync_gui.ui.column_help import column_help
from etsysync_gui.ui.formatting import when

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
PageRequest = Callable[[LogFilter, LogKey | None, Callable[[LogPage], None]], None]

COLUMNS: list[tuple[str, Callable[[LogRow], Any], int]] = [
    ("When", lambda r: when(r.synced_at), 130),
    ("Run", lambda r: r.run_id, 60),
    ("Listing", lambda r: r.listing_id, 100),
    ("Title", lambda r: r.listing_title or ("Catalog" if r.listing_id is None else None), 200),
    ("Stock pool", lambda r: r.pool_name, 120),
    ("Action", lambda r: r.action.replace("_", " "), 100),
    ("Result", lambda r: r.result, 70),
    ("Local", lambda r: r.local_quantity, 55),
    ("Etsy", lambda r: r.etsy_quantity, 55),
    ("Diff", lambda r: r.quantity_diff, 55),
    ("Message", lambda r: r.message, 0),
]


class LogModel(QAbstractTableModel):
    def __init__(self, request_page: PageRequest, parent: Any = None) -> None:
        super().__init__(parent)
        self._request_page = request_page
        self.rows: list[LogRow] = []
        self.filter = LogFilter()
        self._next: LogKey | None = None
        self._more = False
        self._loading = False
        self._generation = 0
        self.pages_loaded = 0

    def reset(self, flt: LogFilter) -> None:
        """Start over with ``flt``: clear and ask for the first page."""
        self._generation += 1
        self.beginResetModel()
        self.rows, self.filter, self._next, self._more = [], flt, None, False
        self.pages_loaded = 0
        self.endResetModel()
        self._load(None)

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def complete(self) -> bool:
        return not self._more and not self._loading

    def _load(self, after: LogKey | None) -> None:
        self._loading = True
        generation = self._generation
        self._request_page(self.filter, after, lambda page: self._append(generation, page))

    def _append(self, generation: int, page: LogPage) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.pages_loaded += 1
        if page.rows:
            start = len(self.rows)
            self.beginInsertRows(_ROOT, start, start + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self._next = page.next_key
        self._more = page.next_key is not None

    def canFetchMore(self, parent: Index = _ROOT) -> bool:
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: Index = _ROOT) -> None:
        if self.canFetchMore(parent):
            self._load(self._next)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = COLUMNS[index.column()][1](self.rows[index.row()])
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == len(COLUMNS) - 1:
            return self.rows[index.row()].message
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()][0] == "Stock pool":
            return self.rows[index.row()].pool_key
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return column_help(COLUMNS[section][0])
        return None

"""``RowTableModel``: a read-mostly table of frozen rows that stays fast at 100,000 rows.

Why not ``QSortFilterProxyModel``: its filter calls back into Python once per
row, which at 100,000 rows costs more than a keystroke may.  Here sorting
orders the row indexes once (Python's sort, keys computed once per sort), and
filtering keeps the rows of that order whose predicate holds and whose
lower-cased search text (built on the worker that loaded the rows) contains
the needle: one list comprehension, no Qt calls per row.  Only the visible
cells are ever formatted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from etsysync_gui.ui.column_help import column_help

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
SortSpec = tuple[int, Qt.SortOrder]
Presorted = tuple["SortSpec | None", list[int]]
_ROOT = QModelIndex()


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    value: Callable[[R], Any]
    sort_key: Callable[[R], Any] | None = None
    right: bool = False
    tooltip: Callable[[R], str | None] | None = None
    width: int | None = None
    help: str | None = None
    """The header's tooltip; ``None``: the shared words of ``column_help``."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _sortable(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


class RowTableModel(QAbstractTableModel, Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[R] = []
        self._search: list[str] = []
        self._order: list[int] = []
        self._visible: list[int] = []
        self._predicate: Callable[[R], bool] | None = None
        self._needle = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._header_help: dict[int, str] = {}

    # --- data in -----------------------------------------------------------------------

    def set_rows(
        self, rows: list[R], search: list[str] | None = None, presorted: Presorted | None = None
    ) -> None:
        """New rows (``search``: one lower-cased text per row, for the text filter).

        ``presorted`` is ``(sort_spec, order)`` computed on the worker that
        loaded the rows (``sorted_order``); it is used when the sort has not
        changed meanwhile, so the GUI thread does not sort 100,000 rows.
        """
        self._rows = rows
        self._search = search if search is not None else [""] * len(rows)
        if presorted is not None and presorted[0] == self._sort:
            self._order = presorted[1]
        elif self._sort is not None:
            self._order = self._sorted(*self._sort)
        else:
            self._order = list(range(len(rows)))
        self._refilter()

    @property
    def sort_spec(self) -> SortSpec | None:
        return self._sort

    def presort(self, rows: list[R], spec: SortSpec | None) -> Presorted:
        """``(spec, order)`` for ``set_rows``; thread-safe (touches no model state)."""
        if spec is None:
            return spec, list(range(len(rows)))
        return spec, sorted_order(self.columns[spec[0]], rows, spec[1])

    def replace_row(self, source_index: int, row: R, search: str | None = None) -> None:
        """Update one row in place (an edit), keeping order and filter."""
        self._rows[source_index] = row
        if search is not None:
            self._search[source_index] = search
        try:
            view_row = self._visible.index(source_index)
        except ValueError:
            return
        self.dataChanged.emit(self.index(view_row, 0), self.index(view_row, len(self.columns) - 1))

    def set_filter(self, predicate: Callable[[R], bool] | None, text: str = "") -> None:
        self._predicate = predicate
        self._needle = text.strip().lower()
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        needle, predicate, rows, search = self._needle, self._predicate, self._rows, self._search
        order = self._order
        if needle:
            order = [i for i in order if needle in search[i]]
        if predicate is not None:
            order = [i for i in order if predicate(rows[i])]
        self._visible = order
        self.endResetModel()

    # --- reading -----------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self._rows)

    def row_at(self, view_row: int) -> R:
        return self._rows[self._visible[view_row]]

    def source_row(self, source_index: int) -> R:
        return self._rows[source_index]

    def source_index(self, view_row: int) -> int:
        return self._visible[view_row]

    def visible_rows(self) -> list[R]:
        return [self._rows[i] for i in self._visible]

    def find(self, match: Callable[[R], bool]) -> int | None:
        """The view row of the first visible row that matches."""
        for view_row, i in enumerate(self._visible):
            if match(self._rows[i]):
                return view_row
        return None

    # --- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.EditRole:
            return _text(column.value(self._rows[self._visible[index.row()]]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(self._rows[self._visible[index.row()]])
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_help.get(section) or column.help or column_help(column.title)
        return None

    def set_header_help(self, section: int, text: str) -> None:
        """Override one header's tooltip at run time (it may name a time, a count)."""
        self._header_help[section] = text
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, section, section)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order)
        self._order = self._sorted(column, order)
        self._refilter()

    def _sorted(self, column: int, order: Qt.SortOrder) -> list[int]:
        return sorted_order(self.columns[column], self._rows, order)


def sorted_order(column: Column[R], rows: list[R], order: Qt.SortOrder) -> list[int]:
    """Row indexes in ``column`` order (None last when ascending)."""
    key = column.sort_key or column.value
    keys = [_sortable(key(row)) for row in rows]
    reverse = order == Qt.SortOrder.DescendingOrder
    return sorted(range(len(rows)), key=keys.__getitem__, reverse=reverse)

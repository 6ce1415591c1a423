"""The review table's model with a tick box per row: untick what must not be written.

Ticks belong to listings, not rows: a listing is one write to Etsy, so
unticking any of its rows unticks all of them (``plan_subset`` says why).
``left_out`` is what the dialog removes from the plan before it is applied.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal

from etsysync_gui.ui.row_model import Column, RowTableModel

Index = QModelIndex | QPersistentModelIndex
TICK_COLUMN = 0


class ChoiceModel(RowTableModel[Any]):
    """``RowTableModel`` of plan rows (anything with ``listing_id``) with a tick column."""

    ticks_changed = Signal()

    def __init__(self, columns: list[Column[Any]], parent: Any = None) -> None:
        super().__init__(columns, parent)
        self.left_out: set[int] = set()

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == TICK_COLUMN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == TICK_COLUMN:
            left_out = self.row_at(index.row()).listing_id in self.left_out
            return Qt.CheckState.Unchecked if left_out else Qt.CheckState.Checked
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != TICK_COLUMN:
            return False
        ticked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        self.tick(self.row_at(index.row()).listing_id, ticked)
        return True

    def tick(self, listing_id: int, ticked: bool) -> None:
        """Tick or untick every row of one listing."""
        if ticked:
            self.left_out.discard(listing_id)
        else:
            self.left_out.add(listing_id)
        if self.rowCount():
            last = self.index(self.rowCount() - 1, TICK_COLUMN)
            self.dataChanged.emit(self.index(0, TICK_COLUMN), last)
        self.ticks_changed.emit()

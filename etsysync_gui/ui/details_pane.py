"""A pane under a table that shows the selected row's whole explanation.

Why: the "Why" and "Message" columns hold the sentences that explain a
decision, and on a laptop screen they sit off to the right, elided.  The
pane shows them in full, wrapped, for the row the seller selected, whatever
the window's width.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QFrame, QLabel, QTableView, QWidget


class DetailsPane(QLabel):
    """Follows ``table``'s selection; ``describe(view_row)`` gives the (rich) text.

    ``hide_when_empty``: hidden while no row is selected (the sync log's runs pane, so a
    small screen keeps its height for the decisions).
    """

    def __init__(
        self,
        table: QTableView,
        describe: Callable[[int], str],
        placeholder: str,
        parent: QWidget | None = None,
        *,
        hide_when_empty: bool = False,
    ) -> None:
        super().__init__(placeholder, parent)
        self.setObjectName("detailsPane")
        self._describe = describe
        self._placeholder = placeholder
        self._table = table
        self._hide_when_empty = hide_when_empty
        self.setWordWrap(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMargin(6)
        self.setMinimumHeight(self.fontMetrics().height() * 3 + 12)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        selection = table.selectionModel()
        selection.selectionChanged.connect(self._selection_changed)
        model = table.model()
        model.modelReset.connect(self.refresh)
        model.dataChanged.connect(lambda *_args: self.refresh())

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.refresh()

    def refresh(self) -> None:
        rows = self._table.selectionModel().selectedRows()
        empty = not rows or rows[0].row() >= self._table.model().rowCount()
        if self._hide_when_empty:
            self.setVisible(not empty)  # a second pane only while it has something to say
        self.setText(self._placeholder if empty else self._describe(rows[0].row()))

"""The progress bar and Cancel button of a catalog CSV import.

The import runs on a worker (``catalog.importer.import_catalog``) and calls
``ImportProgressDialog.report`` after each chunk, from that worker thread:
the ``progressed`` signal carries the numbers to the GUI thread (queued), so
the bar moves without the GUI thread ever waiting on the database.  Cancel
sets a ``threading.Event`` the importer checks between chunks; a cancelled
import rolls its single transaction back, so nothing is imported.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from etsysync_gui.catalog.importer import ImportProgress

STEPS = 1000


class ImportProgressDialog(QProgressDialog):
    """Shows rows imported so far; Cancel stops the import and keeps nothing of it."""

    progressed = Signal(int, float)

    def __init__(
        self, file_name: str, parent: QWidget | None = None, *, checking: bool = False
    ) -> None:
        """``checking``: the preview's pass (nothing is written), worded as such."""
        verb = "Checking" if checking else "Importing"
        super().__init__(f"{verb} {file_name}…", "Cancel", 0, STEPS, parent)
        self.setWindowTitle("Import catalog")
        self._done = "Checked" if checking else "Imported"
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.cancel_event = threading.Event()
        self.canceled.connect(self._cancel)
        self.progressed.connect(self._show)

    def report(self, update: ImportProgress) -> None:
        """Called on the worker thread; safe because the signal is delivered queued."""
        self.progressed.emit(update.rows, update.fraction)

    def finish(self) -> None:
        """Hide once the import ended (closing would emit ``canceled`` and reset the bar)."""
        self.hide()

    @Slot()
    def _cancel(self) -> None:
        self.cancel_event.set()
        self.setLabelText("Cancelling: nothing of this file will be imported…")

    @Slot(int, float)
    def _show(self, rows: int, fraction: float) -> None:
        if not self.cancel_event.is_set():
            self.setLabelText(f"{self._done} {rows:,} rows so far…")
        self.setValue(int(fraction * STEPS))

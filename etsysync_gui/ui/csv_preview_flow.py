"""The step in front of every catalog CSV import in the GUI: check the file, show the preview.

Why one place: the Catalog view and the "Build your catalog" dialog both
import spreadsheets, and both must show the seller what would change before
anything does.  The file is checked on a worker (``preview_import``, with
the same progress bar and Cancel as the import); the GUI thread only shows
the result.  ``accepted(skip_invalid)`` runs when the seller presses Import;
``stopped(message)`` when the check failed or the seller cancelled, with
the sentence to show.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from etsysync_gui.catalog.importer import ImportCancelled
from etsysync_gui.catalog.preview import ImportPreview, preview_import
from etsysync_gui.db.engine import Database
from etsysync_gui.ui.import_preview_dialog import ImportPreviewDialog
from etsysync_gui.ui.import_progress_dialog import ImportProgressDialog
from etsysync_gui.ui.infra.jobs import JobRunner
from etsysync_gui.ui.plain_errors import plain_error

CANCELLED = "Import cancelled; the catalog is unchanged."


class CsvPreviewFlow:
    """One preview at a time for ``parent``; the dialogs are kept for tests and screenshots."""

    def __init__(self, parent: QWidget, jobs: JobRunner, database: Database) -> None:
        self.parent, self.jobs, self.database = parent, jobs, database
        self.progress: ImportProgressDialog | None = None
        self.dialog: ImportPreviewDialog | None = None

    def start(
        self, path: Path, accepted: Callable[[bool], None], stopped: Callable[[str], None]
    ) -> None:
        progress = ImportProgressDialog(path.name, self.parent, checking=True)
        self.progress = progress
        progress.show()
        database = self.database

        def shown(preview: ImportPreview) -> None:
            progress.finish()
            dialog = ImportPreviewDialog(preview, self.parent)
            self.dialog = dialog
            dialog.accepted.connect(lambda: accepted(preview.invalid_count > 0))
            dialog.rejected.connect(lambda: stopped(CANCELLED))
            dialog.open()

        def failed(exc: object) -> None:
            progress.finish()
            stopped(CANCELLED if isinstance(exc, ImportCancelled) else plain_error(str(exc)).text)

        self.jobs.submit(
            lambda: preview_import(
                database, path, progress=progress.report, cancel=progress.cancel_event
            ),
            shown,
            failed,
            context=self.parent,
        )

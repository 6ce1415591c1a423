"""The main window.

For now it shows where the shop's data lives and the schema it is at; the
dashboard, table views and sync controls arrive with the sync engine.  It
only presents what start-up already gathered, so it never touches the
database on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QMainWindow, QWidget

from etsysync_gui import APP_NAME, __version__
from etsysync_gui.bootstrap import AppContext
from etsysync_gui.db.urls import mask_url


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setWindowTitle(f"{APP_NAME} — {context.settings.profile.name}")
        self.resize(900, 600)
        body = QWidget(self)
        form = QFormLayout(body)
        database = context.require_database()
        revision = context.migration.after if context.migration else None
        form.addRow("Profile:", QLabel(context.settings.profile.name))
        form.addRow("Database:", QLabel(mask_url(database.url)))
        form.addRow("Schema revision:", QLabel(str(revision)))
        form.addRow("Log file:", QLabel(str(context.log_file)))
        self.setCentralWidget(body)
        self.statusBar().showMessage(f"{APP_NAME} {__version__}")

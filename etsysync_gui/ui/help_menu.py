"""The Help menu: the user guide, the log folder, About.

Why these three: a seller who is stuck needs the guide (the ``docs/`` shipped
beside the app, else the online copy), and a seller asked for "the log" by
whoever helps them needs to find the file without knowing where platformdirs
puts it.  URLs open through ``open_url`` so tests can watch instead of
launching a browser.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from etsysync_gui import APP_NAME, __version__
from etsysync_gui.paths import docs_dir, user_log_dir

ONLINE_GUIDE = "https://etsysync.app"  # the homepage in the AppStream metadata


def user_guide_url() -> QUrl:
    """The local guide (``docs/README.md``) when shipped, else the online one."""
    local = docs_dir() / "README.md"
    if local.is_file():
        return QUrl.fromLocalFile(str(local))
    return QUrl(ONLINE_GUIDE)


def log_folder_url() -> QUrl:
    folder: Path = user_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QUrl.fromLocalFile(str(folder))


class HelpMenu:
    """Adds the menu to ``window``; ``open_url`` is ``QDesktopServices.openUrl`` in the app."""

    def __init__(
        self,
        window: QMainWindow,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
    ) -> None:
        self.window = window
        self.open_url = open_url
        menu = window.menuBar().addMenu("&Help")
        self.guide = QAction("&User guide", window)
        self.guide.setShortcut(QKeySequence("F1"))
        self.logs = QAction("Open the &log folder", window)
        self.about = QAction(f"&About {APP_NAME}", window)
        self.guide.triggered.connect(lambda _checked=False: self.open_url(user_guide_url()))
        self.logs.triggered.connect(lambda _checked=False: self.open_url(log_folder_url()))
        self.about.triggered.connect(lambda _checked=False: self.show_about())
        for action in (self.guide, self.logs, self.about):
            menu.addAction(action)
            window.addAction(action)
        self.about_box: QMessageBox | None = None

    def about_text(self) -> str:
        return (
            f"<b>{APP_NAME} {__version__}</b><br>Keeps your Etsy listings' stock in step with "
            f"your catalog.<br>Log files: {user_log_dir()}<br>"
            "EtsySync uses the Etsy API but is not endorsed or certified by Etsy, Inc."
        )

    def show_about(self) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle(f"About {APP_NAME}")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(self.about_text())
        box.setIconPixmap(self.window.windowIcon().pixmap(64, 64))
        self.about_box = box
        box.open()

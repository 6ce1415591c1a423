"""The tray icon: status, "Sync now", open, quit; and desktop notifications.

Notifications (``showMessage``) are for what the seller must know without
looking: a sync that failed, or Etsy needing a reconnect.  Every message is
also kept in ``messages`` (the last few), which the tests read and which
still says what happened where no tray exists (offscreen, some desktops).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from etsysync_gui import APP_NAME
from etsysync_gui.paths import resources_dir
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.settings_dialog import NOTIFY_KEY
from etsysync_gui.ui.widgets import gui_settings

MAX_MESSAGES = 20


def app_icon() -> QIcon:
    folder = resources_dir() / "icons"
    icon = QIcon(str(folder / "etsysync.svg"))
    for size in (16, 24, 32, 48, 64, 128, 256):
        png = folder / f"etsysync-{size}.png"
        if png.is_file():
            icon.addFile(str(png))
    return icon


class Tray(QObject):
    open_requested = Signal()
    quit_requested = Signal()

    def __init__(self, controller: AppController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.messages: list[tuple[str, str, bool]] = []
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.menu = QMenu()
        self.status_action = QAction("Idle", self.menu)
        self.status_action.setEnabled(False)
        self.sync_action = QAction("Sync now (listings and stock)", self.menu)
        self.open_action = QAction(f"Open {APP_NAME}", self.menu)
        self.quit_action = QAction("Quit", self.menu)
        for action in (self.status_action, self.sync_action, self.open_action, self.quit_action):
            self.menu.addAction(action)
        self.menu.insertSeparator(self.sync_action)
        self.sync_action.triggered.connect(self.sync_now)
        self.open_action.triggered.connect(self.open_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.setToolTip(APP_NAME)
        controller.notify.connect(self.notify)
        controller.runner.started.connect(self._started)
        controller.runner.finished.connect(self._finished)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        if self.available():
            self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def is_shown(self) -> bool:
        return self.icon.isVisible()

    @Slot()
    def sync_now(self) -> None:
        submission = self.controller.runner.submit(SyncRequest("all"))
        if submission.reason:
            self.set_status(submission.reason)

    def set_status(self, text: str) -> None:
        self.status_action.setText(text)
        self.icon.setToolTip(f"{APP_NAME}: {text}")

    @Slot(str, str, bool)
    def notify(self, title: str, message: str, is_error: bool) -> None:
        self.messages = [*self.messages[-(MAX_MESSAGES - 1) :], (title, message, is_error)]
        if str(gui_settings().value(NOTIFY_KEY, "true")) != "true":
            return
        if self.is_shown() and QSystemTrayIcon.supportsMessages():
            kind = (
                QSystemTrayIcon.MessageIcon.Warning
                if is_error
                else QSystemTrayIcon.MessageIcon.Information
            )
            self.icon.showMessage(title, message, kind, 10_000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    @Slot(object)
    def _started(self, request: SyncRequest) -> None:
        self.set_status(f"{request.title} running…")

    @Slot(object)
    def _finished(self, outcome: SyncOutcome) -> None:
        self.set_status(outcome.summary)

"""The tray icon: status, "Sync now", Pause / Resume, open, quit; and desktop notifications.

The icon and its tooltip show the state (``sync_state``: syncing, paused,
needs you), so the seller sees it without opening the menu; a red badge sits
on the icon whenever the Needs you inbox holds anything (``set_waiting``).

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
from etsysync_gui.ui.controller import AppController, Connection
from etsysync_gui.ui.sync_state import (
    SyncState,
    needs_reconnect,
    paused_by_user,
    state_icon,
    state_words,
    sync_state,
)
from etsysync_gui.ui.tray_choices import NOTIFY_KEY
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
        self.pause_action = QAction("Pause syncing", self.menu)
        self.pause_action.setEnabled(controller.scheduler is not None)
        self.open_action = QAction(f"Open {APP_NAME}", self.menu)
        self.quit_action = QAction("Quit", self.menu)
        for action in (
            self.status_action,
            self.sync_action,
            self.pause_action,
            self.open_action,
            self.quit_action,
        ):
            self.menu.addAction(action)
        self.menu.insertSeparator(self.sync_action)
        self.sync_action.triggered.connect(self.sync_now)
        self.pause_action.triggered.connect(self.toggle_pause)
        self.open_action.triggered.connect(self.open_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._base_icon = app_icon()
        self._status_text = "Idle"
        self.state = SyncState.WAITING
        self.waiting = 0
        """Items in the Needs you inbox (the badge shows while there are any)."""
        self.badge = False
        controller.notify.connect(self.notify)
        controller.runner.started.connect(self._started)
        controller.runner.finished.connect(self._finished)
        controller.scheduler_changed.connect(lambda _snapshot: self.refresh_state())
        controller.connection_changed.connect(self._connection)
        self.refresh_state()

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

    @Slot()
    def toggle_pause(self) -> None:
        self.controller.set_paused(not paused_by_user(self.controller.scheduler_snapshot))

    def set_status(self, text: str) -> None:
        self._status_text = text
        self.status_action.setText(text)
        self.refresh_state()

    def refresh_state(self) -> None:
        """Icon, tooltip and the Pause / Resume label from the controller's latest news."""
        c = self.controller
        reconnect = needs_reconnect(c.scheduler_snapshot, c.connection.state)
        self.state = sync_state(
            c.scheduler_snapshot,
            running=c.runner.current is not None,
            connection_state=c.connection.state,
            waiting=self.waiting,
        )
        self.badge = reconnect or self.waiting > 0
        self.icon.setIcon(state_icon(self._base_icon, self.state, badge=self.badge))
        words = state_words(self.state, waiting=self.waiting, reconnect=reconnect)
        self.icon.setToolTip(f"{APP_NAME}: {words}\n{self._status_text}")
        paused = paused_by_user(c.scheduler_snapshot)
        self.pause_action.setText("Resume syncing" if paused else "Pause syncing")

    @Slot(int)
    def set_waiting(self, count: int) -> None:
        """How many items the Needs you inbox holds (its ``count_changed``)."""
        if count != self.waiting:
            self.waiting = count
            self.refresh_state()

    @Slot(object)
    def _connection(self, _connection: Connection) -> None:
        self.refresh_state()

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

"""One word for what the app is doing: syncing, paused, needs you, or waiting.

Why a module of its own: the tray icon, its tooltip and the dashboard's
Pause / Resume button must agree on the same facts (the scheduler's
snapshot, the runner, the connection), so the rule lives once, here, and the
icon is drawn from it (a coloured dot on the app icon, since a tray shows
only a few pixels).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from etsysync_gui.scheduling.record import AUTH_PAUSE
from etsysync_gui.scheduling.scheduler import USER_PAUSE
from etsysync_gui.scheduling.snapshot import SchedulerSnapshot

ICON_SIZE = 64


class SyncState(StrEnum):
    WAITING = "waiting"
    SYNCING = "syncing"
    PAUSED = "paused"
    NEEDS_YOU = "needs you"


STATE_WORDS = {
    SyncState.WAITING: "up to date, waiting for the next sync",
    SyncState.SYNCING: "syncing…",
    SyncState.PAUSED: "paused (Resume in this menu or on the dashboard)",
    SyncState.NEEDS_YOU: "needs you: reconnect to Etsy",
}
DOT_COLOURS = {
    SyncState.SYNCING: "#1e88e5",
    SyncState.PAUSED: "#9e9e9e",
    SyncState.NEEDS_YOU: "#e53935",
}


def paused_by_user(snapshot: SchedulerSnapshot | None) -> bool:
    """Every scheduled job is on but paused by the seller (the Pause button)."""
    if snapshot is None:
        return False
    jobs = [job for job in snapshot.jobs if job.enabled]
    return bool(jobs) and all(job.paused_reason == USER_PAUSE for job in jobs)


def sync_state(
    snapshot: SchedulerSnapshot | None, *, running: bool, connection_state: str
) -> SyncState:
    """The word the tray shows; "needs you" outranks a running sync and a pause."""
    auth_paused = snapshot is not None and any(
        (job.paused_reason or "").startswith(AUTH_PAUSE) for job in snapshot.jobs
    )
    if connection_state == "needs_user" or auth_paused:
        return SyncState.NEEDS_YOU
    if running:
        return SyncState.SYNCING
    if paused_by_user(snapshot):
        return SyncState.PAUSED
    return SyncState.WAITING


def state_icon(base: QIcon, state: SyncState) -> QIcon:
    """``base`` with a dot in the corner for every state but "waiting"."""
    colour = DOT_COLOURS.get(state)
    if colour is None:
        return base
    pixmap = base.pixmap(ICON_SIZE, ICON_SIZE)
    if pixmap.isNull():
        pixmap = QPixmap(ICON_SIZE, ICON_SIZE)
        pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("white"))
    painter.setBrush(QColor(colour))
    radius = ICON_SIZE * 0.22
    centre = QPointF(ICON_SIZE - radius - 1, ICON_SIZE - radius - 1)
    painter.drawEllipse(centre, radius, radius)
    painter.end()
    return QIcon(pixmap)

"""One word for what the app is doing: syncing, paused, needs you, or waiting.

Why a module of its own: the tray icon, its tooltip and the dashboard's
Pause / Resume button must agree on the same facts (the scheduler's
snapshot, the runner, the connection, what waits in Needs you), so the rule
lives once, here, and the icon is drawn from it.  A tray shows only a few
pixels, so the icon carries two marks: a dot in the lower corner for what the
app is doing (blue syncing, grey paused) and a red badge in the upper corner
whenever something waits for the seller (a reconnect, or any item in Needs
you), so a running sync never hides that the seller is needed.
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
}
BADGE_COLOUR = "#e53935"


def paused_by_user(snapshot: SchedulerSnapshot | None) -> bool:
    """Every scheduled job is on but paused by the seller (the Pause button)."""
    if snapshot is None:
        return False
    jobs = [job for job in snapshot.jobs if job.enabled]
    return bool(jobs) and all(job.paused_reason == USER_PAUSE for job in jobs)


def needs_reconnect(snapshot: SchedulerSnapshot | None, connection_state: str) -> bool:
    """Etsy refused the app's access: nothing syncs until the seller reconnects."""
    auth_paused = snapshot is not None and any(
        (job.paused_reason or "").startswith(AUTH_PAUSE) for job in snapshot.jobs
    )
    return connection_state == "needs_user" or auth_paused


def sync_state(
    snapshot: SchedulerSnapshot | None,
    *,
    running: bool,
    connection_state: str,
    waiting: int = 0,
) -> SyncState:
    """The word the tray shows.

    A reconnect outranks everything (nothing else can happen); then a running
    sync and a pause (what the app does); then ``waiting`` items in Needs you.
    """
    if needs_reconnect(snapshot, connection_state):
        return SyncState.NEEDS_YOU
    if running:
        return SyncState.SYNCING
    if paused_by_user(snapshot):
        return SyncState.PAUSED
    return SyncState.NEEDS_YOU if waiting else SyncState.WAITING


def state_words(state: SyncState, *, waiting: int, reconnect: bool) -> str:
    """The tooltip's words: the state, and how many things wait when that is not the state."""
    if state is SyncState.NEEDS_YOU and not reconnect:
        return f"{_need(waiting)} (open Needs you)"
    words = STATE_WORDS[state]
    if waiting and not reconnect:
        words += f"; {_need(waiting)}"
    return words


def _need(count: int) -> str:
    return "1 thing needs you" if count == 1 else f"{count:,} things need you"


def state_icon(base: QIcon, state: SyncState, *, badge: bool = False) -> QIcon:
    """``base`` with the state's dot in the lower corner and, when ``badge``, a red dot above."""
    colour = DOT_COLOURS.get(state)
    if colour is None and not badge:
        return base
    pixmap = base.pixmap(ICON_SIZE, ICON_SIZE)
    if pixmap.isNull():
        pixmap = QPixmap(ICON_SIZE, ICON_SIZE)
        pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("white"))
    radius = ICON_SIZE * 0.22
    low = ICON_SIZE - radius - 1
    if colour is not None:
        painter.setBrush(QColor(colour))
        painter.drawEllipse(QPointF(low, low), radius, radius)
    if badge:
        painter.setBrush(QColor(BADGE_COLOUR))
        painter.drawEllipse(QPointF(low, radius + 1), radius, radius)
    painter.end()
    return QIcon(pixmap)

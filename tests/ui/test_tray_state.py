"""The tray: a red badge whenever Needs you holds anything, and news told once.

The state rule is checked on plain values; the badge and the messages on the
real window, with a conflict made the way a seller meets one (see
``test_needs_you``) and runs against the fake Etsy over HTTP.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon
from pytestqt.qtbot import QtBot

from etsysync_gui.catalog.editing import set_variant_quantity
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.sync_state import (
    BADGE_COLOUR,
    ICON_SIZE,
    SyncState,
    state_icon,
    state_words,
    sync_state,
)
from fake_etsy import FakeEtsyServer
from tests.ui.test_drafts import a_linked_pool, run_scheduled_inventory, set_mode
from tests.ui.test_needs_you import make_conflict
from tests.ui.test_sync_flows import wait_idle

BADGE_AT = (ICON_SIZE - int(ICON_SIZE * 0.22) - 1, int(ICON_SIZE * 0.22) + 1)


def badge_colour(icon: QIcon) -> QColor:
    return icon.pixmap(ICON_SIZE, ICON_SIZE).toImage().pixelColor(*BADGE_AT)


def test_items_waiting_make_the_state_needs_you_unless_the_app_is_busy() -> None:
    idle = {"running": False, "connection_state": "connected"}
    assert sync_state(None, **idle) is SyncState.WAITING  # type: ignore[arg-type]
    assert sync_state(None, waiting=2, **idle) is SyncState.NEEDS_YOU  # type: ignore[arg-type]
    busy = {"running": True, "connection_state": "connected", "waiting": 2}
    assert sync_state(None, **busy) is SyncState.SYNCING  # type: ignore[arg-type]
    lost = {"running": True, "connection_state": "needs_user", "waiting": 0}
    assert sync_state(None, **lost) is SyncState.NEEDS_YOU  # type: ignore[arg-type]
    assert state_words(SyncState.NEEDS_YOU, waiting=1, reconnect=False) == (
        "1 thing needs you (open Needs you)"
    )
    assert state_words(SyncState.SYNCING, waiting=3, reconnect=False) == (
        "syncing…; 3 things need you"
    )
    assert state_words(SyncState.NEEDS_YOU, waiting=3, reconnect=True) == (
        "needs you: reconnect to Etsy"
    )


def test_the_badge_is_drawn_in_the_upper_corner(qtbot: QtBot) -> None:
    from etsysync_gui.ui.tray import app_icon

    base = app_icon()
    assert badge_colour(state_icon(base, SyncState.SYNCING, badge=True)) == QColor(BADGE_COLOUR)
    assert badge_colour(state_icon(base, SyncState.SYNCING)) != QColor(BADGE_COLOUR)


def test_a_conflict_puts_the_badge_on_the_tray_and_is_told_once(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    tray, view = window.tray, window.needs_you
    qtbot.waitUntil(lambda: view._seen is not None, timeout=10_000)
    assert (tray.waiting, tray.badge) == (0, False)
    assert tray.state is SyncState.WAITING
    conflict = make_conflict(controller, etsy)
    controller.data_changed.emit()
    qtbot.waitUntil(lambda: tray.waiting == 1, timeout=10_000)
    assert tray.badge
    assert tray.state is SyncState.NEEDS_YOU
    assert "1 thing needs you" in tray.icon.toolTip()
    assert badge_colour(tray.icon.icon()) == QColor(BADGE_COLOUR)
    told = [m for m in tray.messages if m[0] == "EtsySync needs you"]
    assert len(told) == 1
    assert "Open Needs you" in told[0][1]
    controller.data_changed.emit()  # the same item again: no second message
    qtbot.waitUntil(lambda: not controller.jobs.busy)
    assert len([m for m in tray.messages if m[0] == "EtsySync needs you"]) == 1

    window.tabs.setCurrentWidget(view)  # settled: the badge goes
    qtbot.waitUntil(lambda: conflict.key in view.rows, timeout=10_000)
    view.rows[conflict.key].buttons["keep_mine"].click()
    qtbot.waitUntil(lambda: tray.waiting == 0, timeout=20_000)
    assert not tray.badge
    assert tray.state is SyncState.WAITING


def test_a_plan_waiting_is_told_once_however_many_runs_hold_one(
    qtbot: QtBot,
    window: MainWindow,
    controller: AppController,
    etsy: FakeEtsyServer,
    synced: object,
) -> None:
    set_mode(qtbot, controller, "drafts")
    pool = a_linked_pool(controller)
    assert pool.local_variant_id is not None
    assert pool.base_local is not None
    set_variant_quantity(controller.database, pool.local_variant_id, pool.base_local + 1)
    run_scheduled_inventory(qtbot, controller)
    assert controller.held is not None
    first = controller.held
    window.tray.sync_now()  # a second plan held while the first still waits
    wait_idle(qtbot, controller)
    assert controller.held is not None
    assert controller.held is not first
    qtbot.waitUntil(lambda: window.tray.badge, timeout=10_000)
    waiting = [m for m in window.tray.messages if m[0] == "A sync is waiting for you"]
    assert len(waiting) == 1
    assert not any(m[0] == "EtsySync needs you" for m in window.tray.messages)


def test_a_lost_connection_is_told_once(
    qtbot: QtBot, window: MainWindow, etsy: FakeEtsyServer
) -> None:
    etsy.revoke_all_tokens()
    for _ in range(2):
        with qtbot.waitSignal(window.controller.runner.finished, timeout=20_000):
            window.dashboard.sync_listings()
    qtbot.waitUntil(lambda: window.tray.badge, timeout=10_000)
    told = [m for m in window.tray.messages if "needs you" in m[0]]
    assert len(told) == 1
    assert told[0][2]  # shown as a warning

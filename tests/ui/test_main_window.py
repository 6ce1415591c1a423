"""The window: tabs and shortcuts, remembered geometry, the tray, settings, scheduler panel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QKeySequence
from pytestqt.qtbot import QtBot

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.config import ConfigStore
from etsysync_gui.scheduling.requests import SyncOutcome
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.tray import Tray
from fake_etsy import FakeEtsyServer


@pytest.fixture
def window(qtbot: QtBot, context: AppContext, controller: AppController) -> Iterator[MainWindow]:
    win = MainWindow(context, controller=controller)
    exits: list[bool] = []
    win.exit_application = lambda: exits.append(True)
    win.exits = exits  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    win.show()
    win.start(scheduler=False)
    yield win
    win.shutdown()


def _action(window: MainWindow, keys: str) -> QAction:
    wanted = QKeySequence(keys)
    for action in window.actions():
        if action.shortcut() == wanted:
            return action
    raise AssertionError(f"no action for {keys}")


def test_seven_views_and_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == [
        "Dashboard",
        "Listings",
        "Inventory",
        "Catalog",
        "Sync log",
        "Scheduler",
        "Sales",
        "Needs you",
    ]
    _action(window, "Ctrl+3").trigger()
    assert window.tabs.currentWidget() is window.inventory
    for keys in ("Ctrl+I", "Ctrl+Shift+X", "Ctrl+,", "F5", "Ctrl+F", "Ctrl+Q"):
        assert _action(window, keys).text()
    with qtbot.waitSignal(window.controller.runner.finished, timeout=20_000) as blocker:
        _action(window, "Ctrl+L").trigger()
    outcome: SyncOutcome = blocker.args[0]
    assert outcome.request.kind == "listings"
    assert outcome.ok
    assert "Listing sync finished" in window.sync_label.text()
    qtbot.waitUntil(lambda: window.connection_label.text() == "Etsy: FakeCraftShop")


def test_geometry_tab_and_column_widths_are_remembered(
    qtbot: QtBot, context: AppContext, controller: AppController
) -> None:
    first = MainWindow(context, controller=controller)
    qtbot.addWidget(first)
    first.resize(770, 480)  # inside the offscreen screen (800 x 600)
    first.show()
    size = (first.width(), first.height())
    first.tabs.setCurrentIndex(1)
    first.listings.table.setColumnWidth(1, 333)
    first._save_geometry()
    second = MainWindow(context, controller=controller)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == size
    assert second.tabs.currentIndex() == 1
    assert second.listings.table.columnWidth(1) == 333


def test_closing_asks_once_then_keeps_syncing_in_the_tray(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    run_sync: Callable[..., SyncOutcome],
) -> None:
    monkeypatch.setattr(Tray, "is_shown", lambda self: True)
    asked: list[bool] = []
    window.ask_close_to_tray = lambda: asked.append(True) or True
    window.close()
    assert not window.isVisible()
    assert asked == [True]
    assert run_sync("listings").ok  # the runner still takes and finishes a sync
    assert window.tray.messages[-1][1].startswith("Still syncing")
    window.show()
    window.close()
    assert asked == [True]  # remembered
    assert not window._shut_down
    window.tray.quit_action.trigger()  # quit from the tray: really quits
    assert window._shut_down
    assert window.exits == [True]


def test_tray_sync_now_and_open(qtbot: QtBot, window: MainWindow) -> None:
    window.hide()
    window.tray.open_action.trigger()
    assert window.isVisible()
    with qtbot.waitSignal(window.controller.runner.finished, timeout=20_000) as blocker:
        window.tray.sync_action.trigger()
    outcome: SyncOutcome = blocker.args[0]
    assert outcome.request.kind == "all"
    assert outcome.ok
    assert "finished" in window.tray.status_action.text()


def test_a_failed_sync_is_notified(qtbot: QtBot, window: MainWindow, etsy: FakeEtsyServer) -> None:
    etsy.revoke_all_tokens()
    with qtbot.waitSignal(window.controller.runner.finished, timeout=20_000):
        window.dashboard.sync_listings()
    title, message, is_error = window.tray.messages[-1]
    assert is_error
    assert "needs you" in title
    assert "Reconnect" in message
    qtbot.waitUntil(lambda: window.dashboard.reconnect_button.isVisible())


@pytest.mark.auto_interval  # the stock interval is not set in the environment
def test_settings_are_written_through_the_config_store(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    dialog = window.open_settings()
    dialog.automatic.setChecked(False)  # the seller sets the interval: no longer sized for the shop
    dialog.inventory_interval.setValue(30)
    dialog.conflict.setCurrentIndex(dialog.conflict.findData("local_wins"))
    dialog.close_to_tray.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    stored = ConfigStore(context.settings.config_path).load().profile("production")
    assert stored.inventory_sync_interval == 1800
    assert stored.conflict_policy.value == "local_wins"
    assert window.controller.settings.profile.inventory_sync_interval == 1800
    scheduler = window.controller.scheduler
    assert scheduler is not None
    assert scheduler.snapshot().job("inventory").interval_s == 1800


def test_start_at_login_writes_and_removes_the_login_entry(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    entry = tmp_path / "xdg" / "autostart" / "app.etsysync.EtsySync.desktop"
    dialog = window.open_settings()
    assert not dialog.start_at_login.isChecked()
    dialog.start_at_login.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    assert "--minimized" in entry.read_text()
    assert "--profile production" in entry.read_text()

    dialog = window.open_settings()
    assert dialog.start_at_login.isChecked()
    dialog.start_at_login.setChecked(False)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    assert not entry.exists()


def test_a_bad_setting_is_shown_and_nothing_closes(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.open_settings()
    dialog.database.setText("mysql://user@host/db")
    dialog.save()
    qtbot.waitUntil(lambda: "Unsupported database" in dialog.problem.text())
    assert dialog.isVisible()
    assert dialog.buttons.isEnabled()
    dialog.reject()


def test_scheduler_panel_pause_resume_and_run_now(
    qtbot: QtBot, window: MainWindow, synced: SyncOutcome
) -> None:
    scheduler = window.controller.scheduler
    assert scheduler is not None
    scheduler.start().result()
    qtbot.waitUntil(lambda: not window.controller.runner.busy, timeout=20_000)
    panel = window.scheduler_panel
    qtbot.waitUntil(lambda: panel.model.total == 2)
    panel.table.selectRow(1)  # inventory
    panel.pause_button.click()
    qtbot.waitUntil(lambda: panel.model.row_at(1).paused)
    assert "paused by you" in (panel.model.row_at(1).note or "")
    panel.resume_button.click()
    qtbot.waitUntil(lambda: not panel.model.row_at(1).paused)
    with qtbot.waitSignal(window.controller.runner.finished, timeout=20_000) as blocker:
        panel.run_button.click()
    outcome: SyncOutcome = blocker.args[0]
    assert outcome.request.job_id == "inventory"
    assert outcome.request.trigger == "manual"

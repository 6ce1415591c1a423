"""Keeps syncing: closing asks once, the scheduler goes on, Pause / Resume, per-profile choices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.demo.settings import DEMO_PROFILE
from etsysync_gui.scheduling.requests import SyncOutcome
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.sync_state import SyncState
from etsysync_gui.ui.tray import Tray
from etsysync_gui.ui.tray_choices import close_to_tray_choice, remember_close_to_tray
from etsysync_gui.ui.widgets import gui_settings
from fake_etsy import FakeEtsyServer


@pytest.fixture
def window(qtbot: QtBot, context: AppContext, controller: AppController) -> Iterator[MainWindow]:
    win = MainWindow(context, controller=controller)
    exits: list[bool] = []
    win.exit_application = lambda: exits.append(True)
    qtbot.addWidget(win)
    win.show()
    win.start(scheduler=False)
    yield win
    win.shutdown()


def test_closing_with_background_sync_asks_once_then_the_scheduler_keeps_running(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Tray, "is_shown", lambda self: True)
    dialog = window.open_settings()  # saving Settings untouched must not answer for the seller
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    assert close_to_tray_choice() is None
    asked: list[bool] = []
    window.ask_close_to_tray = lambda: asked.append(True) or True
    window.close()
    assert asked == [True]
    assert not window.isVisible()
    assert not window.shut_down
    scheduler = window.controller.scheduler
    assert scheduler is not None
    scheduler.start().result()
    scheduler.tick()
    qtbot.waitUntil(
        lambda: scheduler.snapshot().job("listings").last_result is not None, timeout=20_000
    )
    qtbot.waitUntil(lambda: not window.controller.runner.busy, timeout=20_000)
    assert scheduler.snapshot().job("listings").last_result == "success"
    window.show()
    window.close()
    assert asked == [True]  # remembered
    assert close_to_tray_choice() is True


def test_without_background_sync_closing_quits_without_asking(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Tray, "is_shown", lambda self: True)
    monkeypatch.setattr(window.controller, "background_sync_on", lambda: False)
    asked: list[bool] = []
    window.ask_close_to_tray = lambda: asked.append(True) or True
    window.close()
    assert asked == []
    assert window.shut_down


def test_demo_and_each_profile_keep_their_own_window_and_tray_settings(
    window: MainWindow,
) -> None:
    assert window.controller.settings.profile.name == "production"
    remember_close_to_tray(False)
    gui_settings().setValue("window/tab", 3)
    assert close_to_tray_choice(DEMO_PROFILE) is None
    assert gui_settings(DEMO_PROFILE).value("window/tab") is None
    remember_close_to_tray(True, DEMO_PROFILE)
    assert close_to_tray_choice() is False
    assert close_to_tray_choice("production") is False
    assert close_to_tray_choice(DEMO_PROFILE) is True


def test_pause_and_resume_from_the_tray_and_the_dashboard(qtbot: QtBot, window: MainWindow) -> None:
    tray, dashboard = window.tray, window.dashboard
    assert tray.pause_action.text() == "Pause syncing"
    tray.pause_action.trigger()
    qtbot.waitUntil(lambda: tray.state is SyncState.PAUSED)
    assert "paused" in tray.icon.toolTip()
    assert tray.pause_action.text() == "Resume syncing"
    assert dashboard.pause_button.text() == "Resume syncing"
    scheduler = window.controller.scheduler
    assert scheduler is not None
    assert all(job.paused for job in scheduler.snapshot().jobs)
    dashboard.pause_button.click()
    qtbot.waitUntil(lambda: tray.state is SyncState.WAITING)
    assert not any(job.paused for job in scheduler.snapshot().jobs)
    assert dashboard.pause_button.text() == "Pause syncing"


def test_the_tray_shows_syncing_then_needs_you(
    qtbot: QtBot, window: MainWindow, etsy: FakeEtsyServer
) -> None:
    seen: list[SyncState] = []
    window.controller.runner.started.connect(lambda _request: seen.append(window.tray.state))
    etsy.revoke_all_tokens()
    with qtbot.waitSignal(window.controller.runner.finished, timeout=20_000) as blocker:
        window.dashboard.sync_listings()
    outcome: SyncOutcome = blocker.args[0]
    assert outcome.needs_user
    assert seen == [SyncState.SYNCING]
    qtbot.waitUntil(lambda: window.tray.state is SyncState.NEEDS_YOU)
    assert "reconnect" in window.tray.icon.toolTip()

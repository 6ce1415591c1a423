"""The demo banner: always there in the demo, never elsewhere; its button leads to setup."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.ui import main_window
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.demo_banner import DEMO_BANNER_TEXT, SETUP_BUTTON_TEXT
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.wizard import OutcomeKind, WizardOutcome


def build(qtbot: QtBot, context: AppContext, controller: AppController, demo: bool) -> MainWindow:
    window = MainWindow(context, controller=controller, demo=demo)
    window.exit_application = lambda: None
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def demo_window(
    qtbot: QtBot, context: AppContext, controller: AppController
) -> Iterator[MainWindow]:
    window = build(qtbot, context, controller, demo=True)
    yield window
    window.shutdown()


def test_the_banner_says_it_is_a_demo(demo_window: MainWindow) -> None:
    banner = demo_window.demo_banner
    assert banner is not None
    assert banner.isVisible()
    assert banner.label.text() == DEMO_BANNER_TEXT
    assert banner.setup_button.text() == SETUP_BUTTON_TEXT
    assert banner.y() < demo_window.tabs.y()  # above the views


def test_a_real_shop_has_no_banner(
    qtbot: QtBot, context: AppContext, controller: AppController
) -> None:
    window = build(qtbot, context, controller, demo=False)
    assert window.demo_banner is None
    assert window.centralWidget() is window.tabs
    window.shutdown()


def test_the_button_runs_the_setup_wizard(
    qtbot: QtBot,
    demo_window: MainWindow,
    no_dialogs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[object, ...]] = []

    def run_setup_wizard(*args: object, **kwargs: object) -> WizardOutcome:
        calls.append((*args, *kwargs.items()))
        return WizardOutcome(OutcomeKind.CONNECTED, "studio")

    monkeypatch.setattr(main_window, "run_setup_wizard", run_setup_wizard)
    banner = demo_window.demo_banner
    assert banner is not None
    qtbot.mouseClick(banner.setup_button, Qt.MouseButton.LeftButton)
    assert calls == [(demo_window,)]  # the wizard chooses the profile itself
    assert len(no_dialogs) == 1
    assert "Profile studio is connected" in no_dialogs[0]


def test_reconnect_in_the_demo_only_checks_again(
    demo_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard_reconnects: list[object] = []
    checks: list[bool] = []
    monkeypatch.setattr(main_window, "open_reconnect", lambda *args: wizard_reconnects.append(args))
    monkeypatch.setattr(demo_window.controller, "reconnect", lambda: checks.append(True))
    demo_window.dashboard.reconnect_requested.emit()
    assert checks == [True]
    assert wizard_reconnects == []

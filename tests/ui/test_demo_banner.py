"""The demo banner: always there in the demo, never elsewhere; its button leads to setup."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.ui import setup_entry
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.demo_banner import DEMO_BANNER_TEXT, SETUP_BUTTON_TEXT
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.setup_entry import SETUP_BY_HAND


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
    assert banner is not None and banner.isVisible()
    assert banner.label.text() == DEMO_BANNER_TEXT
    assert banner.setup_button.text() == SETUP_BUTTON_TEXT
    assert banner.y() < demo_window.tabs.y()  # above the views


def test_a_real_shop_has_no_banner(
    qtbot: QtBot, context: AppContext, controller: AppController
) -> None:
    window = build(qtbot, context, controller, demo=False)
    assert window.demo_banner is None and window.centralWidget() is window.tabs
    window.shutdown()


def test_without_a_wizard_the_button_says_how_to_set_up(
    qtbot: QtBot,
    demo_window: MainWindow,
    no_dialogs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(setup_entry, "find_setup_wizard", lambda: None)
    banner = demo_window.demo_banner
    assert banner is not None
    qtbot.mouseClick(banner.setup_button, Qt.MouseButton.LeftButton)
    assert no_dialogs == [f"Set up your own shop: {SETUP_BY_HAND}"]


def test_with_the_wizard_the_button_runs_it(
    qtbot: QtBot,
    demo_window: MainWindow,
    no_dialogs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[object, object]] = []

    class Connected:
        connected, demo_requested, profile = True, False, "studio"

    def run_setup_wizard(parent: object = None, profile: str | None = None) -> Connected:
        calls.append((parent, profile))
        return Connected()

    monkeypatch.setattr(setup_entry, "find_setup_wizard", lambda: run_setup_wizard)
    banner = demo_window.demo_banner
    assert banner is not None
    qtbot.mouseClick(banner.setup_button, Qt.MouseButton.LeftButton)
    assert calls == [(demo_window, None)]
    assert len(no_dialogs) == 1 and "Profile studio is connected" in no_dialogs[0]


def test_the_real_wizard_is_found_with_a_signature_run_setup_accepts() -> None:
    wizard = setup_entry.find_setup_wizard()
    if wizard is None:
        pytest.skip("the setup wizard is not in this build")
    assert {"parent", "profile"} <= set(inspect.signature(wizard).parameters)


def test_reconnect_in_the_demo_only_checks_again(
    demo_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etsysync_gui.ui import main_window

    wizard_reconnects: list[object] = []
    checks: list[bool] = []
    monkeypatch.setattr(main_window, "reconnect", lambda *args: wizard_reconnects.append(args))
    monkeypatch.setattr(demo_window.controller, "reconnect", lambda: checks.append(True))
    demo_window.dashboard.reconnect_requested.emit()
    assert checks == [True] and wizard_reconnects == []

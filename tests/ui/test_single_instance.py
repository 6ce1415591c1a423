"""A second launch hands over to the running instance instead of starting again."""

from __future__ import annotations

import uuid

import pytest
from pytestqt.qtbot import QtBot

from etsysync_gui.ui.infra.single_instance import (
    SingleInstanceServer,
    hand_over_to_running_instance,
)


def test_second_launch_hands_over_and_first_is_asked_to_show(qtbot: QtBot) -> None:
    profile = f"test-{uuid.uuid4().hex}"
    assert not hand_over_to_running_instance(profile)  # nobody running yet
    first = SingleInstanceServer(profile)
    assert first.listen()
    try:
        with qtbot.waitSignal(first.show_requested, timeout=5000):
            assert hand_over_to_running_instance(profile)
    finally:
        first.close()
    assert not hand_over_to_running_instance(profile)


def test_a_stale_socket_from_a_crash_is_replaced(qtbot: QtBot) -> None:
    profile = f"test-{uuid.uuid4().hex}"
    crashed = SingleInstanceServer(profile)
    assert crashed.listen()
    crashed.close()  # closed without answering, like a crashed process's leftover
    second = SingleInstanceServer(profile)
    assert second.listen()
    second.close()


def test_a_second_app_launch_exits_after_handing_over(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from etsysync_gui import app
    from etsysync_gui.ui.main_window import MainWindow

    built: list[object] = []
    monkeypatch.setattr(MainWindow, "__init__", lambda self, *a: built.append(self))
    running = SingleInstanceServer("production")  # the instance already running
    assert running.listen()
    try:
        with qtbot.waitSignal(running.show_requested, timeout=5000):
            assert app.main(["--profile", "production", "--quit-after-start"]) == 0
    finally:
        running.close()
    assert built == []  # no second window, so no second scheduler
    assert "already running" in capsys.readouterr().out

"""The README's launch command starts the app: migrated database, a main window."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from etsysync_gui import app


def test_launch_opens_the_main_window_on_a_fresh_machine(
    qtbot: QtBot, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etsysync_gui.ui.main_window import MainWindow

    shown: list[str] = []
    original_show = MainWindow.show

    def record_show(window: MainWindow) -> None:
        shown.append(window.windowTitle())
        original_show(window)

    monkeypatch.setattr(MainWindow, "show", record_show)
    assert app.main(["--quit-after-start"]) == 0
    assert shown == ["EtsySync — production"]
    assert (isolated_environment / "data" / "production.db").is_file()


def test_launch_with_a_broken_database_url_exits_with_the_message(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", "mysql://u@h/db")
    assert app.main(["--quit-after-start"]) == 2
    assert "Unsupported database 'mysql'" in capsys.readouterr().err

"""The README's launch command starts the app: migrated database, a main window.

On a fresh machine that is the demo shop (``test_demo_app`` follows it further);
a profile the seller named opens that profile.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from etsysync_gui import app


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the main windows the app shows."""
    from etsysync_gui.ui.main_window import MainWindow

    titles: list[str] = []
    original_show = MainWindow.show

    def record_show(window: MainWindow) -> None:
        titles.append(window.windowTitle())
        original_show(window)

    monkeypatch.setattr(MainWindow, "show", record_show)
    return titles


def test_launch_opens_the_demo_window_on_a_fresh_machine(
    qtbot: QtBot, isolated_environment: Path, shown: list[str]
) -> None:
    assert app.main(["--quit-after-start"]) == 0
    assert shown == ["EtsySync — demo"]
    assert (isolated_environment / "data" / "demo.db").is_file()


def test_launch_of_a_named_profile_opens_its_main_window(
    qtbot: QtBot, isolated_environment: Path, shown: list[str]
) -> None:
    # --quit-after-start never waits in the setup wizard: the profile opens as it is.
    assert app.main(["--profile", "production", "--quit-after-start"]) == 0
    assert shown == ["EtsySync — production"]
    assert (isolated_environment / "data" / "production.db").is_file()


def test_launch_with_a_broken_database_url_exits_with_the_message(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", "mysql://u@h/db")
    assert app.main(["--quit-after-start"]) == 2
    assert "Unsupported database 'mysql'" in capsys.readouterr().err


def test_a_half_upgraded_database_is_restored_and_the_start_says_so(
    qtbot: QtBot, isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.db.test_upgrade_safety import half_upgrade_like_an_old_build

    half_upgrade_like_an_old_build(isolated_environment / "data" / "production.db")
    assert app.main(["--profile", "production", "--quit-after-start"]) == 0
    err = capsys.readouterr().err
    assert "half-upgraded by an earlier EtsySync; it was restored from" in err
    assert err.count("etsysync-gui:") == 1  # one sentence, once


def test_minimized_starts_in_the_tray_without_showing_the_window(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, shown: list[str]
) -> None:
    from etsysync_gui.ui.tray import Tray

    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    assert app.main(["--profile", "production", "--minimized", "--quit-after-start"]) == 0
    assert shown == []


def test_minimized_without_a_tray_shows_the_window(qtbot: QtBot, shown: list[str]) -> None:
    from etsysync_gui.ui.tray import Tray

    if Tray.available():
        pytest.skip("this display has a system tray")
    assert app.main(["--profile", "production", "--minimized", "--quit-after-start"]) == 0
    assert shown == ["EtsySync — production"]


def test_the_start_at_login_command_line_is_understood() -> None:
    import shlex

    from etsysync_gui import autostart

    words = shlex.split(autostart._command("staging"))
    args = app._parse(words[words.index("etsysync_gui") + 1 :])
    assert (args.profile, args.minimized) == ("staging", True)

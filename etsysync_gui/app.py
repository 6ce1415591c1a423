"""``etsysync-gui``: the desktop app's entry point.

Start-up runs the same bootstrap as the CLI (settings, redacted logging, the
database checked and migrated) before any window is built; a problem there is
shown in a dialog with the message the CLI would print, never a traceback.

Then the main window, the tray icon and the scheduler (``MainWindow.start``).
``--quit-after-start`` opens the window without starting scheduled syncs.
On the way out every worker is cancelled and joined before the database
closes (``MainWindow.shutdown``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from etsysync_gui import APP_NAME, __version__
from etsysync_gui.errors import EtsySyncError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="etsysync-gui", description=f"{APP_NAME} desktop app")
    parser.add_argument("--version", action="version", version=f"etsysync-gui {__version__}")
    parser.add_argument("--profile", help="configuration profile to open")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check that the install is complete (imports, resources, migrations, keychain), "
        "print the results and exit",
    )
    parser.add_argument(
        "--quit-after-start",
        action="store_true",
        help="open the main window, then quit at once (used by tests and packaging checks)",
    )
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.self_check:
        from etsysync_gui.selfcheck import run_self_check

        return run_self_check()
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    import etsysync_gui.ui  # noqa: F401  (applies ui.compat before any Qt callback)
    from etsysync_gui.bootstrap import start
    from etsysync_gui.ui.main_window import MainWindow
    from etsysync_gui.ui.single_instance import (
        SingleInstanceServer,
        hand_over_to_running_instance,
    )

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    try:
        context = start(args.profile)
    except EtsySyncError as error:
        print(f"etsysync-gui: {error.message}", file=sys.stderr)
        if not args.quit_after_start:
            QMessageBox.critical(None, error.title, error.message)
        return error.exit_code
    profile_name = context.settings.profile.name
    if hand_over_to_running_instance(profile_name):
        # One scheduler per profile: the running instance shows its window instead.
        print(f"EtsySync ({profile_name}) is already running; its window was brought forward.")
        context.close()
        return 0
    instance = SingleInstanceServer(profile_name)
    instance.listen()
    window = MainWindow(context)
    instance.show_requested.connect(lambda: _bring_forward(window))
    window.show()
    window.start(scheduler=not args.quit_after_start)
    try:
        if args.quit_after_start:
            # Let the window paint, then leave without entering (and quitting) the
            # application's main loop, which would end any event loop that follows.
            loop = QEventLoop()
            QTimer.singleShot(0, loop.quit)
            loop.exec()
            window.close()
            return 0
        return app.exec()
    finally:
        instance.close()
        window.shutdown()
        context.close()


def _bring_forward(window: QWidget) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()

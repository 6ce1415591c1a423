"""``etsysync-gui``: the desktop app's entry point.

First it decides which start this is (``demo.startup``): the seller's shop,
the setup wizard (a chosen profile without a shop), or the demo shop (nothing
configured at all, or ``--demo``).

Start-up then runs the same bootstrap as the CLI (settings, redacted logging,
the database checked and migrated) before any window is built; a problem there
is shown in a dialog with the message the CLI would print, never a traceback.

The demo's settings are planned first, then its fake Etsy starts and
connects on a helper thread while Qt loads and the window is built
(``demo.launch.DemoLaunch``); the window's work starts when the shop is
ready (``ui.demo_mode.DemoSession``).  The demo's database is reset only
after the single-instance check, so a second launch cannot wipe a running
demo's data.

Then the main window, the tray icon and the scheduler (``MainWindow.start``).
``--minimized`` starts in the tray (start at login), when there is one.
``--quit-after-start`` opens the window without starting scheduled syncs (nor
the demo's first sync and buyers).  On the way out every worker is cancelled
and joined before the database closes (``MainWindow.shutdown``), and then the
demo's fake Etsy stops.

``main``'s ``event_loop`` is a test seam: called with the window instead of
``QApplication.exec()``, its return value is the exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from etsysync_gui import APP_NAME, __version__
from etsysync_gui.errors import EtsySyncError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from etsysync_gui.bootstrap import AppContext
    from etsysync_gui.config import Settings
    from etsysync_gui.demo.launch import DemoLaunch
    from etsysync_gui.start_mode import StartMode
    from etsysync_gui.ui.demo_mode import DemoSession
    from etsysync_gui.ui.main_window import MainWindow

EventLoop = Callable[["MainWindow"], int]


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="etsysync-gui", description=f"{APP_NAME} desktop app")
    parser.add_argument("--version", action="version", version=f"etsysync-gui {__version__}")
    parser.add_argument("--profile", help="configuration profile to open")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a generated demo shop (a fake Etsy inside the app; nothing is sent to Etsy)",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check that the install is complete (imports, resources, migrations, keychain), "
        "print the results and exit",
    )
    parser.add_argument(
        "--minimized",
        action="store_true",
        help="start in the tray without showing the window (start at login uses it)",
    )
    parser.add_argument(
        "--quit-after-start",
        action="store_true",
        help="open the main window, then quit at once (used by tests and packaging checks)",
    )
    return parser.parse_args(list(argv))


def load_qt_on_main_thread() -> None:
    """Import PySide6's QtCore, QtGui and QtWidgets now, before any other thread starts.

    Why: shiboken's first import walks ``sys.modules``; a helper thread importing
    modules at that moment (the demo's shop opens on one) makes that walk fail
    with "dictionary changed size during iteration" and shiboken aborts the
    process (``libshiboken/signature: could not initialize part 2``, exit 134).
    Every entry point (``etsysync-gui``, ``python -m etsysync_gui``, the
    bundle's ``launch_gui``) comes through ``main``, which calls this first.
    """
    from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401


def main(argv: Sequence[str] | None = None, *, event_loop: EventLoop | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    load_qt_on_main_thread()
    if args.self_check:
        from etsysync_gui.selfcheck import run_self_check

        return run_self_check()
    from etsysync_gui.start_mode import StartMode, choose_start_mode, read_start_facts

    facts, active = read_start_facts(args.profile, demo_requested=args.demo)
    mode = choose_start_mode(facts)
    log_level = active.profile.log_level if active is not None else "INFO"
    demo = _begin_demo(log_level) if mode is StartMode.DEMO else None

    from PySide6.QtWidgets import QApplication

    import etsysync_gui.ui  # noqa: F401  (applies ui.compat before any Qt callback)

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    from etsysync_gui.ui.infra.gui_gc import GuiThreadCollector

    collector = GuiThreadCollector(app)  # Qt objects die on the GUI thread (gui_gc)
    collector.start()
    profile, first_sync, settings = args.profile, False, active
    if mode is StartMode.SETUP and not args.quit_after_start:
        mode, profile, first_sync = _setup_first(profile)
        settings = None  # the wizard may have changed the profile: read it again
        if mode is StartMode.DEMO:
            demo = _begin_demo(log_level)
    if demo is not None:
        try:
            return _run_demo(args, demo, event_loop)
        finally:
            demo.close()
    return _run_normal(args, profile, settings, event_loop, first_sync=first_sync)


def _begin_demo(log_level: str) -> DemoLaunch:
    from etsysync_gui.demo.launch import DemoLaunch  # only a demo pays for its imports

    return DemoLaunch.begin(log_level)


def _setup_first(profile: str | None) -> tuple[StartMode, str | None, bool]:
    """The wizard for a chosen profile without a shop: what to open after it, and
    whether the seller asked for a first listing sync.  Cancelled, the profile
    opens as it is and the dashboard says what it still needs."""
    from etsysync_gui.start_mode import StartMode
    from etsysync_gui.ui.wizard import run_setup_wizard  # only a setup start pays for it

    outcome = run_setup_wizard(None, profile=profile)
    if outcome.demo_requested:
        return StartMode.DEMO, profile, False
    if outcome.connected and outcome.profile:
        return StartMode.NORMAL, outcome.profile, outcome.run_first_sync
    return StartMode.NORMAL, profile, False


def _report(error: EtsySyncError, quiet: bool) -> int:
    from PySide6.QtWidgets import QMessageBox

    print(f"etsysync-gui: {error.message}", file=sys.stderr)
    if not quiet:
        QMessageBox.critical(None, error.title, error.message)
    return error.exit_code


def _handed_over(profile_name: str) -> None:
    # One scheduler per profile: the running instance shows its window instead.
    print(f"EtsySync ({profile_name}) is already running; its window was brought forward.")


def _run_normal(
    args: argparse.Namespace,
    profile: str | None,
    settings: Settings | None,
    event_loop: EventLoop | None,
    *,
    first_sync: bool = False,
) -> int:
    """``settings``: the profile as start-up already read it (``None``: read it here)."""
    from etsysync_gui.bootstrap import start, start_with
    from etsysync_gui.scheduling.requests import SyncRequest
    from etsysync_gui.ui.infra.single_instance import hand_over_to_running_instance

    try:
        if settings is not None:
            context = start_with(settings, quiet=True)
        else:
            context = start(profile, quiet=True)
    except EtsySyncError as error:
        return _report(error, args.quit_after_start)
    profile_name = context.settings.profile.name
    if hand_over_to_running_instance(profile_name):
        _handed_over(profile_name)
        context.close()
        return 0
    live = not args.quit_after_start

    def begin(window: MainWindow) -> None:
        if first_sync and live:
            # Asked for on the wizard's last page.  Submitted before the scheduler
            # starts: its own first listing run (due at once) would otherwise be
            # waiting already, and the runner refuses a second one.
            window.submit(SyncRequest("listings"))
        window.start(scheduler=live)
        if live:
            window.offer_catalog_start()

    return _run_window(args, context, begin, event_loop)


def _run_demo(args: argparse.Namespace, demo: DemoLaunch, event_loop: EventLoop | None) -> int:
    from etsysync_gui.bootstrap import open_database_url, start_with
    from etsysync_gui.demo.settings import DEMO_PROFILE, reset_demo_database
    from etsysync_gui.ui.infra.single_instance import hand_over_to_running_instance

    if hand_over_to_running_instance(DEMO_PROFILE):
        _handed_over(DEMO_PROFILE)
        return 0
    # Only now is it safe to wipe the last demo's database; it is migrated while
    # the fake Etsy starts and connects on its thread.
    paths = demo.plan.paths
    reset_demo_database(paths)
    try:
        database, migration = open_database_url(paths.database_url)
    except EtsySyncError as error:
        return _report(error, args.quit_after_start)
    try:
        context = start_with(demo.settings(), with_database=False, quiet=True)
    except EtsySyncError as error:
        database.dispose()
        return _report(error, args.quit_after_start)
    context.database, context.migration = database, migration
    context.credentials = demo.credentials
    context.settings_loader = demo.settings
    sessions: list[DemoSession] = []

    def begin(window: MainWindow) -> None:
        from etsysync_gui.ui.demo_mode import DemoSession

        session = DemoSession(window, demo.shop, live=not args.quit_after_start)
        session.failed.connect(lambda error: _demo_failed(window, error, args.quit_after_start))
        sessions.append(session)
        session.watch()

    code = _run_window(args, context, begin, event_loop, demo=True)
    failed = [s.error for s in sessions if s.error is not None]
    return failed[0].exit_code if failed and code == 0 else code


def _demo_failed(window: MainWindow, error: EtsySyncError, quiet: bool) -> None:
    _report(error, quiet)
    window.quit()


def _run_window(
    args: argparse.Namespace,
    context: AppContext,
    begin: Callable[[MainWindow], None],
    event_loop: EventLoop | None,
    *,
    demo: bool = False,
) -> int:
    from PySide6.QtWidgets import QApplication

    from etsysync_gui.ui.infra.single_instance import SingleInstanceServer
    from etsysync_gui.ui.main_window import MainWindow

    instance = SingleInstanceServer(context.settings.profile.name)
    instance.listen()
    window = MainWindow(context, demo=demo)
    instance.show_requested.connect(lambda: _bring_forward(window))
    if not (args.minimized and window.tray.available()):  # no tray: the window is the app
        window.show()
    begin(window)
    _tell_about_repair(window, context, quiet=args.quit_after_start)
    try:
        if event_loop is not None:
            return event_loop(window)
        if args.quit_after_start:
            # Let the window paint (and the demo's shop report in), then leave without
            # entering (and quitting) the application's main loop, which would end any
            # event loop that follows.
            _settle(window)
            window.exit_application = lambda: None  # no main loop to end
            window.quit()  # really quit: never "keep syncing in the tray?"
            return 0
        return QApplication.exec()
    finally:
        instance.close()
        window.shutdown()
        context.close()


def _tell_about_repair(window: MainWindow, context: AppContext, *, quiet: bool) -> None:
    """Say once, in the window, that a half-upgraded database was repaired or restored.

    The CLI prints the same sentence (a warning on stderr); here the log file
    alone would leave the seller wondering about the new ``.bak`` files.
    """
    note = context.migration.repaired if context.migration is not None else None
    if not note:
        return
    print(f"etsysync-gui: {note}", file=sys.stderr)
    if not quiet:
        from PySide6.QtCore import QTimer

        from etsysync_gui.ui import dialogs

        QTimer.singleShot(0, window, lambda: dialogs.tell(window, "Database repaired", note))


def _settle(window: MainWindow, timeout_ms: int = 60_000) -> None:
    """Spin the events until the window is started (the demo's shop may still be
    starting) or shut down (it failed to), or the time is up; at least once, so
    the window paints."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(lambda: loop.quit() if window.started or window.shut_down else None)
    poll.start()
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    poll.stop()


def _bring_forward(window: QWidget) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()

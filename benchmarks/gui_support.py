"""Helpers the GUI benchmark and the screenshot script share (not a benchmark itself).

Waiting here spins a ``QEventLoop`` with a timer, like pytest-qt's ``qtbot.wait``:
scripts have no qtbot, and the app itself never waits like this.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.scheduling.driver import ManualDriver
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from fake_etsy import FakeEtsyServer


def point_profile_at(server: FakeEtsyServer, home: str) -> None:
    """Environment for a profile connected to ``server``, with its home in ``home``."""
    access, refresh, _ = server.issue_tokens()
    os.environ.update(
        {
            "ETSYSYNC_HOME": home,
            "ETSY_API_KEY": server.keystring,
            "ETSY_API_SECRET": server.shared_secret,
            "ETSY_ACCESS_TOKEN": access,
            "ETSY_REFRESH_TOKEN": refresh,
            "ETSY_SHOP_ID": str(server.shop_id),
            "ETSY_API_BASE_URL": server.base_url,
            "ETSY_OAUTH_TOKEN_URL": server.token_url,
        }
    )


def open_main_window(context: AppContext) -> tuple[AppController, MainWindow]:
    """The main window on ``context``, shown and settled, syncs only when asked."""
    controller = AppController(context, driver=ManualDriver())
    window = MainWindow(context, controller=controller)
    window.resize(1280, 820)
    window.show()
    window.start(scheduler=False)
    spin(300)
    return controller, window


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_s: float = 60.0, step_ms: int = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        spin(step_ms)


def run_request(
    controller: AppController, request: SyncRequest, timeout_s: float = 300
) -> SyncOutcome:
    """Submit to the sync runner and wait for this request's outcome."""
    outcomes: list[SyncOutcome] = []

    def finished(outcome: SyncOutcome) -> None:
        if outcome.request is request:
            outcomes.append(outcome)

    controller.runner.finished.connect(finished)
    submission = controller.runner.submit(request)
    if not submission.accepted:
        raise RuntimeError(f"refused: {submission.reason}")
    wait_until(lambda: bool(outcomes), timeout_s)
    controller.runner.finished.disconnect(finished)
    return outcomes[0]

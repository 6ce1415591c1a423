"""Fixtures for the GUI tests: a fake Etsy over real HTTP, a migrated profile, a controller.

* ``etsy`` starts a ``FakeEtsyServer`` (no rate limits) and points the
  profile at it through the ETSY_* variables, so the app builds its real
  client the way it does for a seller (``etsy_account.client_from_settings``).
* ``context`` is what ``bootstrap.start`` gives the app: settings and the
  migrated SQLite database in the test's own EtsySync home.
* ``controller`` runs the scheduler on ``ManualDriver`` and the suite's
  ``FakeClock`` (``tests/clock.py``; the controller reads its ``utcnow``):
  tests call ``scheduler.tick()`` instead of waiting; teardown cancels the
  running sync and joins every worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import etsysync_gui.ui  # noqa: F401  - applies ui.compat before any Qt callback
from etsysync_gui.bootstrap import AppContext, start
from etsysync_gui.scheduling.driver import ManualDriver
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.ui import dialogs
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.infra.gui_gc import GuiThreadCollector
from etsysync_gui.ui.main_window import MainWindow
from fake_etsy import FakeEtsyServer
from tests.clock import FakeClock


@pytest.fixture(scope="session", autouse=True)
def gui_thread_gc(qapp: QApplication) -> Iterator[GuiThreadCollector]:
    """As in the app: Python's cycle collector runs on the GUI thread only (``gui_gc``)."""
    collector = GuiThreadCollector(qapp)
    collector.start()
    yield collector
    collector.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def etsy(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[FakeEtsyServer]:
    """The fake shop; its stock syncs hourly, as set by the seller, unless the test is marked
    ``auto_interval`` (the interval then follows the shop's size)."""
    if request.node.get_closest_marker("auto_interval") is None:
        monkeypatch.setenv("ETSY_SYNC_INTERVAL_INVENTORY", "3600")
    with FakeEtsyServer(listings=24, seed=7, qps=None, qpd=None) as server:
        access, refresh, _expires = server.issue_tokens()
        for name, value in {
            "ETSY_API_KEY": server.keystring,
            "ETSY_API_SECRET": server.shared_secret,
            "ETSY_ACCESS_TOKEN": access,
            "ETSY_REFRESH_TOKEN": refresh,
            "ETSY_SHOP_ID": str(server.shop_id),
            "ETSY_API_BASE_URL": server.base_url,
            "ETSY_OAUTH_TOKEN_URL": server.token_url,
        }.items():
            monkeypatch.setenv(name, value)
        yield server
        assert server.internal_errors == []


@pytest.fixture
def context(etsy: FakeEtsyServer) -> Iterator[AppContext]:
    ctx = start(quiet=True)
    yield ctx
    ctx.close()


@pytest.fixture
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer every question "yes" and record what was asked or told."""
    asked: list[str] = []

    def ask(_parent: object, title: str, text: str) -> bool:
        asked.append(f"{title}: {text}")
        return True

    def tell(_parent: object, title: str, text: str, *, error: bool = False) -> None:
        asked.append(f"{title}: {text}")

    monkeypatch.setattr(dialogs, "ask", ask)
    monkeypatch.setattr(dialogs, "tell", tell)
    return asked


@pytest.fixture
def controller(
    qtbot: QtBot, context: AppContext, clock: FakeClock, no_dialogs: list[str]
) -> Iterator[AppController]:
    ctl = AppController(context, clock=clock.utcnow, driver=ManualDriver())
    yield ctl
    ctl.shutdown()


@pytest.fixture
def window(qtbot: QtBot, context: AppContext, controller: AppController) -> Iterator[MainWindow]:
    """The main window on the test's controller, started without the scheduler."""
    win = MainWindow(context, controller=controller)
    win.exit_application = lambda: None
    qtbot.addWidget(win)
    win.show()
    win.start(scheduler=False)
    yield win
    win.shutdown()


RunSync = Callable[..., SyncOutcome]


@pytest.fixture
def run_sync(qtbot: QtBot, controller: AppController) -> RunSync:
    """Submit a request to the controller's runner and wait for its outcome."""

    def run(kind: str = "listings", timeout: int = 30_000, **kwargs: object) -> SyncOutcome:
        request = SyncRequest(kind, **kwargs)  # type: ignore[arg-type]
        outcomes: list[SyncOutcome] = []
        controller.runner.finished.connect(
            lambda o: outcomes.append(o) if o.request is request else None
        )
        assert controller.runner.submit(request).accepted
        qtbot.waitUntil(lambda: bool(outcomes), timeout=timeout)
        return outcomes[0]

    return run


@pytest.fixture
def synced(run_sync: RunSync) -> SyncOutcome:
    """A listing sync that imported every listing into the catalog (all linked)."""
    outcome = run_sync("listings", import_unlinked=True)
    assert outcome.ok, outcome.summary
    return outcome

""" "Reconnect to Etsy": the wizard opens at the connect page for the current profile
(its app key already in the keychain) and, once connected, the controller checks the
connection again and lifts the scheduler's "reconnect" pause."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget, QWizard
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from etsysync_gui.bootstrap import AppContext, start
from etsysync_gui.config import ConfigStore
from etsysync_gui.credentials import SERVICE, Credentials
from etsysync_gui.scheduling.driver import ManualDriver
from etsysync_gui.scheduling.record import AUTH_PAUSE
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.wizard import Mode, SetupWizard, open_reconnect
from etsysync_gui.ui.wizard.model import OutcomeKind, PageId
from etsysync_gui.ui.wizard.page_connect import ConnectPage
from etsysync_gui.ui.wizard.page_shop import ShopPage
from fake_etsy import FakeEtsyServer
from tests.clock import FakeClock
from tests.credentials.fakes import MemoryKeyring
from tests.oauth.helpers import ScriptedBrowser

from .drive import TIMEOUT_MS, go_next, press

ITEM = (SERVICE, "profile:production")


@pytest.fixture
def revoked(etsy: FakeEtsyServer, keychain: MemoryKeyring, redirect_uri: str) -> Credentials:
    """A profile that was connected (shop, redirect, keychain item), then Etsy revoked it."""
    store = ConfigStore()
    store.set_value("production", "shop_id", str(etsy.shop_id))
    store.set_value("production", "redirect_uri", redirect_uri)
    access, refresh, _ = etsy.issue_tokens()
    old = Credentials(
        keystring=etsy.keystring,
        shared_secret=etsy.shared_secret,
        access_token=access,
        refresh_token=refresh,
        expires_at=0.0,
        user_id=etsy.user_id,
        shop_id=etsy.shop_id,
    )
    keychain.items[ITEM] = old.to_json()
    etsy.revoke_all_tokens()
    return old


@pytest.fixture
def app_context(revoked: Credentials) -> Iterator[AppContext]:
    ctx = start(quiet=True)
    yield ctx
    ctx.close()


@pytest.fixture
def paused_controller(
    qtbot: QtBot, app_context: AppContext, clock: FakeClock
) -> Iterator[AppController]:
    ctl = AppController(app_context, clock=clock.utcnow, driver=ManualDriver())
    assert ctl.scheduler is not None
    ctl.scheduler.pause_for_reconnect("refresh_token is revoked")
    yield ctl
    ctl.shutdown()


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_reconnect_opens_at_the_connect_page_and_resumes_the_schedule(
    qtbot: QtBot,
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    seller: ScriptedBrowser,
    revoked: Credentials,
    redirect_uri: str,
    paused_controller: AppController,
    parent: QWidget,
) -> None:
    scheduler = paused_controller.scheduler
    assert scheduler is not None
    wizard = open_reconnect(parent, paused_controller, connect_timeout=30)
    assert isinstance(wizard, SetupWizard)
    assert wizard.mode is Mode.RECONNECT
    try:
        assert wizard.isVisible()
        assert wizard.currentId() == PageId.CONNECT
        assert wizard.pageIds() == [PageId.CONNECT, PageId.SHOP]
        page = wizard.currentPage()
        assert isinstance(page, ConnectPage)
        assert page.redirect.text() == redirect_uri  # the profile's registered URI
        page.connect_button.click()
        qtbot.waitUntil(lambda: page.result is not None, timeout=TIMEOUT_MS)
        go_next(qtbot, wizard, PageId.SHOP)
        shop = wizard.currentPage()
        assert isinstance(shop, ShopPage)
        assert shop.isFinalPage()
        qtbot.waitUntil(lambda: shop.confirm.isEnabled(), timeout=TIMEOUT_MS)
        assert not shop.other_shop.isVisibleTo(shop)  # the same shop as before
        shop.confirm.setChecked(True)
        with qtbot.waitSignal(wizard.finished_with, timeout=TIMEOUT_MS) as finished:
            press(wizard, QWizard.WizardButton.FinishButton)
    finally:
        if isValid(wizard):
            wizard.jobs.shutdown()
    outcome = finished.args[0]
    assert outcome.kind is OutcomeKind.CONNECTED
    assert outcome.profile == "production"
    assert not outcome.run_first_sync
    fresh = Credentials.from_json(keychain.items[ITEM])
    assert fresh.connected
    assert fresh.access_token != revoked.access_token
    qtbot.waitUntil(lambda: paused_controller.connection.state == "connected", timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: scheduler.snapshot().paused_reason is None, timeout=TIMEOUT_MS)
    assert paused_controller.connection.shop_name == "FakeCraftShop"


def test_cancelling_the_reconnect_wizard_leaves_the_pause(
    qtbot: QtBot,
    seller: ScriptedBrowser,
    paused_controller: AppController,
    parent: QWidget,
) -> None:
    calls: list[str] = []
    paused_controller.reconnect = lambda: calls.append("reconnect")  # type: ignore[method-assign]
    wizard = open_reconnect(parent, paused_controller)
    assert wizard is not None
    with qtbot.waitSignal(wizard.finished_with) as finished:
        press(wizard, QWizard.WizardButton.CancelButton)
    assert finished.args[0].kind is OutcomeKind.CANCELLED
    assert calls == []
    scheduler = paused_controller.scheduler
    assert scheduler is not None
    assert (scheduler.snapshot().paused_reason or "").startswith(AUTH_PAUSE)


def test_the_dashboards_reconnect_button_opens_the_wizard_at_the_connect_page(
    qtbot: QtBot, app_context: AppContext, paused_controller: AppController
) -> None:
    window = MainWindow(app_context, controller=paused_controller)
    window.exit_application = lambda: None
    qtbot.addWidget(window)
    try:
        window.dashboard.reconnect_requested.emit()
        wizard = window.findChild(SetupWizard)
        assert wizard is not None
        assert wizard.mode is Mode.RECONNECT
        assert wizard.currentId() == PageId.CONNECT
        wizard.reject()
    finally:
        window.shutdown()

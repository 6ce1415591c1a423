"""The whole setup wizard against the fake Etsy over loopback HTTP, ending with a
profile that syncs.

The seller's browser is scripted: the wizard's browser opener hands the consent
URL to it; it approves on the fake Etsy and follows the redirect to the
wizard's loopback listener, as a real browser would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from etsysync_gui.bootstrap import open_database
from etsysync_gui.config import ConfigStore, load_settings
from etsysync_gui.credentials import SERVICE, Credentials
from etsysync_gui.db.models import EtsyProduct
from etsysync_gui.etsy_account import client_from_settings
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.service import SyncService
from etsysync_gui.ui.tray_choices import close_to_tray_choice
from etsysync_gui.ui.wizard.model import NEW_PROFILE, OutcomeKind, PageId
from etsysync_gui.ui.wizard.page_connect import ConnectPage
from etsysync_gui.ui.wizard.page_finish import FinishPage
from etsysync_gui.ui.wizard.page_keys import KeysPage
from etsysync_gui.ui.wizard.page_profile import ProfilePage
from etsysync_gui.ui.wizard.page_shop import ShopPage
from etsysync_gui.ui.wizard.page_sync import SyncPage
from fake_etsy import FakeEtsyServer
from tests.credentials.fakes import MemoryKeyring
from tests.oauth.helpers import ScriptedBrowser

from .conftest import MakeWizard
from .drive import TIMEOUT_MS, go_next, press

PROFILE = "studio"


def test_the_whole_wizard_connects_a_new_profile_that_syncs(
    qtbot: QtBot,
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    seller: ScriptedBrowser,
    redirect_uri: str,
    make_wizard: MakeWizard,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    wizard = make_wizard()

    profile = wizard.currentPage()
    assert isinstance(profile, ProfilePage)
    profile.profiles.setCurrentIndex(profile.profiles.findData(NEW_PROFILE))
    profile.new_name.setText("bad name!")
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    profile.new_name.setText(PROFILE)
    go_next(qtbot, wizard, PageId.KEYS)
    assert wizard.model.profile_name == PROFILE

    keys = wizard.currentPage()
    assert isinstance(keys, KeysPage)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    keys.keystring.setText(etsy.keystring)
    keys.secret.setText(etsy.shared_secret)
    assert keys.secret.echoMode() == keys.secret.EchoMode.Password
    go_next(qtbot, wizard, PageId.CONNECT)
    assert "Etsy accepted the keys" in keys.status.text()

    connect = wizard.currentPage()
    assert isinstance(connect, ConnectPage)
    assert connect.redirect.text() == "http://localhost:3003/oauth/redirect"  # the default
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    connect.redirect.setText(redirect_uri)  # the seller registered another port
    connect.connect_button.click()
    assert connect.busy
    assert connect.cancel_button.isVisibleTo(connect)
    qtbot.waitUntil(lambda: connect.result is not None, timeout=TIMEOUT_MS)
    assert connect.problem_title == ""
    assert seller.urls
    assert connect.url.text() == seller.urls[0]
    assert f"client_id={etsy.keystring}" in connect.url.text()
    assert "Connected to Etsy: FakeCraftShop" in connect.connected.text()
    go_next(qtbot, wizard, PageId.SHOP)

    shop = wizard.currentPage()
    assert isinstance(shop, ShopPage)
    qtbot.waitUntil(lambda: shop.confirm.isEnabled(), timeout=TIMEOUT_MS)
    assert "FakeCraftShop" in shop.name.text()
    assert shop.currency.text() == "USD"
    active = len(etsy.listing_ids("active"))
    assert shop.listings.text() == str(active)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # confirm first
    shop.confirm.setChecked(True)
    go_next(qtbot, wizard, PageId.DATABASE)

    go_next(qtbot, wizard, PageId.SYNC)  # the default: SQLite in the data folder

    sync = wizard.currentPage()
    assert isinstance(sync, SyncPage)
    # Stock: sized for the shop's few listings (a new profile sets no interval of its own).
    assert (sync.listings.value(), sync.inventory.value()) == (120, 10)
    assert sync.interval_note.text().startswith("Every 10 min: a run costs about 4 calls")
    assert f"Sized for your {active} listings" in sync.interval_note.text()
    assert sync.write_mode.currentText().startswith("Autopilot: ")
    sync.write_mode.setCurrentIndex(sync.write_mode.findData("drafts"))
    assert sync.enabled.isChecked()
    assert sync.keep_in_tray.isChecked()  # keep syncing after the window closes: on
    assert not sync.start_at_login.isChecked()
    sync.start_at_login.setChecked(True)
    sync.listings.setValue(180)
    sync.zero.setCurrentIndex(sync.zero.findData("leave"))
    go_next(qtbot, wizard, PageId.FINISH)

    finish = wizard.currentPage()
    assert isinstance(finish, FinishPage)
    summary = finish.summary.text()
    assert f"Profile: {PROFILE}" in summary
    assert "FakeCraftShop" in summary
    assert "listings every 3 h" in summary
    assert "inventory every 10 min" in summary
    assert "Background writes: Drafts: background syncs prepare a plan and wait for me" in summary
    assert "keeps syncing from the tray" in summary
    assert finish.first_sync.isChecked()
    with qtbot.waitSignal(wizard.finished_with, timeout=TIMEOUT_MS) as finished:
        press(wizard, QWizard.WizardButton.FinishButton)
    outcome = finished.args[0]
    assert outcome.kind is OutcomeKind.CONNECTED
    assert (outcome.profile, outcome.run_first_sync) == (PROFILE, True)
    assert wizard.outcome == outcome
    assert close_to_tray_choice(PROFILE) is True  # the first close does not ask again
    entry = tmp_path / "xdg" / "autostart" / "app.etsysync.EtsySync.desktop"
    assert f"--profile {PROFILE}" in entry.read_text()  # starts in the tray at login

    # The profile: saved, made the default, no secret anywhere in the file.
    stored = ConfigStore().load()
    assert stored.default_profile == PROFILE
    saved_profile = stored.profile(PROFILE)
    assert saved_profile.shop_id == etsy.shop_id
    assert saved_profile.redirect_uri == redirect_uri
    assert saved_profile.product_sync_interval == 3 * 3600
    assert saved_profile.zero_stock_policy.value == "leave"
    assert saved_profile.write_mode.value == "drafts"
    assert "inventory_sync_interval" not in stored.keys_in_file[PROFILE]  # follows the shop
    text = stored.path.read_text()
    item = Credentials.from_json(keychain.items[(SERVICE, f"profile:{PROFILE}")])
    assert item.connected
    assert item.shop_id == etsy.shop_id
    for secret in item.secret_values():
        assert secret not in text

    # ... and it syncs: the listings land in its database.
    settings = load_settings()
    assert settings.profile.name == PROFILE
    database, _ = open_database(settings)
    service = SyncService(
        database, lambda: client_from_settings(settings), SyncOptions.from_settings(settings)
    )
    try:
        result = service.sync_listings(import_unlinked=True)
        assert result.status == "completed", result
        with database.session() as session:
            count = session.scalar(select(func.count()).select_from(EtsyProduct))
        assert count == len(etsy.listing_ids())
    finally:
        service.close()
        database.dispose()

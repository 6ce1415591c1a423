"""The app's entry points: ``run_setup_wizard`` (demo, cancel), ``needs_setup``,
the pages for the screenshots, and the wizard model's words and settings."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWizard
from pytestqt.qtbot import QtBot

from etsysync_gui.config import ConfigStore, ConflictPolicy, load_settings
from etsysync_gui.credentials import SERVICE, Credentials
from etsysync_gui.ui.wizard import (
    SetupWizard,
    needs_setup,
    run_setup_wizard,
    screenshot_pages,
)
from etsysync_gui.ui.wizard.model import (
    NEW_PROFILE,
    OutcomeKind,
    PageId,
    SyncChoices,
    WizardModel,
    duration,
)
from etsysync_gui.ui.wizard.page_profile import ProfilePage
from fake_etsy import FakeEtsyServer
from tests.credentials.fakes import MemoryKeyring

from .conftest import MakeWizard
from .drive import TIMEOUT_MS


def _when_shown(action: object) -> None:
    """Run ``action(wizard)`` once the modal wizard is up (``exec`` blocks this test)."""

    def poll() -> None:
        wizard = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, SetupWizard)), None
        )
        if wizard is None or not wizard.isVisible():
            QTimer.singleShot(10, poll)
            return
        action(wizard)  # type: ignore[operator]

    QTimer.singleShot(0, poll)


def test_the_demo_button_ends_the_wizard_with_demo_requested(qtbot: QtBot) -> None:
    emitted: list[bool] = []

    def press_demo(wizard: SetupWizard) -> None:
        wizard.demo_requested.connect(lambda: emitted.append(True))
        page = wizard.currentPage()
        assert isinstance(page, ProfilePage)
        page.demo.click()

    _when_shown(press_demo)
    outcome = run_setup_wizard(None, load_settings())
    assert outcome.kind is OutcomeKind.DEMO
    assert outcome.demo_requested
    assert outcome.profile is None
    assert emitted == [True]
    assert not ConfigStore().path.exists()


def test_cancel_ends_the_wizard_with_cancelled(qtbot: QtBot) -> None:
    seen: list[str] = []

    def cancel(wizard: SetupWizard) -> None:
        seen.append(wizard.model.profile_name)
        wizard.button(QWizard.WizardButton.CancelButton).click()

    _when_shown(cancel)
    # The keywords the app's start-up passes (``app._setup_first``).
    outcome = run_setup_wizard(parent=None, profile="staging")
    assert outcome.cancelled
    assert not outcome.connected
    assert seen == ["staging"]


def test_needs_setup_until_the_profile_has_a_shop_and_tokens(
    etsy: FakeEtsyServer, keychain: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert needs_setup(load_settings())  # nothing yet
    ConfigStore().set_value("production", "shop_id", str(etsy.shop_id))
    assert needs_setup(load_settings())  # a shop, no tokens
    keys_only = Credentials(keystring=etsy.keystring, shared_secret=etsy.shared_secret)
    keychain.items[(SERVICE, "profile:production")] = keys_only.to_json()
    assert needs_setup(load_settings())  # keys, not connected
    access, refresh, _ = etsy.issue_tokens()
    connected = replace(keys_only, access_token=access, refresh_token=refresh)
    keychain.items[(SERVICE, "profile:production")] = connected.to_json()
    assert not needs_setup(load_settings())
    del keychain.items[(SERVICE, "profile:production")]
    monkeypatch.setenv("ETSY_ACCESS_TOKEN", access)
    monkeypatch.setenv("ETSY_REFRESH_TOKEN", refresh)
    assert not needs_setup(load_settings())  # the environment connects it


def test_the_profile_page_lists_profiles_and_checks_new_names(
    qtbot: QtBot, make_wizard: MakeWizard
) -> None:
    ConfigStore().set_value("shop2", "sync_enabled", "false")
    wizard = make_wizard()
    page = wizard.currentPage()
    assert isinstance(page, ProfilePage)
    qtbot.waitUntil(lambda: page.profiles.findData("shop2") >= 0, timeout=TIMEOUT_MS)
    names = [page.profiles.itemData(i) for i in range(page.profiles.count())]
    assert set(names) == {"production", "staging", "shop2", NEW_PROFILE}
    assert names[-1] == NEW_PROFILE  # "New profile…" stays last
    assert page.profiles.currentData() == "production"
    page.profiles.setCurrentIndex(page.profiles.findData("shop2"))
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.KEYS, timeout=TIMEOUT_MS)
    assert wizard.model.profile_name == "shop2"
    assert wizard.model.sync.enabled is False  # the profile's own settings


def test_every_page_renders_with_demo_data(qtbot: QtBot) -> None:
    pages = screenshot_pages(None)
    assert [name for name, _ in pages] == [
        "profile",
        "keys",
        "connect",
        "shop",
        "database",
        "sync",
        "finish",
    ]
    for name, widget in pages:
        qtbot.addWidget(widget)
        assert isinstance(widget, SetupWizard)
        widget.show()
        assert not widget.grab().isNull(), name
        widget.close()
    shop = pages[3][1]
    assert isinstance(shop, SetupWizard)
    assert "FakeCraftShop" in shop.page_of(PageId.SHOP).name.text()  # type: ignore[attr-defined]


def test_the_model_writes_only_what_changed_and_never_a_secret() -> None:
    settings = load_settings()
    model = WizardModel(settings, sync=SyncChoices.from_settings(settings))
    assert model.config_changes() == {}
    model.sync = replace(model.sync, listings_interval=5400, conflict_policy=ConflictPolicy.SKIP)
    model.database_url = "postgresql://me@db.example/etsysync"
    assert model.config_changes() == {
        "product_sync_interval": "5400",
        "conflict_policy": "skip",
        "database_url": "postgresql://me@db.example/etsysync",
    }
    lines = "\n".join(model.summary_lines())
    assert "listings every 1 h 30 min" in lines
    assert "Skip the listing" in lines
    assert "PostgreSQL: postgresql://me@db.example/etsysync" in lines
    assert (duration(7200), duration(600), duration(5400)) == ("2 h", "10 min", "1 h 30 min")

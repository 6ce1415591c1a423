"""Bad input: each shows a clear message on its page, the wizard stays there, and
nothing is stored (no keychain item, no tokens, no setting)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from keyring.backends import fail
from keyring.errors import KeyringLocked
from PySide6.QtWidgets import QLabel, QWizard
from pytestqt.qtbot import QtBot

from etsysync_gui.bootstrap import start
from etsysync_gui.config import ConfigStore, Profile
from etsysync_gui.credentials import SERVICE, Credentials
from etsysync_gui.etsy_account import credentials_file_path
from etsysync_gui.scheduling.driver import ManualDriver
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.settings_dialog import SettingsDialog
from etsysync_gui.ui.wizard import SetupWizard
from etsysync_gui.ui.wizard.model import PageId
from etsysync_gui.ui.wizard.page_connect import ConnectPage
from etsysync_gui.ui.wizard.page_database import DatabasePage
from etsysync_gui.ui.wizard.page_keys import WRONG_BOX, KeysPage
from fake_etsy import FakeEtsyServer
from tests.clock import FakeClock
from tests.credentials.fakes import MemoryKeyring, RaisingKeyring, installed_keyring
from tests.oauth.helpers import ScriptedBrowser, free_port

from .conftest import MakeWizard
from .drive import TIMEOUT_MS, go_next, start_at, wait_problem

ITEM = (SERVICE, "profile:production")


def stored_profile() -> Profile:
    return ConfigStore().load().profile("production")


def keys_page(make_wizard: MakeWizard) -> tuple[SetupWizard, KeysPage]:
    wizard = make_wizard()
    page = start_at(wizard, PageId.KEYS)
    assert isinstance(page, KeysPage)
    return wizard, page


def submit_keys(wizard: SetupWizard, page: KeysPage, keystring: str, secret: str) -> None:
    page.keystring.setText(keystring)
    page.secret.setText(secret)
    wizard.button(QWizard.WizardButton.NextButton).click()


# -- the app keys ---------------------------------------------------------------------------


def test_a_wrong_keystring_is_named_and_nothing_is_stored(
    qtbot: QtBot, etsy: FakeEtsyServer, keychain: MemoryKeyring, make_wizard: MakeWizard
) -> None:
    wizard, page = keys_page(make_wizard)
    submit_keys(wizard, page, "notmykeystring", etsy.shared_secret)
    problem = wait_problem(qtbot, page)
    assert "Etsy does not know this keystring" in problem
    assert page.keystring.styleSheet() == WRONG_BOX
    assert page.secret.styleSheet() == ""
    assert wizard.currentId() == PageId.KEYS
    assert keychain.items == {}
    assert keychain.writes == 0
    assert not ConfigStore().path.exists()


def test_a_wrong_shared_secret_is_named_and_nothing_is_stored(
    qtbot: QtBot, etsy: FakeEtsyServer, keychain: MemoryKeyring, make_wizard: MakeWizard
) -> None:
    wizard, page = keys_page(make_wizard)
    submit_keys(wizard, page, etsy.keystring, "notmysecret")
    problem = wait_problem(qtbot, page)
    assert "The shared secret does not match this keystring" in problem
    assert page.secret.styleSheet() == WRONG_BOX
    assert page.keystring.styleSheet() == ""
    assert wizard.currentId() == PageId.KEYS
    assert keychain.items == {}
    # Fixing the secret clears the mark and goes on.
    page.secret.setText(etsy.shared_secret)
    assert page.secret.styleSheet() == ""
    go_next(qtbot, wizard, PageId.CONNECT)
    assert Credentials.from_json(keychain.items[ITEM]).shared_secret == etsy.shared_secret


def test_no_keychain_shows_its_message_then_offers_the_file_with_a_warning(
    qtbot: QtBot, etsy: FakeEtsyServer, make_wizard: MakeWizard
) -> None:
    with installed_keyring(fail.Keyring()):
        wizard, page = keys_page(make_wizard)
        assert not page.use_file.isVisibleTo(page)  # only offered when there is no keychain
        submit_keys(wizard, page, etsy.keystring, etsy.shared_secret)
        problem = wait_problem(qtbot, page)
        assert problem.startswith("No keychain available: ")
        assert "no system keychain" in problem
        assert wizard.currentId() == PageId.KEYS
        assert not ConfigStore().path.exists()
        assert not credentials_file_path("production").exists()

        assert page.use_file.isVisibleTo(page)
        assert not page.use_file.isChecked()
        page.use_file.setChecked(True)
        assert page.file_warning.isVisibleTo(page)
        assert "NOT encrypted" in page.file_warning.text()
        go_next(qtbot, wizard, PageId.CONNECT)
    assert stored_profile().credentials_file is True  # remembered, and shown in settings
    path = credentials_file_path("production")
    assert path.exists()
    assert etsy.shared_secret in path.read_text()
    assert f"file (not encrypted): {path}" in page.status.text()
    assert "unencrypted file" in wizard.model.summary_lines()[-1]


def test_a_locked_keychain_shows_its_message_and_nothing_is_stored(
    qtbot: QtBot, etsy: FakeEtsyServer, make_wizard: MakeWizard
) -> None:
    backend = RaisingKeyring(KeyringLocked("locked"))
    with installed_keyring(backend):
        wizard, page = keys_page(make_wizard)
        submit_keys(wizard, page, etsy.keystring, etsy.shared_secret)
        problem = wait_problem(qtbot, page)
    assert problem.startswith("Keychain locked: ")
    assert "Unlock it" in problem
    assert not page.use_file.isVisibleTo(page)  # unlock it; no file for a locked keychain
    assert backend.stored is None
    assert wizard.currentId() == PageId.KEYS
    assert not ConfigStore().path.exists()


# -- connecting -------------------------------------------------------------------------------


@pytest.fixture
def at_connect(
    qtbot: QtBot, etsy: FakeEtsyServer, keychain: MemoryKeyring, make_wizard: MakeWizard
) -> tuple[SetupWizard, ConnectPage]:
    """The wizard on the connect page with the app key checked and stored."""
    wizard, page = keys_page(make_wizard)
    submit_keys(wizard, page, etsy.keystring, etsy.shared_secret)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=TIMEOUT_MS)
    connect = wizard.currentPage()
    assert isinstance(connect, ConnectPage)
    return wizard, connect


def assert_not_connected(keychain: MemoryKeyring) -> None:
    assert not Credentials.from_json(keychain.items[ITEM]).connected
    profile = stored_profile()
    assert profile.shop_id is None
    assert profile.redirect_uri == Profile().redirect_uri


def test_a_redirect_uri_etsy_does_not_know_is_explained(
    qtbot: QtBot,
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    seller: ScriptedBrowser,
    at_connect: tuple[SetupWizard, ConnectPage],
) -> None:
    wizard, page = at_connect
    unregistered = f"http://localhost:{free_port()}/callback"
    page.redirect.setText(unregistered)
    page.connect_button.click()
    problem = wait_problem(qtbot, page)
    assert problem.startswith("Redirect URL not registered with Etsy: ")
    assert "The requested redirect URL is not permitted." in problem
    assert f"Register exactly {unregistered}" in problem
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert page.connect_button.isEnabled()
    assert not page.redirect.isReadOnly()
    assert_not_connected(keychain)


def test_a_busy_port_is_reported_before_the_browser_opens(
    qtbot: QtBot,
    redirect_uri: str,
    keychain: MemoryKeyring,
    seller: ScriptedBrowser,
    at_connect: tuple[SetupWizard, ConnectPage],
) -> None:
    _wizard, page = at_connect
    port = int(redirect_uri.rsplit(":", 1)[1].split("/")[0])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen(1)
        page.redirect.setText(redirect_uri)
        page.connect_button.click()
        problem = wait_problem(qtbot, page)
    assert problem.startswith("Port in use: ")
    assert f"port {port} is in use" in problem
    assert seller.urls == []  # the browser never opened
    assert_not_connected(keychain)


def test_declining_on_etsy_is_reported(
    qtbot: QtBot,
    redirect_uri: str,
    keychain: MemoryKeyring,
    seller: ScriptedBrowser,
    at_connect: tuple[SetupWizard, ConnectPage],
) -> None:
    _wizard, page = at_connect
    seller.approve = False
    page.redirect.setText(redirect_uri)
    page.connect_button.click()
    assert wait_problem(qtbot, page).startswith("Access declined: You declined access")
    assert_not_connected(keychain)


def test_waiting_can_be_cancelled(
    qtbot: QtBot,
    redirect_uri: str,
    keychain: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    at_connect: tuple[SetupWizard, ConnectPage],
) -> None:
    from etsysync_gui.ui.wizard import browser

    monkeypatch.setattr(browser, "open_url", lambda url: True)  # the seller never answers
    _wizard, page = at_connect
    page.redirect.setText(redirect_uri)
    page.connect_button.click()
    qtbot.waitUntil(lambda: page.url_row.isVisibleTo(page), timeout=TIMEOUT_MS)
    assert page.busy
    assert page.busy_bar.isVisibleTo(page)
    page.cancel_button.click()
    assert wait_problem(qtbot, page) == "Cancelled: Connecting to Etsy was cancelled."
    assert not page.cancel_button.isVisibleTo(page)
    assert_not_connected(keychain)


def test_no_answer_in_time_is_explained(
    qtbot: QtBot,
    redirect_uri: str,
    keychain: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    at_connect: tuple[SetupWizard, ConnectPage],
) -> None:
    from etsysync_gui.ui.wizard import browser

    monkeypatch.setattr(browser, "open_url", lambda url: True)
    wizard, page = at_connect
    wizard.connect_timeout = 0.2
    page.redirect.setText(redirect_uri)
    page.connect_button.click()
    problem = wait_problem(qtbot, page)
    assert problem.startswith("No answer from Etsy: ")
    assert "The requested redirect URL is not permitted." in problem  # the likely cause
    assert_not_connected(keychain)


def test_an_unusable_redirect_uri_is_refused_at_once(
    qtbot: QtBot, keychain: MemoryKeyring, at_connect: tuple[SetupWizard, ConnectPage]
) -> None:
    _wizard, page = at_connect
    page.redirect.setText("https://example.com/callback")
    page.connect_button.click()
    assert wait_problem(qtbot, page).startswith("Redirect URL not usable: ")
    assert_not_connected(keychain)


# -- the database ---------------------------------------------------------------------------


@pytest.fixture
def database_page(make_wizard: MakeWizard) -> Iterator[tuple[SetupWizard, DatabasePage]]:
    wizard = make_wizard()
    page = start_at(wizard, PageId.DATABASE)
    assert isinstance(page, DatabasePage)
    return wizard, page


def test_an_unreachable_postgresql_server_is_reported_and_not_kept(
    qtbot: QtBot, database_page: tuple[SetupWizard, DatabasePage]
) -> None:
    wizard, page = database_page
    assert not page.test.isEnabled()
    page.postgres.setChecked(True)
    assert not page.test.isEnabled()  # no URL yet
    page.url.setText(f"postgresql://etsysync@127.0.0.1:{free_port()}/etsysync")
    page.test.click()
    problem = wait_problem(qtbot, page)
    assert problem.startswith("Database problem: Cannot connect to the PostgreSQL database")
    assert page.tested.text() == ""
    # Next tries again, fails the same way and stays.
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: not page.busy and bool(page.problem_title), timeout=TIMEOUT_MS)
    assert wizard.currentId() == PageId.DATABASE
    assert wizard.model.database_url is None
    assert not ConfigStore().path.exists()


def test_a_password_in_the_database_url_is_refused_with_the_fix(
    qtbot: QtBot, database_page: tuple[SetupWizard, DatabasePage]
) -> None:
    _wizard, page = database_page
    page.postgres.setChecked(True)
    page.url.setText("postgresql://etsysync:hunter2@127.0.0.1:5432/etsysync")
    page.test.click()
    problem = wait_problem(qtbot, page)
    assert problem.startswith("Password in the database URL: ")
    assert "~/.pgpass" in problem
    assert "hunter2" not in problem


def test_the_settings_dialog_shows_the_credentials_file_choice(
    qtbot: QtBot, etsy: FakeEtsyServer, clock: FakeClock
) -> None:
    ConfigStore().set_value("production", "credentials_file", "true")
    context = start(quiet=True)
    controller = AppController(context, clock=clock.utcnow, driver=ManualDriver())
    try:
        dialog = SettingsDialog(controller)
        qtbot.addWidget(dialog)
        warning = dialog.findChild(QLabel, "credentialsFileWarning")
        assert warning is not None
        assert "unencrypted file" in warning.text()
        assert str(credentials_file_path("production")) in warning.text()
    finally:
        controller.shutdown()
        context.close()

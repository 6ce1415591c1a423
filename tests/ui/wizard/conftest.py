"""Fixtures for the setup wizard: a fake Etsy on loopback, an in-memory keychain, a
scripted seller's browser, and a wizard whose workers are joined at teardown.

``etsy`` replaces the GUI suite's fixture of the same name: the profile is
pointed at the fake Etsy (API, consent page, token endpoint) but holds no
keys or tokens, since connecting is what the wizard is for.  The fake accepts
one redirect URI, on a free port (never 3003, so parallel runs do not meet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from etsysync_gui.config import load_settings
from etsysync_gui.redaction import clear_registered_secrets
from etsysync_gui.ui.wizard import SetupWizard, browser
from etsysync_gui.ui.wizard.model import Mode
from fake_etsy import FakeEtsyServer
from tests.credentials.fakes import MemoryKeyring, installed_keyring
from tests.oauth.helpers import ScriptedBrowser, free_port


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    yield
    clear_registered_secrets()


@pytest.fixture
def redirect_uri() -> str:
    return f"http://localhost:{free_port()}/oauth/redirect"


@pytest.fixture
def etsy(redirect_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEtsyServer]:
    with FakeEtsyServer(
        listings=12, seed=3, qps=None, qpd=None, redirect_uris=[redirect_uri]
    ) as server:
        monkeypatch.setenv("ETSY_API_BASE_URL", server.base_url)
        monkeypatch.setenv("ETSY_OAUTH_CONNECT_URL", server.oauth_connect_url)
        monkeypatch.setenv("ETSY_OAUTH_TOKEN_URL", server.token_url)
        yield server
        assert server.internal_errors == []


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def seller(etsy: FakeEtsyServer, monkeypatch: pytest.MonkeyPatch) -> ScriptedBrowser:
    """The seller's browser: approves on the fake Etsy and follows the redirect."""
    scripted = ScriptedBrowser(etsy)
    monkeypatch.setattr(browser, "open_url", scripted)
    return scripted


MakeWizard = Callable[..., SetupWizard]


@pytest.fixture
def make_wizard(qtbot: QtBot) -> Iterator[MakeWizard]:
    """``make_wizard(mode=..., profile=...)``: a shown wizard, closed and joined at teardown."""
    made: list[SetupWizard] = []

    def make(*, mode: Mode = Mode.SETUP, profile: str | None = None) -> SetupWizard:
        wizard = SetupWizard(load_settings(profile), mode=mode, connect_timeout=30)
        qtbot.addWidget(wizard)
        wizard.show()
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.connect_page.cancel()
        wizard.jobs.shutdown()

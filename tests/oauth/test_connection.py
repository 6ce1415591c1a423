"""``connection``: secrets from the environment first, else the keychain; rotated tokens
saved before use; the app key checked with a ping; ``connect_account`` leaves nothing
behind when it fails."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest
import respx
from keyring.errors import KeyringLocked

from etsysync_gui.config import ConfigStore, Settings, load_settings
from etsysync_gui.credentials import SERVICE, Credentials, CredentialStore, KeychainError
from etsysync_gui.errors import EXIT_NEEDS_USER
from etsysync_gui.etsy.errors import TokenRevokedError
from etsysync_gui.etsy.oauth.flow import RedirectUriNotPermitted
from etsysync_gui.etsy_account import (
    AppKeysError,
    NotConnectedError,
    client_from_settings,
    connect_account,
    credential_store,
    validate_app_keys,
)
from fake_etsy import FakeEtsyServer
from tests.credentials.fakes import MemoryKeyring, RaisingKeyring

from .helpers import ScriptedBrowser, configure_redirect, fake_etsy_env, free_port

PROFILE = "t"


def _settings(env: Mapping[str, str]) -> Settings:
    return load_settings(PROFILE, environ=dict(env))


@pytest.fixture
def settings(etsy: FakeEtsyServer, redirect_uri: str) -> Settings:
    configure_redirect(PROFILE, redirect_uri)
    return _settings(fake_etsy_env(etsy))


def _stored_credentials(etsy: FakeEtsyServer, *, expires_at: float) -> Credentials:
    access, refresh, _ = etsy.issue_tokens()
    return Credentials(
        keystring=etsy.keystring,
        shared_secret=etsy.shared_secret,
        access_token=access,
        refresh_token=refresh,
        expires_at=expires_at,
        scopes=("listings_r", "listings_w", "shops_r"),
        user_id=etsy.user_id,
        shop_id=etsy.shop_id,
    )


def test_login_stores_credentials_then_the_client_reads_listings(
    etsy: FakeEtsyServer, settings: Settings
) -> None:
    backend = MemoryKeyring()
    store = CredentialStore(PROFILE, keyring_backend=backend)
    result = connect_account(
        settings,
        etsy.keystring,
        etsy.shared_secret,
        store=store,
        open_browser=ScriptedBrowser(etsy),
        timeout=30,
    )
    saved = store.load()
    assert saved is not None
    assert saved.tokens == result.tokens
    assert (saved.shared_secret, saved.shop_id, saved.user_id) == (
        etsy.shared_secret,
        etsy.shop_id,
        etsy.user_id,
    )
    assert ConfigStore().profile(PROFILE).shop_id == etsy.shop_id
    # A fresh start: no secret in the environment, everything from the keychain.
    fresh = _settings(fake_etsy_env(etsy))
    assert fresh.secrets.api_secret is None
    assert fresh.profile.shop_id == etsy.shop_id
    with client_from_settings(fresh, store=store) as client:
        listings = client.get_listings_by_shop(etsy.shop_id, ("active",), include_inventory=False)
    assert {listing.listing_id for listing in listings} == set(etsy.listing_ids("active"))


def test_rotated_tokens_reach_the_keychain_before_they_are_used(
    etsy: FakeEtsyServer, settings: Settings
) -> None:
    events: list[tuple[str, str]] = []

    class RecordingKeyring(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            super().set_password(service, username, password)
            events.append(("saved", Credentials.from_json(password).access_token or ""))

    backend = RecordingKeyring()
    store = CredentialStore(PROFILE, keyring_backend=backend)
    old = _stored_credentials(etsy, expires_at=0.0)  # expired: the first call refreshes
    store.save(old)
    events.clear()
    etsy.app.request_observer = lambda method, path, query, headers, body: events.append(
        ("request", headers.get("authorization", ""))
    )
    with client_from_settings(settings, store=store) as client:
        assert client.get_me().shop_id == etsy.shop_id
    new = store.load()
    assert new is not None
    assert new.access_token != old.access_token
    assert new.refresh_token != old.refresh_token
    assert new.shop_id == etsy.shop_id
    saved_at = events.index(("saved", new.access_token or ""))
    used_at = events.index(("request", f"Bearer {new.access_token}"))
    assert saved_at < used_at


def test_a_token_another_process_rotated_is_adopted_not_reported_as_revoked(
    etsy: FakeEtsyServer, settings: Settings
) -> None:
    """Two processes (two stores over one keychain) hold the same expired tokens."""
    backend = MemoryKeyring()
    CredentialStore(PROFILE, keyring_backend=backend).save(
        _stored_credentials(etsy, expires_at=0.0)
    )
    first = client_from_settings(settings, store=CredentialStore(PROFILE, keyring_backend=backend))
    second = client_from_settings(settings, store=CredentialStore(PROFILE, keyring_backend=backend))
    with first, second:
        assert first.get_me().shop_id == etsy.shop_id  # renews: Etsy burns the old token
        assert second.get_me().shop_id == etsy.shop_id  # its renewal is refused; it re-reads
    stored = CredentialStore(PROFILE, keyring_backend=backend).load()
    assert stored is not None
    assert stored.access_token is not None
    assert etsy.tokens.authenticate(f"Bearer {stored.access_token}") is not None


def test_environment_wins_and_the_keychain_is_not_even_opened(etsy: FakeEtsyServer) -> None:
    access, refresh, _ = etsy.issue_tokens()
    env = fake_etsy_env(
        etsy,
        ETSY_API_SECRET=etsy.shared_secret,
        ETSY_ACCESS_TOKEN=access,
        ETSY_REFRESH_TOKEN=refresh,
    )
    locked = CredentialStore(PROFILE, keyring_backend=RaisingKeyring(KeyringLocked("locked")))
    with client_from_settings(_settings(env), store=locked) as client:
        assert client.get_me().user_id == etsy.user_id


def test_nothing_anywhere_needs_the_user(etsy: FakeEtsyServer) -> None:
    store = CredentialStore(PROFILE, keyring_backend=MemoryKeyring())
    with pytest.raises(NotConnectedError) as caught:
        client_from_settings(_settings(fake_etsy_env(etsy)), store=store)
    assert caught.value.exit_code == EXIT_NEEDS_USER
    assert "etsysync auth login" in caught.value.message


def test_locked_keychain_is_reported_when_it_is_needed(etsy: FakeEtsyServer) -> None:
    store = CredentialStore(PROFILE, keyring_backend=RaisingKeyring(KeyringLocked("locked")))
    with pytest.raises(KeychainError, match="locked"):
        client_from_settings(_settings(fake_etsy_env(etsy)), store=store)


def test_revoked_refresh_token_raises_token_revoked(
    etsy: FakeEtsyServer, settings: Settings
) -> None:
    store = CredentialStore(PROFILE, keyring_backend=MemoryKeyring())
    store.save(_stored_credentials(etsy, expires_at=0.0))
    etsy.revoke_all_tokens()  # the seller changed their password
    with (
        client_from_settings(settings, store=store) as client,
        pytest.raises(TokenRevokedError) as caught,
    ):
        client.get_me()
    assert "Reconnect to Etsy" in caught.value.message
    assert caught.value.exit_code == EXIT_NEEDS_USER


def test_validate_app_keys_tells_keystring_from_secret(etsy: FakeEtsyServer) -> None:
    assert validate_app_keys(etsy.keystring, etsy.shared_secret, etsy.base_url) > 0
    with pytest.raises(AppKeysError) as wrong_key:
        validate_app_keys("nosuchkeystring", etsy.shared_secret, etsy.base_url)
    assert wrong_key.value.field == "keystring"
    assert "does not know this keystring" in wrong_key.value.message
    with pytest.raises(AppKeysError) as wrong_secret:
        validate_app_keys(etsy.keystring, "wrong-secret", etsy.base_url)
    assert wrong_secret.value.field == "shared_secret"
    assert "shared secret does not match" in wrong_secret.value.message
    assert "wrong-secret" not in wrong_secret.value.message
    calls = etsy.stats.calls("ping")
    with pytest.raises(AppKeysError) as pasted_pair:
        validate_app_keys(f"{etsy.keystring}:{etsy.shared_secret}", "x", etsy.base_url)
    assert pasted_pair.value.field == "keystring"
    assert etsy.stats.calls("ping") == calls  # refused before any request


def test_validate_app_keys_when_etsy_does_not_say_which_half() -> None:
    base = "https://etsy.invalid/v3"
    sentence = "API key not found or not active, or incorrect shared secret for API key."
    with respx.mock(base_url=base) as mock:
        mock.get("/application/openapi-ping").mock(
            return_value=httpx.Response(403, json={"error": sentence})
        )
        with pytest.raises(AppKeysError) as caught:
            validate_app_keys("somekey", "somesecret", base)
    assert caught.value.field is None
    assert "keystring or the shared secret is wrong" in caught.value.message


def _nothing_left(etsy: FakeEtsyServer, backend: MemoryKeyring) -> None:
    assert backend.items == {}
    assert ConfigStore().profile(PROFILE).shop_id is None
    assert etsy.stats.calls("oauthToken") == 0


@pytest.mark.parametrize(
    ("keystring", "secret", "field"),
    [("nosuchkeystring", None, "keystring"), (None, "wrong-secret", "shared_secret")],
)
def test_bad_app_key_stops_before_the_browser_and_stores_nothing(
    etsy: FakeEtsyServer,
    settings: Settings,
    keystring: str | None,
    secret: str | None,
    field: str,
) -> None:
    backend = MemoryKeyring()
    browser = ScriptedBrowser(etsy)
    with pytest.raises(AppKeysError) as caught:
        connect_account(
            settings,
            keystring or etsy.keystring,
            secret or etsy.shared_secret,
            store=CredentialStore(PROFILE, keyring_backend=backend),
            open_browser=browser,
            timeout=30,
        )
    assert caught.value.field == field
    assert browser.urls == []
    _nothing_left(etsy, backend)


def test_unregistered_redirect_uri_stores_nothing(etsy: FakeEtsyServer) -> None:
    configure_redirect(PROFILE, f"http://localhost:{free_port()}/oauth/redirect")
    settings = _settings(fake_etsy_env(etsy))
    backend = MemoryKeyring()
    with pytest.raises(RedirectUriNotPermitted) as caught:
        connect_account(
            settings,
            etsy.keystring,
            etsy.shared_secret,
            store=CredentialStore(PROFILE, keyring_backend=backend),
            open_browser=ScriptedBrowser(etsy),
            timeout=30,
        )
    assert settings.profile.redirect_uri in caught.value.message
    _nothing_left(etsy, backend)


def test_locked_keychain_stops_before_the_browser(etsy: FakeEtsyServer, settings: Settings) -> None:
    browser = ScriptedBrowser(etsy)
    store = CredentialStore(PROFILE, keyring_backend=RaisingKeyring(KeyringLocked("locked")))
    with pytest.raises(KeychainError) as caught:
        connect_account(
            settings, etsy.keystring, etsy.shared_secret, store=store, open_browser=browser
        )
    assert caught.value.title == "Keychain locked"
    assert browser.urls == []
    assert etsy.stats.calls("oauthToken") == 0


def test_keychain_refusing_the_final_write_leaves_no_shop_id(
    etsy: FakeEtsyServer, settings: Settings
) -> None:
    from keyring.errors import PasswordSetError

    store = CredentialStore(
        PROFILE,
        keyring_backend=RaisingKeyring(PasswordSetError("denied"), on=frozenset({"set"})),
    )
    with pytest.raises(KeychainError, match="refused to save"):
        connect_account(
            settings,
            etsy.keystring,
            etsy.shared_secret,
            store=store,
            open_browser=ScriptedBrowser(etsy),
            timeout=30,
        )
    assert ConfigStore().profile(PROFILE).shop_id is None


def test_connect_can_be_cancelled_from_another_thread(
    etsy: FakeEtsyServer, settings: Settings
) -> None:
    from etsysync_gui.etsy.oauth.flow import AuthorizationCancelled

    cancel = threading.Event()
    backend = MemoryKeyring()
    with pytest.raises(AuthorizationCancelled):
        connect_account(
            settings,
            etsy.keystring,
            etsy.shared_secret,
            store=CredentialStore(PROFILE, keyring_backend=backend),
            open_browser=lambda url: cancel.set(),
            cancel=cancel,
            timeout=30,
        )
    _nothing_left(etsy, backend)
    assert (SERVICE, f"profile:{PROFILE}") not in backend.items


def test_the_unencrypted_file_is_used_only_when_opted_in(
    etsy: FakeEtsyServer, monkeypatch: pytest.MonkeyPatch, isolated_environment: Path
) -> None:
    settings = _settings(fake_etsy_env(etsy))
    assert not credential_store(settings).uses_file
    monkeypatch.setenv("ETSYSYNC_CREDENTIALS_FILE", "1")
    store = credential_store(settings)
    path = isolated_environment / "data" / f"credentials-{PROFILE}.json"
    assert store.backend_name() == f"file (not encrypted): {path}"
    store.save(_stored_credentials(etsy, expires_at=0.0))
    assert path.is_file()
    with client_from_settings(settings, store=credential_store(settings)) as client:
        assert client.get_me().user_id == etsy.user_id  # refreshed, rotation written to the file
    rotated = credential_store(settings).load()
    assert rotated is not None
    assert rotated.refresh_token in path.read_text()


def test_on_url_failure_is_not_masked(etsy: FakeEtsyServer, settings: Settings) -> None:
    def broken_display(url: str) -> None:
        raise RuntimeError("display gone")

    with pytest.raises(RuntimeError, match="display gone"):
        connect_account(
            settings,
            etsy.keystring,
            etsy.shared_secret,
            store=CredentialStore(PROFILE, keyring_backend=MemoryKeyring()),
            open_browser=ScriptedBrowser(etsy),
            on_url=broken_display,
            timeout=30,
        )

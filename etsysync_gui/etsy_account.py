"""Building the Etsy client for a profile, and connecting a profile to Etsy.

One place decides where the keystring, the shared secret and the OAuth tokens
come from, so the CLI, the GUI and the scheduler all connect the same way:

1. the environment first (``ETSY_API_KEY``/config ``keystring``,
   ``ETSY_API_SECRET``, ``ETSY_ACCESS_TOKEN`` + ``ETSY_REFRESH_TOKEN``), as
   before: servers and CI keep working without a keychain, and the keychain is
   not even opened when the environment gives everything;
2. else the profile's keychain item (``credentials.CredentialStore``).

Tokens from the keychain get a ``persist`` callback that writes each rotated
pair back to the keychain (one atomic write) before the new access token is
used; Etsy's old refresh token may be dead by then (refresh tokens rotate:
https://developers.etsy.com/documentation/essentials/authentication).

Assumptions: a token given through the environment carries no expiry, so it
is taken to be fresh (Etsy's documented one-hour lifetime); if it is in fact
expired, Etsy answers 401 ``invalid_token`` and the client refreshes once.
The environment cannot be written back: a rotated environment token is kept
in memory for this process only, and a warning says so.  When a value comes
from the environment and another from the keychain, each is used as given
(the environment wins value by value); a keystring that differs between the
two is logged, because tokens only refresh with the app that issued them.

The unencrypted credentials file is used only when ``ETSYSYNC_CREDENTIALS_FILE``
is set to ``1``/``true``/``yes`` or the profile sets ``credentials_file = true``
(an explicit opt-in, offered by the setup wizard when there is no keychain; the
file lives in the user data folder and ``auth status`` shows its path).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etsysync_gui.config import ConfigStore, Profile, Settings
from etsysync_gui.credentials import Credentials, CredentialStore
from etsysync_gui.errors import EXIT_NEEDS_USER, EtsySyncError
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import API_KEY_HINT, EtsyAuthError
from etsysync_gui.etsy.oauth.flow import (
    DEFAULT_TIMEOUT,
    AuthorizationResult,
    OAuthApp,
    check_redirect_uri,
    run_authorization,
)
from etsysync_gui.etsy.oauth.pages import ETSY_APPS_URL as ETSY_APPS_URL
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from etsysync_gui.paths import user_data_dir

log = logging.getLogger(__name__)

ENV_TOKEN_LIFETIME_S = 3600
CREDENTIALS_FILE_ENV = "ETSYSYNC_CREDENTIALS_FILE"
_TRUE = ("1", "true", "yes")


class NotConnectedError(EtsySyncError):
    """The profile lacks what is needed to talk to Etsy; the user must act."""

    title = "Not connected to Etsy"
    exit_code = EXIT_NEEDS_USER


class AppKeysError(EtsyAuthError):
    """Etsy rejected the app key; ``field`` says which half is wrong when that is known.

    ``field`` is ``"keystring"``, ``"shared_secret"`` or ``None`` (unknown), so
    the wizard can point at the right input box.
    """

    title = "Etsy app key rejected"

    def __init__(self, message: str, *, field: str | None, status: int | None = None) -> None:
        super().__init__(message, status=status)
        self.field = field


# -- where the credentials live ---------------------------------------------------------


def credentials_file_path(profile_name: str) -> Path:
    """The opt-in unencrypted credentials file of a profile (in the user data folder)."""
    return user_data_dir() / f"credentials-{profile_name}.json"


def credential_store(settings: Settings) -> CredentialStore:
    """The profile's store: the system keychain, or the file if the user opted in."""
    name = settings.profile.name
    opted_in = os.environ.get(CREDENTIALS_FILE_ENV, "").strip().lower() in _TRUE
    if opted_in or settings.profile.credentials_file:
        return CredentialStore(name, file_fallback_path=credentials_file_path(name))
    return CredentialStore(name)


def redirect_uri_to_register(profile: Profile) -> str:
    """The exact callback URL to register on etsy.com (the wizard's copy button).

    Etsy compares it letter by letter, port included; raises ``RedirectUriError``
    if the profile's value cannot be served by the app's loopback listener.
    """
    return check_redirect_uri(profile.redirect_uri)


def oauth_app(profile: Profile, keystring: str, shared_secret: str) -> OAuthApp:
    """The OAuth endpoints and app key for ``profile`` (all of it can point at the fake)."""
    return OAuthApp(
        keystring=keystring,
        shared_secret=shared_secret,
        connect_url=profile.oauth_connect_url,
        redirect_uri=profile.redirect_uri,
        api_base_url=profile.api_base_url,
        token_url=profile.effective_oauth_token_url(),
    )


# -- the client -------------------------------------------------------------------------


def _warn_unsaved(tokens: TokenSet) -> None:
    log.warning(
        "Etsy issued a new refresh token; it was given through the environment, so it is "
        "kept in memory only. Connect with 'etsysync auth login' (or the setup wizard) to keep "
        "it in the keychain."
    )


def _keychain_persist(store: CredentialStore) -> Callable[[TokenSet], None]:
    def persist(tokens: TokenSet) -> None:
        store.update_tokens(tokens)

    return persist


def _keychain_reload(store: CredentialStore) -> Callable[[], TokenSet | None]:
    """Reads the stored tokens again: another process may have rotated them (``rotation``)."""

    def reload() -> TokenSet | None:
        stored = store.load()
        return None if stored is None else stored.tokens

    return reload


@dataclass(frozen=True)
class _Sources:
    keystring: str | None
    shared_secret: str | None = field(repr=False)
    tokens: TokenSet | None
    persist: Callable[[TokenSet], None]
    reload: Callable[[], TokenSet | None] | None = None


def _gather(settings: Settings, user: bool, store: CredentialStore | None) -> _Sources:
    profile, env = settings.profile, settings.secrets
    env_tokens = (
        TokenSet(env.access_token, env.refresh_token, time.time() + ENV_TOKEN_LIFETIME_S)
        if env.access_token and env.refresh_token
        else None
    )
    if profile.keystring and env.api_secret and (env_tokens is not None or not user):
        return _Sources(profile.keystring, env.api_secret, env_tokens, _warn_unsaved)
    store = store if store is not None else credential_store(settings)
    stored = store.load()
    if stored is None:
        return _Sources(profile.keystring, env.api_secret, env_tokens, _warn_unsaved)
    if profile.keystring and profile.keystring != stored.keystring and env_tokens is None:
        log.warning(
            "Profile %s: the keystring in the settings differs from the one saved with the "
            "Etsy connection; token refreshes may fail. Reconnect to Etsy if they do.",
            profile.name,
        )
    tokens: TokenSet | None = env_tokens
    persist: Callable[[TokenSet], None] = _warn_unsaved
    reload = None
    if env_tokens is None:
        tokens, persist, reload = stored.tokens, _keychain_persist(store), _keychain_reload(store)
    return _Sources(
        profile.keystring or stored.keystring,
        env.api_secret or stored.shared_secret,
        tokens,
        persist,
        reload,
    )


def client_from_settings(
    settings: Settings, *, user: bool = True, store: CredentialStore | None = None
) -> EtsyClient:
    """An ``EtsyClient`` for the profile; ``user=False`` for API-key-only calls (ping).

    Blocking (the first keychain read may wait for an unlock prompt): call it on
    a worker thread in the GUI.  Raises ``NotConnectedError`` (exit 4) when
    something is missing and ``KeychainError`` when the keychain cannot be read.
    """
    profile = settings.profile
    found = _gather(settings, user, store)
    missing = []
    if not found.keystring:
        missing.append("the app keystring")
    if not found.shared_secret:
        missing.append("the shared secret")
    if user and found.tokens is None:
        missing.append("the OAuth tokens")
    if missing:
        raise NotConnectedError(
            f"Profile {profile.name} is not connected to Etsy: missing {', '.join(missing)}. "
            "Run 'etsysync auth login' (or the setup wizard) to connect, or set ETSY_API_KEY, "
            "ETSY_API_SECRET, ETSY_ACCESS_TOKEN and ETSY_REFRESH_TOKEN in the environment."
        )
    assert found.keystring is not None
    assert found.shared_secret is not None
    token_url = profile.effective_oauth_token_url()
    manager = None
    if user:
        assert found.tokens is not None
        manager = TokenManager(
            keystring=found.keystring,
            shared_secret=found.shared_secret,
            tokens=found.tokens,
            persist=found.persist,
            token_url=token_url,
            reload=found.reload,
        )
    return EtsyClient(
        found.keystring,
        found.shared_secret,
        base_url=profile.api_base_url,
        token_url=token_url,
        token_manager=manager,
    )


# -- checking the app key -----------------------------------------------------------------


def _app_key_error(error: EtsyAuthError) -> AppKeysError:
    said = (error.etsy_description or "").lower() if error.etsy_error else ""
    if "unknown keystring" in said:
        return AppKeysError(
            f"Etsy does not know this keystring. Copy the keystring of your app from "
            f"{ETSY_APPS_URL} (Etsy said: {error.etsy_error or error.message}).",
            field="keystring",
            status=error.status,
        )
    missing_secret = "shared secret is required" in (error.etsy_error or "").lower()
    if "incorrect shared secret" in said or missing_secret:
        return AppKeysError(
            f"The shared secret does not match this keystring. Copy the shared secret of your "
            f"app from {ETSY_APPS_URL} (Etsy said: {error.etsy_error or error.message}).",
            field="shared_secret",
            status=error.status,
        )
    return AppKeysError(
        f"Etsy rejected the app key: the keystring or the shared secret is wrong. Copy both "
        f"from {ETSY_APPS_URL} (Etsy said: {error.etsy_error or error.message}).",
        field=None,
        status=error.status,
    )


def validate_app_keys(keystring: str, shared_secret: str, base_url: str) -> int:
    """Ping Etsy with ``keystring:shared_secret``; returns the application id.

    Raises ``AppKeysError`` naming the wrong half where Etsy's answer allows.
    The fake server adds ``error_description`` ``unknown keystring`` /
    ``incorrect shared secret``; real Etsy is reported to send one sentence
    ("API key not found or not active, or incorrect shared secret ...") for both,
    and then ``field`` is ``None`` and the message asks to check both.
    """
    keystring, shared_secret = keystring.strip(), shared_secret.strip()
    if not keystring or ":" in keystring:
        raise AppKeysError(
            f"Enter the app keystring alone (no ':'). {API_KEY_HINT}", field="keystring"
        )
    if not shared_secret:
        raise AppKeysError(f"Enter the shared secret. {API_KEY_HINT}", field="shared_secret")
    with EtsyClient(keystring, shared_secret, base_url=base_url) as client:
        try:
            return client.ping()
        except EtsyAuthError as exc:
            raise _app_key_error(exc) from None


# -- connecting -----------------------------------------------------------------------------


def save_authorization(
    store: CredentialStore, keystring: str, shared_secret: str, result: AuthorizationResult
) -> Credentials:
    """Keep a completed connection in the keychain (one item, one write)."""
    credentials = Credentials(
        keystring=keystring,
        shared_secret=shared_secret,
        access_token=result.tokens.access_token,
        refresh_token=result.tokens.refresh_token,
        expires_at=result.tokens.expires_at,
        scopes=result.scopes,
        user_id=result.user_id,
        shop_id=result.shop_id,
    )
    store.save(credentials)
    return credentials


def connect_account(
    settings: Settings,
    keystring: str,
    shared_secret: str,
    *,
    store: CredentialStore | None = None,
    open_browser: Callable[[str], object] = webbrowser.open,
    on_url: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> AuthorizationResult:
    """The whole "connect to Etsy" service, for the CLI and the wizard alike (blocking).

    Order is chosen so a failure leaves nothing behind: the keychain is opened
    first (locked or missing fails before the seller visits Etsy), the app key
    is checked with a ping, the browser flow runs, and only then are the
    credentials saved (keychain) and the shop id written to the profile.
    """
    store = store if store is not None else credential_store(settings)
    store.load()
    profile = settings.profile
    validate_app_keys(keystring, shared_secret, profile.api_base_url)
    app = oauth_app(profile, keystring.strip(), shared_secret.strip())
    result = run_authorization(
        app, open_browser=open_browser, on_url=on_url, cancel=cancel, timeout=timeout
    )
    save_authorization(store, app.keystring, app.shared_secret, result)
    ConfigStore(settings.config_path).set_value(profile.name, "shop_id", str(result.shop_id))
    return result

"""The wizard's blocking work, one function per step, for worker threads (no Qt).

Each step is the same service the CLI uses (``connection``, ``bootstrap``,
``ConfigStore``), called in an order that leaves nothing behind when it fails:

* keys: open the keychain first (missing or locked fails here, before Etsy
  is asked anything), then ping Etsy with ``keystring:shared_secret``, and only
  then save the app key in the keychain;
* connect: the stored app key, the PKCE loopback flow, then the credentials
  (keychain) and the shop id (profile); a changed redirect URI is written to
  the profile only after Etsy accepted it;
* database: open, check and migrate before the URL is kept;
* finish: the remaining choices through ``ConfigStore.set_value`` (validated
  there, secrets refused there).

Every failure is an ``EtsySyncError`` with a ``title`` and a ``message`` the
pages show as they are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from etsysync_gui.bootstrap import open_database
from etsysync_gui.config import ConfigStore, Settings, load_settings
from etsysync_gui.config.fields import database_url_has_password
from etsysync_gui.credentials import Credentials, KeychainError
from etsysync_gui.db.urls import mask_url, parse_database_url
from etsysync_gui.errors import ConfigError
from etsysync_gui.etsy.oauth.flow import DEFAULT_TIMEOUT, AuthorizationResult, check_redirect_uri
from etsysync_gui.etsy_account import (
    NotConnectedError,
    client_from_settings,
    connect_account,
    credential_store,
    validate_app_keys,
)
from etsysync_gui.redaction import register_secret
from etsysync_gui.ui.wizard.model import ShopSummary


def load_profile(name: str) -> Settings:
    """The named profile's settings, with the environment's overrides."""
    return load_settings(name)


def with_file_choice(settings: Settings, use_file: bool) -> Settings:
    """``settings`` with the seller's choice of the unencrypted credentials file."""
    if not use_file or settings.profile.credentials_file:
        return settings
    return replace(settings, profile=replace(settings.profile, credentials_file=True))


@dataclass(frozen=True)
class KeysSaved:
    application_id: int
    stored_in: str
    """Where the credentials live (``CredentialStore.backend_name``)."""


def check_and_save_keys(settings: Settings, keystring: str, shared_secret: str) -> KeysSaved:
    """Keychain first, then Etsy's ping, then the keychain write (see the module notes).

    Credentials already stored for the same key are kept as they are (their
    tokens still belong to this app); a different key replaces them.  When the
    seller chose the credentials file, the profile remembers that choice.
    """
    keystring, shared_secret = keystring.strip(), shared_secret.strip()
    if shared_secret:
        register_secret(shared_secret)
    store = credential_store(settings)
    existing = store.load()
    application_id = validate_app_keys(keystring, shared_secret, settings.profile.api_base_url)
    same = existing is not None and (existing.keystring, existing.shared_secret) == (
        keystring,
        shared_secret,
    )
    if not same:
        store.save(Credentials(keystring=keystring, shared_secret=shared_secret))
    if settings.profile.credentials_file:  # remember where the secrets went
        ConfigStore(settings.config_path).set_value(
            settings.profile.name, "credentials_file", "true"
        )
    return KeysSaved(application_id, store.backend_name())


def connect(
    settings: Settings,
    redirect_uri: str,
    *,
    open_browser: Callable[[str], object],
    on_url: Callable[[str], None],
    cancel: threading.Event,
    timeout: float = DEFAULT_TIMEOUT,
) -> AuthorizationResult:
    """Connect the profile to Etsy with the app key stored by the keys step."""
    redirect_uri = check_redirect_uri(redirect_uri.strip())
    profile = settings.profile
    changed = redirect_uri != profile.redirect_uri
    if changed:
        settings = replace(settings, profile=replace(profile, redirect_uri=redirect_uri))
    store = credential_store(settings)
    saved = store.load()
    if saved is None:
        raise NotConnectedError(
            f"Profile {profile.name} has no Etsy app key saved yet. Go back and enter the "
            "keystring and the shared secret."
        )
    result = connect_account(
        settings,
        saved.keystring,
        saved.shared_secret,
        store=store,
        open_browser=open_browser,
        on_url=on_url,
        cancel=cancel,
        timeout=timeout,
    )
    if changed:
        ConfigStore(settings.config_path).set_value(profile.name, "redirect_uri", redirect_uri)
    return result


def read_shop(settings: Settings, shop_id: int) -> ShopSummary:
    """getMe and getShop with the stored tokens (a refresh is saved to the keychain)."""
    with client_from_settings(settings) as client:
        me = client.get_me()
        shop = client.get_shop(shop_id)
    return ShopSummary(
        shop_id=shop.shop_id,
        shop_name=shop.shop_name,
        currency_code=shop.currency_code,
        listing_count=shop.listing_active_count,
        user_id=me.user_id,
        url=shop.url,
    )


@dataclass(frozen=True)
class DatabaseReady:
    where: str
    """The database, password masked."""
    revision: str | None
    backup: str | None = None


def prepare_database(settings: Settings, database_url: str | None) -> DatabaseReady:
    """Open, check and migrate the database the profile will use (``None``: SQLite default).

    A password in the URL is refused before connecting: the settings file never
    keeps one, so the app could not open the database at its next start.
    """
    if database_url:
        url = parse_database_url(database_url)
        if database_url_has_password(database_url):
            raise ConfigError(
                f"EtsySync does not keep database passwords in its settings, so "
                f"{mask_url(url)} would not open at the next start. Leave the password out "
                "of the URL and put it in PostgreSQL's password file (~/.pgpass) or the "
                "PGPASSWORD environment variable, then test again.",
                title="Password in the database URL",
            )
    profile = replace(settings.profile, database_url=database_url or None)
    database, migration = open_database(replace(settings, profile=profile))
    try:
        where = mask_url(database.url)
    finally:
        database.dispose()
    backup = str(migration.backup) if migration.backup is not None else None
    return DatabaseReady(where, migration.after, backup)


def save_choices(
    settings: Settings, changes: Mapping[str, str], *, make_default: bool = True
) -> Settings:
    """Write the wizard's choices to the profile (validated by ``ConfigStore``), reload."""
    store = ConfigStore(settings.config_path)
    name = settings.profile.name
    for key, value in changes.items():
        store.set_value(name, key, value)
    if make_default:
        store.set_default_profile(name)
    return load_settings(name)


def needs_setup(settings: Settings) -> bool:
    """Whether the profile still needs the setup wizard: no shop, or no Etsy tokens.

    Tokens given in the environment count as set up.  A keychain that cannot be
    read counts as set up too: the main window then reports the keychain's own
    problem (the wizard could not store anything there either).  Blocking (the
    first keychain read may wait for an unlock prompt).
    """
    if settings.profile.shop_id is None:
        return True
    env = settings.secrets
    if env.access_token and env.refresh_token:
        return False
    try:
        saved = credential_store(settings).load()
    except KeychainError:
        return False
    return saved is None or not saved.connected

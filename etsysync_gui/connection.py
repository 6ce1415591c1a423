"""Building the Etsy client for a profile, from its settings and secrets.

One place decides where the keystring, the shared secret and the OAuth tokens
come from, so the CLI, the GUI and the scheduler all connect the same way.
Today secrets come from the environment (``ETSY_API_SECRET``,
``ETSY_ACCESS_TOKEN``, ``ETSY_REFRESH_TOKEN``); the keychain plugs in here as
another ``TokenPersist`` and secret source.

Assumption: a token given through the environment carries no expiry, so it is
taken to be fresh (Etsy's documented one-hour lifetime).  If it is in fact
expired, Etsy answers 401 ``invalid_token`` and the client refreshes once.
Etsy rotates refresh tokens, and the environment cannot be written back: a
rotated token is kept in memory for this process only, and a warning says so.
"""

from __future__ import annotations

import logging
import time

from etsysync_gui.config import Settings
from etsysync_gui.errors import EXIT_NEEDS_USER, EtsySyncError
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.tokens import TokenManager, TokenSet

log = logging.getLogger(__name__)

ENV_TOKEN_LIFETIME_S = 3600


class NotConnectedError(EtsySyncError):
    """The profile lacks what is needed to talk to Etsy; the user must act."""

    title = "Not connected to Etsy"
    exit_code = EXIT_NEEDS_USER


def _warn_unsaved(tokens: TokenSet) -> None:
    log.warning(
        "Etsy issued a new refresh token; it was given through the environment, so it is "
        "kept in memory only. Connect through the setup wizard to keep it in the keychain."
    )


def client_from_settings(settings: Settings, *, user: bool = True) -> EtsyClient:
    """An ``EtsyClient`` for the profile; ``user=False`` for API-key-only calls (ping)."""
    profile = settings.profile
    secrets = settings.secrets
    missing = []
    if not profile.keystring:
        missing.append("the app keystring (ETSY_API_KEY)")
    if not secrets.api_secret:
        missing.append("the shared secret (ETSY_API_SECRET)")
    if user and not (secrets.access_token and secrets.refresh_token):
        missing.append("OAuth tokens (ETSY_ACCESS_TOKEN and ETSY_REFRESH_TOKEN)")
    if missing:
        raise NotConnectedError(
            f"Profile {profile.name} is not connected to Etsy: missing {', '.join(missing)}. "
            "Run the setup wizard, or set them in the environment."
        )
    assert profile.keystring is not None and secrets.api_secret is not None
    token_url = profile.effective_oauth_token_url()
    manager = None
    if user:
        assert secrets.access_token is not None and secrets.refresh_token is not None
        manager = TokenManager(
            keystring=profile.keystring,
            shared_secret=secrets.api_secret,
            tokens=TokenSet(
                access_token=secrets.access_token,
                refresh_token=secrets.refresh_token,
                expires_at=time.time() + ENV_TOKEN_LIFETIME_S,
            ),
            persist=_warn_unsaved,
            token_url=token_url,
        )
    return EtsyClient(
        profile.keystring,
        secrets.api_secret,
        base_url=profile.api_base_url,
        token_url=token_url,
        token_manager=manager,
    )

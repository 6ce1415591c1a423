"""``Credentials``: everything secret EtsySync holds for one profile, as one value.

Why one value (and one keychain item): Etsy rotates the refresh token on every
refresh ("Authentication" in Etsy's docs,
https://developers.etsy.com/documentation/essentials/authentication;
etsy/open-api#353), and the old one may die at once (assumption, the safe
choice).  If the access token, the refresh token and the expiry lived in
three keychain items, a crash between two writes would leave a pair that no
longer belongs together and the seller would have to reconnect.  One JSON
document per profile makes each rotation a single write that either happened
or did not.

The repr shows which secrets are present, never their values, so a stray
``log.debug("%r", creds)`` cannot leak them (the log redaction would mask them
anyway; this is the second fence).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from etsysync_gui.etsy.oauth.tokens import TokenSet

FORMAT_VERSION = 1


class CredentialsFormatError(ValueError):
    """The stored document is not a credentials document this version can read."""


def _opt_str(data: dict[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise CredentialsFormatError(f"{key} must be text")
    return value or None


def _opt_int(data: dict[str, object], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise CredentialsFormatError(f"{key} must be a whole number")
    return value


def _opt_float(data: dict[str, object], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CredentialsFormatError(f"{key} must be a number")
    return float(value)


@dataclass(frozen=True, repr=False)
class Credentials:
    """The app key (keystring + shared secret) and, once connected, the OAuth tokens.

    Tokens are optional so the setup wizard can save the app key before the
    seller has connected.  ``expires_at`` is the access token's expiry in epoch
    seconds (UTC); ``scopes`` are the scopes that were requested and granted
    (Etsy's token response does not repeat them).
    """

    keystring: str
    shared_secret: str
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: float | None = None
    scopes: tuple[str, ...] = ()
    user_id: int | None = None
    shop_id: int | None = None

    @property
    def tokens(self) -> TokenSet | None:
        """The token pair for a ``TokenManager``, or ``None`` when not connected yet."""
        if not (self.access_token and self.refresh_token):
            return None
        return TokenSet(self.access_token, self.refresh_token, self.expires_at or 0.0)

    @property
    def connected(self) -> bool:
        return self.tokens is not None

    def with_tokens(self, tokens: TokenSet) -> Credentials:
        """The same credentials with a rotated token pair (scopes survive a refresh)."""
        return replace(
            self,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            user_id=tokens.user_id if tokens.user_id is not None else self.user_id,
        )

    def secret_values(self) -> tuple[str, ...]:
        """The values that must never appear in a log (for ``register_secret``)."""
        return tuple(v for v in (self.shared_secret, self.access_token, self.refresh_token) if v)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": FORMAT_VERSION,
                "keystring": self.keystring,
                "shared_secret": self.shared_secret,
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at,
                "scopes": list(self.scopes),
                "user_id": self.user_id,
                "shop_id": self.shop_id,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Credentials:
        """Parse a stored document; raises ``CredentialsFormatError`` (no value in the text)."""
        try:
            data = json.loads(text)
        except ValueError:
            raise CredentialsFormatError("not JSON") from None
        if not isinstance(data, dict):
            raise CredentialsFormatError("not a JSON object")
        version = data.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise CredentialsFormatError(f"unknown format version {version!r}")
        keystring = _opt_str(data, "keystring")
        shared_secret = _opt_str(data, "shared_secret")
        if not keystring or not shared_secret:
            raise CredentialsFormatError("keystring and shared_secret are required")
        scopes = data.get("scopes") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise CredentialsFormatError("scopes must be a list of text")
        return cls(
            keystring=keystring,
            shared_secret=shared_secret,
            access_token=_opt_str(data, "access_token"),
            refresh_token=_opt_str(data, "refresh_token"),
            expires_at=_opt_float(data, "expires_at"),
            scopes=tuple(scopes),
            user_id=_opt_int(data, "user_id"),
            shop_id=_opt_int(data, "shop_id"),
        )

    def __repr__(self) -> str:
        def shown(value: str | None) -> str:
            return "'***'" if value else "None"

        return (
            f"Credentials(keystring={self.keystring!r}, shared_secret={shown(self.shared_secret)}, "
            f"access_token={shown(self.access_token)}, "
            f"refresh_token={shown(self.refresh_token)}, expires_at={self.expires_at!r}, "
            f"scopes={self.scopes!r}, user_id={self.user_id!r}, shop_id={self.shop_id!r})"
        )

"""Access and refresh tokens: issue, check, rotate, revoke.

Why: expired, rotated and revoked tokens are the everyday failures of a long-running
sync app (https://github.com/etsy/open-api/issues/353, /519, /549). Tokens look like
Etsy's, ``<user_id>.<random>``, and expire on
the injectable clock. Behaviour:

* access tokens live ``access_lifetime`` seconds (3600 like Etsy); an expired one is a
  401 ``{"error": "invalid_token", "error_description": "access token is expired"}``;
* refresh tokens live 90 days and ROTATE: using one returns a new pair and revokes the
  old refresh token at once; reusing it is a 400 ``{"error": "invalid_grant",
  "error_description": "refresh_token is revoked"}``. The old access token stays valid
  until it expires (assumption; Etsy does not document it);
* :meth:`TokenStore.revoke_all` models a password change: every token dies.
A refresh keeps the scopes of the original grant.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from fake_etsy.clock import Clock
from fake_etsy.errors import ApiError

REFRESH_LIFETIME = 90 * 86_400


@dataclass(frozen=True)
class TokenGrant:
    """What the token endpoint returns."""

    access_token: str
    refresh_token: str
    expires_in: int
    scopes: frozenset[str]

    def to_json(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
        }


@dataclass
class _Token:
    user_id: int
    scopes: frozenset[str]
    expires_at: float
    revoked: bool = False


@dataclass(frozen=True)
class Principal:
    """The authenticated seller behind a valid access token."""

    user_id: int
    scopes: frozenset[str]


def invalid_token(description: str) -> ApiError:
    return ApiError(
        401,
        "invalid_token",
        description=description,
        headers={
            "www-authenticate": f'Bearer error="invalid_token", error_description="{description}"'
        },
    )


def invalid_grant(description: str) -> ApiError:
    return ApiError(400, "invalid_grant", description=description)


class TokenStore:
    """All tokens the fake has issued (one seller, many grants)."""

    def __init__(self, *, user_id: int, clock: Clock, access_lifetime: int = 3600) -> None:
        if access_lifetime <= 0:
            raise ValueError("access_lifetime must be positive")
        self.user_id = user_id
        self.access_lifetime = access_lifetime
        self._clock = clock
        self._lock = threading.Lock()
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}

    def _new(self) -> str:
        return f"{self.user_id}.{secrets.token_urlsafe(40)}"

    def issue(self, scopes: Iterable[str]) -> TokenGrant:
        """A fresh access + refresh pair for the seller."""
        scope_set = frozenset(scopes)
        now = self._clock()
        access, refresh = self._new(), self._new()
        with self._lock:
            self._access[access] = _Token(self.user_id, scope_set, now + self.access_lifetime)
            self._refresh[refresh] = _Token(self.user_id, scope_set, now + REFRESH_LIFETIME)
        return TokenGrant(access, refresh, self.access_lifetime, scope_set)

    def authenticate(self, authorization: str | None) -> Principal:
        """Check an ``Authorization`` header value; raises a 401 :class:`ApiError`."""
        if authorization is None or not authorization.strip():
            raise invalid_token("access token is missing")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise invalid_token("authorization header must be 'Bearer <access_token>'")
        prefix, dot, rest = token.partition(".")
        if not dot or not prefix.isdigit() or not rest:
            raise invalid_token("access token must be '<user_id>.<token>'")
        with self._lock:
            record = self._access.get(token)
            if record is None:
                raise invalid_token("access token is invalid")
            if record.revoked:
                raise invalid_token("access token is revoked")
            if self._clock() >= record.expires_at:
                raise invalid_token("access token is expired")
            return Principal(record.user_id, record.scopes)

    def rotate(self, refresh_token: str) -> TokenGrant:
        """The refresh_token grant: new pair, old refresh token revoked immediately."""
        with self._lock:
            record = self._refresh.get(refresh_token)
            if record is None:
                raise invalid_grant("refresh_token is invalid")
            if record.revoked:
                raise invalid_grant("refresh_token is revoked")
            if self._clock() >= record.expires_at:
                raise invalid_grant("refresh_token is expired")
            record.revoked = True
            scopes = record.scopes
        return self.issue(scopes)

    def revoke(self, tokens: Iterable[str]) -> None:
        """Revoke specific tokens (access or refresh)."""
        with self._lock:
            for token in tokens:
                for table in (self._access, self._refresh):
                    if token in table:
                        table[token].revoked = True

    def revoke_all(self) -> None:
        """Every token dies, as when the seller changes their password."""
        with self._lock:
            for table in (self._access, self._refresh):
                for record in table.values():
                    record.revoked = True

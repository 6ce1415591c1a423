"""OAuth 2.0 Authorization Code + PKCE, as Etsy documents it (Etsy's "Authentication").

Why: the app's first-run experience and its long-term token handling both depend on
the details: ``state`` is required, only ``S256`` is accepted, the redirect URI must
match a registered string exactly (else Etsy's error page, never a redirect), codes are
single-use and short-lived, and refresh tokens rotate.

Endpoints:
* ``GET /oauth/connect`` validates the query and shows the consent form;
* ``POST /oauth/connect`` (the form) redirects 302 to the redirect URI with ``code`` and
  ``state``, or ``error=access_denied`` and ``state``;
* ``POST /v3/public/oauth/token`` grants ``authorization_code`` and ``refresh_token``.

Assumptions (not documented by Etsy, all chosen strict): after the redirect URI is accepted, other
bad parameters redirect with an RFC 6749 ``error`` (``invalid_request``,
``invalid_scope``, ``unsupported_response_type``); only the 12 scopes of the spec are
known; a code lives 300 s and is burnt by the first redemption attempt, even a failed
one; redeeming a used code also revokes the tokens it produced (RFC 6749 §4.1.2); the
token endpoint accepts form or JSON bodies, does not require ``x-api-key`` unless
``require_api_key`` is set, but rejects a WRONG ``x-api-key`` if one is sent; a wrong
``client_id`` is 401 ``invalid_client``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fake_etsy.apikey import check_api_key
from fake_etsy.clock import Clock
from fake_etsy.errors import ApiError
from fake_etsy.oauth_pages import REDIRECT_NOT_PERMITTED, consent_page, error_page
from fake_etsy.tokens import TokenStore, invalid_grant
from fake_etsy.wire import (
    FakeRequest,
    FakeResponse,
    html_response,
    json_response,
    redirect_response,
)

KNOWN_SCOPES = frozenset(
    [
        "address_r",
        "address_w",
        "email_r",
        "listings_d",
        "listings_r",
        "listings_w",
        "profile_r",
        "profile_w",
        "shops_r",
        "shops_w",
        "transactions_r",
        "transactions_w",
    ]
)
CODE_LIFETIME = 300
CONSENT_LIFETIME = 600
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 appendix B)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class _Pending:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    code_challenge: str
    expires_at: float


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str
    expires_at: float
    used: bool = False
    issued: list[str] = field(default_factory=list)


def _with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


def _first(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _authorization_problem(params: dict[str, list[str]], state: str) -> tuple[str, str] | None:
    """The first thing wrong with an authorization request, as ``(error, description)``."""
    if _first(params, "response_type") != "code":
        return "unsupported_response_type", "response_type must be code"
    if not state:
        return "invalid_request", "state is required"
    challenge = _first(params, "code_challenge") or ""
    if not challenge:
        return "invalid_request", "code_challenge is required"
    if _first(params, "code_challenge_method") != "S256":
        return "invalid_request", "code_challenge_method must be S256"
    if not _CHALLENGE.match(challenge):
        return "invalid_request", "code_challenge must be base64url(sha256(verifier))"
    scopes = tuple((_first(params, "scope") or "").split())
    if not scopes:
        return "invalid_scope", "scope is required"
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        return "invalid_scope", f"unknown scope: {' '.join(unknown)}"
    return None


def _oauth_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, error, description=description)


class OAuthProvider:
    """The consent screen and the token endpoint for one app and one seller."""

    def __init__(
        self,
        *,
        keystring: str,
        shared_secret: str,
        redirect_uris: Sequence[str],
        tokens: TokenStore,
        clock: Clock,
        app_name: str = "EtsySync",
        shop_name: str = "FakeShop",
        require_api_key: bool = False,
    ) -> None:
        self.keystring = keystring
        self.shared_secret = shared_secret
        self.redirect_uris = tuple(redirect_uris)
        self.tokens = tokens
        self.app_name = app_name
        self.shop_name = shop_name
        self.require_api_key = require_api_key
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._codes: dict[str, _Code] = {}

    # -- /oauth/connect -----------------------------------------------------------------

    def connect(self, request: FakeRequest) -> FakeResponse:
        if request.method == "GET":
            return self._connect_get(request.query_params())
        if request.method == "POST":
            return self._connect_post(request.form())
        return html_response(405, error_page("Method not allowed."))

    def _connect_get(self, params: dict[str, list[str]]) -> FakeResponse:
        client_id = _first(params, "client_id")
        if client_id != self.keystring:
            return html_response(400, error_page("The application (client_id) was not found."))
        redirect_uri = _first(params, "redirect_uri")
        if redirect_uri is None or redirect_uri not in self.redirect_uris:
            return html_response(400, error_page(REDIRECT_NOT_PERMITTED))
        state = _first(params, "state") or ""
        problem = _authorization_problem(params, state)
        if problem is not None:
            # RFC 6749 §4.1.2.1: once the redirect URI is trusted, errors go back to it.
            reply = {"error": problem[0], "error_description": problem[1]}
            if state:
                reply["state"] = state
            return redirect_response(_with_query(redirect_uri, reply))
        challenge = _first(params, "code_challenge") or ""
        scopes = tuple((_first(params, "scope") or "").split())
        request_id = secrets.token_urlsafe(24)
        with self._lock:
            self._pending[request_id] = _Pending(
                client_id, redirect_uri, scopes, state, challenge, self._clock() + CONSENT_LIFETIME
            )
        page = consent_page(
            request_id=request_id, app_name=self.app_name, shop_name=self.shop_name, scopes=scopes
        )
        return html_response(200, page)

    def _connect_post(self, form: dict[str, list[str]]) -> FakeResponse:
        request_id = _first(form, "request_id") or ""
        with self._lock:
            pending = self._pending.pop(request_id, None)
        if pending is None or self._clock() >= pending.expires_at:
            return html_response(400, error_page("This request has expired. Please try again."))
        if _first(form, "decision") != "approve":
            reply = {
                "error": "access_denied",
                "error_description": "The user denied the request",
                "state": pending.state,
            }
            return redirect_response(_with_query(pending.redirect_uri, reply))
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = _Code(
                pending.client_id,
                pending.redirect_uri,
                pending.scopes,
                pending.code_challenge,
                self._clock() + CODE_LIFETIME,
            )
        return redirect_response(
            _with_query(pending.redirect_uri, {"code": code, "state": pending.state})
        )

    # -- /v3/public/oauth/token ---------------------------------------------------------

    def token(self, request: FakeRequest) -> FakeResponse:
        """The token endpoint; raises :class:`ApiError` for every failure."""
        api_key = request.header("x-api-key")
        if api_key is not None or self.require_api_key:
            check_api_key(api_key, keystring=self.keystring, shared_secret=self.shared_secret)
        fields = self._token_fields(request)
        grant_type = fields.get("grant_type", "")
        if not grant_type:
            raise _oauth_error(400, "invalid_request", "grant_type is required")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise _oauth_error(400, "unsupported_grant_type", f"{grant_type} is not supported")
        client_id = fields.get("client_id", "")
        if not client_id:
            raise _oauth_error(400, "invalid_request", "client_id is required")
        if client_id != self.keystring:
            raise _oauth_error(401, "invalid_client", "Invalid API key")
        if grant_type == "authorization_code":
            payload = self._redeem_code(fields, client_id)
        else:
            refresh = fields.get("refresh_token", "")
            if not refresh:
                raise _oauth_error(400, "invalid_request", "refresh_token is required")
            payload = self.tokens.rotate(refresh).to_json()
        return json_response(200, payload, {"cache-control": "no-store", "pragma": "no-cache"})

    def _token_fields(self, request: FakeRequest) -> dict[str, str]:
        media = request.media_type()
        if media == "application/x-www-form-urlencoded":
            return {k: v[0] for k, v in request.form().items() if v}
        if media == "application/json":
            try:
                data = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise _oauth_error(400, "invalid_request", "body is not valid JSON") from None
            if isinstance(data, dict):
                return {str(k): str(v) for k, v in data.items() if v is not None}
        raise _oauth_error(400, "invalid_request", "body must be application/x-www-form-urlencoded")

    def _redeem_code(self, fields: dict[str, str], client_id: str) -> dict[str, object]:
        for name in ("code", "redirect_uri", "code_verifier"):
            if not fields.get(name):
                raise _oauth_error(400, "invalid_request", f"{name} is required")
        with self._lock:
            record = self._codes.get(fields["code"])
            if record is None:
                raise invalid_grant("code is invalid")
            if record.used:
                self.tokens.revoke(record.issued)
                raise invalid_grant("code has already been used")
            record.used = True
        if self._clock() >= record.expires_at:
            raise invalid_grant("code is expired")
        if record.client_id != client_id:
            raise invalid_grant("code was issued to another client")
        if record.redirect_uri != fields["redirect_uri"]:
            raise invalid_grant("redirect_uri does not match the authorization request")
        verifier = fields["code_verifier"]
        if not _VERIFIER.match(verifier):
            raise invalid_grant("code_verifier must be 43-128 characters of [A-Za-z0-9._~-]")
        if not hmac.compare_digest(s256(verifier), record.code_challenge):
            raise invalid_grant("code_verifier is invalid")
        grant = self.tokens.issue(record.scopes)
        with self._lock:
            record.issued.extend([grant.access_token, grant.refresh_token])
        return grant.to_json()

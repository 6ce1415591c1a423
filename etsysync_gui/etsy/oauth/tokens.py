"""OAuth tokens: refreshing them safely, and the authorization-code exchange.

Why this is more than "POST and store": Etsy access tokens live one hour and
refresh tokens *rotate*: each refresh returns a new refresh token
(https://developers.etsy.com/documentation/essentials/authentication;
etsy/open-api#353), and the old one may stop working at once (assumption, the
safe choice).  Three things follow.

1. Exactly one refresh at a time.  With eight requests in flight, eight
   refreshes would each burn the previous refresh token; all but one would
   end in ``invalid_grant`` and the user would have to reconnect.  A lock
   serialises refreshes; callers that waited reuse the fresh token.
2. Persist before use.  The new ``TokenSet`` goes to the ``persist`` callback
   (the app writes it to the keychain/database) before any request uses it;
   if the app crashed after using an unsaved rotated token, the saved refresh
   token could already be dead.
3. Revocation is final.  ``invalid_grant`` means the seller changed their
   password or revoked the app; retrying cannot help, so every later call
   fails fast with ``TokenRevokedError`` without touching the network.
4. ...unless another process rotated the token: on ``invalid_grant`` the
   stored tokens are re-read (``reload``) and, if someone else rotated them,
   adopted instead of reporting a revoked connection (see ``rotation``).

Assumptions (the docs are unsure):

* The token endpoint is sent the ``x-api-key: keystring:secret`` header too;
  Etsy's "Authentication" page only shows ``client_id``, and the header costs
  nothing (assumption, the safe choice, since every other call needs it).
* The body is form-encoded as Etsy documents; a report of JSON working where
  form did not is unconfirmed.
* A token response without ``expires_in`` is taken to last 3600 s (Etsy's
  documented lifetime); one without either token is malformed.
* Token refreshes do not go through the rate limiter and are not counted in
  ``EtsyClient.calls_made``: they happen about once an hour and a 429 on them
  is retried after ``retry-after``.
* If ``persist`` raises, the new tokens are still adopted in memory (the old
  refresh token may already be invalid, so dropping them would force a
  reconnect) and the error is re-raised so the failure is visible.
* If a *proactive* refresh fails for a transient reason while the current
  access token is still valid, the current token is used and the refresh is
  retried on a later call.
"""

from __future__ import annotations

import logging
import random as random_module
import threading
import time
from collections.abc import Callable

import httpx

from etsysync_gui.etsy.errors import (
    EtsyNetworkError,
    EtsyServerError,
    RateLimitedError,
    TokenRevokedError,
)
from etsysync_gui.etsy.oauth.rotation import TokenReload, rotated_elsewhere
from etsysync_gui.etsy.oauth.token_endpoint import USER_AGENT as USER_AGENT
from etsysync_gui.etsy.oauth.token_endpoint import TokenSet as TokenSet
from etsysync_gui.etsy.oauth.token_endpoint import (
    _bad_code,
    _revoked,
    _TokenEndpoint,
)

log = logging.getLogger(__name__)

DEFAULT_TOKEN_URL = "https://openapi.etsy.com/v3/public/oauth/token"


TokenPersist = Callable[[TokenSet], None]


class TokenManager:
    """Hands out a valid access token and refreshes it, once, when needed.

    Thread-safe.  ``clock`` is wall-clock epoch seconds (``expires_at`` is
    absolute time so it survives restarts).
    """

    def __init__(
        self,
        *,
        keystring: str,
        shared_secret: str,
        tokens: TokenSet,
        persist: TokenPersist,
        token_url: str = DEFAULT_TOKEN_URL,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        refresh_margin: float = 120.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random_module.random,
        reload: TokenReload | None = None,
    ) -> None:
        """``reload``: reads the tokens as currently stored (the keychain item
        ``persist`` writes), so a rotation by another process is noticed; None
        when the tokens cannot be shared (given through the environment)."""
        self._owns_http = http is None
        self._reload = reload
        self._sleep = sleep
        self._endpoint = _TokenEndpoint(
            keystring=keystring,
            shared_secret=shared_secret,
            url=token_url,
            http=http if http is not None else httpx.Client(),
            timeout=timeout,
            clock=clock,
            sleep=sleep,
            random=random,
        )
        self._tokens = tokens
        self._persist = persist
        self._margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._revoked: TokenRevokedError | None = None
        self._refresh_count = 0

    @property
    def tokens(self) -> TokenSet:
        with self._lock:
            return self._tokens

    @property
    def revoked(self) -> bool:
        return self._revoked is not None

    @property
    def refresh_count(self) -> int:
        """How many refreshes this manager has sent (for diagnostics and tests)."""
        with self._lock:
            return self._refresh_count

    def access_token(self) -> str:
        """A usable access token, refreshed first if it expires within the margin."""
        with self._lock:
            self._check_revoked()
            now = self._clock()
            if not self._tokens.expires_within(self._margin, now):
                return self._tokens.access_token
            try:
                self._refresh_locked()
            except (EtsyNetworkError, EtsyServerError, RateLimitedError) as exc:
                if self._tokens.expires_within(0.0, self._clock()):
                    raise
                log.warning("proactive token refresh failed, using current token: %s", exc)
            return self._tokens.access_token

    def refresh_after_rejection(self, rejected_access_token: str) -> str:
        """Etsy said ``rejected_access_token`` is expired: refresh (once) and return the new one.

        If another thread already replaced that token, no refresh is sent and
        the current token is returned.
        """
        with self._lock:
            self._check_revoked()
            if self._tokens.access_token == rejected_access_token:
                self._refresh_locked()
            return self._tokens.access_token

    def _check_revoked(self) -> None:
        if self._revoked is not None:
            raise TokenRevokedError(
                self._revoked.message,
                status=self._revoked.status,
                request_id=self._revoked.request_id,
                etsy_error=self._revoked.etsy_error,
            )

    def _refresh_locked(self) -> None:
        used = self._tokens.refresh_token
        try:
            new_tokens = self._post_refresh(used)
        except TokenRevokedError as exc:
            rotated = rotated_elsewhere(self._reload, used, self._sleep)
            if rotated is None:
                self._revoked = exc
                raise
            log.info("Another EtsySync process renewed the Etsy connection; using its tokens")
            self._tokens = rotated
            if not rotated.expires_within(self._margin, self._clock()):
                return
            try:
                new_tokens = self._post_refresh(rotated.refresh_token)
            except TokenRevokedError as again:
                self._revoked = again
                raise
        try:
            self._persist(new_tokens)
        finally:
            self._tokens = new_tokens

    def _post_refresh(self, refresh_token: str) -> TokenSet:
        self._refresh_count += 1
        form = {
            "grant_type": "refresh_token",
            "client_id": self._endpoint.keystring,
            "refresh_token": refresh_token,
        }
        return self._endpoint.post(form, grant_error=_revoked)

    def close(self) -> None:
        if self._owns_http:
            self._endpoint.http.close()


def exchange_code(
    *,
    keystring: str,
    shared_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    token_url: str = DEFAULT_TOKEN_URL,
    http: httpx.Client | None = None,
    timeout: float = 30.0,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    random: Callable[[], float] = random_module.random,
) -> TokenSet:
    """Trade an authorization code (PKCE) for the first ``TokenSet``.

    ``redirect_uri`` must be byte-for-byte the value used in the authorization
    request.  An ``invalid_grant`` here (code expired, verifier mismatch) is an
    ``EtsyAuthError``: the user simply connects again.
    """
    client = http if http is not None else httpx.Client()
    try:
        endpoint = _TokenEndpoint(
            keystring=keystring,
            shared_secret=shared_secret,
            url=token_url,
            http=client,
            timeout=timeout,
            clock=clock,
            sleep=sleep,
            random=random,
        )
        return endpoint.post(
            {
                "grant_type": "authorization_code",
                "client_id": keystring,
                "redirect_uri": redirect_uri,
                "code": code,
                "code_verifier": code_verifier,
            },
            grant_error=_bad_code,
        )
    finally:
        if http is None:
            client.close()

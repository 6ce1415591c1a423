"""Etsy's token endpoint: the ``TokenSet`` it answers with, and one POST with bounded retries.

Why apart from ``tokens``: the endpoint's wire rules (form fields, which answers are
retried, what ``invalid_grant`` means for a refresh and for a code) are one job; the
``TokenManager`` deciding WHEN to refresh, and what to do when another process rotated
the token first, is another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from etsysync_gui import __version__
from etsysync_gui.etsy.backoff import backoff_delay
from etsysync_gui.etsy.errors import (
    API_KEY_HINT,
    RECONNECT_HINT,
    EtsyAuthError,
    EtsyError,
    EtsyNetworkError,
    EtsyServerError,
    MalformedResponseError,
    RateLimitedError,
    TokenRevokedError,
    error_for_response,
)
from etsysync_gui.etsy.fields import Fields

log = logging.getLogger(__name__)

DEFAULT_LIFETIME = 3600.0
USER_AGENT = f"EtsySync/{__version__}"


@dataclass(frozen=True, slots=True)
class TokenSet:
    """An access/refresh token pair; ``expires_at`` is epoch seconds (UTC)."""

    access_token: str
    refresh_token: str
    expires_at: float

    @property
    def user_id(self) -> int | None:
        """The Etsy user id, the numeric prefix Etsy puts before the dot."""
        prefix, dot, _ = self.access_token.partition(".")
        return int(prefix) if dot and prefix.isdigit() else None

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at - now <= seconds

    def __repr__(self) -> str:  # never log secrets
        return f"TokenSet(user_id={self.user_id!r}, expires_at={self.expires_at!r})"

    @classmethod
    def from_token_response(cls, data: object, now: float) -> TokenSet:
        f = Fields(data, "token response")
        lifetime = f.raw("expires_in")
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
            lifetime = DEFAULT_LIFETIME
        return cls(
            access_token=f.req_str("access_token"),
            refresh_token=f.req_str("refresh_token"),
            expires_at=now + float(lifetime),
        )


@dataclass(frozen=True, slots=True)
class _TokenEndpoint:
    """Everything needed to POST to Etsy's token endpoint, with bounded retries."""

    keystring: str
    shared_secret: str
    url: str
    http: httpx.Client
    timeout: float
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    random: Callable[[], float]
    max_attempts: int = 3
    max_retry_after: float = 60.0

    def post(
        self, form: Mapping[str, str], *, grant_error: Callable[[EtsyError, str], EtsyError]
    ) -> TokenSet:
        """POST ``form``; retry network failures, 5xx and short rate limits (bounded).

        ``grant_error`` turns an ``invalid_grant`` answer into the caller's error
        (a revoked refresh token, a bad authorization code): never retried.
        """
        last: EtsyError | None = None
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self.sleep(self._delay(attempt - 1, last))
            outcome = self._attempt(form, grant_error)
            if isinstance(outcome, TokenSet):
                return outcome
            last = outcome
        assert last is not None
        raise last

    def _delay(self, retry: int, last: EtsyError | None) -> float:
        """Backoff, but never sooner than a rate limit's ``retry-after``."""
        delay = backoff_delay(retry, random=self.random)
        if isinstance(last, RateLimitedError) and last.retry_after is not None:
            delay = max(delay, last.retry_after)
        return delay

    def _attempt(
        self, form: Mapping[str, str], grant_error: Callable[[EtsyError, str], EtsyError]
    ) -> TokenSet | EtsyError:
        """One POST: the tokens, or an error worth retrying; raises any other error."""
        headers = {
            "x-api-key": f"{self.keystring}:{self.shared_secret}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        try:
            response = self.http.post(
                self.url, data=dict(form), headers=headers, timeout=self.timeout
            )
        except httpx.TransportError as exc:
            return EtsyNetworkError(f"Cannot reach Etsy to renew the connection ({exc})")
        try:
            body: object = response.json()
        except ValueError:
            body = None
        if response.is_success:
            if body is None:
                return MalformedResponseError("Etsy's token endpoint did not return JSON")
            return TokenSet.from_token_response(body, self.clock())
        error = _token_error(response.status_code, body, response.headers)
        if error.etsy_error == "invalid_grant":
            raise grant_error(error, _oauth_detail(body))
        if self._retryable(error):
            return error
        raise error

    def _retryable(self, error: EtsyError) -> bool:
        """5xx, and rate limits that ask for no longer than ``max_retry_after``."""
        if isinstance(error, RateLimitedError):
            return error.retry_after is None or error.retry_after <= self.max_retry_after
        return isinstance(error, EtsyServerError)


def _token_error(status: int, body: object, headers: Mapping[str, str]) -> EtsyError:
    error = error_for_response(status, body, headers)
    if error.etsy_error in ("invalid_client", "unauthorized_client"):
        return EtsyAuthError(
            f"Etsy rejected the app's key when renewing the connection ({error.etsy_error}). "
            f"{API_KEY_HINT}",
            status=status,
            request_id=error.request_id,
            etsy_error=error.etsy_error,
        )
    return error


def _oauth_detail(body: object) -> str:
    """``error: error_description`` of an RFC 6749 error body."""
    if not isinstance(body, Mapping):
        return "invalid_grant"
    parts = [body.get("error"), body.get("error_description")]
    return ": ".join(p for p in parts if isinstance(p, str) and p) or "invalid_grant"


def _revoked(error: EtsyError, detail: str) -> EtsyError:
    return TokenRevokedError(
        f"Etsy no longer accepts EtsySync's access ({detail}). {RECONNECT_HINT}",
        status=error.status,
        request_id=error.request_id,
        etsy_error=error.etsy_error,
    )


def _bad_code(error: EtsyError, detail: str) -> EtsyError:
    return EtsyAuthError(
        f"Etsy did not accept the authorization ({detail}); connect to Etsy again",
        status=error.status,
        request_id=error.request_id,
        etsy_error=error.etsy_error,
    )

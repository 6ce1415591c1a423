"""Typed errors for everything that can go wrong talking to Etsy.

Why typed errors: the sync engine, the CLI and the GUI each react differently to
"your key is wrong" (stop, ask the user), "Etsy is busy" (wait, retry later),
"that listing is gone" (skip it) and "Etsy refused the data" (show Etsy's own
words).  A single exception type with a status code would push that decision
into every caller; a small hierarchy lets them ``except`` what they handle.

Every error carries:

* ``message``: one line, written for a shop owner, safe to show as it is;
* ``status``: the HTTP status, or ``None`` when no response arrived;
* ``request_id``: Etsy's ``x-etsy-request-uuid`` so a bug report can quote it;
* ``etsy_error``: Etsy's ``error`` string verbatim, when the body had one;
* ``etsy_description``: Etsy's ``error_description`` verbatim, on an
  ``EtsyAuthError`` whose body had one (it tells a wrong keystring from a
  wrong shared secret);
* ``needs_user``: ``True`` when only the user can fix it (re-enter the key,
  reconnect); the CLI exits with code 4 for those.

``EtsyError`` derives from the app-wide ``EtsySyncError`` so the CLI and GUI
already know how to show it without a traceback.

``error_for_response`` is the single place that maps an HTTP failure to a class,
so the mapping is tested once and applied everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from etsysync_gui.errors import EXIT_NEEDS_USER, EXIT_PARTIAL, EtsySyncError

API_KEY_HINT = (
    "Etsy requires the API key as keystring:shared_secret; "
    "enter the shared secret from etsy.com/developers/your-apps"
)
RECONNECT_HINT = "Reconnect to Etsy"


class EtsyError(EtsySyncError):
    """Base class for every failure of an Etsy API call."""

    title = "Etsy problem"
    exit_code = EXIT_PARTIAL
    needs_user: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        etsy_error: str | None = None,
        etsy_description: str | None = None,
    ) -> None:
        super().__init__(_one_line(message))
        self.status = status
        self.request_id = request_id
        self.etsy_error = etsy_error
        self.etsy_description = etsy_description

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"request_id={self.request_id!r}, etsy_error={self.etsy_error!r})"
        )


class EtsyAuthError(EtsyError):
    """Etsy rejected the credentials: bad keystring, bad or missing shared secret,
    or a token without the needed scope.  Only the user can fix this."""

    title = "Etsy connection problem"
    exit_code = EXIT_NEEDS_USER
    needs_user = True


class TokenExpiredError(EtsyError):
    """The access token was rejected as expired (``invalid_token``).

    The client normally refreshes and retries transparently; this only escapes
    when no token manager is configured or a fresh token was rejected too, in
    which case the user has to reconnect.
    """

    title = "Etsy connection expired"
    exit_code = EXIT_NEEDS_USER
    needs_user = True


class TokenRevokedError(EtsyError):
    """The refresh token is no longer valid (``invalid_grant``): the seller changed
    their password, revoked the app, or 90 days passed.  Reconnecting is the fix."""

    title = "Etsy connection lost"
    exit_code = EXIT_NEEDS_USER
    needs_user = True


class RateLimitedError(EtsyError):
    """Etsy's rate limit was hit and waiting it out is not reasonable now.

    Raised only once retries are exhausted or the day's budget is gone;
    ``retry_after`` is the best estimate in seconds of when to try again
    (``None`` when nobody knows).
    """

    title = "Etsy rate limit reached"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        request_id: str | None = None,
        etsy_error: str | None = None,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id, etsy_error=etsy_error)
        self.retry_after = retry_after


class NotFoundError(EtsyError):
    """The listing, shop or user does not exist (any more)."""

    title = "Not found on Etsy"


class EtsyValidationError(EtsyError):
    """Etsy refused the request data (400/409/422); ``message`` holds Etsy's words."""

    title = "Etsy refused the change"


class EtsyServerError(EtsyError):
    """Etsy failed (5xx) even after retries."""

    title = "Etsy is having problems"


class MalformedResponseError(EtsyServerError):
    """Etsy answered with something that is not the documented JSON shape.

    A subclass of ``EtsyServerError`` because, for the user, it is the same
    thing: Etsy misbehaved, try again later.
    """


class EtsyNetworkError(EtsyError):
    """No usable answer arrived: connection refused, DNS failure, timeout."""

    title = "Cannot reach Etsy"


class OperationCancelled(EtsyError):
    """The caller cancelled a long read or write through its cancel event."""

    title = "Cancelled"


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "Etsy request failed"


def _describe(etsy_error: str | None, description: str | None) -> str | None:
    parts = [p for p in (etsy_error, description) if p]
    return ": ".join(parts) if parts else None


def _looks_like_api_key_problem(text: str) -> bool:
    lowered = text.lower()
    return any(
        marker in lowered
        for marker in ("shared secret", "api key", "x-api-key", "keystring", "api_key")
    )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``retry-after`` header; ``None`` if absent or not a number.

    Etsy documents it as seconds.  The HTTP-date form is not used by Etsy, so a
    non-numeric value is treated as absent (the caller falls back to backoff).
    """
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return seconds


def error_for_response(
    status: int,
    body: object,
    headers: Mapping[str, str],
) -> EtsyError:
    """Map a non-2xx Etsy response to the matching typed error.

    ``body`` is the decoded JSON (or ``None`` when it was not JSON).  Etsy's
    ``ErrorSchema`` is ``{"error": str}``; OAuth errors add ``error_description``.
    """
    request_id = headers.get("x-etsy-request-uuid")
    etsy_error, description = _error_fields(body)
    said = _describe(etsy_error, description)
    if status == 429:
        return RateLimitedError(
            f"Etsy's rate limit was reached ({said or 'too many requests'}); try again later",
            retry_after=parse_retry_after(headers.get("retry-after")),
            status=status,
            request_id=request_id,
            etsy_error=etsy_error,
        )
    if status == 401 and etsy_error == "invalid_token":
        return TokenExpiredError(
            f"Etsy rejected the access token ({said}); {RECONNECT_HINT}",
            status=status,
            request_id=request_id,
            etsy_error=etsy_error,
        )
    if status in (401, 403):
        return EtsyAuthError(
            _access_refused(status, said),
            status=status,
            request_id=request_id,
            etsy_error=etsy_error,
            etsy_description=description,
        )
    kind, message = _kind_and_message(status, said)
    return kind(message, status=status, request_id=request_id, etsy_error=etsy_error)


def _error_fields(body: object) -> tuple[str | None, str | None]:
    """``(error, error_description)`` from a decoded body, each ``None`` unless a string."""
    if not isinstance(body, Mapping):
        return None, None
    raw_error = body.get("error")
    raw_desc = body.get("error_description")
    return (
        raw_error if isinstance(raw_error, str) else None,
        raw_desc if isinstance(raw_desc, str) else None,
    )


def _access_refused(status: int, said: str | None) -> str:
    """A 401/403 message: a wrong API key and a missing grant need different fixes."""
    if said is None or _looks_like_api_key_problem(said):
        return f"Etsy rejected the API key ({said or f'HTTP {status}'}). {API_KEY_HINT}"
    return f"Etsy refused access ({said}). {RECONNECT_HINT} and grant the requested permissions"


def _kind_and_message(status: int, said: str | None) -> tuple[type[EtsyError], str]:
    """The class and message for the other statuses (none needs extra fields)."""
    if status == 404:
        return NotFoundError, f"Not found on Etsy ({said or 'HTTP 404'})"
    if status in (400, 409, 422):
        return EtsyValidationError, said or f"Etsy refused the request (HTTP {status})"
    if status >= 500:
        return (
            EtsyServerError,
            f"Etsy had a server error ({said or f'HTTP {status}'}); try again later",
        )
    return EtsyError, f"Etsy answered HTTP {status}" + (f": {said}" if said else "")

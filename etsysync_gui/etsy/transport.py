"""One Etsy HTTP request, done properly: headers, pacing, retries, token refresh.

Why a separate layer: every operation needs the same plumbing and getting it
wrong once is costly (a retry storm, a lost PUT body after a refresh, a 403
loop).  Keeping it in one place means it is tested once.

What ``Transport.request`` guarantees:

* Headers on every request: ``x-api-key: keystring:shared_secret`` (the
  post-February-2026 format), ``User-Agent: EtsySync/<version>``, and
  ``Authorization: Bearer`` when the operation is user-scoped and a token
  manager is configured.  Every request has a timeout.
* At most ``max_in_flight`` requests of this transport are on the wire, and
  each first takes a slot from the shared per-key ``RateLimiter``; every
  response's rate-limit headers are fed back to it.
* Retries, bounded by ``max_retries`` in total:
  - 429: the limiter pauses every thread for ``retry-after``, then this
    request waits that plus a jittered exponential backoff and retries; a 429
    for the *daily* limit (or a ``retry-after`` too long to wait) is raised
    at once as ``RateLimitedError``.
  - 5xx, non-JSON bodies, connection errors and timeouts: retried with
    backoff, but only for idempotent requests (GET, the full-inventory PUT,
    the state PATCH); a non-idempotent request is retried only when it
    surely never reached Etsy (connect error/timeout).
  - 400/403/404/409/422 and other 4xx: never retried.
* A 401 ``invalid_token`` triggers one token refresh; the *same* request
  (method, params and body) is sent again.  This does not use up a retry.
* ``calls_made`` counts every request put on the wire, retries included.
"""

from __future__ import annotations

import json
import logging
import random as random_module
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from etsysync_gui.etsy.backoff import backoff_delay, sleep_cancellable
from etsysync_gui.etsy.errors import (
    API_KEY_HINT,
    EtsyAuthError,
    EtsyError,
    EtsyNetworkError,
    EtsyServerError,
    MalformedResponseError,
    OperationCancelled,
    RateLimitedError,
    TokenExpiredError,
    error_for_response,
)
from etsysync_gui.etsy.oauth.tokens import USER_AGENT, TokenManager
from etsysync_gui.etsy.ratelimit import RateLimiter

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://openapi.etsy.com/v3"

QueryValue = str | int | bool
Recall = Callable[[bytes], object | None]
"""What the caller made of a response body before, or None (see ``Transport.request``)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try.  ``max_retries`` bounds retries of every kind together."""

    max_retries: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # A 429 asking to wait longer than this is not waited out inside a request.
    max_retry_after: float = 120.0


class Transport:
    """Sends single Etsy requests; thread-safe, shared by all operations of a client."""

    def __init__(
        self,
        *,
        keystring: str,
        shared_secret: str,
        base_url: str,
        limiter: RateLimiter,
        token_manager: TokenManager | None,
        timeout: float,
        max_in_flight: int,
        retry: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random_module.random,
        http_client: httpx.Client | None = None,
        http_transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not keystring.strip() or not shared_secret.strip():
            raise EtsyAuthError(f"The Etsy API key is incomplete. {API_KEY_HINT}")
        self._api_key = f"{keystring.strip()}:{shared_secret.strip()}"
        self._base_url = base_url.rstrip("/")
        self._limiter = limiter
        self._tokens = token_manager
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self._retry = retry
        self._sleep = sleep
        self._random = random
        self._slots = threading.BoundedSemaphore(max(1, max_in_flight))
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            transport=http_transport,
            limits=httpx.Limits(
                max_connections=max(1, max_in_flight) * 2,
                max_keepalive_connections=max(1, max_in_flight),
            ),
            follow_redirects=False,
        )
        self._calls_lock = threading.Lock()
        self._calls_made = 0

    @property
    def calls_made(self) -> int:
        with self._calls_lock:
            return self._calls_made

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    # --- the request loop ----------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: object = None,
        form: Mapping[str, str] | None = None,
        user_scoped: bool = True,
        idempotent: bool = True,
        cancel: threading.Event | None = None,
        recall: Recall | None = None,
    ) -> object:
        """Send ``method path`` and return the decoded JSON body of the 2xx answer.

        ``recall(body)`` may return what the caller made of this very body before;
        that is returned instead, and the body is not decoded (``reads.page_memo``).
        """
        url = self._base_url + path
        content, content_type = _encode_body(json_body, form)
        query = {k: _query_text(v) for k, v in (params or {}).items()}
        retries = 0
        refreshed = False
        while True:
            token = None
            try:
                response, token = self._send(
                    method, url, query, content, content_type, user_scoped, cancel
                )
            except httpx.TransportError as exc:
                error: EtsyError = EtsyNetworkError(
                    f"Cannot reach Etsy ({type(exc).__name__}: {exc})"
                )
                sent_for_sure = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                retryable = idempotent or not sent_for_sure
                extra_wait = 0.0
            else:
                outcome = self._outcome(response, idempotent, recall)
                if not isinstance(outcome, _Failure):
                    return outcome.body
                error, retryable, extra_wait = outcome.error, outcome.retryable, outcome.wait
                if isinstance(error, TokenExpiredError) and token and not refreshed:
                    assert self._tokens is not None
                    refreshed = True
                    self._tokens.refresh_after_rejection(token)
                    continue
            if not retryable or retries >= self._retry.max_retries:
                raise error
            retries += 1
            delay = extra_wait + backoff_delay(
                retries,
                random=self._random,
                base=self._retry.backoff_base,
                cap=self._retry.backoff_cap,
            )
            log.info(
                "Etsy %s %s failed (%s); retry %d/%d in %.1fs",
                method,
                path,
                error.message,
                retries,
                self._retry.max_retries,
                delay,
            )
            sleep_cancellable(delay, sleep=self._sleep, cancel=cancel)

    def _send(
        self,
        method: str,
        url: str,
        query: Mapping[str, str],
        content: bytes | None,
        content_type: str | None,
        user_scoped: bool,
        cancel: threading.Event | None,
    ) -> tuple[httpx.Response, str | None]:
        self._take_slot(cancel)
        try:
            self._limiter.acquire(cancel)
            token = None
            headers = {
                "x-api-key": self._api_key,
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            }
            if user_scoped and self._tokens is not None:
                token = self._tokens.access_token()
                headers["Authorization"] = f"Bearer {token}"
            if content_type is not None:
                headers["Content-Type"] = content_type
            with self._calls_lock:
                self._calls_made += 1
            response = self._http.request(
                method,
                url,
                params=query or None,
                content=content,
                headers=headers,
                timeout=self._timeout,
            )
        finally:
            self._slots.release()
        _unbind_stream(response)
        self._limiter.observe_headers(response.headers)
        return response, token

    def _take_slot(self, cancel: threading.Event | None) -> None:
        while not self._slots.acquire(timeout=0.25):
            if cancel is not None and cancel.is_set():
                raise OperationCancelled("Cancelled")

    def _outcome(
        self, response: httpx.Response, idempotent: bool, recall: Recall | None
    ) -> _Success | _Failure:
        status = response.status_code
        headers = response.headers
        if recall is not None and 200 <= status < 300:
            recalled = recall(response.content)
            if recalled is not None:
                return _Success(recalled)
        try:
            body: object = response.json()
        except ValueError:
            body = None
        if 200 <= status < 300:
            if body is None:
                return _Failure(
                    MalformedResponseError(
                        f"Etsy answered HTTP {status} without valid JSON",
                        status=status,
                        request_id=headers.get("x-etsy-request-uuid"),
                    ),
                    retryable=idempotent,
                )
            return _Success(body)
        error = error_for_response(status, body, headers)
        if isinstance(error, RateLimitedError):
            daily = "daily" in (error.etsy_error or "").lower()
            too_long = (error.retry_after or 0.0) > self._retry.max_retry_after
            self._limiter.note_429(error.retry_after, daily=daily)
            if daily or too_long:
                return _Failure(error, retryable=False)
            return _Failure(error, retryable=True, wait=error.retry_after or 0.0)
        if isinstance(error, EtsyServerError):
            return _Failure(error, retryable=idempotent)
        return _Failure(error, retryable=False)


def _unbind_stream(response: httpx.Response) -> None:
    """Break httpx's response <-> stream reference cycle once the body has been read.

    Why: ``httpx.Client.send`` wraps the body stream in a ``BoundSyncStream`` that
    points back at the response, so a finished response, with its body (about
    280 KB for a page of 100 listings with inventories), is freed only by a full
    garbage collection, never when the last reference goes.  Full collections are
    put off during a sync (``gc_guard``), so without this a 100,000-listing read
    kept every page's body until the end (371 MB peak instead of 236 MB).  The
    body is read and the stream closed by then (``request`` does not stream), so
    nothing needs the stream any more.
    """
    response.stream = httpx.ByteStream(b"")


@dataclass(frozen=True, slots=True)
class _Success:
    body: object


@dataclass(frozen=True, slots=True)
class _Failure:
    error: EtsyError
    retryable: bool
    wait: float = 0.0


def _query_text(value: QueryValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _encode_body(
    json_body: object, form: Mapping[str, str] | None
) -> tuple[bytes | None, str | None]:
    """Encode a body once, so a retried or re-sent request carries the same bytes.

    Etsy asks for ``charset=utf-8`` in the Content-Type ("Requests",
    https://developers.etsy.com/documentation/essentials/requests).
    """
    if json_body is not None and form is not None:
        raise ValueError("a request has either a JSON body or a form body")
    if json_body is not None:
        text = json.dumps(json_body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8"), "application/json; charset=utf-8"
    if form is not None:
        return urlencode(dict(form)).encode("utf-8"), (
            "application/x-www-form-urlencoded; charset=utf-8"
        )
    return None, None


def csv(values: Iterable[object]) -> str:
    """An array query parameter as Etsy clients send it: comma-joined.

    The spec gives no style for array parameters; comma-joined values are what
    the maintained client libraries send and what Etsy answers to.
    """
    return ",".join(str(v) for v in values)

"""The request pipeline: from one parsed request to one response, Etsy's way.

Why: the order of checks is behaviour a client can observe, so it is written down once:

1. ``request_observer`` sees the raw request (contract tests validate it here);
2. the request is counted (``stats``) and the added latency is applied;
3. a fault may strike before the request takes effect (5xx, 429 burst, hang, drop);
4. ``/oauth/connect`` → consent pages; ``/v3/public/oauth/token`` → token endpoint
   (not rate limited: assumption, Etsy documents limits for API calls only);
5. for ``/v3/application/...``: route (404), ``x-api-key`` (403), rate limits (429,
   QPS before QPD), bearer token when the operation needs one or one is sent (401),
   scopes (403 ``insufficient_scope``), then the handler;
6. a fault may strike after the effect (the response is lost, delayed or broken);
7. ``response_observer`` sees the final response.

Every ``/v3/application`` response carries the rate-limit headers and an
``x-etsy-request-uuid``. Unexpected exceptions become Etsy's ``{"error": "Server
Error"}`` 500 and are kept in ``internal_errors`` so a test can fail loudly on them.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable, Mapping

from fake_etsy.apikey import check_api_key
from fake_etsy.errors import ApiError
from fake_etsy.faults import SERVER_ERROR_BODIES, Fault, FaultInjector, FaultKind
from fake_etsy.oauth import OAuthProvider
from fake_etsy.operations import HANDLERS, Context
from fake_etsy.ratelimit import PER_SECOND_ERROR, RateLimiter
from fake_etsy.routing import (
    API_PREFIX,
    CONNECT_PATH,
    TOKEN_PATH,
    operation_name,
    route,
)
from fake_etsy.shop import ShopState
from fake_etsy.stats import RequestStats
from fake_etsy.tokens import Principal, TokenStore
from fake_etsy.triggers import Triggers
from fake_etsy.wire import FakeRequest, FakeResponse, error_response, json_response

RequestObserver = Callable[[str, str, str, Mapping[str, str], bytes], None]
"""Called with (method, path, query string, headers, body) for every request."""
ResponseObserver = Callable[[int, Mapping[str, str], bytes], None]
"""Called with (status, headers, body) for every response actually sent."""
Waiter = Callable[[float], bool]
"""Sleeps up to the given seconds; returns True if the server is stopping."""


class FakeEtsyApp:
    """Turns :class:`FakeRequest` into :class:`FakeResponse`; no sockets here."""

    def __init__(
        self,
        *,
        shop: ShopState,
        tokens: TokenStore,
        oauth: OAuthProvider,
        limiter: RateLimiter,
        faults: FaultInjector,
        stats: RequestStats,
        keystring: str,
        shared_secret: str,
        application_id: int,
        wait: Waiter,
        request_observer: RequestObserver | None = None,
        response_observer: ResponseObserver | None = None,
    ) -> None:
        self.shop = shop
        self.tokens = tokens
        self.oauth = oauth
        self.limiter = limiter
        self.faults = faults
        self.stats = stats
        self.keystring = keystring
        self.shared_secret = shared_secret
        self.application_id = application_id
        self.request_observer = request_observer
        self.response_observer = response_observer
        self.internal_errors: list[str] = []
        self.triggers = Triggers()
        self._wait = wait

    def handle(self, request: FakeRequest) -> FakeResponse:
        if self.request_observer is not None:
            try:
                self.request_observer(
                    request.method, request.path, request.query, request.headers, request.body
                )
            except Exception as exc:  # the observer rejected the request: tell both sides
                self.internal_errors.append(f"request_observer: {exc!r}")
                return json_response(500, {"error": f"request_observer failed: {exc}"})
        operation = operation_name(request.method, request.path)
        self.stats.record_request(operation)
        response = self._run(request, operation)
        if not response.drop:
            self.stats.record_response(response.status, operation)
            if self.response_observer is not None:
                try:
                    self.response_observer(response.status, response.headers, response.body)
                except Exception as exc:
                    self.internal_errors.append(f"response_observer: {exc!r}")
        return response

    def _run(self, request: FakeRequest, operation: str) -> FakeResponse:
        latency = self.faults.latency_ms
        if latency and self._wait(latency / 1000.0):
            return FakeResponse(0, drop=True)
        if request.path == CONNECT_PATH:
            return self.oauth.connect(request)
        if request.path != TOKEN_PATH and not request.path.startswith(API_PREFIX):
            return json_response(404, {"error": "Not Found"})
        fault = self.faults.take(operation)
        if fault is not None:
            self.stats.record_fault()
            if not fault.after_effect:
                early = self._before(fault)
                if early is not None:
                    return early
        response = self._dispatch(request)
        if fault is not None and fault.after_effect:
            response = self._after(fault, response)
        return response

    def _before(self, fault: Fault) -> FakeResponse | None:
        if fault.kind is FaultKind.HANG:
            return FakeResponse(0, drop=True) if self._wait(fault.seconds) else None
        if fault.kind is FaultKind.DROP:
            return FakeResponse(0, drop=True)
        if fault.kind is FaultKind.RATE_LIMIT:
            headers = self.limiter.headers()
            headers["retry-after"] = str(int(fault.seconds))
            return error_response(ApiError(429, PER_SECOND_ERROR), headers)
        if fault.kind is FaultKind.ERROR:
            return error_response(ApiError(fault.status, SERVER_ERROR_BODIES[fault.status]))
        return None

    def _after(self, fault: Fault, response: FakeResponse) -> FakeResponse:
        if fault.kind is FaultKind.HANG:
            return FakeResponse(0, drop=True) if self._wait(fault.seconds) else response
        if fault.kind is FaultKind.DROP:
            return FakeResponse(0, drop=True)
        if fault.kind is FaultKind.ERROR:
            return error_response(ApiError(fault.status, SERVER_ERROR_BODIES[fault.status]))
        if fault.kind is FaultKind.MALFORMED_JSON:
            cut = response.body[: max(1, len(response.body) // 2)]
            return FakeResponse(response.status, dict(response.headers), cut)
        return response

    def _dispatch(self, request: FakeRequest) -> FakeResponse:
        headers: dict[str, str] = {}
        try:
            if request.path == TOKEN_PATH:
                if request.method != "POST":
                    raise ApiError(405, "Method Not Allowed")
                return self.oauth.token(request)
            headers["x-etsy-request-uuid"] = str(uuid.uuid4())
            found = route(request.method, request.path)
            if found is None:
                raise ApiError(404, "Not Found")
            operation, params = found
            check_api_key(
                request.header("x-api-key"),
                keystring=self.keystring,
                shared_secret=self.shared_secret,
            )
            decision = self.limiter.acquire()
            headers.update(decision.headers)
            if not decision.allowed:
                raise ApiError(
                    429,
                    decision.error or PER_SECOND_ERROR,
                    headers={"retry-after": str(decision.retry_after or 1)},
                )
            principal = self._authorize(request, operation.scopes)
            context = Context(request, params, principal, self.shop, self.application_id)
            name, query = operation.operation_id, request.query_params()
            self.triggers.fire("before", name, params, query)
            response = HANDLERS[name](context)
            if response.status < 400:
                self.triggers.fire("after", name, params, query)
            response.headers.update(headers)
            return response
        except ApiError as error:
            if "x-etsy-request-uuid" in headers and "x-limit-per-second" not in headers:
                headers.update(self.limiter.headers())
            return error_response(error, headers)
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            return error_response(ApiError(500, "Server Error"), headers)

    def _authorize(self, request: FakeRequest, scopes: tuple[str, ...]) -> Principal | None:
        authorization = request.header("authorization")
        if not scopes and authorization is None:
            return None
        principal = self.tokens.authenticate(authorization)
        missing = [scope for scope in scopes if scope not in principal.scopes]
        if missing:
            raise ApiError(
                403,
                "insufficient_scope",
                description=f"this operation requires the {' '.join(missing)} scope",
            )
        return principal

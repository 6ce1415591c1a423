"""Retries: 429 with retry-after, bounded 5xx/timeout retries, and what is never retried."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest
import respx

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import (
    EtsyNetworkError,
    EtsyServerError,
    EtsyValidationError,
    MalformedResponseError,
    NotFoundError,
    OperationCancelled,
    RateLimitedError,
)
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.etsy.oauth.tokens import TokenManager
from etsysync_gui.etsy.ratelimit import RateLimiter
from etsysync_gui.etsy.transport import RetryPolicy
from tests.clock import FakeClock

from .helpers import inventory_json, listing_json

SHOP = {
    "shop_id": 1,
    "user_id": 2,
    "shop_name": "S",
    "currency_code": "USD",
    "listing_active_count": 0,
    "url": "u",
}
OK = httpx.Response(200, json=SHOP)


def test_429_waits_retry_after_then_succeeds(
    router: respx.MockRouter,
    clock: FakeClock,
    make_client: Callable[..., EtsyClient],
    make_limiter: Callable[..., RateLimiter],
) -> None:
    limiter = make_limiter(limit_per_second=10)
    route = router.get("/application/shops/1").mock(
        side_effect=[
            httpx.Response(
                429, json={"error": "Exceeded per second rate limit"}, headers={"retry-after": "7"}
            ),
            OK,
        ]
    )
    client = make_client(limiter=limiter)

    assert client.get_shop(1).shop_id == 1

    assert route.call_count == 2
    assert client.calls_made == 2
    assert clock.monotonic() >= 7.0  # retry-after was honoured (plus a backoff)
    assert clock.monotonic() < 7.0 + 1.0


def test_429_pause_applies_to_other_requests_of_the_key(
    router: respx.MockRouter,
    clock: FakeClock,
    make_client: Callable[..., EtsyClient],
    make_limiter: Callable[..., RateLimiter],
) -> None:
    limiter = make_limiter(limit_per_second=10)
    router.get("/application/shops/1").respond(
        429, json={"error": "Exceeded per second rate limit"}, headers={"retry-after": "30"}
    )
    other = router.get("/application/shops/2").respond(200, json={**SHOP, "shop_id": 2})
    first = make_client(limiter=limiter, retry=RetryPolicy(max_retries=0))
    second = make_client(limiter=limiter)  # another client, same key (e.g. a manual sync)

    with pytest.raises(RateLimitedError):
        first.get_shop(1)
    second.get_shop(2)

    assert other.call_count == 1
    assert clock.monotonic() >= 30.0


def test_429_retries_are_bounded(
    router: respx.MockRouter, make_client: Callable[..., EtsyClient]
) -> None:
    route = router.get("/application/shops/1").respond(
        429, json={"error": "Exceeded per second rate limit"}, headers={"retry-after": "1"}
    )
    client = make_client(retry=RetryPolicy(max_retries=3))

    with pytest.raises(RateLimitedError) as info:
        client.get_shop(1)

    assert route.call_count == 4
    assert info.value.retry_after == 1.0


def test_daily_limit_429_is_not_retried(
    router: respx.MockRouter, make_client: Callable[..., EtsyClient], fast_limiter: RateLimiter
) -> None:
    route = router.get("/application/shops/1").respond(
        429, json={"error": "Exceeded daily rate limit"}, headers={"retry-after": "86400"}
    )
    client = make_client()

    with pytest.raises(RateLimitedError):
        client.get_shop(1)
    with pytest.raises(RateLimitedError):
        client.get_shop(1)  # refused locally: the day's budget is gone

    assert route.call_count == 1
    assert fast_limiter.budget().remaining_today == 0


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500, json={"error": "Server Error"}),
        httpx.Response(502, text="Bad gateway"),
        httpx.Response(200, text="<html>not json"),
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed"),
    ],
    ids=["500", "502", "non-json", "read-timeout", "connect-error", "dropped"],
)
def test_transient_failures_are_retried_then_succeed(
    router: respx.MockRouter,
    clock: FakeClock,
    make_client: Callable[..., EtsyClient],
    failure: httpx.Response | Exception,
) -> None:
    route = router.get("/application/shops/1").mock(side_effect=[failure, failure, OK])
    client = make_client()

    assert client.get_shop(1).shop_name == "S"

    assert route.call_count == 3
    assert client.calls_made == 3
    # Exponential backoff with jitter (random() = 0.5): 0.375 s, then 0.75 s.
    assert clock.monotonic() == pytest.approx(0.375 + 0.75)


@pytest.mark.parametrize(
    ("failure", "error_type"),
    [
        (httpx.Response(500, json={"error": "Server Error"}), EtsyServerError),
        (httpx.Response(200, text="garbage"), MalformedResponseError),
        (httpx.ConnectTimeout("timeout"), EtsyNetworkError),
    ],
)
def test_transient_failures_are_bounded(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    failure: httpx.Response | Exception,
    error_type: type[Exception],
) -> None:
    def fail(_: httpx.Request) -> httpx.Response:
        if isinstance(failure, Exception):
            raise failure
        return failure

    route = router.get("/application/shops/1").mock(side_effect=fail)
    client = make_client(retry=RetryPolicy(max_retries=4))

    with pytest.raises(error_type):
        client.get_shop(1)

    assert route.call_count == 5


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(400, EtsyValidationError), (404, NotFoundError), (409, EtsyValidationError)],
)
def test_client_errors_are_never_retried(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
    status: int,
    error_type: type[Exception],
) -> None:
    route = router.put("/application/listings/5/inventory").respond(
        status, json={"error": "Missing input parameter: [products]"}
    )
    client = make_client(token_manager=make_tokens())

    with pytest.raises(error_type):
        client.update_listing_inventory(5, Inventory.from_json(inventory_json(5)))

    assert route.call_count == 1


def test_inventory_put_is_retried_with_the_same_body(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    route = router.put("/application/listings/5/inventory").mock(
        side_effect=[
            httpx.Response(500, json={"error": "Server Error"}),
            httpx.Response(200, json=inventory_json(5, quantity=8)),
        ]
    )
    client = make_client(token_manager=make_tokens())

    result = client.update_listing_inventory(5, Inventory.from_json(inventory_json(5)))

    assert result.products[0].offerings[0].quantity == 8
    first, second = (call.request for call in route.calls)
    assert first.content == second.content
    assert b'"price":12.34' in first.content
    assert first.headers["content-type"] == "application/json; charset=utf-8"


def test_state_patch_is_form_encoded(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    route = router.patch("/application/shops/7/listings/5").respond(
        200, json=listing_json(5, "inactive")
    )
    client = make_client(token_manager=make_tokens())

    assert client.update_listing_state(7, 5, "inactive").state == "inactive"
    request = route.calls.last.request
    assert request.content == b"state=inactive"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    with pytest.raises(ValueError, match="a listing state can be set to"):
        client.update_listing_state(7, 5, "draft")


def test_cancel_during_backoff_stops_retrying(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    cancel = threading.Event()

    def fail_and_cancel(_: httpx.Request) -> httpx.Response:
        cancel.set()
        return httpx.Response(503, json={"error": "Server Error"})

    route = router.get("/application/listings/5/inventory").mock(side_effect=fail_and_cancel)
    client = make_client(token_manager=make_tokens())

    with pytest.raises(OperationCancelled):
        client.get_listing_inventory(5, cancel=cancel)
    assert route.call_count == 1

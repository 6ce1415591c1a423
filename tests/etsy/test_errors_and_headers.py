"""Request headers and the mapping of Etsy's error answers to typed errors."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

import httpx
import pytest
import respx

from etsysync_gui.errors import EXIT_NEEDS_USER
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import (
    API_KEY_HINT,
    EtsyAuthError,
    EtsyError,
    EtsyNetworkError,
    EtsyServerError,
    EtsyValidationError,
    MalformedResponseError,
    NotFoundError,
    OperationCancelled,
    RateLimitedError,
    TokenExpiredError,
    TokenRevokedError,
)
from etsysync_gui.etsy.oauth.tokens import TokenManager

from .helpers import KEY, SECRET, listing_json


def test_every_request_carries_key_secret_user_agent_and_bearer(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    ping = router.get("/application/openapi-ping").respond(200, json={"application_id": 9})
    me = router.get("/application/users/me").respond(200, json={"user_id": 42, "shop_id": 7})
    client = make_client(token_manager=make_tokens())

    assert client.ping() == 9
    me_result = client.get_me()

    assert me_result.user_id == 42
    assert me_result.shop_id == 7
    ping_headers = ping.calls.last.request.headers
    assert ping_headers["x-api-key"] == f"{KEY}:{SECRET}"
    assert ping_headers["user-agent"].startswith("EtsySync/")
    assert "authorization" not in ping_headers  # ping validates the key alone
    me_headers = me.calls.last.request.headers
    assert me_headers["x-api-key"] == f"{KEY}:{SECRET}"
    assert me_headers["authorization"] == "Bearer 42.old-access"
    assert client.calls_made == 2


def test_array_parameters_are_comma_joined(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    route = router.get("/application/listings/batch").respond(
        200, json={"count": 3, "results": [listing_json(i) for i in (1, 2, 3)]}
    )
    client = make_client(token_manager=make_tokens())

    listings = client.get_listings_by_ids([1, 2, 3])

    assert [x.listing_id for x in listings] == [1, 2, 3]
    assert route.calls.last.request.url.params["listing_ids"] == "1,2,3"


def test_missing_shared_secret_fails_before_any_request(router: respx.MockRouter) -> None:
    with pytest.raises(EtsyAuthError) as info:
        EtsyClient(KEY, "  ")
    assert API_KEY_HINT in info.value.message
    assert info.value.needs_user


def test_user_scoped_call_without_token_manager_asks_to_connect(
    router: respx.MockRouter, make_client: Callable[..., EtsyClient]
) -> None:
    route = router.get("/application/users/me")
    with pytest.raises(EtsyAuthError, match="Reconnect to Etsy"):
        make_client().get_me()
    assert route.call_count == 0


@pytest.mark.parametrize(
    ("status", "body", "error_type", "needs_user"),
    [
        (403, {"error": "Shared secret is required in x-api-key header."}, EtsyAuthError, True),
        (
            403,
            {"error": "API key not found or not active, or incorrect shared secret for API key."},
            EtsyAuthError,
            True,
        ),
        (401, {"error": "Invalid API key"}, EtsyAuthError, True),
        (403, {"error": "insufficient_scope"}, EtsyAuthError, True),
        (
            401,
            {"error": "invalid_token", "error_description": "access token is expired"},
            TokenExpiredError,
            True,
        ),
        (404, {"error": "Could not find a Shop with shop_id = 1"}, NotFoundError, False),
        (400, {"error": "Missing input parameter: [products]"}, EtsyValidationError, False),
        (409, {"error": "Conflict"}, EtsyValidationError, False),
        (422, {"error": "Property values can't be empty"}, EtsyValidationError, False),
        (500, {"error": "Server Error"}, EtsyServerError, False),
        (503, "<html>down</html>", EtsyServerError, False),
        (429, {"error": "Exceeded daily rate limit"}, RateLimitedError, False),
        (418, {"error": "teapot"}, EtsyError, False),
    ],
)
def test_error_answers_map_to_typed_errors(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    status: int,
    body: object,
    error_type: type[EtsyError],
    needs_user: bool,
) -> None:
    kwargs: dict[str, object] = {"headers": {"x-etsy-request-uuid": "req-123"}}
    if isinstance(body, str):
        kwargs["text"] = body
    else:
        kwargs["json"] = body
    route = router.get("/application/shops/1").respond(status, **kwargs)  # type: ignore[arg-type]
    client = make_client()

    with pytest.raises(EtsyError) as info:
        client.get_shop(1)

    error = info.value
    assert type(error) is error_type
    assert error.status == status
    assert error.request_id == "req-123"
    assert error.needs_user is needs_user
    assert "\n" not in error.message
    assert error.message
    if isinstance(body, dict):
        assert error.etsy_error == body["error"]
        if status in (400, 409, 422):
            assert error.message == body["error"]  # Etsy's words, verbatim
    if needs_user:
        assert error.exit_code == EXIT_NEEDS_USER
    if error_type is not EtsyServerError:
        assert route.call_count == 1  # never retried


def test_shared_secret_403_carries_the_fix_hint(
    router: respx.MockRouter, make_client: Callable[..., EtsyClient]
) -> None:
    router.get("/application/openapi-ping").respond(
        403, json={"error": "Shared secret is required in x-api-key header."}
    )
    with pytest.raises(EtsyAuthError) as info:
        make_client().ping()
    assert info.value.etsy_error == "Shared secret is required in x-api-key header."
    assert "keystring:shared_secret" in info.value.message
    assert "etsy.com/developers/your-apps" in info.value.message


def test_scope_403_says_to_reconnect(
    router: respx.MockRouter, make_client: Callable[..., EtsyClient]
) -> None:
    router.get("/application/shops/1").respond(403, json={"error": "insufficient_scope"})
    with pytest.raises(EtsyAuthError, match="Reconnect to Etsy"):
        make_client().get_shop(1)


def test_shape_mismatch_is_malformed_and_a_server_error(
    router: respx.MockRouter, make_client: Callable[..., EtsyClient]
) -> None:
    router.get("/application/shops/1").respond(200, json={"shop_id": 1, "user_id": "x"})
    with pytest.raises(MalformedResponseError, match="user_id") as info:
        make_client().get_shop(1)
    assert isinstance(info.value, EtsyServerError)


def test_class_flags() -> None:
    assert TokenRevokedError("x").needs_user
    assert EtsyAuthError("x").needs_user
    for cls in (NotFoundError, EtsyNetworkError, OperationCancelled, EtsyServerError):
        assert not cls("x").needs_user
    assert RateLimitedError("x", retry_after=3.0).retry_after == 3.0


def test_network_errors_are_typed(
    router: respx.MockRouter, make_client: Callable[..., EtsyClient]
) -> None:
    router.get("/application/shops/1").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(EtsyNetworkError) as info:
        make_client().get_shop(1)
    assert info.value.status is None


def test_an_answer_is_freed_when_the_call_returns_without_the_garbage_collector(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
) -> None:
    """Full collections are put off during a sync (``gc_guard``): a page's body that
    only a collection could free would stay until the end of the run."""
    seen: list[weakref.ref[httpx.Response]] = []
    router.get("/application/openapi-ping").respond(
        200, json={"application_id": 9, "padding": "x" * 100_000}
    )
    http = httpx.Client(event_hooks={"response": [lambda r: seen.append(weakref.ref(r))]})
    client = make_client(http_client=http)
    gc.disable()
    try:
        assert client.ping() == 9
        assert len(seen) == 1
        assert seen[0]() is None
    finally:
        gc.enable()
        http.close()

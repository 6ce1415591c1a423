"""Token refresh: proactive, on 401, once under concurrency, persisted first, revocation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import (
    EtsyAuthError,
    EtsyServerError,
    TokenExpiredError,
    TokenRevokedError,
)
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet, exchange_code
from tests.clock import FakeClock

from .helpers import KEY, SECRET, TOKEN_URL, inventory_json

NEW = {
    "access_token": "42.new-access",
    "token_type": "Bearer",
    "expires_in": 3600,
    "refresh_token": "42.new-refresh",
}
EXPIRED = {"error": "invalid_token", "error_description": "access token is expired"}
ME = {"user_id": 42, "shop_id": 7}


def _form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_proactive_refresh_shortly_before_expiry(
    router: respx.MockRouter,
    clock: FakeClock,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
    persisted: list[TokenSet],
) -> None:
    token_route = router.post(TOKEN_URL).respond(200, json=NEW)
    me = router.get("/application/users/me").respond(200, json=ME)
    client = make_client(token_manager=make_tokens(expires_in=100))  # inside the 120 s margin

    client.get_me()

    assert token_route.call_count == 1
    request = token_route.calls.last.request
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert request.headers["x-api-key"] == f"{KEY}:{SECRET}"
    assert _form(request) == {
        "grant_type": "refresh_token",
        "client_id": KEY,
        "refresh_token": "42.old-refresh",
    }
    assert me.calls.last.request.headers["authorization"] == "Bearer 42.new-access"
    assert persisted == [TokenSet("42.new-access", "42.new-refresh", clock.time() + 3600)]


def test_no_refresh_while_token_is_fresh(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    token_route = router.post(TOKEN_URL).respond(200, json=NEW)
    router.get("/application/users/me").respond(200, json=ME)
    client = make_client(token_manager=make_tokens(expires_in=121))
    client.get_me()
    assert token_route.call_count == 0


def test_refresh_on_401_resends_the_same_method_and_body(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    token_route = router.post(TOKEN_URL).respond(200, json=NEW)

    def put(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer 42.old-access":
            return httpx.Response(401, json=EXPIRED)
        return httpx.Response(200, json=inventory_json(5, quantity=9))

    route = router.put("/application/listings/5/inventory").mock(side_effect=put)
    client = make_client(token_manager=make_tokens())

    result = client.update_listing_inventory(5, Inventory.from_json(inventory_json(5)))

    assert result.products[0].offerings[0].quantity == 9
    assert token_route.call_count == 1
    first, second = (call.request for call in route.calls)
    assert second.method == "PUT"
    assert second.content == first.content != b""
    assert second.headers["authorization"] == "Bearer 42.new-access"


def test_a_second_401_after_refresh_is_raised_not_looped(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    token_route = router.post(TOKEN_URL).respond(200, json=NEW)
    me = router.get("/application/users/me").respond(401, json=EXPIRED)
    client = make_client(token_manager=make_tokens())

    with pytest.raises(TokenExpiredError):
        client.get_me()
    assert token_route.call_count == 1
    assert me.call_count == 2


def test_concurrent_401s_cause_exactly_one_refresh(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
    persisted: list[TokenSet],
) -> None:
    workers = 8
    all_rejected = threading.Barrier(workers, timeout=10)
    token_route = router.post(TOKEN_URL).respond(200, json=NEW)

    def me(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer 42.old-access":
            all_rejected.wait()  # every worker holds a rejected token before any refresh
            return httpx.Response(401, json=EXPIRED)
        return httpx.Response(200, json=ME)

    route = router.get("/application/users/me").mock(side_effect=me)
    client = make_client(token_manager=make_tokens(), max_in_flight=workers)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            client.get_me()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert errors == []
    assert token_route.call_count == 1
    assert len(persisted) == 1
    assert route.call_count == 2 * workers


def test_concurrent_proactive_refresh_happens_once(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    token_route = router.post(TOKEN_URL).respond(200, json=NEW)
    route = router.get("/application/users/me").respond(200, json=ME)
    client = make_client(token_manager=make_tokens(expires_in=10), max_in_flight=8)
    start = threading.Barrier(8, timeout=10)

    def work() -> None:
        start.wait()
        client.get_me()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert token_route.call_count == 1
    assert route.call_count == 8
    assert {c.request.headers["authorization"] for c in route.calls} == {"Bearer 42.new-access"}


def test_new_tokens_are_persisted_before_they_are_used(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
    persisted: list[TokenSet],
) -> None:
    router.post(TOKEN_URL).respond(200, json=NEW)
    saved_when_used: list[bool] = []

    def me(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer 42.new-access":
            saved_when_used.append(any(t.refresh_token == "42.new-refresh" for t in persisted))
            return httpx.Response(200, json=ME)
        return httpx.Response(401, json=EXPIRED)

    router.get("/application/users/me").mock(side_effect=me)
    make_client(token_manager=make_tokens()).get_me()

    assert saved_when_used == [True]


def test_failing_persist_still_adopts_rotated_tokens(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post(TOKEN_URL).respond(200, json=NEW)

    def persist(_: TokenSet) -> None:
        raise OSError("keychain locked")

    manager = TokenManager(
        keystring=KEY,
        shared_secret=SECRET,
        tokens=TokenSet("42.old-access", "42.old-refresh", clock.time()),
        persist=persist,
        token_url=TOKEN_URL,
        clock=clock.time,
        sleep=clock.sleep,
    )
    with pytest.raises(OSError, match="keychain locked"):
        manager.access_token()
    assert manager.tokens.refresh_token == "42.new-refresh"  # not lost


def test_revoked_refresh_token_fails_fast_without_network(
    router: respx.MockRouter,
    make_client: Callable[..., EtsyClient],
    make_tokens: Callable[..., TokenManager],
) -> None:
    token_route = router.post(TOKEN_URL).respond(
        400, json={"error": "invalid_grant", "error_description": "refresh_token is revoked"}
    )
    me = router.get("/application/users/me").respond(401, json=EXPIRED)
    client = make_client(token_manager=make_tokens())

    with pytest.raises(TokenRevokedError) as info:
        client.get_me()
    assert info.value.message == (
        "Etsy no longer accepts EtsySync's access "
        "(invalid_grant: refresh_token is revoked). Reconnect to Etsy"
    )
    assert info.value.needs_user
    assert info.value.etsy_error == "invalid_grant"
    calls = (token_route.call_count, me.call_count, client.calls_made)

    for _ in range(5):
        with pytest.raises(TokenRevokedError):
            client.get_me()
        with pytest.raises(TokenRevokedError):
            client.get_listing_inventory(5)

    assert calls == (1, 1, 1)
    assert (token_route.call_count, me.call_count, client.calls_made) == calls


def test_token_endpoint_5xx_is_retried_a_bounded_number_of_times(
    router: respx.MockRouter, make_tokens: Callable[..., TokenManager], clock: FakeClock
) -> None:
    token_route = router.post(TOKEN_URL).mock(
        side_effect=[
            httpx.Response(500, json={"error": "Server Error"}),
            httpx.Response(200, json=NEW),
        ]
    )
    manager = make_tokens(expires_in=-1)
    assert manager.access_token() == "42.new-access"
    assert token_route.call_count == 2

    token_route.reset()
    token_route.mock(side_effect=None).respond(503, json={"error": "Server Error"})
    expired = make_tokens(expires_in=-1)
    with pytest.raises(EtsyServerError):
        expired.access_token()
    assert token_route.call_count == 3
    assert not expired.revoked


def test_transient_proactive_failure_keeps_using_a_still_valid_token(
    router: respx.MockRouter, make_tokens: Callable[..., TokenManager]
) -> None:
    router.post(TOKEN_URL).respond(503, json={"error": "Server Error"})
    manager = make_tokens(expires_in=60)  # inside the margin but not expired
    assert manager.access_token() == "42.old-access"


def test_exchange_code_sends_the_pkce_grant(router: respx.MockRouter, clock: FakeClock) -> None:
    route = router.post(TOKEN_URL).respond(200, json=NEW)

    tokens = exchange_code(
        keystring=KEY,
        shared_secret=SECRET,
        redirect_uri="http://localhost:3003/callback",
        code="the-code",
        code_verifier="v" * 43,
        token_url=TOKEN_URL,
        clock=clock.time,
    )

    assert tokens == TokenSet("42.new-access", "42.new-refresh", clock.time() + 3600)
    assert tokens.user_id == 42
    assert _form(route.calls.last.request) == {
        "grant_type": "authorization_code",
        "client_id": KEY,
        "redirect_uri": "http://localhost:3003/callback",
        "code": "the-code",
        "code_verifier": "v" * 43,
    }


def test_exchange_code_with_a_bad_code_is_an_auth_error(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post(TOKEN_URL).respond(400, json={"error": "invalid_grant"})
    with pytest.raises(EtsyAuthError):
        exchange_code(
            keystring=KEY,
            shared_secret=SECRET,
            redirect_uri="http://localhost:3003/callback",
            code="stale",
            code_verifier="v" * 43,
            token_url=TOKEN_URL,
            clock=clock.time,
        )


def test_token_repr_hides_secrets(clock: FakeClock) -> None:
    tokens = TokenSet("42.secret-access", "42.secret-refresh", 5.0)
    assert "secret" not in repr(tokens)

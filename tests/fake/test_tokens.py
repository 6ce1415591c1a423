"""Bearer tokens: expiry on the injected clock, unknown/revoked tokens, scopes."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from fake_etsy import FakeEtsyServer, ManualClock

ME = "/application/users/me"


def _get(
    http: httpx.Client, server: FakeEtsyServer, path: str, token: str | None
) -> httpx.Response:
    headers = {"x-api-key": server.api_key_header}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return http.get(f"{server.base_url}{path}", headers=headers, timeout=5)


def test_valid_token_reaches_get_me(
    http: httpx.Client, server: FakeEtsyServer, access_token: str
) -> None:
    response = _get(http, server, ME, access_token)
    assert response.status_code == 200
    assert response.json() == {"user_id": server.user_id, "shop_id": server.shop_id}


def test_token_expires_after_an_hour(
    http: httpx.Client, server: FakeEtsyServer, clock: ManualClock, access_token: str
) -> None:
    clock.advance(3599)
    assert _get(http, server, ME, access_token).status_code == 200
    clock.advance(1)
    response = _get(http, server, ME, access_token)
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_token",
        "error_description": "access token is expired",
    }


def test_custom_access_token_lifetime(
    http: httpx.Client, make_server: Callable[..., FakeEtsyServer], clock: ManualClock
) -> None:
    server = make_server(access_token_lifetime=60)
    access, _, expires_in = server.issue_tokens()
    assert expires_in == 60
    clock.advance(61)
    assert _get(http, server, ME, access).status_code == 401


def test_missing_unknown_and_malformed_tokens(http: httpx.Client, server: FakeEtsyServer) -> None:
    missing = _get(http, server, ME, None)
    assert missing.status_code == 401
    assert missing.json()["error"] == "invalid_token"
    for token in (f"{server.user_id}.not-issued", "garbage", "12.", ".abc"):
        response = _get(http, server, ME, token)
        assert response.status_code == 401, token
        assert response.json()["error"] == "invalid_token"


def test_password_change_revokes_every_token(
    http: httpx.Client, server: FakeEtsyServer, access_token: str
) -> None:
    server.revoke_all_tokens()
    response = _get(http, server, ME, access_token)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_scopes_are_enforced_per_operation(http: httpx.Client, server: FakeEtsyServer) -> None:
    read_only, _, _ = server.issue_tokens(scopes=["listings_r"])
    response = _get(http, server, ME, read_only)  # getMe needs shops_r
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"
    listing_id = server.listing_ids("active")[0]
    assert _get(http, server, f"/application/listings/{listing_id}/inventory", read_only).is_success
    put = http.put(
        f"{server.base_url}/application/listings/{listing_id}/inventory",
        headers={"x-api-key": server.api_key_header, "authorization": f"Bearer {read_only}"},
        json={"products": []},
        timeout=5,
    )
    assert put.status_code == 403  # listings_w missing: checked before the body


def test_public_operations_need_no_token_but_reject_a_bad_one(
    http: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = server.listing_ids("active")[0]
    assert _get(http, server, f"/application/listings/{listing_id}", None).status_code == 200
    assert _get(http, server, f"/application/shops/{server.shop_id}", None).status_code == 200
    bad = _get(http, server, f"/application/listings/{listing_id}", f"{server.user_id}.nope")
    assert bad.status_code == 401


def test_skus_are_shown_to_the_owner_only(
    http: httpx.Client, server: FakeEtsyServer, access_token: str
) -> None:
    listing_id = next(lid for lid in server.listing_ids() if server.listing_json(lid)["skus"])
    owner = _get(http, server, f"/application/listings/{listing_id}", access_token).json()
    public = _get(http, server, f"/application/listings/{listing_id}", None).json()
    assert owner["skus"]
    assert public["skus"] == []

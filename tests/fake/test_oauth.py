"""OAuth 2.0 + PKCE: consent page, redirects, token endpoint, rotation."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from fake_etsy import ConsentError, FakeEtsyServer, ManualClock

from .helpers import pkce_pair

REDIRECT = "http://localhost:3003/oauth/redirect"


def _query(location: str) -> dict[str, str]:
    parts = urlsplit(location)
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def _authorize(server: FakeEtsyServer, **overrides: str) -> str:
    _, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": server.keystring,
        "redirect_uri": REDIRECT,
        "scope": "listings_r listings_w shops_r",
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return f"{server.oauth_connect_url}?{urlencode(params)}"


def _get_code(server: FakeEtsyServer) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    location = server.browser_consent(
        server.authorize_url(state="s1", code_challenge=challenge), approve=True
    )
    return _query(location)["code"], verifier


def _token(http: httpx.Client, server: FakeEtsyServer, **fields: str) -> httpx.Response:
    data = {"client_id": server.keystring, **fields}
    return http.post(server.token_url, data=data, timeout=5)


def _exchange(
    http: httpx.Client, server: FakeEtsyServer, code: str, verifier: str, **extra: str
) -> httpx.Response:
    fields = {
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
        "code": code,
        "code_verifier": verifier,
        **extra,
    }
    return _token(http, server, **fields)


def test_connect_shows_an_approve_form(http: httpx.Client, server: FakeEtsyServer) -> None:
    response = http.get(_authorize(server), timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<form method='post' action='/oauth/connect'>" in response.text
    assert "listings_w" in response.text


def test_approve_redirects_with_code_and_state(server: FakeEtsyServer) -> None:
    location = server.browser_consent(_authorize(server), approve=True)
    assert location.startswith(REDIRECT + "?")
    query = _query(location)
    assert query["state"] == "st-123"
    assert query["code"]


def test_deny_redirects_with_access_denied(server: FakeEtsyServer) -> None:
    location = server.browser_consent(_authorize(server), approve=False)
    query = _query(location)
    assert query["error"] == "access_denied"
    assert query["state"] == "st-123"
    assert "code" not in query


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://localhost:3003/oauth/redirect/",
        "https://localhost:3003/oauth/redirect",
        "http://localhost:3003/oauth/Redirect",
        "http://127.0.0.1:3003/oauth/redirect",
        "http://localhost:3004/oauth/redirect",
        "http://localhost:3003/oauth/redirect?",
    ],
)
def test_unregistered_redirect_uri_shows_etsys_error_page(
    http: httpx.Client, server: FakeEtsyServer, redirect_uri: str
) -> None:
    response = http.get(_authorize(server, redirect_uri=redirect_uri), timeout=5)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "The requested redirect URL is not permitted." in response.text
    with pytest.raises(ConsentError, match="redirect URL is not permitted"):
        server.browser_consent(_authorize(server, redirect_uri=redirect_uri))


def test_extra_registered_redirect_uris(make_server: Callable[..., FakeEtsyServer]) -> None:
    other = "http://localhost:3005/callback"
    server = make_server(redirect_uris=[REDIRECT, other])
    location = server.browser_consent(_authorize(server, redirect_uri=other))
    assert location.startswith(other + "?code=")


@pytest.mark.parametrize(
    ("overrides", "error", "description"),
    [
        ({"state": ""}, "invalid_request", "state is required"),
        ({"code_challenge_method": "plain"}, "invalid_request", "S256"),
        ({"code_challenge": ""}, "invalid_request", "code_challenge is required"),
        ({"response_type": "token"}, "unsupported_response_type", "code"),
        ({"scope": "listings_r nonsense_x"}, "invalid_scope", "nonsense_x"),
    ],
)
def test_bad_parameters_redirect_back_with_an_error(
    http: httpx.Client,
    server: FakeEtsyServer,
    overrides: dict[str, str],
    error: str,
    description: str,
) -> None:
    response = http.get(_authorize(server, **overrides), timeout=5)
    assert response.status_code == 302
    query = _query(response.headers["location"])
    assert query["error"] == error
    assert description in query["error_description"]


def test_wrong_client_id_shows_an_error_page(http: httpx.Client, server: FakeEtsyServer) -> None:
    response = http.get(_authorize(server, client_id="someone-else"), timeout=5)
    assert response.status_code == 400
    assert "location" not in response.headers


def test_code_exchange_with_pkce(http: httpx.Client, server: FakeEtsyServer) -> None:
    code, verifier = _get_code(server)
    response = _exchange(http, server, code, verifier)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith(f"{server.user_id}.")
    me = http.get(
        f"{server.base_url}/application/users/me",
        headers={
            "x-api-key": server.api_key_header,
            "authorization": f"Bearer {body['access_token']}",
        },
        timeout=5,
    )
    assert me.status_code == 200


def test_wrong_verifier_is_invalid_grant(http: httpx.Client, server: FakeEtsyServer) -> None:
    code, _ = _get_code(server)
    other_verifier, _ = pkce_pair()
    response = _exchange(http, server, code, other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_code_is_single_use_and_reuse_revokes_its_tokens(
    http: httpx.Client, server: FakeEtsyServer
) -> None:
    code, verifier = _get_code(server)
    first = _exchange(http, server, code, verifier)
    assert first.status_code == 200
    second = _exchange(http, server, code, verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    refresh = _token(
        http, server, grant_type="refresh_token", refresh_token=first.json()["refresh_token"]
    )
    assert refresh.status_code == 400


def test_code_expires(http: httpx.Client, server: FakeEtsyServer, clock: ManualClock) -> None:
    code, verifier = _get_code(server)
    clock.advance(301)
    response = _exchange(http, server, code, verifier)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "code is expired"}


def test_redirect_uri_must_match_the_authorization_request(
    http: httpx.Client, server: FakeEtsyServer
) -> None:
    code, verifier = _get_code(server)
    response = _exchange(http, server, code, verifier, redirect_uri=REDIRECT + "/")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_token_endpoint_checks_client_and_grant(http: httpx.Client, server: FakeEtsyServer) -> None:
    wrong_client = http.post(
        server.token_url,
        data={"grant_type": "refresh_token", "client_id": "nope", "refresh_token": "x"},
        timeout=5,
    )
    assert wrong_client.status_code == 401
    assert wrong_client.json()["error"] == "invalid_client"
    unsupported = _token(http, server, grant_type="password")
    assert unsupported.json()["error"] == "unsupported_grant_type"
    missing = _token(http, server, grant_type="authorization_code", code="x")
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


def test_token_endpoint_rejects_a_wrong_api_key_header(
    http: httpx.Client, server: FakeEtsyServer
) -> None:
    _, refresh, _ = server.issue_tokens()
    response = http.post(
        server.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": server.keystring,
            "refresh_token": refresh,
        },
        headers={"x-api-key": server.keystring},
        timeout=5,
    )
    assert response.status_code == 403


def test_token_endpoint_can_require_the_api_key(
    http: httpx.Client,
    make_server: Callable[..., FakeEtsyServer],
) -> None:
    server = make_server(require_api_key_on_token=True)
    _, refresh, _ = server.issue_tokens()
    fields = {
        "grant_type": "refresh_token",
        "client_id": server.keystring,
        "refresh_token": refresh,
    }
    assert http.post(server.token_url, data=fields, timeout=5).status_code == 403
    ok = http.post(
        server.token_url, data=fields, headers={"x-api-key": server.api_key_header}, timeout=5
    )
    assert ok.status_code == 200


def test_refresh_rotates_and_the_old_refresh_token_is_revoked(
    http: httpx.Client, server: FakeEtsyServer
) -> None:
    _, refresh, _ = server.issue_tokens()
    first = _token(http, server, grant_type="refresh_token", refresh_token=refresh)
    assert first.status_code == 200
    new = first.json()
    assert new["refresh_token"] != refresh
    reuse = _token(http, server, grant_type="refresh_token", refresh_token=refresh)
    assert reuse.status_code == 400
    assert reuse.json() == {
        "error": "invalid_grant",
        "error_description": "refresh_token is revoked",
    }
    second = _token(http, server, grant_type="refresh_token", refresh_token=new["refresh_token"])
    assert second.status_code == 200


def test_refresh_keeps_the_granted_scopes(http: httpx.Client, server: FakeEtsyServer) -> None:
    _, refresh, _ = server.issue_tokens(scopes=["listings_r"])
    access = _token(http, server, grant_type="refresh_token", refresh_token=refresh).json()
    me = http.get(
        f"{server.base_url}/application/users/me",
        headers={
            "x-api-key": server.api_key_header,
            "authorization": f"Bearer {access['access_token']}",
        },
        timeout=5,
    )
    assert me.status_code == 403


def test_password_change_revokes_refresh_tokens(http: httpx.Client, server: FakeEtsyServer) -> None:
    _, refresh, _ = server.issue_tokens()
    server.revoke_all_tokens()
    response = _token(http, server, grant_type="refresh_token", refresh_token=refresh)
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "refresh_token is revoked",
    }


def test_refresh_token_expires_after_90_days(
    http: httpx.Client, server: FakeEtsyServer, clock: ManualClock
) -> None:
    _, refresh, _ = server.issue_tokens()
    clock.advance(90 * 86400)
    response = _token(http, server, grant_type="refresh_token", refresh_token=refresh)
    assert response.json()["error_description"] == "refresh_token is expired"


def test_json_token_body_is_accepted(http: httpx.Client, server: FakeEtsyServer) -> None:
    _, refresh, _ = server.issue_tokens()
    response = http.post(
        server.token_url,
        json={
            "grant_type": "refresh_token",
            "client_id": server.keystring,
            "refresh_token": refresh,
        },
        timeout=5,
    )
    assert response.status_code == 200


def test_consent_request_is_single_use(http: httpx.Client, server: FakeEtsyServer) -> None:
    page = http.get(_authorize(server), timeout=5).text
    request_id = page.split("name='request_id' value='")[1].split("'")[0]
    form = {"request_id": request_id, "decision": "approve"}
    first = http.post(server.oauth_connect_url, data=form, timeout=5)
    assert first.status_code == 302
    second = http.post(server.oauth_connect_url, data=form, timeout=5)
    assert second.status_code == 400

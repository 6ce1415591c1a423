"""The x-api-key header: keystring:shared_secret, and Etsy's three 403 bodies."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from fake_etsy import FakeEtsyServer

PING = "/application/openapi-ping"
SECRET_REQUIRED = "Shared secret is required in x-api-key header."
BAD_FORMAT = "Invalid API key: should be in the format 'keystring:shared_secret'."
NOT_FOUND = "API key not found or not active, or incorrect shared secret for API key."


def test_ping_needs_only_the_api_key(server: FakeEtsyServer, anon: httpx.Client) -> None:
    response = anon.get(PING, headers={"x-api-key": server.api_key_header})
    assert response.status_code == 200
    assert isinstance(response.json()["application_id"], int)


def test_keystring_alone_is_rejected(server: FakeEtsyServer, anon: httpx.Client) -> None:
    response = anon.get(PING, headers={"x-api-key": server.keystring})
    assert response.status_code == 403
    assert response.json() == {"error": SECRET_REQUIRED}


@pytest.mark.parametrize("value", [None, "", ":", "key:", ":secret", "a:b:c"])
def test_malformed_or_missing_key(anon: httpx.Client, value: str | None) -> None:
    headers = {} if value is None else {"x-api-key": value}
    response = anon.get(PING, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"error": BAD_FORMAT}


def test_wrong_keystring_and_wrong_secret_share_etsys_text_but_can_be_told_apart(
    server: FakeEtsyServer, anon: httpx.Client
) -> None:
    wrong_key = anon.get(PING, headers={"x-api-key": f"nosuchkey:{server.shared_secret}"})
    wrong_secret = anon.get(PING, headers={"x-api-key": f"{server.keystring}:wrong"})
    assert wrong_key.status_code == wrong_secret.status_code == 403
    assert wrong_key.json()["error"] == wrong_secret.json()["error"] == NOT_FOUND
    assert wrong_key.json()["error_description"] == "unknown keystring"
    assert wrong_secret.json()["error_description"] == "incorrect shared secret"


def test_every_operation_checks_the_key_before_the_token(
    server: FakeEtsyServer, access_token: str, anon: httpx.Client
) -> None:
    response = anon.get(
        "/application/users/me",
        headers={"x-api-key": server.keystring, "authorization": f"Bearer {access_token}"},
    )
    assert response.status_code == 403
    assert response.json() == {"error": SECRET_REQUIRED}


def test_custom_credentials(http: httpx.Client, make_server: Callable[..., FakeEtsyServer]) -> None:
    server = make_server(keystring="mykey", shared_secret="mysecret")
    response = http.get(
        f"{server.base_url}{PING}", headers={"x-api-key": "mykey:mysecret"}, timeout=5
    )
    assert response.status_code == 200

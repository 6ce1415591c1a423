"""``Credentials``: one JSON document per profile, a repr without secrets."""

from __future__ import annotations

import json

import pytest

from etsysync_gui.credentials import Credentials, CredentialsFormatError
from etsysync_gui.etsy.oauth.tokens import TokenSet

FULL = Credentials(
    keystring="keystring01",
    shared_secret="shh-secret-value",
    access_token="42.access-token-value-aaaaaaaaaaaa",
    refresh_token="42.refresh-token-value-bbbbbbbbbbb",
    expires_at=1_800_000_000.5,
    scopes=("listings_r", "listings_w", "shops_r"),
    user_id=42,
    shop_id=777,
)


def test_json_round_trip_keeps_every_field() -> None:
    data = json.loads(FULL.to_json())
    assert set(data) == {
        "version",
        "keystring",
        "shared_secret",
        "access_token",
        "refresh_token",
        "expires_at",
        "scopes",
        "user_id",
        "shop_id",
    }
    assert Credentials.from_json(FULL.to_json()) == FULL


def test_repr_and_str_show_no_secret() -> None:
    for text in (repr(FULL), str(FULL), f"{FULL!r}"):
        assert "shh-secret-value" not in text
        assert "access-token-value" not in text
        assert "refresh-token-value" not in text
        assert "keystring01" in text
        assert "777" in text


def test_app_key_only_is_not_connected() -> None:
    app_only = Credentials("keystring01", "shh-secret-value")
    assert app_only.tokens is None
    assert not app_only.connected
    assert Credentials.from_json(app_only.to_json()) == app_only


def test_with_tokens_replaces_the_pair_and_keeps_the_rest() -> None:
    rotated = FULL.with_tokens(TokenSet("43.new-access", "43.new-refresh", 99.0))
    assert rotated.access_token == "43.new-access"
    assert rotated.refresh_token == "43.new-refresh"
    assert rotated.expires_at == 99.0
    assert rotated.user_id == 43
    assert rotated.scopes == FULL.scopes
    assert rotated.shop_id == 777
    assert rotated.shared_secret == FULL.shared_secret


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"keystring": "k"}',
        '{"keystring": "k", "shared_secret": 5}',
        '{"keystring": "k", "shared_secret": "s", "user_id": "x"}',
        '{"keystring": "k", "shared_secret": "s", "scopes": "listings_r"}',
        '{"version": 99, "keystring": "k", "shared_secret": "s"}',
    ],
)
def test_bad_documents_are_refused(text: str) -> None:
    with pytest.raises(CredentialsFormatError):
        Credentials.from_json(text)

"""PKCE, state, the authorization URL and the redirect URI: built the way Etsy checks them."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from etsysync_gui.config import Profile
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import EtsyAuthError
from etsysync_gui.etsy.oauth.flow import (
    SCOPES,
    OAuthApp,
    Pkce,
    RedirectUriError,
    authorization_url,
    check_redirect_uri,
    new_state,
    s256_challenge,
)
from etsysync_gui.etsy_account import redirect_uri_to_register
from fake_etsy import FakeEtsyServer, s256

from .helpers import code_of

VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def test_verifier_and_challenge_follow_rfc_7636() -> None:
    pairs = [Pkce.new() for _ in range(20)]
    assert len({p.verifier for p in pairs}) == 20
    for pkce in pairs:
        assert VERIFIER.match(pkce.verifier)
        digest = hashlib.sha256(pkce.verifier.encode()).digest()
        assert pkce.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        assert pkce.challenge == s256(pkce.verifier)  # the fake's own implementation
        assert pkce.verifier not in repr(pkce)


def test_state_is_fresh_and_unguessable() -> None:
    states = {new_state() for _ in range(50)}
    assert len(states) == 50
    assert all(len(s) >= 43 for s in states)


def test_authorization_url_has_what_etsy_requires() -> None:
    url = authorization_url(
        "https://www.etsy.com/oauth/connect",
        keystring="abc123",
        redirect_uri="http://localhost:3003/oauth/redirect",
        state="st4te",
        code_challenge="c" * 43,
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.etsy.com", "/oauth/connect")
    assert "scope=listings_r%20listings_w%20shops_r%20transactions_r" in parts.query
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "abc123",
        "redirect_uri": "http://localhost:3003/oauth/redirect",
        "scope": " ".join(SCOPES),
        "state": "st4te",
        "code_challenge": "c" * 43,
        "code_challenge_method": "S256",
    }


def test_the_redirect_uri_to_register_is_the_profiles_exact_string() -> None:
    assert redirect_uri_to_register(Profile()) == "http://localhost:3003/oauth/redirect"
    odd = Profile(redirect_uri="http://127.0.0.1:4555/cb")
    assert redirect_uri_to_register(odd) == "http://127.0.0.1:4555/cb"


@pytest.mark.parametrize(
    "uri",
    [
        "https://localhost:3003/oauth/redirect",
        "http://example.com:3003/oauth/redirect",
        "http://0.0.0.0:3003/oauth/redirect",
        "http://localhost:notaport/x",
        "localhost:3003",
    ],
)
def test_redirect_uris_a_loopback_listener_cannot_serve_are_refused(uri: str) -> None:
    with pytest.raises(RedirectUriError) as caught:
        check_redirect_uri(uri)
    assert "http://localhost:3003/oauth/redirect" in caught.value.message


def _authorize(etsy: FakeEtsyServer, app: OAuthApp, pkce: Pkce) -> str:
    url = authorization_url(
        app.connect_url,
        keystring=app.keystring,
        redirect_uri=app.redirect_uri,
        state=new_state(),
        code_challenge=pkce.challenge,
    )
    return code_of(etsy.browser_consent(url))


def test_fake_etsy_accepts_the_code_only_with_the_right_verifier(
    etsy: FakeEtsyServer, app: OAuthApp
) -> None:
    pkce = Pkce.new()
    with EtsyClient(app.keystring, app.shared_secret, base_url=app.api_base_url) as client:
        code = _authorize(etsy, app, pkce)
        with pytest.raises(EtsyAuthError, match="code_verifier is invalid"):
            client.exchange_code(
                redirect_uri=app.redirect_uri, code=code, code_verifier=Pkce.new().verifier
            )
        code = _authorize(etsy, app, pkce)
        tokens = client.exchange_code(
            redirect_uri=app.redirect_uri, code=code, code_verifier=pkce.verifier
        )
    assert tokens.user_id == etsy.user_id
    assert s256_challenge(pkce.verifier) == pkce.challenge

"""A fake Etsy that accepts a redirect URI on a free port, and the OAuth app pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.etsy.oauth.flow import OAuthApp
from etsysync_gui.redaction import clear_registered_secrets
from fake_etsy import FakeEtsyServer

from .helpers import free_port


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    yield
    clear_registered_secrets()


@pytest.fixture
def redirect_uri() -> str:
    return f"http://localhost:{free_port()}/oauth/redirect"


@pytest.fixture
def etsy(redirect_uri: str) -> Iterator[FakeEtsyServer]:
    with FakeEtsyServer(listings=5, qps=None, qpd=None, redirect_uris=[redirect_uri]) as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
def app(etsy: FakeEtsyServer, redirect_uri: str) -> OAuthApp:
    return OAuthApp(
        keystring=etsy.keystring,
        shared_secret=etsy.shared_secret,
        connect_url=etsy.oauth_connect_url,
        redirect_uri=redirect_uri,
        api_base_url=etsy.base_url,
        token_url=etsy.token_url,
    )

"""Fixtures for the fake Etsy server tests: a manual clock, a running server, a client.

The server runs without rate limits unless a test asks for them, and with a
``ManualClock`` so expiry and the daily window are tested without sleeping.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fake_etsy import FakeEtsyServer, ManualClock

# The fake is plain HTTP; an empty TLS context spares each client loading the CA bundle.
NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One plain client for the whole session."""
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=20)
    with httpx.Client(timeout=10, limits=limits, verify=NO_TLS) as client:
        yield client


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_server(clock: ManualClock) -> Iterator[Callable[..., FakeEtsyServer]]:
    """Start servers with test defaults (40 listings, seed 7, no limits, manual clock)."""
    started: list[FakeEtsyServer] = []

    def make(**kwargs: Any) -> FakeEtsyServer:
        kwargs.setdefault("listings", 40)
        kwargs.setdefault("seed", 7)
        kwargs.setdefault("qps", None)
        kwargs.setdefault("qpd", None)
        kwargs.setdefault("clock", clock)
        server = FakeEtsyServer(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
        assert server.internal_errors == [], server.internal_errors


@pytest.fixture
def server(make_server: Callable[..., FakeEtsyServer]) -> FakeEtsyServer:
    return make_server()


@pytest.fixture
def access_token(server: FakeEtsyServer) -> str:
    return server.issue_tokens()[0]


@pytest.fixture
def client(server: FakeEtsyServer, access_token: str) -> Iterator[httpx.Client]:
    """An authorized client: correct x-api-key and a bearer token with the app's scopes."""
    headers = {"x-api-key": server.api_key_header, "authorization": f"Bearer {access_token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10, verify=NO_TLS) as http:
        yield http


@pytest.fixture
def anon(server: FakeEtsyServer) -> Iterator[httpx.Client]:
    """A client with no headers at all."""
    with httpx.Client(base_url=server.base_url, timeout=10, verify=NO_TLS) as http:
        yield http

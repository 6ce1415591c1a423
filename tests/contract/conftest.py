"""Fixtures for contract tests: a fake Etsy server whose traffic is checked against the spec.

``contract_server`` validates every request and response of ``/v3/application`` against
Etsy's OpenAPI document while the test runs, and fails the test at teardown on any
violation. To reuse it elsewhere (e.g. run the app's client against the fake), build
the same thing from :class:`tests.contract.spec.SpecRecorder`::

    recorder = SpecRecorder()
    with FakeEtsyServer(request_observer=recorder.request_observer,
                        response_observer=recorder.response_observer) as etsy:
        ...  # drive the client
    recorder.assert_clean()
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fake_etsy import FakeEtsyServer, ManualClock

from .spec import SpecRecorder

NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@pytest.fixture
def spec_recorder() -> SpecRecorder:
    return SpecRecorder()


@pytest.fixture
def make_contract_server(
    spec_recorder: SpecRecorder,
) -> Iterator[Callable[..., FakeEtsyServer]]:
    """Start servers wired to ``spec_recorder``; asserts a clean contract at teardown."""
    started: list[FakeEtsyServer] = []

    def make(**kwargs: Any) -> FakeEtsyServer:
        kwargs.setdefault("listings", 30)
        kwargs.setdefault("seed", 11)
        kwargs.setdefault("qps", None)
        kwargs.setdefault("qpd", None)
        kwargs.setdefault("clock", ManualClock())
        server = FakeEtsyServer(
            request_observer=spec_recorder.request_observer,
            response_observer=spec_recorder.response_observer,
            **kwargs,
        ).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
        assert server.internal_errors == []
    spec_recorder.assert_clean()


@pytest.fixture
def contract_server(make_contract_server: Callable[..., FakeEtsyServer]) -> FakeEtsyServer:
    return make_contract_server()


@pytest.fixture
def contract_client(contract_server: FakeEtsyServer) -> Iterator[httpx.Client]:
    """An authorized client of ``contract_server`` (the app's three scopes)."""
    access, _, _ = contract_server.issue_tokens()
    headers = {"x-api-key": contract_server.api_key_header, "authorization": f"Bearer {access}"}
    with httpx.Client(
        base_url=contract_server.base_url, headers=headers, timeout=10, verify=NO_TLS
    ) as client:
        yield client

"""Fixtures for the Etsy client tests: a fake clock, respx and client factories.

No test here sleeps for real: every limiter, token manager and client gets the
fake clock's ``sleep``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import respx

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from etsysync_gui.etsy.ratelimit import RateLimiter
from tests.clock import FakeClock

from .helpers import BASE, KEY, SECRET, TOKEN_URL


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def make_limiter(clock: FakeClock) -> Callable[..., RateLimiter]:
    def make(**kwargs: Any) -> RateLimiter:
        kwargs.setdefault("notify_interval", 0.0)
        return RateLimiter(
            clock=clock.monotonic, wall_clock=clock.time, sleep=clock.sleep, **kwargs
        )

    return make


@pytest.fixture
def fast_limiter(make_limiter: Callable[..., RateLimiter]) -> RateLimiter:
    """A limiter that never gets in the way (for tests about something else)."""
    return make_limiter(limit_per_second=100_000, limit_per_day=10_000_000)


@pytest.fixture
def persisted() -> list[TokenSet]:
    return []


@pytest.fixture
def make_tokens(clock: FakeClock, persisted: list[TokenSet]) -> Callable[..., TokenManager]:
    def make(
        *,
        expires_in: float = 3600.0,
        access: str = "42.old-access",
        refresh: str = "42.old-refresh",
    ) -> TokenManager:
        return TokenManager(
            keystring=KEY,
            shared_secret=SECRET,
            tokens=TokenSet(access, refresh, clock.time() + expires_in),
            persist=persisted.append,
            token_url=TOKEN_URL,
            clock=clock.time,
            sleep=clock.sleep,
            random=lambda: 0.5,
        )

    return make


@pytest.fixture
def make_client(clock: FakeClock, fast_limiter: RateLimiter) -> Iterator[Callable[..., EtsyClient]]:
    clients: list[EtsyClient] = []

    def make(**kwargs: Any) -> EtsyClient:
        kwargs.setdefault("base_url", BASE)
        kwargs.setdefault("limiter", fast_limiter)
        kwargs.setdefault("sleep", clock.sleep)
        kwargs.setdefault("random", lambda: 0.5)
        client = EtsyClient(KEY, SECRET, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()

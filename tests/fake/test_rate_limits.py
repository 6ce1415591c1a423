"""Per-second token bucket and 24-hour sliding window, headers and 429s."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from fake_etsy import FakeEtsyServer, ManualClock
from fake_etsy.ratelimit import RateLimiter

PING = "/application/openapi-ping"
HEADERS = ("x-limit-per-second", "x-remaining-this-second", "x-limit-per-day", "x-remaining-today")


def _ping(http: httpx.Client, server: FakeEtsyServer) -> httpx.Response:
    return http.get(f"{server.base_url}{PING}", headers={"x-api-key": server.api_key_header})


def test_every_response_carries_the_rate_limit_headers(
    http: httpx.Client, make_server: Callable[..., FakeEtsyServer]
) -> None:
    server = make_server(qps=50, qpd=1000)
    ok = _ping(http, server)
    assert ok.status_code == 200
    assert ok.headers["x-limit-per-second"] == "50"
    assert ok.headers["x-limit-per-day"] == "1000"
    assert ok.headers["x-remaining-today"] == "999"
    assert int(ok.headers["x-remaining-this-second"]) <= 49
    assert "x-etsy-request-uuid" in ok.headers
    error = http.get(f"{server.base_url}/application/listings/1/inventory")  # 403: no key
    assert error.status_code == 403
    assert all(name in error.headers for name in HEADERS)


def test_per_second_limit_gives_429_with_retry_after(
    http: httpx.Client, make_server: Callable[..., FakeEtsyServer]
) -> None:
    server = make_server(qps=3, qpd=None)
    responses = [_ping(http, server) for _ in range(6)]
    statuses = [r.status_code for r in responses]
    assert statuses[:3] == [200, 200, 200]
    assert 429 in statuses[3:]
    limited = next(r for r in responses if r.status_code == 429)
    assert limited.json() == {"error": "Exceeded per second rate limit"}
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["x-remaining-this-second"] == "0"
    assert server.stats.rate_limited == statuses.count(429)


def test_daily_limit_slides_with_the_clock(
    http: httpx.Client, make_server: Callable[..., FakeEtsyServer], clock: ManualClock
) -> None:
    server = make_server(qps=None, qpd=5)
    for _ in range(3):
        assert _ping(http, server).status_code == 200
    clock.advance(3 * 3600)
    for _ in range(2):
        assert _ping(http, server).status_code == 200
    over = _ping(http, server)
    assert over.status_code == 429
    assert over.json() == {"error": "Exceeded daily rate limit"}
    assert over.headers["x-remaining-today"] == "0"
    retry_after = int(over.headers["retry-after"])
    assert 21 * 3600 - 600 < retry_after <= 21 * 3600 + 600
    clock.advance(retry_after)  # the first three calls' bucket slides out
    back = _ping(http, server)
    assert back.status_code == 200
    assert back.headers["x-remaining-today"] == "2"


def test_unlimited_sends_no_limit_headers(http: httpx.Client, server: FakeEtsyServer) -> None:
    for _ in range(30):
        response = _ping(http, server)
        assert response.status_code == 200
    assert not any(name in response.headers for name in HEADERS)


def test_limits_can_change_at_runtime(http: httpx.Client, server: FakeEtsyServer) -> None:
    server.set_rate_limits(qps=None, qpd=1)
    assert _ping(http, server).status_code == 200
    assert _ping(http, server).status_code == 429
    server.set_rate_limits(qps=None, qpd=None)
    assert _ping(http, server).status_code == 200


def test_stats_count_requests_per_operation(
    http: httpx.Client, server: FakeEtsyServer, client: httpx.Client
) -> None:
    server.reset_stats()
    client.get(PING)
    client.get(PING)
    client.get("/application/users/me")
    stats = server.stats
    assert stats.total_requests == 3
    assert stats.calls("ping") == 2
    assert stats.calls("getMe") == 1
    assert stats.calls("updateListingInventory") == 0
    assert stats.by_status == {200: 3}


def test_bucket_refills_continuously() -> None:
    now = [100.0]
    limiter = RateLimiter(qps=2, qpd=None, clock=lambda: 0.0, monotonic=lambda: now[0])
    assert limiter.acquire().allowed
    assert limiter.acquire().allowed
    refused = limiter.acquire()
    assert not refused.allowed
    assert refused.retry_after == 1
    now[0] += 0.5  # half a second refills one token at 2/s
    assert limiter.acquire().allowed
    assert not limiter.acquire().allowed
    now[0] += 10  # never more than the capacity
    assert [limiter.acquire().allowed for _ in range(3)] == [True, True, False]


def test_limiter_rejects_bad_limits() -> None:
    with pytest.raises(ValueError, match="qps must be positive"):
        RateLimiter(qps=0, qpd=None, clock=lambda: 0.0)
    with pytest.raises(ValueError, match="qpd must be positive"):
        RateLimiter(qps=None, qpd=-1, clock=lambda: 0.0)

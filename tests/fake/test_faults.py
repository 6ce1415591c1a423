"""Fault injection at runtime: 5xx, 429 bursts, hangs, drops, broken JSON, latency."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest

from fake_etsy import FakeEtsyServer

from .helpers import put_body

PING = "/application/openapi-ping"


def test_fail_next_gives_etsys_server_error(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.fail_next(2)
    first, second, third = (client.get(PING) for _ in range(3))
    assert first.status_code == second.status_code == 500
    assert first.json() == {"error": "Server Error"}
    assert third.status_code == 200
    assert server.stats.faults_injected == 2
    server.faults.fail_next(status=503)
    assert client.get(PING).json() == {"error": "Service Unavailable"}
    with pytest.raises(ValueError, match="status must be one of"):
        server.faults.fail_next(status=404)


def test_fault_rate_is_random_but_seeded(
    http: httpx.Client, make_server: Callable[..., FakeEtsyServer]
) -> None:
    def run() -> list[int]:
        server = make_server(fault_rate=0.5, seed=3)
        url, headers = f"{server.base_url}{PING}", {"x-api-key": server.api_key_header}
        return [http.get(url, headers=headers).status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second
    assert 5 < sum(status >= 500 for status in first) < 35
    assert {s for s in first if s != 200} <= {500, 503}


def test_fault_rate_can_change_at_runtime(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.fault_rate = 1.0
    assert client.get(PING).status_code >= 500
    server.faults.fault_rate = 0.0
    assert client.get(PING).status_code == 200


def test_rate_limit_burst(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.rate_limit_next(3, retry_after=2)
    responses = [client.get(PING) for _ in range(4)]
    assert [r.status_code for r in responses] == [429, 429, 429, 200]
    assert responses[0].json() == {"error": "Exceeded per second rate limit"}
    assert responses[0].headers["retry-after"] == "2"
    assert server.stats.rate_limited == 3


def test_hang_beyond_the_client_timeout(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.hang_next(seconds=0.5)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.get(PING, timeout=0.2)
    assert time.monotonic() - started < 0.5
    assert client.get(PING).status_code == 200


def test_a_hang_shorter_than_the_timeout_is_just_slow(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    server.faults.hang_next(seconds=0.3, after_effect=True)
    started = time.monotonic()
    assert client.get(PING, timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_drop_closes_the_connection(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.drop_next()
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(PING)
    assert client.get(PING).status_code == 200


def test_malformed_json(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.malformed_json_next()
    response = client.get(f"/application/shops/{server.shop_id}/listings")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_faults_can_target_one_operation(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.fail_next(operations=["updateListingInventory"])
    assert client.get(PING).status_code == 200
    listing_id = server.listing_ids("active")[0]
    body = put_body(server.inventory_json(listing_id))
    url = f"/application/listings/{listing_id}/inventory"
    assert client.put(url, json=body).status_code == 500
    assert client.put(url, json=body).status_code == 200
    assert server.faults.pending() == 0


def test_before_effect_fault_leaves_the_shop_untouched(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = server.listing_ids("active")[0]
    before = server.inventory_json(listing_id)
    server.faults.drop_next(operations=["updateListingInventory"])
    with pytest.raises(httpx.RemoteProtocolError):
        client.put(f"/application/listings/{listing_id}/inventory", json=put_body(before))
    assert server.inventory_json(listing_id) == before


def test_after_effect_fault_applies_the_write_but_loses_the_answer(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = server.listing_ids("active")[0]
    before = server.inventory_json(listing_id)
    server.faults.drop_next(operations=["updateListingInventory"], after_effect=True)
    with pytest.raises(httpx.RemoteProtocolError):
        client.put(f"/application/listings/{listing_id}/inventory", json=put_body(before))
    after = server.inventory_json(listing_id)
    assert after["products"][0]["product_id"] != before["products"][0]["product_id"]
    server.faults.fail_next(operations=["updateListingInventory"], after_effect=True)
    response = client.put(f"/application/listings/{listing_id}/inventory", json=put_body(after))
    assert response.status_code == 500
    assert server.inventory_json(listing_id) != after


def test_token_endpoint_faults(http: httpx.Client, server: FakeEtsyServer) -> None:
    _, refresh, _ = server.issue_tokens()
    server.faults.fail_next(operations=["oauthToken"])
    fields = {
        "grant_type": "refresh_token",
        "client_id": server.keystring,
        "refresh_token": refresh,
    }
    first = http.post(server.token_url, data=fields)
    assert first.status_code == 500
    assert first.json() == {"error": "Server Error"}
    assert http.post(server.token_url, data=fields).status_code == 200


def test_latency_at_runtime(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.latency_ms = 150
    started = time.monotonic()
    client.get(PING)
    assert time.monotonic() - started >= 0.15
    server.faults.latency_ms = 0
    with pytest.raises(ValueError, match="latency_ms cannot be negative"):
        server.faults.latency_ms = -1


def test_clear_drops_queued_faults(client: httpx.Client, server: FakeEtsyServer) -> None:
    server.faults.fail_next(5)
    server.faults.clear()
    assert client.get(PING).status_code == 200

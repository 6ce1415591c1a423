"""Lifecycle, addresses and concurrency of FakeEtsyServer over real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from fake_etsy import FakeEtsyServer


def test_urls_and_credentials(server: FakeEtsyServer) -> None:
    assert server.port > 0
    assert server.base_url == f"http://127.0.0.1:{server.port}/v3"
    assert server.token_url == f"{server.base_url}/public/oauth/token"
    assert server.oauth_connect_url == f"http://127.0.0.1:{server.port}/oauth/connect"
    assert server.api_key_header == f"{server.keystring}:{server.shared_secret}"
    assert server.redirect_uris == ("http://localhost:3003/oauth/redirect",)
    access, refresh, expires_in = server.issue_tokens()
    assert access.startswith(f"{server.user_id}.")
    assert refresh.startswith(f"{server.user_id}.")
    assert expires_in == 3600


def test_context_manager_starts_and_stops(
    http: httpx.Client,
) -> None:
    with FakeEtsyServer(listings=3, qps=None, qpd=None) as etsy:
        url = f"{etsy.base_url}/application/openapi-ping"
        response = http.get(url, headers={"x-api-key": etsy.api_key_header})
        assert response.status_code == 200
    with pytest.raises(httpx.TransportError):
        http.get(url, headers={"x-api-key": etsy.api_key_header}, timeout=2)


def test_two_servers_get_different_free_ports(
    make_server: Callable[..., FakeEtsyServer],
) -> None:
    first, second = make_server(listings=1), make_server(listings=1)
    assert first.port != second.port


def test_unknown_paths_are_404(client: httpx.Client) -> None:
    response = client.get("/application/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


def test_many_requests_in_flight_with_latency(
    http: httpx.Client,
    make_server: Callable[..., FakeEtsyServer],
) -> None:
    """12 concurrent requests each delayed 400 ms finish together, not one after another."""
    server = make_server(latency_ms=400)
    statuses: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        response = http.get(
            f"{server.base_url}/application/openapi-ping",
            headers={"x-api-key": server.api_key_header},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=call) for _ in range(12)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert statuses == [200] * 12
    assert elapsed < 2.0, f"requests were serialised ({elapsed:.2f}s)"


def test_stop_cuts_a_hanging_request_short(
    http: httpx.Client, make_server: Callable[..., FakeEtsyServer]
) -> None:
    server = make_server()
    server.faults.hang_next(seconds=60)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            http.get(
                f"{server.base_url}/application/openapi-ping",
                headers={"x-api-key": server.api_key_header},
                timeout=30,
            )
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 5
    while server.stats.total_requests == 0 and time.monotonic() < deadline:
        time.sleep(0.005)  # wait for the request to reach the hang
    started = time.monotonic()
    server.stop()
    thread.join(timeout=10)
    assert time.monotonic() - started < 5
    assert not thread.is_alive()
    assert errors, "the hung request should fail when the server stops"


def test_chunked_request_bodies_are_read(client: httpx.Client, server: FakeEtsyServer) -> None:
    listing_id = server.listing_ids("active")[0]
    url = f"/application/shops/{server.shop_id}/listings/{listing_id}"

    def body() -> Iterator[bytes]:
        yield b"state=inac"
        yield b"tive"

    response = client.patch(
        url, content=body(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.json()["state"] == "inactive"
    assert client.get("/application/openapi-ping").status_code == 200  # stream still in sync

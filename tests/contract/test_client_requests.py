"""The app's own client, driven against the fake: every request it builds obeys the spec.

The fake server validates each request the client sends (and each response it
returns) against Etsy's OpenAPI document; a violation fails the test at teardown.
This also covers the runs the issue asks for: an access token that expires in
the middle of a long read is refreshed exactly once and the read completes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import TokenRevokedError
from etsysync_gui.etsy.models import LISTING_STATES
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from etsysync_gui.etsy.ratelimit import RateLimiter
from fake_etsy import FakeEtsyServer, ManualClock

from .spec import SpecRecorder


def _connected(
    etsy: FakeEtsyServer, saved: list[TokenSet], clock: Callable[[], float]
) -> tuple[EtsyClient, TokenManager]:
    access, refresh, expires_in = etsy.issue_tokens()
    manager = TokenManager(
        keystring=etsy.keystring,
        shared_secret=etsy.shared_secret,
        tokens=TokenSet(access, refresh, clock() + expires_in),
        persist=saved.append,
        token_url=etsy.token_url,
        clock=clock,
    )
    client = EtsyClient(
        etsy.keystring,
        etsy.shared_secret,
        base_url=etsy.base_url,
        token_manager=manager,
        limiter=RateLimiter(limit_per_second=1000, limit_per_day=10**9),
    )
    return client, manager


@pytest.fixture
def server_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def etsy(
    make_contract_server: Callable[..., FakeEtsyServer], server_clock: ManualClock
) -> FakeEtsyServer:
    return make_contract_server(listings=250, seed=5, clock=server_clock)


@pytest.fixture
def saved() -> list[TokenSet]:
    return []


@pytest.fixture
def client(
    etsy: FakeEtsyServer, saved: list[TokenSet], server_clock: ManualClock
) -> Iterator[EtsyClient]:
    client, manager = _connected(etsy, saved, server_clock)
    yield client
    client.close()
    manager.close()


def test_every_client_operation_sends_spec_conformant_requests(
    etsy: FakeEtsyServer, client: EtsyClient, spec_recorder: SpecRecorder
) -> None:
    assert client.ping() > 0
    me = client.get_me()
    assert me.shop_id == etsy.shop_id
    assert client.get_shop(etsy.shop_id).shop_id == etsy.shop_id
    listings = client.get_listings_by_shop(etsy.shop_id, include_inventory=True)
    assert len(listings) == 250
    ids = [listing.listing_id for listing in listings[:120]]
    assert {li.listing_id for li in client.get_listings_by_ids(ids)} == set(ids)
    inventories = client.get_inventories_by_listing_ids(ids)
    assert set(inventories) == set(ids)
    active = next(li for li in listings if li.state == "active")
    inventory = client.get_listing_inventory(active.listing_id)
    client.update_listing_inventory(active.listing_id, inventory.to_put_body())
    client.update_listing_state(etsy.shop_id, active.listing_id, "inactive")
    client.get_listing(active.listing_id)

    checked = {
        name.split(" ", 1)[1] for name in spec_recorder.checked if name.startswith("request")
    }
    for path in ("/openapi-ping", "/users/me", "/listings/batch/inventory", "/inventory"):
        assert any(p.endswith(path) for p in checked), (path, checked)
    assert spec_recorder.errors == []


def test_token_expiring_mid_read_is_refreshed_once_and_the_read_completes(
    etsy: FakeEtsyServer, saved: list[TokenSet], server_clock: ManualClock
) -> None:
    """Etsy expires the token while pages are in flight: one refresh, every listing read."""
    # The client's own clock says the token is fresh, so only Etsy's 401 reveals the expiry.
    client, manager = _connected(etsy, saved, time.time)
    expired = False

    def expire_after_first_pages(done: int, total: int, phase: str) -> None:
        nonlocal expired
        if done >= 2 and not expired:
            expired = True
            server_clock.advance(3600 + 60)

    try:
        listings = client.get_listings_by_shop(etsy.shop_id, progress=expire_after_first_pages)
    finally:
        client.close()
        manager.close()
    assert expired
    assert len({li.listing_id for li in listings}) == len(listings) == 250
    assert manager.refresh_count == 1
    assert len(saved) == 1
    assert {li.state for li in listings} <= set(LISTING_STATES)


def test_revoked_refresh_token_ends_the_run_without_a_retry_storm(
    etsy: FakeEtsyServer, saved: list[TokenSet], server_clock: ManualClock
) -> None:
    client, manager = _connected(etsy, saved, time.time)
    etsy.revoke_all_tokens()  # the seller changed their Etsy password
    before = etsy.stats.total_requests
    try:
        with pytest.raises(TokenRevokedError) as info:
            client.get_listings_by_shop(etsy.shop_id)
        sent = etsy.stats.total_requests - before
        with pytest.raises(TokenRevokedError):
            client.get_me()
        assert etsy.stats.total_requests - before == sent  # fails fast: no new request
    finally:
        client.close()
        manager.close()
    assert "Reconnect to Etsy" in info.value.message
    assert sent <= 8 + 1  # at most the requests already in flight, plus one refresh
    assert saved == []

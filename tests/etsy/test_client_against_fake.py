"""The client against the fake Etsy server over real HTTP on 127.0.0.1.

Where the respx tests pin down each rule in isolation, these check that the
pieces fit a spec-faithful server: headers it accepts, shapes it sends, its
rate limiter, token expiry and rotation, and revocation.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import pytest

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import EtsyAuthError, TokenRevokedError
from etsysync_gui.etsy.models import LISTING_STATES, Inventory
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from etsysync_gui.etsy.ratelimit import RateLimiter
from fake_etsy import FakeEtsyServer, ManualClock


@pytest.fixture
def fake_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def etsy(fake_clock: ManualClock) -> Iterator[FakeEtsyServer]:
    with FakeEtsyServer(listings=140, seed=7, qps=10, qpd=10_000, clock=fake_clock) as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
def saved() -> list[TokenSet]:
    return []


@pytest.fixture
def client(
    etsy: FakeEtsyServer, fake_clock: ManualClock, saved: list[TokenSet]
) -> Iterator[EtsyClient]:
    access, refresh, expires_in = etsy.issue_tokens()
    tokens = TokenManager(
        keystring=etsy.keystring,
        shared_secret=etsy.shared_secret,
        tokens=TokenSet(access, refresh, fake_clock() + expires_in),
        persist=saved.append,
        token_url=etsy.token_url,
        clock=fake_clock,
    )
    with EtsyClient(
        etsy.keystring,
        etsy.shared_secret,
        base_url=etsy.base_url,
        token_manager=tokens,
        limiter=RateLimiter(),  # private: real time, the fake's real 10/s bucket
    ) as etsy_client:
        yield etsy_client
    tokens.close()


def test_reads_a_small_shop_completely_within_the_rate_limit(
    etsy: FakeEtsyServer, client: EtsyClient
) -> None:
    me = client.get_me()
    assert me.shop_id == etsy.shop_id
    shop = client.get_shop(etsy.shop_id)
    etsy.reset_stats()

    listings = client.get_listings_by_shop(etsy.shop_id)

    assert sorted(x.listing_id for x in listings) == sorted(etsy.listing_ids())
    expected_calls = sum(max(1, math.ceil(len(etsy.listing_ids(s)) / 100)) for s in LISTING_STATES)
    assert etsy.stats.calls("getListingsByShop") == expected_calls
    assert etsy.stats.rate_limited == 0
    assert shop.listing_active_count == len(etsy.listing_ids("active"))
    for listing in listings[:10]:
        assert listing.inventory == Inventory.from_json(etsy.inventory_json(listing.listing_id))
    assert client.budget().limit_per_second == 10
    assert client.budget().remaining_today is not None


def test_inventory_round_trip_and_vanished_listing(
    etsy: FakeEtsyServer, client: EtsyClient
) -> None:
    ids = etsy.listing_ids()[:30]
    inventories = client.get_inventories_by_listing_ids(ids)
    assert set(inventories) == set(ids)

    target = ids[0]
    inventory = inventories[target]
    product = inventory.live_products[0]
    offering = product.live_offerings[0]
    changed_offering = replace(offering, quantity=7 if offering.quantity != 7 else 8)
    changed = replace(
        inventory,
        products=tuple(
            replace(
                p, offerings=tuple(changed_offering if o is offering else o for o in p.offerings)
            )
            if p is product
            else p
            for p in inventory.products
        ),
    )
    updated = client.update_listing_inventory(target, changed)

    assert client.get_listing_inventory(target) == updated
    assert Inventory.from_json(etsy.inventory_json(target)) == updated
    assert changed_offering.quantity in [
        o.quantity for p in updated.live_products for o in p.live_offerings
    ]

    etsy.delete_listing(ids[3])
    again = client.get_inventories_by_listing_ids(ids)
    assert set(again) == set(ids) - {ids[3]}


def test_expired_token_is_refreshed_and_rotation_persisted(
    etsy: FakeEtsyServer, client: EtsyClient, fake_clock: ManualClock, saved: list[TokenSet]
) -> None:
    fake_clock.advance(3600 + 60)  # the access token is now expired on both sides

    me = client.get_me()

    assert me.user_id == etsy.user_id
    assert len(saved) == 1
    assert saved[0].refresh_token  # the rotated refresh token was handed over


def test_revoked_tokens_fail_fast(
    etsy: FakeEtsyServer, client: EtsyClient, fake_clock: ManualClock
) -> None:
    etsy.revoke_all_tokens()
    fake_clock.advance(3600 + 60)
    with pytest.raises(TokenRevokedError):
        client.get_me()
    before = etsy.stats.total_requests
    with pytest.raises(TokenRevokedError):
        client.get_listings_by_shop(etsy.shop_id)
    assert etsy.stats.total_requests == before


def test_wrong_shared_secret_is_an_auth_error(etsy: FakeEtsyServer) -> None:
    with (
        EtsyClient(
            etsy.keystring, "wrong-secret", base_url=etsy.base_url, limiter=RateLimiter()
        ) as client,
        pytest.raises(EtsyAuthError) as info,
    ):
        client.ping()
    assert info.value.needs_user
    assert "keystring:shared_secret" in info.value.message

"""Reading a whole shop: exact call counts, pace, and no lost or doubled listing."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
import respx

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import EtsyServerError, OperationCancelled
from etsysync_gui.etsy.models import LISTING_STATES, Listing
from etsysync_gui.etsy.oauth.tokens import TokenManager
from etsysync_gui.etsy.ratelimit import RateLimiter
from tests.clock import FakeClock

from .helpers import SHOP_ID, FakeShop

LISTINGS_PATH = f"/application/shops/{SHOP_ID}/listings"
MakeClient = Callable[..., EtsyClient]


@pytest.fixture
def client(make_client: MakeClient, make_tokens: Callable[..., TokenManager]) -> EtsyClient:
    return make_client(token_manager=make_tokens())


def _serve(router: respx.MockRouter, shop: FakeShop) -> respx.Route:
    return router.get(LISTINGS_PATH).mock(side_effect=shop.listings_page)


def test_5000_listing_shop_is_read_in_the_minimum_calls_at_the_rate_limit(
    router: respx.MockRouter,
    clock: FakeClock,
    make_client: MakeClient,
    make_tokens: Callable[..., TokenManager],
    make_limiter: Callable[..., RateLimiter],
) -> None:
    counts = {"active": 1000, "inactive": 1000, "sold_out": 1000, "draft": 1000, "expired": 1000}
    shop = FakeShop(counts, clock=clock, qps=10)  # answers 429 if paced too fast
    route = _serve(router, shop)
    client = make_client(
        token_manager=make_tokens(), limiter=make_limiter(limit_per_second=10), max_in_flight=8
    )

    listings = client.get_listings_by_shop(SHOP_ID)

    assert len(listings) == 5000
    assert {x.listing_id for x in listings} == shop.ids()
    assert route.call_count == 50 == client.calls_made
    assert shop.too_fast == 0
    # At the limit: 50 calls at 9.7/s take about 5 s of (fake) time, not 15 s.
    assert clock.monotonic() == pytest.approx(49 / 9.7, rel=0.05)
    assert all(x.inventory is not None for x in listings)
    request = route.calls.last.request
    assert request.url.params["includes"] == "Inventory"
    assert request.url.params["limit"] == "100"


def test_uneven_states_cost_the_sum_of_their_pages(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    counts = {"active": 1234, "inactive": 567, "sold_out": 89, "draft": 100, "expired": 101}
    shop = FakeShop(counts)
    route = _serve(router, shop)

    listings = client.get_listings_by_shop(SHOP_ID)

    assert Counter(x.state for x in listings) == counts
    assert route.call_count == sum(math.ceil(n / 100) for n in counts.values())  # 13+6+1+1+2
    assert sorted(shop.page_requests) == sorted(
        (state, offset, 100) for state, n in counts.items() for offset in range(0, n, 100)
    )


def test_empty_states_cost_one_call_each(router: respx.MockRouter, client: EtsyClient) -> None:
    shop = FakeShop({"active": 150})
    route = _serve(router, shop)

    listings = client.get_listings_by_shop(SHOP_ID, include_inventory=False)

    assert len(listings) == 150
    assert route.call_count == 2 + 4
    assert "includes" not in route.calls.last.request.url.params


def test_progress_reports_listings_read(router: respx.MockRouter, client: EtsyClient) -> None:
    shop = FakeShop({"active": 250, "draft": 30})
    _serve(router, shop)
    seen: list[tuple[int, int, str]] = []

    client.get_listings_by_shop(SHOP_ID, ("active", "draft"), progress=lambda *a: seen.append(a))

    assert seen[-1] == (280, 280, "listings")
    assert all(done <= total for done, total, _ in seen)
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)


def _mutate_once_after_first_page(
    change: Callable[[FakeShop], None],
) -> Callable[[FakeShop, int], None]:
    done = threading.Event()

    def on_request(shop: FakeShop, n: int) -> None:
        if n == 2 and not done.is_set():  # after page 1, before any later page is answered
            done.set()
            change(shop)

    return on_request


def _assert_exactly_once(listings: list[Listing], expected: set[int]) -> None:
    ids = [x.listing_id for x in listings]
    assert len(ids) == len(set(ids)), "a listing was returned twice"
    assert set(ids) == expected, f"missing {expected - set(ids)}, extra {set(ids) - expected}"


def test_listing_inserted_mid_read_is_neither_lost_nor_doubled(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop(
        {"active": 250},
        on_request=_mutate_once_after_first_page(
            lambda s: s.add(1, "active", created=2_000_000_000)
        ),
    )
    route = _serve(router, shop)

    listings = client.get_listings_by_shop(SHOP_ID, ("active",))

    _assert_exactly_once(listings, shop.ids())
    assert 1 in shop.ids()
    assert route.call_count == 3 + 3  # one inconsistent pass, one clean re-read


def test_listing_deleted_mid_read_loses_no_other_listing(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    # Deleting the newest listing shifts every later page up by one: without the
    # consistency check the listing at offset 100 of the new order would be skipped.
    shop = FakeShop({"active": 250})
    newest = shop.in_state("active")[0]["listing_id"]
    shop.on_request = _mutate_once_after_first_page(lambda s: s.delete(newest))
    _serve(router, shop)

    listings = client.get_listings_by_shop(SHOP_ID, ("active",))

    _assert_exactly_once(listings, shop.ids())
    assert newest not in {x.listing_id for x in listings}


def test_insert_and_delete_with_unchanged_count_is_detected(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 250})
    oldest = shop.in_state("active")[-1]["listing_id"]

    def change(s: FakeShop) -> None:
        s.add(1, "active", created=2_000_000_000)  # top: shifts pages down (a duplicate) ...
        s.delete(oldest)  # ... bottom: count stays 250

    shop.on_request = _mutate_once_after_first_page(change)
    route = _serve(router, shop)

    listings = client.get_listings_by_shop(SHOP_ID, ("active",))

    _assert_exactly_once(listings, shop.ids())
    assert route.call_count == 6


def test_listing_moving_between_states_mid_read_appears_once_in_its_new_state(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 250, "sold_out": 150})
    mover = shop.in_state("active")[0]["listing_id"]
    shop.on_request = _mutate_once_after_first_page(
        lambda s: s.move(mover, "sold_out", when=2_000_000_000)
    )
    _serve(router, shop)

    listings = client.get_listings_by_shop(SHOP_ID, ("active", "sold_out"))

    _assert_exactly_once(listings, shop.ids())
    assert next(x for x in listings if x.listing_id == mover).state == "sold_out"


def test_a_shop_that_never_settles_returns_everything_seen(
    router: respx.MockRouter, client: EtsyClient, caplog: pytest.LogCaptureFixture
) -> None:
    def churn(shop: FakeShop, n: int) -> None:
        if n % 3 == 2:  # between the pages of every pass
            shop.add(shop.next_id, "active", created=2_000_000_000 + n)
            shop.next_id += 1

    shop = FakeShop({"active": 250}, on_request=churn)
    route = _serve(router, shop)

    with caplog.at_level(logging.WARNING):
        listings = client.get_listings_by_shop(SHOP_ID, ("active",))

    ids = [x.listing_id for x in listings]
    assert len(ids) == len(set(ids))
    assert set(ids) >= shop.ids() - {shop.next_id - 1}  # only the very last insert can be unseen
    assert route.call_count <= 3 * 4  # bounded re-reads
    assert "kept changing" in caplog.text


def test_cancel_stops_the_read_and_no_request_follows(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    cancel = threading.Event()

    def cancel_after_five(shop: FakeShop, n: int) -> None:
        if n == 5:
            cancel.set()

    shop = FakeShop({state: 500 for state in LISTING_STATES}, on_request=cancel_after_five)
    route = _serve(router, shop)

    with pytest.raises(OperationCancelled):
        client.get_listings_by_shop(SHOP_ID, cancel=cancel)

    calls_at_return = route.call_count
    assert calls_at_return < 25
    client.close()  # waits for any worker; none may still send
    assert route.call_count == calls_at_return


def test_cancel_before_start_sends_nothing(router: respx.MockRouter, client: EtsyClient) -> None:
    route = _serve(router, FakeShop({"active": 10}))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelled):
        client.get_listings_by_shop(SHOP_ID, cancel=cancel)
    assert route.call_count == 0


def test_a_failing_page_fails_the_read(router: respx.MockRouter, client: EtsyClient) -> None:
    shop = FakeShop({"active": 300})

    def page(request: httpx.Request) -> httpx.Response:
        if request.url.params["offset"] == "200":
            return httpx.Response(500, json={"error": "Server Error"})
        return shop.listings_page(request)

    router.get(LISTINGS_PATH).mock(side_effect=page)
    with pytest.raises(EtsyServerError):
        client.get_listings_by_shop(SHOP_ID, ("active",))

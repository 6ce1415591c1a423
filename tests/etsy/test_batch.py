"""Batch reads by id: 100 ids per call, and the whole-call 404 when one id is gone."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest
import respx

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import OperationCancelled
from etsysync_gui.etsy.oauth.tokens import TokenManager

from .helpers import FakeShop, listing_json

BATCH = "/application/listings/batch/inventory"
SINGLE = r"^/application/listings/(?P<listing_id>\d+)/inventory$"


@pytest.fixture
def client(
    make_client: Callable[..., EtsyClient], make_tokens: Callable[..., TokenManager]
) -> EtsyClient:
    return make_client(token_manager=make_tokens())


def _serve(router: respx.MockRouter, shop: FakeShop) -> tuple[respx.Route, respx.Route]:
    batch = router.get(BATCH).mock(side_effect=shop.inventory_batch)
    single = router.get(path__regex=SINGLE).mock(side_effect=shop.single_inventory)
    return batch, single


def test_inventories_are_read_100_ids_per_call(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 250})
    batch, single = _serve(router, shop)
    ids = sorted(shop.ids())

    result = client.get_inventories_by_listing_ids(ids)

    assert set(result) == set(ids)
    assert result[ids[0]].products[0].sku == f"SKU-{ids[0]}"
    assert batch.call_count == 3
    assert single.call_count == 0
    sent = [c.request.url.params["listing_ids"].split(",") for c in batch.calls]
    assert sorted(len(x) for x in sent) == [50, 100, 100]
    assert sorted(int(i) for chunk in sent for i in chunk) == ids


def test_one_vanished_listing_does_not_hide_the_others(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 250})
    ids = sorted(shop.ids())
    gone = ids[137]
    shop.delete(gone)
    batch, single = _serve(router, shop)
    progress: list[tuple[int, int, str]] = []

    result = client.get_inventories_by_listing_ids(ids, progress=lambda *a: progress.append(a))

    assert set(result) == set(ids) - {gone}  # the caller learns exactly which one vanished
    # Bisection, not 100 single reads: 3 batches + 2 per halving level + 1 confirmation.
    assert batch.call_count <= 3 + 2 * 7
    assert [c.request.url.path for c in single.calls] == [
        f"/v3/application/listings/{gone}/inventory"
    ]
    assert progress[-1] == (250, 250, "inventory")


def test_several_vanished_listings(router: respx.MockRouter, client: EtsyClient) -> None:
    shop = FakeShop({"active": 100})
    ids = sorted(shop.ids())
    gone = {ids[0], ids[50], ids[99]}
    for listing_id in gone:
        shop.delete(listing_id)
    _serve(router, shop)

    result = client.get_inventories_by_listing_ids([*ids, 424242])

    assert set(result) == set(ids) - gone


def test_untrustworthy_batch_endpoint_falls_back_to_single_reads(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 40})
    ids = sorted(shop.ids())
    batch = router.get(BATCH).respond(404, json={"error": "Not found"})  # e.g. not deployed
    single = router.get(path__regex=SINGLE).mock(side_effect=shop.single_inventory)

    result = client.get_inventories_by_listing_ids(ids)

    assert set(result) == set(ids)  # nothing is wrongly reported as vanished
    assert single.call_count == 40
    # Found out after one bisection path (~2 log2 n calls), not a full 2n bisection.
    assert batch.call_count <= 2 * 7


def test_results_without_inventory_are_confirmed_one_by_one(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    shop = FakeShop({"active": 3})
    a, b, c = sorted(shop.ids())
    router.get(BATCH).respond(
        200,
        json={
            "count": 2,
            "results": [shop.listings[a], {**shop.listings[b], "inventory": None}],
        },
    )
    single = router.get(path__regex=SINGLE).mock(side_effect=shop.single_inventory)

    result = client.get_inventories_by_listing_ids([a, b, c])

    assert set(result) == {a, b, c}
    assert sorted(x.request.url.path for x in single.calls) == sorted(
        f"/v3/application/listings/{i}/inventory" for i in (b, c)
    )


def test_listings_by_ids_keeps_order_and_drops_missing(
    router: respx.MockRouter, client: EtsyClient
) -> None:
    def batch(request: httpx.Request) -> httpx.Response:
        ids = [int(i) for i in request.url.params["listing_ids"].split(",")]
        return httpx.Response(
            200, json={"count": 2, "results": [listing_json(i) for i in ids if i != 2]}
        )

    router.get("/application/listings/batch").mock(side_effect=batch)
    single = router.get("/application/listings/2").respond(404, json={"error": "gone"})

    listings = client.get_listings_by_ids([3, 2, 1, 3])

    assert [x.listing_id for x in listings] == [3, 1]
    assert single.call_count == 1


def test_cancelled_batch_read(router: respx.MockRouter, client: EtsyClient) -> None:
    cancel = threading.Event()

    def cancel_now(shop: FakeShop, n: int) -> None:
        cancel.set()

    shop = FakeShop({"active": 1000}, on_request=cancel_now)
    batch, _ = _serve(router, shop)
    with pytest.raises(OperationCancelled):
        client.get_inventories_by_listing_ids(sorted(shop.ids()), cancel=cancel)
    assert batch.call_count < 10

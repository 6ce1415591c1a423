"""Orders in the fake: purchases leave receipts that validate against Etsy's spec.

Every request and response here goes through ``contract_server``'s spec
observers; the tests add what the spec cannot say: which receipts a filter
returns, how a cancellation shows, and that a trigger lands a purchase exactly
between a read and a write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from fake_etsy import FakeEtsyServer, ManualClock


def _variation_listing(server: FakeEtsyServer) -> int:
    inventory = {
        "products": [
            {
                "sku": sku,
                "property_values": [
                    {"property_id": 200, "property_name": "Primary color", "value_ids": [],
                     "values": [color], "scale_id": None}
                ],
                "offerings": [
                    {"price": 12.5, "quantity": 5, "is_enabled": True, "readiness_state_id": None}
                ],
            }
            for color, sku in (("Red", "MUG-R"), ("Blue", "MUG-B"))
        ],
        "price_on_property": [],
        "quantity_on_property": [200],
        "sku_on_property": [200],
        "readiness_state_on_property": [],
    }  # fmt: skip
    return server.add_listing(inventory=inventory)


def _owner(server: FakeEtsyServer) -> dict[str, str]:
    """Headers of the shop owner with the app's scopes (transactions_r included)."""
    access, _, _ = server.issue_tokens()
    return {"x-api-key": server.api_key_header, "authorization": f"Bearer {access}"}


def _receipts(client: httpx.Client, server: FakeEtsyServer, **params: Any) -> dict[str, Any]:
    response = client.get(f"/application/shops/{server.shop_id}/receipts", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_purchase_records_a_receipt_with_its_transaction(
    make_contract_server: Callable[..., FakeEtsyServer],
) -> None:
    clock = ManualClock()
    server = make_contract_server(listings=0, clock=clock)
    headers = _owner(server)
    listing_id = _variation_listing(server)
    product = server.inventory_json(listing_id)["products"][1]
    clock.advance(10)
    server.simulate_purchase(listing_id, 2, property_values={"Primary color": "Blue"})
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        body = _receipts(client, server, limit=100)
        assert body["count"] == 1
        (receipt,) = body["results"]
        (line,) = receipt["transactions"]
        assert receipt["receipt_id"] == server.last_receipt_id() == line["receipt_id"]
        assert (line["listing_id"], line["product_id"], line["sku"]) == (
            listing_id,
            product["product_id"],
            "MUG-B",
        )
        assert line["quantity"] == 2
        assert line["created_timestamp"] == int(clock())
        assert [(v["formatted_name"], v["formatted_value"]) for v in line["variations"]] == [
            ("Primary color", "Blue")
        ]
        assert receipt["status"] == "paid"


def test_filters_paging_and_cancellation(
    make_contract_server: Callable[..., FakeEtsyServer],
) -> None:
    clock = ManualClock()
    server = make_contract_server(listings=0, clock=clock)
    headers = _owner(server)
    listing_id = _variation_listing(server)
    start = int(clock())
    for _ in range(3):
        clock.advance(60)
        server.simulate_purchase(listing_id, 1, sku="MUG-R")
    first, last = server.shop.receipts[0].receipt_id, server.last_receipt_id()
    clock.advance(60)
    server.cancel_order(first, restock=True)
    assert server.inventory_json(listing_id)["products"][0]["offerings"][0]["quantity"] == 3
    server.cancel_order(last, restock=False)
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        recent = _receipts(client, server, min_last_modified=start + 150, sort_on="updated")
        assert {r["receipt_id"] for r in recent["results"]} == {first, last}
        assert {r["status"] for r in recent["results"]} == {"canceled"}
        created = _receipts(client, server, min_created=start + 61, max_created=start + 120)
        assert created["count"] == 1
        page = _receipts(client, server, limit=2, offset=2, sort_order="asc")
        assert page["count"] == 3
        assert [r["receipt_id"] for r in page["results"]] == [last]
        scope, _, _ = server.issue_tokens(scopes=["listings_r", "shops_r"])
        denied = client.get(
            f"/application/shops/{server.shop_id}/receipts",
            headers={"authorization": f"Bearer {scope}"},
        )
        assert denied.status_code == 403


def test_a_trigger_lands_a_purchase_between_a_read_and_the_write(
    make_contract_server: Callable[..., FakeEtsyServer],
) -> None:
    server = make_contract_server(listings=0)
    headers = _owner(server)
    listing_id = _variation_listing(server)
    server.on_request(
        "after",
        "getListingsInventoryByListingIds",
        lambda: server.simulate_purchase(listing_id, 1, sku="MUG-R"),
        listing_id=listing_id,
    )
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        read = client.get(
            "/application/listings/batch/inventory", params={"listing_ids": str(listing_id)}
        ).json()
        stale = read["results"][0]["inventory"]["products"][0]["offerings"][0]["quantity"]
        assert stale == 5  # the answer was computed before the purchase landed
        now = server.inventory_json(listing_id)["products"][0]["offerings"][0]["quantity"]
        assert now == 4
        assert server.triggers.fired == [("after", "getListingsInventoryByListingIds", listing_id)]
        client.get("/application/listings/batch/inventory", params={"listing_ids": listing_id})
        assert len(server.shop.receipts) == 1  # one-shot

"""Hooks for what happens on etsy.com: purchases, seller edits, listing changes."""

from __future__ import annotations

import json

import httpx
import pytest

from fake_etsy import FakeEtsyServer, ManualClock

from .helpers import JSON, find_listing, is_simple, property_count


def _quantities(inventory: JSON) -> list[int]:
    return [p["offerings"][0]["quantity"] for p in inventory["products"]]


def _active_simple_with_stock(server: FakeEtsyServer, minimum: int = 2) -> int:
    return find_listing(
        server,
        lambda item: item["state"] == "active" and is_simple(item) and item["quantity"] >= minimum,
    )


def test_inventory_json_is_plain_json(server: FakeEtsyServer) -> None:
    for listing_id in server.listing_ids()[:10]:
        inventory = server.inventory_json(listing_id)
        assert json.loads(json.dumps(inventory)) == inventory
        inventory["products"].clear()  # a copy: the shop is untouched
        assert server.inventory_json(listing_id)["products"]
    with pytest.raises(KeyError):
        server.inventory_json(1)


def test_purchase_of_a_simple_listing(
    client: httpx.Client, server: FakeEtsyServer, clock: ManualClock
) -> None:
    listing_id = _active_simple_with_stock(server)
    before = server.listing_json(listing_id)
    clock.advance(30)
    after = server.simulate_purchase(listing_id, 1)
    assert _quantities(after) == [before["quantity"] - 1]
    assert after["products"][0]["product_id"] == before["inventory"]["products"][0]["product_id"]
    fetched = client.get(f"/application/listings/{listing_id}").json()
    assert fetched["quantity"] == before["quantity"] - 1
    assert fetched["last_modified_timestamp"] == int(clock())


def test_buying_the_last_item_sells_the_listing_out(server: FakeEtsyServer) -> None:
    listing_id = _active_simple_with_stock(server, minimum=1)
    quantity = server.listing_json(listing_id)["quantity"]
    server.simulate_purchase(listing_id, quantity)
    listing = server.listing_json(listing_id)
    assert listing["quantity"] == 0
    assert listing["state"] == "sold_out"
    with pytest.raises(ValueError, match="buyers cannot buy it"):
        server.simulate_purchase(listing_id, 1)


def test_purchase_by_property_values_with_per_variant_stock(server: FakeEtsyServer) -> None:
    listing_id = find_listing(
        server,
        lambda item: (
            item["state"] == "active"
            and property_count(item) == 1
            and item["inventory"]["quantity_on_property"]
            and sum(
                1
                for p in item["inventory"]["products"]
                if p["offerings"][0]["quantity"] > 0 and p["offerings"][0]["is_enabled"]
            )
            >= 1
        ),
    )
    inventory = server.inventory_json(listing_id)
    product = next(
        p
        for p in inventory["products"]
        if p["offerings"][0]["quantity"] > 0 and p["offerings"][0]["is_enabled"]
    )
    value = product["property_values"][0]
    after = server.simulate_purchase(
        listing_id, 1, property_values={value["property_name"]: value["values"][0]}
    )
    expected = [
        q - 1 if p is product else q
        for p, q in zip(inventory["products"], _quantities(inventory), strict=True)
    ]
    assert _quantities(after) == expected


def test_purchase_from_a_shared_pool_moves_every_variant(server: FakeEtsyServer) -> None:
    listing_id = find_listing(
        server,
        lambda item: (
            item["state"] == "active"
            and len(item["inventory"]["products"]) > 1
            and not item["inventory"]["quantity_on_property"]
            and item["quantity"] > 1
        ),
    )
    inventory = server.inventory_json(listing_id)
    pool = inventory["products"][0]["offerings"][0]["quantity"]
    product = next(p for p in inventory["products"] if p["offerings"][0]["is_enabled"])
    selection = {pv["property_name"]: pv["values"][0] for pv in product["property_values"]}
    after = server.simulate_purchase(listing_id, 1, property_values=selection)
    assert set(_quantities(after)) == {pool - 1}
    assert server.listing_json(listing_id)["quantity"] == pool - 1


def test_purchase_needs_a_unique_product(server: FakeEtsyServer) -> None:
    listing_id = find_listing(
        server,
        lambda item: item["state"] == "active" and len(item["inventory"]["products"]) > 1,
    )
    with pytest.raises(LookupError):
        server.simulate_purchase(listing_id, 1)
    with pytest.raises(LookupError):
        server.simulate_purchase(listing_id, 1, property_values={"Primary color": "Plaid"})
    inactive = server.listing_ids("inactive")[0]
    with pytest.raises(ValueError, match="buyers cannot buy it"):
        server.simulate_purchase(inactive, 1)
    with pytest.raises(KeyError):
        server.simulate_purchase(1, 1)


def test_purchase_by_sku(server: FakeEtsyServer) -> None:
    listing_id = find_listing(
        server,
        lambda item: (
            item["state"] == "active"
            and len(set(item["skus"])) == len(item["inventory"]["products"]) > 1
            and any(
                p["offerings"][0]["quantity"] > 0 and p["offerings"][0]["is_enabled"]
                for p in item["inventory"]["products"]
            )
        ),
    )
    inventory = server.inventory_json(listing_id)
    product = next(
        p
        for p in inventory["products"]
        if p["offerings"][0]["quantity"] > 0 and p["offerings"][0]["is_enabled"]
    )
    after = server.simulate_purchase(listing_id, 1, sku=product["sku"])
    bought = next(p for p in after["products"] if p["sku"] == product["sku"])
    assert bought["offerings"][0]["quantity"] == product["offerings"][0]["quantity"] - 1


def test_seller_edit_changes_quantity_and_price_and_regenerates_ids(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = _active_simple_with_stock(server, minimum=1)
    before = server.inventory_json(listing_id)
    after = server.seller_edit(listing_id, quantity=42, price="1234.56")
    offering = after["products"][0]["offerings"][0]
    assert offering["quantity"] == 42
    assert offering["price"]["amount"] == 123456
    assert after["products"][0]["product_id"] != before["products"][0]["product_id"]
    assert client.get(f"/application/listings/{listing_id}/inventory").json() == after
    kept = server.seller_edit(listing_id, quantity=41, regenerate_ids=False)
    assert kept["products"][0]["product_id"] == after["products"][0]["product_id"]


def test_seller_edit_respects_price_groups(server: FakeEtsyServer) -> None:
    listing_id = find_listing(
        server,
        lambda item: bool(item["inventory"]["price_on_property"]) and property_count(item) == 2,
    )
    inventory = server.inventory_json(listing_id)
    price_property = inventory["price_on_property"][0]
    first = inventory["products"][0]
    value = next(
        pv["values"][0] for pv in first["property_values"] if pv["property_id"] == price_property
    )
    after = server.seller_edit(listing_id, property_values={str(price_property): value}, price=3)
    for product in after["products"]:
        values = {pv["property_id"]: pv["values"][0] for pv in product["property_values"]}
        amount = product["offerings"][0]["price"]["amount"]
        assert (amount == 300) == (values[price_property] == value)


def test_add_delete_and_restate_listings(client: httpx.Client, server: FakeEtsyServer) -> None:
    new_id = server.add_listing(kind="two_variations", title="Brand new thing")
    listing = client.get(f"/application/listings/{new_id}").json()
    assert listing["title"] == "Brand new thing"
    assert listing["state"] == "active"
    custom = server.add_listing(
        inventory={
            "products": [
                {
                    "sku": "NEW-1",
                    "property_values": [],
                    "offerings": [
                        {
                            "price": 9.99,
                            "quantity": 3,
                            "is_enabled": True,
                            "readiness_state_id": None,
                        }
                    ],
                }
            ]
        }
    )
    assert server.listing_json(custom)["skus"] == ["NEW-1"]
    server.set_listing_state(new_id, "expired")
    assert client.get(f"/application/listings/{new_id}").json()["state"] == "expired"
    server.delete_listing(new_id)
    assert client.get(f"/application/listings/{new_id}").status_code == 404
    assert new_id not in server.listing_ids()
    with pytest.raises(KeyError):
        server.delete_listing(new_id)
    with pytest.raises(ValueError, match="unknown listing state"):
        server.set_listing_state(custom, "edit")


def test_seller_replace_inventory(server: FakeEtsyServer) -> None:
    listing_id = server.listing_ids("active")[0]
    body = {
        "products": [
            {
                "sku": f"S-{size}",
                "property_values": [
                    {"property_id": 513, "property_name": "Size", "value_ids": [], "values": [size]}
                ],
                "offerings": [
                    {"price": 5, "quantity": 2, "is_enabled": True, "readiness_state_id": None}
                ],
            }
            for size in ("S", "M")
        ],
        "quantity_on_property": [513],
        "sku_on_property": [513],
    }
    after = server.seller_replace_inventory(listing_id, body)
    assert [p["sku"] for p in after["products"]] == ["S-S", "S-M"]
    assert server.listing_json(listing_id)["quantity"] == 4

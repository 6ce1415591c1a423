"""updateListingInventory: full replace, regenerated ids, and every validation rule."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fake_etsy import FakeEtsyServer, ManualClock
from fake_etsy.inventory import validate_inventory

from .helpers import JSON, find_listing, is_simple, property_count, put_body

COLOR = 200
SIZE = 513


def _value(property_id: int, name: str, value: str) -> JSON:
    return {"property_id": property_id, "property_name": name, "value_ids": [], "values": [value]}


def _offering(price: float = 10.0, quantity: int = 5, enabled: bool = True) -> JSON:
    return {"price": price, "quantity": quantity, "is_enabled": enabled, "readiness_state_id": None}


def _two_colors(**overrides: Any) -> JSON:
    body: JSON = {
        "products": [
            {
                "sku": "MUG-RED",
                "property_values": [_value(COLOR, "Primary color", "Red")],
                "offerings": [_offering(12.5, 3)],
            },
            {
                "sku": "MUG-BLUE",
                "property_values": [_value(COLOR, "Primary color", "Blue")],
                "offerings": [_offering(12.5, 7)],
            },
        ],
        "price_on_property": [],
        "quantity_on_property": [COLOR],
        "sku_on_property": [COLOR],
    }
    body.update(overrides)
    return body


def _grid(quantities: dict[tuple[str, str], int], **overrides: Any) -> JSON:
    """Color x Size products with the given quantities, price and SKU per color."""
    products = []
    for (color, size), quantity in quantities.items():
        products.append(
            {
                "sku": f"TEE-{color}",
                "property_values": [
                    _value(COLOR, "Primary color", color),
                    _value(SIZE, "Size", size),
                ],
                "offerings": [_offering(20.0 if color == "Red" else 22.0, quantity)],
            }
        )
    body: JSON = {
        "products": products,
        "price_on_property": [COLOR],
        "quantity_on_property": [COLOR, SIZE],
        "sku_on_property": [COLOR],
    }
    body.update(overrides)
    return body


def _put(client: httpx.Client, listing_id: int, body: object) -> httpx.Response:
    return client.put(f"/application/listings/{listing_id}/inventory", json=body)


@pytest.fixture
def listing_id(server: FakeEtsyServer) -> int:
    return server.listing_ids("active")[0]


def test_round_trip_put_regenerates_product_and_offering_ids(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = find_listing(
        server, lambda item: item["state"] == "active" and property_count(item) == 2
    )
    before = client.get(f"/application/listings/{listing_id}/inventory").json()
    response = _put(client, listing_id, put_body(before))
    assert response.status_code == 200, response.text
    after = response.json()
    assert after == server.inventory_json(listing_id)
    old_products = {p["product_id"] for p in before["products"]}
    new_products = {p["product_id"] for p in after["products"]}
    assert not old_products & new_products
    old_offerings = {p["offerings"][0]["offering_id"] for p in before["products"]}
    new_offerings = {p["offerings"][0]["offering_id"] for p in after["products"]}
    assert not old_offerings & new_offerings

    def strip(inventory: JSON) -> list[tuple[object, ...]]:
        return [
            (
                p["sku"],
                json.dumps(p["property_values"], sort_keys=True),
                p["offerings"][0]["quantity"],
                p["offerings"][0]["price"]["amount"],
                p["offerings"][0]["is_enabled"],
            )
            for p in inventory["products"]
        ]

    assert strip(before) == strip(after)  # value_ids stay stable for the same names


def test_value_ids_can_be_regenerated_too(client: httpx.Client, make_server: Any) -> None:
    server: FakeEtsyServer = make_server(regenerate_value_ids=True)
    headers = {"authorization": f"Bearer {server.issue_tokens()[0]}"}
    headers["x-api-key"] = server.api_key_header
    listing_id = find_listing(
        server, lambda item: item["state"] == "active" and property_count(item) >= 1
    )
    url = f"{server.base_url}/application/listings/{listing_id}/inventory"
    before = server.inventory_json(listing_id)
    after = client.put(url, json=put_body(before), headers=headers).json()
    old_ids = {
        v for p in before["products"] for pv in p["property_values"] for v in pv["value_ids"]
    }
    new_ids = {v for p in after["products"] for pv in p["property_values"] for v in pv["value_ids"]}
    assert not old_ids & new_ids


def test_put_replaces_the_whole_inventory(
    client: httpx.Client, listing_id: int, server: FakeEtsyServer, clock: ManualClock
) -> None:
    before = server.listing_json(listing_id)
    clock.advance(120)
    response = _put(client, listing_id, _two_colors())
    assert response.status_code == 200, response.text
    products = response.json()["products"]
    assert [p["sku"] for p in products] == ["MUG-RED", "MUG-BLUE"]
    listing = server.listing_json(listing_id)
    assert listing["quantity"] == 10
    assert listing["price"] == {"amount": 1250, "divisor": 100, "currency_code": "USD"}
    assert listing["has_variations"] is True
    assert listing["skus"] == ["MUG-RED", "MUG-BLUE"]
    assert listing["last_modified_timestamp"] == int(clock()) > before["updated_timestamp"]
    # A second PUT with one product removes the other: nothing is merged.
    single = {"products": [{"sku": "ONE", "property_values": [], "offerings": [_offering()]}]}
    assert _put(client, listing_id, single).status_code == 200
    assert [p["sku"] for p in server.inventory_json(listing_id)["products"]] == ["ONE"]
    assert server.listing_json(listing_id)["has_variations"] is False


@pytest.mark.parametrize(
    ("price", "amount"), [(0.2, 20), (1234.56, 123456), (19.99, 1999), (5, 500), (0.29, 29)]
)
def test_prices_are_stored_exactly(
    client: httpx.Client, listing_id: int, server: FakeEtsyServer, price: float, amount: int
) -> None:
    body = {"products": [{"sku": "P", "property_values": [], "offerings": [_offering(price, 1)]}]}
    assert _put(client, listing_id, body).status_code == 200
    money = server.inventory_json(listing_id)["products"][0]["offerings"][0]["price"]
    assert money == {"amount": amount, "divisor": 100, "currency_code": "USD"}


def test_shared_stock_and_per_property_grid(
    client: httpx.Client, listing_id: int, server: FakeEtsyServer
) -> None:
    pooled = _two_colors(quantity_on_property=[], sku_on_property=[])
    for product in pooled["products"]:
        product["sku"] = "MUG"
        product["offerings"][0]["quantity"] = 4
    assert _put(client, listing_id, pooled).status_code == 200
    assert server.listing_json(listing_id)["quantity"] == 4  # one shared pool of 4
    grid = _grid({("Red", "S"): 1, ("Red", "M"): 2, ("Blue", "S"): 0, ("Blue", "M"): 5})
    assert _put(client, listing_id, grid).status_code == 200
    assert server.listing_json(listing_id)["quantity"] == 8


def _error(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error"}
    message: str = body["error"]
    return message


@pytest.mark.parametrize("field", ["product_id", "is_deleted", "value_pairs"])
def test_get_only_product_fields_are_rejected(
    client: httpx.Client, listing_id: int, field: str
) -> None:
    body = _two_colors()
    body["products"][0][field] = 123 if field == "product_id" else False
    assert field in _error(_put(client, listing_id, body))


@pytest.mark.parametrize("field", ["offering_id", "is_deleted"])
def test_get_only_offering_fields_are_rejected(
    client: httpx.Client, listing_id: int, field: str
) -> None:
    body = _two_colors()
    body["products"][1]["offerings"][0][field] = 1 if field == "offering_id" else False
    assert field in _error(_put(client, listing_id, body))


def test_scale_name_is_rejected(client: httpx.Client, listing_id: int) -> None:
    body = _two_colors()
    body["products"][0]["property_values"][0]["scale_name"] = None
    assert "scale_name" in _error(_put(client, listing_id, body))


def test_money_object_price_is_rejected(client: httpx.Client, listing_id: int) -> None:
    body = _two_colors()
    body["products"][0]["offerings"][0]["price"] = {
        "amount": 1250,
        "divisor": 100,
        "currency_code": "USD",
    }
    assert "Money" in _error(_put(client, listing_id, body))


def test_unchanged_get_response_is_rejected(
    client: httpx.Client, listing_id: int, server: FakeEtsyServer
) -> None:
    """The classic mistake (etsy/open-api#159): send the GET body straight back."""
    assert _put(client, listing_id, server.inventory_json(listing_id)).status_code == 400


@pytest.mark.parametrize("body", [{}, {"products": None}, {"price_on_property": []}, []])
def test_missing_products(client: httpx.Client, listing_id: int, body: object) -> None:
    assert _error(_put(client, listing_id, body)) == "Missing input parameter: [products]"


def test_form_encoded_body_is_missing_products(client: httpx.Client, listing_id: int) -> None:
    response = client.put(f"/application/listings/{listing_id}/inventory", data={"products": "[]"})
    assert _error(response) == "Missing input parameter: [products]"


def test_invalid_json(client: httpx.Client, listing_id: int) -> None:
    response = client.put(
        f"/application/listings/{listing_id}/inventory",
        content=b'{"products": [',
        headers={"content-type": "application/json"},
    )
    assert "JSON" in _error(response)


def test_one_offering_must_have_stock(client: httpx.Client, listing_id: int) -> None:
    body = _two_colors()
    for product in body["products"]:
        product["offerings"][0]["quantity"] = 0
    assert (
        _error(_put(client, listing_id, body)) == "One offering must have quantity greater than 0"
    )


def test_disabled_offering_with_stock_satisfies_the_rule(
    client: httpx.Client, listing_id: int, server: FakeEtsyServer
) -> None:
    body = _two_colors()
    body["products"][0]["offerings"][0] = _offering(12.5, 0)
    body["products"][1]["offerings"][0] = _offering(12.5, 1, enabled=False)
    assert _put(client, listing_id, body).status_code == 200
    listing = server.listing_json(listing_id)
    assert listing["quantity"] == 0
    assert listing["state"] == "sold_out"


def test_quantity_cap(client: httpx.Client, listing_id: int) -> None:
    body = _two_colors()
    body["products"][0]["offerings"][0]["quantity"] = 1000
    assert _error(_put(client, listing_id, body)) == "quantity cannot be greater than 999"
    body["products"][0]["offerings"][0]["quantity"] = 999
    assert _put(client, listing_id, body).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "12.50"),
        ("price", 12.505),
        ("price", 0.1),
        ("price", 50000.01),
        ("price", True),
        ("quantity", 2.5),
        ("quantity", -1),
        ("is_enabled", "yes"),
        ("readiness_state_id", 0),
    ],
)
def test_offering_field_types(
    client: httpx.Client, listing_id: int, field: str, value: object
) -> None:
    body = _two_colors()
    body["products"][0]["offerings"][0][field] = value
    _error(_put(client, listing_id, body))


@pytest.mark.parametrize("field", ["price", "quantity", "is_enabled", "readiness_state_id"])
def test_offering_fields_are_required(client: httpx.Client, listing_id: int, field: str) -> None:
    body = _two_colors()
    del body["products"][0]["offerings"][0][field]
    assert field in _error(_put(client, listing_id, body))


def test_exactly_one_offering_per_product(client: httpx.Client, listing_id: int) -> None:
    body = _two_colors()
    body["products"][0]["offerings"].append(_offering())
    _error(_put(client, listing_id, body))
    del body["products"][0]["offerings"]
    assert "offerings" in _error(_put(client, listing_id, body))


def test_on_property_must_name_existing_properties(client: httpx.Client, listing_id: int) -> None:
    body = _two_colors(price_on_property=[SIZE])
    assert "price_on_property" in _error(_put(client, listing_id, body))


def test_quantity_must_agree_when_it_does_not_vary(client: httpx.Client, listing_id: int) -> None:
    body = _two_colors(quantity_on_property=[])  # 3 vs 7 but "doesn't vary"
    assert "quantity_on_property" in _error(_put(client, listing_id, body))


def test_price_must_agree_within_a_property_value(client: httpx.Client, listing_id: int) -> None:
    grid = _grid({("Red", "S"): 1, ("Red", "M"): 2, ("Blue", "S"): 3, ("Blue", "M"): 4})
    grid["products"][1]["offerings"][0]["price"] = 25.0  # Red/M differs from Red/S
    assert "price_on_property" in _error(_put(client, listing_id, grid))


def test_sku_must_agree_within_a_property_value(client: httpx.Client, listing_id: int) -> None:
    grid = _grid({("Red", "S"): 1, ("Red", "M"): 2, ("Blue", "S"): 3, ("Blue", "M"): 4})
    grid["products"][0]["sku"] = "TEE-RED-S"
    assert "sku_on_property" in _error(_put(client, listing_id, grid))


def test_quantity_per_one_property(client: httpx.Client, listing_id: int) -> None:
    grid = _grid(
        {("Red", "S"): 2, ("Red", "M"): 2, ("Blue", "S"): 3, ("Blue", "M"): 4},
        quantity_on_property=[COLOR],
    )
    assert "quantity_on_property" in _error(_put(client, listing_id, grid))
    grid["products"][3]["offerings"][0]["quantity"] = 3
    assert _put(client, listing_id, grid).status_code == 200


def test_products_must_share_properties_and_be_distinct(
    client: httpx.Client, listing_id: int
) -> None:
    body = _two_colors()
    body["products"][1]["property_values"] = [_value(SIZE, "Size", "L")]
    _error(_put(client, listing_id, body))
    body = _two_colors(sku_on_property=[], quantity_on_property=[])
    body["products"][1]["property_values"] = [_value(COLOR, "Primary color", "red")]
    body["products"][1]["sku"] = "MUG-RED"
    body["products"][1]["offerings"][0]["quantity"] = 3
    assert "duplicates" in _error(_put(client, listing_id, body))


def test_multi_product_needs_property_values(client: httpx.Client, listing_id: int) -> None:
    body = _two_colors(price_on_property=[], quantity_on_property=[], sku_on_property=[])
    for product in body["products"]:
        product["property_values"] = []
    assert "Property values can't be empty" in _error(_put(client, listing_id, body))


@pytest.mark.parametrize("bad", [[], ["a", "b"], [""], ["Red (dark)"]])
def test_property_values_need_one_clean_value(
    client: httpx.Client, listing_id: int, bad: list[str]
) -> None:
    body = _two_colors()
    body["products"][0]["property_values"][0]["values"] = bad
    _error(_put(client, listing_id, body))


def test_at_most_two_properties_unless_three_are_enabled(
    client: httpx.Client, listing_id: int
) -> None:
    body = {
        "products": [
            {
                "sku": "",
                "property_values": [
                    _value(COLOR, "Primary color", "Red"),
                    _value(SIZE, "Size", "S"),
                    _value(514, "Material", "Oak"),
                ],
                "offerings": [_offering()],
            }
        ]
    }
    _error(_put(client, listing_id, body))
    response = client.put(
        f"/application/listings/{listing_id}/inventory",
        params={"max_variations_supported": "3"},
        json=body,
    )
    assert response.status_code == 200


def test_unknown_listing_is_404(client: httpx.Client) -> None:
    assert _put(client, 42, _two_colors()).status_code == 404


def test_sold_out_listing_is_not_reactivated_by_restocking(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = server.listing_ids("sold_out")[0]
    assert _put(client, listing_id, _two_colors()).status_code == 200
    assert server.listing_json(listing_id)["state"] == "sold_out"
    url = f"/application/shops/{server.shop_id}/listings/{listing_id}"
    assert client.patch(url, data={"state": "active"}).json()["state"] == "active"


def test_every_generated_inventory_round_trips(server: FakeEtsyServer) -> None:
    """GET -> strip -> PUT is valid for every generated listing that has stock."""
    for listing_id in server.listing_ids():
        listing = server.listing_json(listing_id)
        body = put_body(listing["inventory"])
        if listing["state"] == "sold_out":
            continue
        validate_inventory(body, max_properties=2)
        if is_simple(listing):
            assert body["products"][0]["property_values"] == []

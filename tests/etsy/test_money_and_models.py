"""Exact prices, model parsing, and the updateListingInventory body shape."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import pytest

from etsysync_gui.etsy.errors import MalformedResponseError
from etsysync_gui.etsy.models import Inventory, Listing, Me, Shop
from etsysync_gui.etsy.money import (
    Money,
    decimal_to_money,
    money_to_decimal,
    to_put_float,
)

from .helpers import listing_json, money


def _amounts() -> list[int]:
    rng = random.Random(20260218)
    fixed = [0, 1, 5, 9, 10, 99, 100, 101, 999, 1234, 1999, 2999, 4995, 10000, 12345, 99999]
    fixed += [123456789, 999999999, 10**12 + 1]
    return fixed + [rng.randrange(0, 10**9) for _ in range(3000)]


@pytest.mark.parametrize("divisor", [1, 10, 100, 1000, 10000, 1000000])
def test_money_round_trip_is_exact(divisor: int) -> None:
    for amount in _amounts():
        value = money_to_decimal(amount, divisor)
        assert value * divisor == amount
        # What goes on the wire must read back as exactly the same decimal ...
        wire = json.dumps({"price": to_put_float(value)})
        assert Decimal(json.loads(wire, parse_float=Decimal)["price"]) == value, wire
        # ... and Money <-> Decimal is lossless.
        back = decimal_to_money(value, "USD", divisor)
        assert back == Money(amount, divisor, "USD")


def test_known_float_traps_serialise_cleanly() -> None:
    assert json.dumps(to_put_float(money_to_decimal(1234, 100))) == "12.34"
    assert json.dumps(to_put_float(Decimal("0.1") + Decimal("0.2"))) == "0.3"
    assert json.dumps(to_put_float(money_to_decimal(1005, 1000))) == "1.005"
    assert json.dumps(to_put_float(money_to_decimal(7, 100))) == "0.07"
    assert money_to_decimal(1200, 100) == Decimal("12.00")
    assert str(money_to_decimal(1200, 100)) == "12.00"  # the scale Etsy meant


def test_non_terminating_or_bad_divisor_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        money_to_decimal(1, 3)
    with pytest.raises(MalformedResponseError):
        money_to_decimal(100, 0)
    assert money_to_decimal(5, 8) == Decimal("0.625")  # powers of 2 terminate


def test_prices_that_a_float_cannot_carry_are_refused() -> None:
    with pytest.raises(ValueError, match="too many digits"):
        to_put_float(Decimal("12345678901234.567"))  # 17 significant digits
    with pytest.raises(ValueError, match="not a price"):
        to_put_float(Decimal("NaN"))
    with pytest.raises(ValueError, match="cannot be negative"):
        to_put_float(Decimal("-1.00"))
    with pytest.raises(ValueError, match="cannot be written with divisor"):
        decimal_to_money(Decimal("1.005"), "USD", 100)


def _full_inventory() -> dict[str, Any]:
    return {
        "products": [
            {
                "product_id": 11,
                "sku": "MUG-RED-S",
                "is_deleted": False,
                "offerings": [
                    {
                        "offering_id": 111,
                        "quantity": 4,
                        "is_enabled": True,
                        "is_deleted": False,
                        "price": money(1234),
                        "readiness_state_id": 9001,
                    },
                    {
                        "offering_id": 112,
                        "quantity": 9,
                        "is_enabled": True,
                        "is_deleted": True,
                        "price": money(999),
                        "readiness_state_id": 9001,
                    },
                ],
                "property_values": [
                    {
                        "property_id": 200,
                        "property_name": "Color",
                        "scale_id": None,
                        "scale_name": None,
                        "value_ids": [1213],
                        "values": ["Red"],
                    },
                    {
                        "property_id": 100,
                        "property_name": "Size",
                        "scale_id": 19,
                        "scale_name": "US/Canada",
                        "value_ids": [5561],
                        "values": ["S"],
                    },
                ],
                "value_pairs": [{"property_id": 200, "value_id": 1213}],
            },
            {
                "product_id": 12,
                "sku": "MUG-OLD",
                "is_deleted": True,
                "offerings": [
                    {
                        "offering_id": 121,
                        "quantity": 1,
                        "is_enabled": True,
                        "is_deleted": False,
                        "price": money(500),
                        "readiness_state_id": None,
                    }
                ],
                "property_values": [],
            },
            {
                "product_id": 13,
                "sku": None,
                "is_deleted": False,
                "offerings": [
                    {
                        "offering_id": 131,
                        "quantity": 0,
                        "is_enabled": False,
                        "is_deleted": False,
                        "price": money(1999),
                        "readiness_state_id": None,
                    }
                ],
                "property_values": [
                    {
                        "property_id": 200,
                        "property_name": None,
                        "scale_id": None,
                        "scale_name": None,
                        "value_ids": [1214],
                        "values": ["Blue"],
                    }
                ],
            },
        ],
        "price_on_property": [200],
        "quantity_on_property": [200, 100],
        "sku_on_property": [200, 100],
        "readiness_state_on_property": [],
        "listing": {"listing_id": 1},
    }


def test_to_put_body_is_exactly_the_update_request_shape() -> None:
    inventory = Inventory.from_json(_full_inventory())

    body = inventory.to_put_body()

    assert body == {
        "products": [
            {
                "sku": "MUG-RED-S",
                "property_values": [
                    {
                        "property_id": 200,
                        "value_ids": [1213],
                        "values": ["Red"],
                        "scale_id": None,
                        "property_name": "Color",
                    },
                    {
                        "property_id": 100,
                        "value_ids": [5561],
                        "values": ["S"],
                        "scale_id": 19,
                        "property_name": "Size",
                    },
                ],
                "offerings": [
                    {"price": 12.34, "quantity": 4, "is_enabled": True, "readiness_state_id": 9001}
                ],
            },
            {
                "sku": "",
                "property_values": [
                    {"property_id": 200, "value_ids": [1214], "values": ["Blue"], "scale_id": None}
                ],
                "offerings": [
                    {"price": 19.99, "quantity": 0, "is_enabled": False, "readiness_state_id": None}
                ],
            },
        ],
        "price_on_property": [200],
        "quantity_on_property": [200, 100],
        "sku_on_property": [200, 100],
        "readiness_state_on_property": [],
    }
    text = json.dumps(body)
    for forbidden in ("product_id", "offering_id", "scale_name", "is_deleted", "value_pairs"):
        assert forbidden not in text
    assert '"price": 12.34' in text
    assert '"price": 19.99' in text


def test_inventory_parse_keeps_exact_prices_and_deleted_flags() -> None:
    inventory = Inventory.from_json(_full_inventory())
    first = inventory.products[0]
    assert first.offerings[0].price == Decimal("12.34")
    assert first.offerings[0].currency_code == "USD"
    assert first.offerings[1].is_deleted
    assert inventory.products[1].is_deleted
    assert inventory.products[2].sku == ""
    assert [p.product_id for p in inventory.live_products] == [11, 13]


def test_listing_parse_tolerates_unknown_fields() -> None:
    listing = Listing.from_json(listing_json(5, "sold_out"))
    assert listing.listing_id == 5
    assert listing.state == "sold_out"
    assert listing.price == Decimal("12.34")
    assert listing.currency_code == "USD"
    assert listing.inventory is not None
    assert listing.inventory.products[0].sku == "SKU-5"
    assert listing.skus == ("SKU-5",)


@pytest.mark.parametrize("field", ["listing_id", "shop_id", "state", "title", "quantity"])
def test_listing_missing_required_field_is_malformed(field: str) -> None:
    data = listing_json(5)
    del data[field]
    with pytest.raises(MalformedResponseError, match=field):
        Listing.from_json(data)


def test_wrong_types_are_malformed_not_coerced() -> None:
    with pytest.raises(MalformedResponseError):
        Listing.from_json({**listing_json(5), "quantity": True})
    with pytest.raises(MalformedResponseError):
        Listing.from_json({**listing_json(5), "quantity": "3"})
    with pytest.raises(MalformedResponseError):
        Listing.from_json([listing_json(5)])
    bad = _full_inventory()
    del bad["products"][0]["offerings"][0]["price"]
    with pytest.raises(MalformedResponseError, match="price"):
        Inventory.from_json(bad)


def test_listing_without_price_or_inventory() -> None:
    data = listing_json(5, with_inventory=False)
    del data["price"]
    listing = Listing.from_json(data)
    assert listing.price is None
    assert listing.currency_code is None
    assert listing.inventory is None


def test_me_and_shop() -> None:
    assert Me.from_json({"user_id": 1, "shop_id": None}) == Me(1, None)
    shop = Shop.from_json(
        {
            "shop_id": 7,
            "user_id": 1,
            "shop_name": "MugHouse",
            "currency_code": "EUR",
            "listing_active_count": 12,
            "url": "https://www.etsy.com/shop/MugHouse",
            "is_vacation": False,
            "policy_welcome": None,
        }
    )
    assert (shop.shop_id, shop.shop_name, shop.currency_code, shop.listing_active_count) == (
        7,
        "MugHouse",
        "EUR",
        12,
    )
    with pytest.raises(MalformedResponseError, match="shop_name"):
        Shop.from_json({"shop_id": 7, "user_id": 1, "currency_code": "EUR"})

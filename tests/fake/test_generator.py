"""The seeded shop generator: deterministic and a realistic mix (speed: benchmarks/)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from fake_etsy.clock import ManualClock
from fake_etsy.generator import THREE_VARIATIONS, generate_shop, make_listing
from fake_etsy.inventory import validate_inventory
from fake_etsy.model import LISTING_STATES
from fake_etsy.shop import ShopState

from .helpers import put_body


def _shop(count: int, seed: int = 1, three_variations: float = 0.0) -> ShopState:
    shop = ShopState(shop_id=1, user_id=2, shop_name="Gen", clock=ManualClock())
    generate_shop(shop, count, seed, three_variations=three_variations)
    return shop


def _dump(shop: ShopState) -> list[object]:
    return [
        shop.render_listing(shop.listings[i], show_skus=True, includes=("Inventory",))
        for i in sorted(shop.listings)
    ]


def test_same_seed_same_shop() -> None:
    assert _dump(_shop(60, seed=5)) == _dump(_shop(60, seed=5))
    assert _dump(_shop(60, seed=5)) != _dump(_shop(60, seed=6))


def test_realistic_mix() -> None:
    shop = _shop(2000)
    listings = list(shop.listings.values())
    states = Counter(item.state for item in listings)
    assert set(states) == set(LISTING_STATES)
    assert states["active"] > len(listings) / 2

    properties = Counter(len(item.inventory.products[0].property_values) for item in listings)
    assert properties[0]
    assert properties[1]
    assert properties[2]
    simple = [item for item in listings if not item.inventory.has_variations]
    assert all(len(item.inventory.products) == 1 for item in simple)

    variations = [item for item in listings if item.inventory.has_variations]
    assert any(not item.inventory.quantity_on_property for item in variations)  # shared stock
    assert any(
        len(item.inventory.quantity_on_property) == 1
        and len(item.inventory.products[0].property_values) == 2
        for item in variations
    )  # quantity per one of two properties
    assert any(item.inventory.price_on_property for item in variations)

    prices = {p.offering.price for item in listings for p in item.inventory.products}
    assert {"0.20", "1234.56", "19.99"} <= {str(price) for price in prices}
    assert any(not p.sku for item in listings for p in item.inventory.products)
    assert any(not p.offering.is_enabled for item in listings for p in item.inventory.products)

    for item in listings:
        if item.state == "sold_out":
            assert item.quantity == 0
        else:
            assert item.quantity > 0


@pytest.mark.slow
def test_ten_thousand_listings_are_generated() -> None:
    """How long this takes is measured by benchmarks/store_bench.py, not asserted here."""
    shop = _shop(10_000)
    assert len(shop.listings) == 10_000


def test_three_variation_listings_on_request_only() -> None:
    """Off by default (same shop for a seed); a share or a kind makes them, spec-valid."""
    plain = _shop(300, seed=9)
    assert max(len(x.inventory.products[0].property_values) for x in plain.listings.values()) == 2
    shop = _shop(300, seed=9, three_variations=0.3)
    three = [x for x in shop.listings.values() if len(x.inventory.products[0].property_values) == 3]
    assert 40 < len(three) < 140
    one = make_listing(shop, random.Random(1), index=0, kind=THREE_VARIATIONS)
    assert all(len(p.property_values) == 3 for p in one.inventory.products)
    for listing in [*three, one]:
        body = shop.render_listing(listing, show_skus=True, includes=("Inventory",))["inventory"]
        if listing.state != "sold_out":
            validate_inventory(put_body(body), max_properties=3)

"""The seeded shop generator: deterministic and a realistic mix (speed: benchmarks/)."""

from __future__ import annotations

from collections import Counter

import pytest

from fake_etsy.clock import ManualClock
from fake_etsy.generator import generate_shop
from fake_etsy.model import LISTING_STATES
from fake_etsy.shop import ShopState


def _shop(count: int, seed: int = 1) -> ShopState:
    shop = ShopState(shop_id=1, user_id=2, shop_name="Gen", clock=ManualClock())
    generate_shop(shop, count, seed)
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

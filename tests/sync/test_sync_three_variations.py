"""Listings with Etsy's third variation are read and written without losing a property.

updateListingInventory refuses a third variation property unless the request
says ``max_variations_supported=3`` (Etsy's OpenAPI document, parameter of
updateListingInventory); the reads (getListingInventory and the batch read)
return every property.  So a stock write to such a listing must send the
parameter and must send all three properties back exactly as read.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from etsysync_gui.db.engine import Database
from fake_etsy.generator import THREE_VARIATIONS
from tests.sync.test_support import JSON, Env, make_env, offering

COLORS = ("Red", "Blue")
SIZES = ("S", "M")
MATERIALS = ("Oak", "Walnut")


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def value(pid: int, name: str, text: str) -> JSON:
    return {
        "property_id": pid,
        "property_name": name,
        "value_ids": [],
        "values": [text],
        "scale_id": None,
    }


def three_properties() -> JSON:
    """Color × Size × Material, stock and SKU per product, price per color."""
    products = []
    for color, size, material in itertools.product(COLORS, SIZES, MATERIALS):
        products.append(
            {
                "sku": f"3V-{color}-{size}-{material}",
                "property_values": [
                    value(200, "Primary color", color),
                    value(513, "Size", size),
                    value(514, "Material", material),
                ],
                "offerings": [offering(7, "11.00" if color == "Red" else "12.50")],
            }
        )
    return {
        "products": products,
        "price_on_property": [200],
        "quantity_on_property": [200, 513, 514],
        "sku_on_property": [200, 513, 514],
        "readiness_state_on_property": [],
    }


def shape(env: Env, listing_id: int) -> list[tuple[str, list[tuple[int, str, list[str]]], str]]:
    """Per product: SKU, property values and price, as the fake stores them."""
    return [
        (
            p["sku"],
            [(v["property_id"], v["property_name"], v["values"]) for v in p["property_values"]],
            str(p["offerings"][0]["price"]),
        )
        for p in env.server.inventory_json(listing_id)["products"]
    ]


def test_a_third_variation_round_trips_through_a_stock_write(env: Env) -> None:
    listing_id = env.add(three_properties())
    skus = [f"3V-{c}-{s}-{m}" for c, s, m in itertools.product(COLORS, SIZES, MATERIALS)]
    env.catalog(dict.fromkeys(skus, 7))
    assert env.service().sync_all("manual").status == "completed"
    assert len(env.pools(listing_id)) == 8
    before = shape(env, listing_id)
    env.set_local("3V-Blue-M-Walnut", 6)

    result = env.service().sync_inventory("manual")

    assert result.status == "completed", env.listing_row(listing_id).sync_error
    assert result.counts.pushes == 1
    assert env.etsy(listing_id)["sku:3V-Blue-M-Walnut"] == 6
    assert shape(env, listing_id) == before  # all three properties, SKUs and prices kept
    assert env.calls("updateListingInventory") == 1


def test_generated_three_variation_listings_sync_both_ways(database: Database) -> None:
    with make_env(database, listings=0, seed=3) as env:
        ids = [env.server.add_listing(kind=THREE_VARIATIONS) for _ in range(4)]
        for listing_id in ids:
            products = env.inventory(listing_id).products
            assert all(len(p.property_values) == 3 for p in products)
        env.server.reset_stats()
        first = env.service().sync_all("manual", import_unlinked=True)
        assert first.status == "completed", first.counts.errors
        pools = {lid: env.pools(lid) for lid in ids}
        linked = [(lid, key) for lid in ids for key, p in pools[lid].items() if p.local_variant_id]
        assert linked, "import must link the generated pools"
        # A local restock of one pool per listing is pushed, every property kept.
        before = {lid: shape(env, lid) for lid in ids}
        for lid in ids:
            key = next(k for k, p in pools[lid].items() if p.local_variant_id)
            bump_local(env, pools[lid][key].local_variant_id, 2)
        result = env.service().sync_inventory("manual")
        assert result.status == "completed", result.counts.errors
        assert result.counts.pushes == len(ids), result.counts.errors
        for lid in ids:
            assert [(s, v) for s, v, _ in shape(env, lid)] == [(s, v) for s, v, _ in before[lid]]


def bump_local(env: Env, variant_id: int | None, by: int) -> None:
    from etsysync_gui.db.models import ProductVariant

    with env.database.session() as session:
        variant = session.get(ProductVariant, variant_id)
        assert variant is not None
        variant.quantity += by

"""A quantity write leaves every offering it does not write exactly as Etsy had it.

Issue "Never lose a sale", hole 4: writing one variation's quantity switched
``is_enabled`` true → false on ANOTHER offering whose quantity was 0 and did
not change.  Etsy accepts an enabled offering at 0 as long as one offering of
the listing has stock; the storefront then shows "sold out" for that option
instead of hiding it, which is the seller's choice to keep.  Etsy's
updateListingInventory replaces the whole inventory, so every field of every
other offering must go back byte for byte: compared here on the fake's stored
inventory before and after the write.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from etsysync_gui.db.engine import Database
from tests.sync.test_support import JSON, Env, make_env, one_property

ROWS = [
    ("Red", "U-Red", 17, "20.00"),
    ("Blue", "U-Blue", 0, "21.50"),  # sold out on Etsy, still offered: linked, local 0
    ("Green", "U-Green", 5, "0.20"),  # not linked at all
    ("Black", "U-Black", 3, "1234.56"),  # disabled by the seller, linked
    ("White", "U-White", 0, "19.99"),  # sold out and disabled by the seller
]


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def shop(env: Env) -> int:
    body: JSON = one_property(ROWS)
    for product in body["products"]:
        if product["sku"] in ("U-Black", "U-White"):
            product["offerings"][0]["is_enabled"] = False
    listing_id = env.add(body)
    env.catalog({"U-Red": 17, "U-Blue": 0, "U-Black": 3, "U-White": 0})
    assert env.service().sync_all("manual").status == "completed"
    return listing_id


def stored(env: Env, listing_id: int) -> dict[str, Any]:
    """The fake's inventory per SKU, without the ids Etsy regenerates on every write."""
    products = {}
    for product in copy.deepcopy(env.server.inventory_json(listing_id))["products"]:
        product.pop("product_id")
        for offering in product["offerings"]:
            offering.pop("offering_id")
        products[product["sku"]] = product
    return products


def test_writing_one_variation_leaves_every_other_offering_as_read(env: Env) -> None:
    listing_id = shop(env)
    before = stored(env, listing_id)
    env.set_local("U-Red", 16)
    env.server.reset_stats()

    result = env.service().sync_inventory("manual")

    assert result.status == "completed"
    assert result.counts.pushes == 1
    assert env.calls("updateListingInventory") == 1
    after = stored(env, listing_id)
    assert after["U-Red"]["offerings"][0]["quantity"] == 16
    after["U-Red"]["offerings"][0]["quantity"] = 17
    assert after == before  # Blue still enabled at 0; prices, SKUs, values as read
    assert not env.listing_row(listing_id).disabled_by_us


def test_the_pool_being_written_to_zero_is_still_disabled(env: Env) -> None:
    """The zero-stock policy for the pool EtsySync writes is unchanged."""
    listing_id = shop(env)
    before = stored(env, listing_id)
    env.set_local("U-Red", 0)
    assert env.service().sync_inventory("manual").status == "completed"
    after = stored(env, listing_id)
    assert (
        after["U-Red"]["offerings"][0] | {"quantity": 17, "is_enabled": True}
        == (before["U-Red"]["offerings"][0])
    )
    assert after["U-Red"]["offerings"][0]["is_enabled"] is False
    del after["U-Red"], before["U-Red"]
    assert after == before
    assert env.listing_row(listing_id).disabled_by_us == ["sku:U-Red"]

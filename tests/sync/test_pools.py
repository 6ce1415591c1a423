"""Stock pools of Etsy listings (etsysync_gui.sync.inventory.pools).

The builders at the top produce Etsy-shaped ListingInventory JSON (GET shape: ids,
Money prices); the other sync tests import them from here.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from etsysync_gui.etsy.models import Inventory, InventoryPut
from etsysync_gui.sync.inventory.pools import (
    AmbiguousInventoryError,
    StockPool,
    pool_keys_are_unique,
    pools_of,
    variant_keys_of,
)

Json = dict[str, Any]
COLOR = (200, "Color")
SIZE = (513, "Size")
_ids = itertools.count(1000)


def pv(prop: tuple[int, str | None], value: str, *, scale_id: int | None = None) -> Json:
    """One GET-shape property value, with a fresh value id."""
    data: Json = {
        "property_id": prop[0],
        "scale_id": scale_id,
        "scale_name": None if scale_id is None else "Letter",
        "value_ids": [next(_ids)],
        "values": [value],
    }
    if prop[1] is not None:
        data["property_name"] = prop[1]
    return data


def offering(
    quantity: int,
    *,
    price: str = "19.99",
    enabled: bool = True,
    deleted: bool = False,
    readiness: int | None = 4242,
) -> Json:
    """One GET-shape offering; ``price`` is exact decimal text, sent as Money (cents)."""
    amount = Decimal(price) * 100
    assert amount == amount.to_integral_value(), price
    return {
        "offering_id": next(_ids),
        "quantity": quantity,
        "is_enabled": enabled,
        "is_deleted": deleted,
        "price": {"amount": int(amount), "divisor": 100, "currency_code": "USD"},
        "readiness_state_id": readiness,
    }


def product(
    *values: Json,
    quantity: int = 5,
    sku: str | None = None,
    price: str = "19.99",
    enabled: bool = True,
    deleted: bool = False,
    offerings: list[Json] | None = None,
) -> Json:
    """One GET-shape product (``sku=None`` sends ``null``, as Etsy does for no SKU)."""
    return {
        "product_id": next(_ids),
        "sku": sku,
        "is_deleted": deleted,
        "offerings": offerings or [offering(quantity, price=price, enabled=enabled)],
        "property_values": list(values),
    }


def inventory_json(
    *products: Json,
    price_on: tuple[int, ...] = (),
    quantity_on: tuple[int, ...] = (),
    sku_on: tuple[int, ...] = (),
    readiness_on: tuple[int, ...] = (),
) -> Json:
    return {
        "products": list(products),
        "price_on_property": list(price_on),
        "quantity_on_property": list(quantity_on),
        "sku_on_property": list(sku_on),
        "readiness_state_on_property": list(readiness_on),
        "listing": None,
    }


def inventory(*products: Json, **on_property: tuple[int, ...]) -> Inventory:
    return Inventory.from_json(inventory_json(*products, **on_property))


def as_etsy_response(body: InventoryPut, currency: str = "USD") -> Json:
    """What Etsy answers after a PUT of ``body``: the same data, every id regenerated."""
    products = []
    for put_product in body["products"]:
        offerings = []
        for put_offering in put_product["offerings"]:
            amount = Decimal(repr(put_offering["price"])) * 100
            offerings.append(
                {
                    "offering_id": next(_ids),
                    "quantity": put_offering["quantity"],
                    "is_enabled": put_offering["is_enabled"],
                    "is_deleted": False,
                    "price": {"amount": int(amount), "divisor": 100, "currency_code": currency},
                    "readiness_state_id": put_offering["readiness_state_id"],
                }
            )
        values = [
            {**value, "value_ids": [next(_ids) for _ in value["value_ids"]], "scale_name": None}
            for value in put_product["property_values"]
        ]
        products.append(
            {
                "product_id": next(_ids),
                "sku": put_product["sku"],
                "is_deleted": False,
                "offerings": offerings,
                "property_values": values,
            }
        )
    return {
        "products": products,
        "price_on_property": list(body["price_on_property"]),
        "quantity_on_property": list(body["quantity_on_property"]),
        "sku_on_property": list(body["sku_on_property"]),
        "readiness_state_on_property": list(body["readiness_state_on_property"]),
    }


def grid(
    colors: tuple[str, ...] = ("Blue", "Red"),
    sizes: tuple[str, ...] = ("S", "M"),
    *,
    quantity: int = 5,
    sku: bool = False,
) -> list[Json]:
    """Products for every color x size (Color first, as a seller would add them)."""
    return [
        product(
            pv(COLOR, c),
            pv(SIZE, s),
            quantity=quantity,
            sku=f"{c}-{s}".upper() if sku else None,
        )
        for c in colors
        for s in sizes
    ]


# --- the three pool shapes ---------------------------------------------------------


def test_simple_listing_without_sku_is_one_whole_listing_pool() -> None:
    pools = pools_of(inventory(product(quantity=7)))
    assert pools == (StockPool("listing", "Whole listing", None, (0,), 7, True),)


def test_simple_listing_with_sku_is_keyed_by_sku() -> None:
    (pool,) = pools_of(inventory(product(quantity=3, sku="MUG-1")))
    assert (pool.key, pool.sku, pool.quantity) == ("sku:MUG-1", "MUG-1", 3)


def test_shared_stock_variations_are_one_pool() -> None:
    (pool,) = pools_of(inventory(*grid(quantity=4)))
    assert pool.key == "listing"
    assert pool.label == "All variations"
    assert pool.product_indexes == (0, 1, 2, 3)
    assert pool.quantity == 4


def test_shared_stock_with_one_common_sku_is_keyed_by_it() -> None:
    products = [product(pv(COLOR, c), sku="TEE") for c in ("Blue", "Red")]
    (pool,) = pools_of(inventory(*products))
    assert (pool.key, pool.sku) == ("sku:TEE", "TEE")


def test_shared_stock_with_different_skus_has_no_pool_sku() -> None:
    (pool,) = pools_of(inventory(*grid(sku=True)))
    assert (pool.key, pool.sku) == ("listing", None)


def test_quantity_on_one_property_gives_a_pool_per_value() -> None:
    pools = pools_of(inventory(*grid(("Blue", "Red"), ("S", "M", "L")), quantity_on=(COLOR[0],)))
    assert [(p.key, p.label, p.product_indexes) for p in pools] == [
        ("prop:Color=Blue", "Blue", (0, 1, 2)),
        ("prop:Color=Red", "Red", (3, 4, 5)),
    ]


def test_quantity_on_one_property_with_sku_on_it_is_keyed_by_sku() -> None:
    products = [
        product(pv(COLOR, c), pv(SIZE, s), sku=f"TEE-{c.upper()}")
        for c in ("Blue", "Red")
        for s in ("S", "M")
    ]
    pools = pools_of(inventory(*products, quantity_on=(COLOR[0],), sku_on=(COLOR[0],)))
    assert [p.key for p in pools] == ["sku:TEE-BLUE", "sku:TEE-RED"]


def test_quantity_on_every_property_gives_a_pool_per_product() -> None:
    pools = pools_of(inventory(*grid(), quantity_on=(COLOR[0], SIZE[0])))
    assert [(p.key, p.label) for p in pools] == [
        ("prop:Color=Blue|Size=S", "Blue / S"),
        ("prop:Color=Blue|Size=M", "Blue / M"),
        ("prop:Color=Red|Size=S", "Red / S"),
        ("prop:Color=Red|Size=M", "Red / M"),
    ]


def test_prop_keys_sort_by_property_name_labels_keep_product_order() -> None:
    # Size comes first on the product; the key still lists Color first.
    listing = inventory(product(pv(SIZE, "M"), pv(COLOR, "Blue")), quantity_on=(513, 200))
    (pool,) = pools_of(listing)
    assert (pool.key, pool.label) == ("prop:Color=Blue|Size=M", "M / Blue")


def test_one_variation_listing_per_product() -> None:
    listing = inventory(*[product(pv(COLOR, c)) for c in ("Blue", "Red")], quantity_on=(200,))
    assert [p.key for p in pools_of(listing)] == ["prop:Color=Blue", "prop:Color=Red"]


def test_case_is_preserved_in_keys() -> None:
    listing = inventory(product(pv((200, "colour"), "sky BLUE")), quantity_on=(200,))
    assert pools_of(listing)[0].key == "prop:colour=sky BLUE"


# --- SKU keys ---------------------------------------------------------------------


def test_unique_skus_key_per_product_pools() -> None:
    pools = pools_of(inventory(*grid(sku=True), quantity_on=(200, 513)))
    assert [p.key for p in pools] == ["sku:BLUE-S", "sku:BLUE-M", "sku:RED-S", "sku:RED-M"]


def test_a_sku_used_by_two_pools_falls_back_to_property_keys_for_both() -> None:
    products = [
        product(pv(COLOR, "Blue"), sku="DUP"),
        product(pv(COLOR, "Red"), sku="dup"),  # case-insensitively the same SKU
        product(pv(COLOR, "Green"), sku="GRN"),
    ]
    pools = pools_of(inventory(*products, quantity_on=(200,)))
    assert [(p.key, p.sku) for p in pools] == [
        ("prop:Color=Blue", "DUP"),
        ("prop:Color=Red", "dup"),
        ("sku:GRN", "GRN"),
    ]


def test_a_pool_whose_products_have_different_skus_uses_property_key() -> None:
    pools = pools_of(inventory(*grid(sku=True), quantity_on=(200,)))
    assert [(p.key, p.sku) for p in pools] == [
        ("prop:Color=Blue", None),
        ("prop:Color=Red", None),
    ]


def test_partly_missing_skus() -> None:
    products = [product(pv(COLOR, "Blue"), sku="B"), product(pv(COLOR, "Red"))]
    pools = pools_of(inventory(*products, quantity_on=(200,)))
    assert [p.key for p in pools] == ["sku:B", "prop:Color=Red"]


# --- quantity, enabled, deleted ----------------------------------------------------


def test_disagreeing_quantities_in_a_pool_take_the_minimum() -> None:
    products = [
        product(pv(COLOR, "Blue"), pv(SIZE, s), quantity=q) for s, q in (("S", 6), ("M", 2))
    ]
    (pool,) = pools_of(inventory(*products, quantity_on=(200,)))
    assert pool.quantity == 2


def test_enabled_when_any_offering_is_enabled() -> None:
    products = [
        product(pv(COLOR, "Blue"), pv(SIZE, "S"), enabled=False),
        product(pv(COLOR, "Blue"), pv(SIZE, "M"), enabled=True),
        product(pv(COLOR, "Red"), pv(SIZE, "S"), enabled=False),
        product(pv(COLOR, "Red"), pv(SIZE, "M"), enabled=False),
    ]
    pools = pools_of(inventory(*products, quantity_on=(200,)))
    assert [p.enabled for p in pools] == [True, False]


def test_deleted_products_and_offerings_do_not_count() -> None:
    products = [
        product(pv(COLOR, "Blue"), quantity=1, deleted=True),
        product(
            pv(COLOR, "Red"),
            offerings=[offering(0, deleted=True), offering(4)],
        ),
        product(pv(COLOR, "Green"), offerings=[offering(9, deleted=True)]),
        product(pv(COLOR, "Blue"), quantity=8),
    ]
    pools = pools_of(inventory(*products, quantity_on=(200,)))
    # Indexes point into Inventory.products as read, deleted ones included.
    assert [(p.key, p.product_indexes, p.quantity) for p in pools] == [
        ("prop:Color=Red", (1,), 4),
        ("prop:Color=Blue", (3,), 8),
    ]


def test_no_live_products_means_no_pools() -> None:
    assert pools_of(inventory(product(deleted=True))) == ()


# --- stability and uniqueness ------------------------------------------------------


def _listings() -> list[Inventory]:
    return [
        inventory(product(quantity=2)),
        inventory(product(quantity=2, sku="A")),
        inventory(*grid()),
        inventory(*grid(sku=True)),
        inventory(*grid(("Blue", "Red", "Green"), ("S", "M", "L")), quantity_on=(200,)),
        inventory(*grid(sku=True), quantity_on=(513,)),
        inventory(*grid(), quantity_on=(200, 513)),
        inventory(*grid(sku=True), quantity_on=(200, 513)),
    ]


@pytest.mark.parametrize("listing", _listings())
def test_keys_are_unique_and_survive_a_put(listing: Inventory) -> None:
    pools = pools_of(listing)
    assert pool_keys_are_unique(pools)
    after = Inventory.from_json(as_etsy_response(listing.to_put_body()))
    assert [p.key for p in pools_of(after)] == [p.key for p in pools]
    assert pools_of(after) == pools


@pytest.mark.parametrize("listing", _listings())
def test_every_live_product_is_in_exactly_one_pool(listing: Inventory) -> None:
    indexes = [i for p in pools_of(listing) for i in p.product_indexes]
    assert sorted(indexes) == list(range(len(listing.live_products)))


def test_pool_keys_are_unique_ignores_case() -> None:
    a = StockPool("sku:ab", "A", "ab", (0,), 1, True)
    b = StockPool("sku:AB", "B", "AB", (1,), 1, True)
    assert not pool_keys_are_unique([a, b])
    assert pool_keys_are_unique([a])


def test_special_characters_are_escaped_so_keys_cannot_collide() -> None:
    products = [
        product(pv(COLOR, "A|Size=B")),
        product(pv(COLOR, "A"), pv(SIZE, "B")),
    ]
    # Not a valid Etsy shape (different properties), but keys must still differ.
    listing = Inventory.from_json(inventory_json(*products))
    keys = variant_keys_of(listing)
    assert keys[0] == "prop:Color=A\\|Size\\=B"
    assert keys[1] == "prop:Color=A|Size=B"


def test_property_without_name_is_keyed_by_id() -> None:
    listing = inventory(product(pv((513, None), "Oak")), quantity_on=(513,))
    # "#" is escaped like "|" and "=", so a property really named "#513" stays distinct.
    assert pools_of(listing)[0].key == "prop:\\#513=Oak"


def test_variant_keys_equal_pool_keys_when_quantity_varies_by_everything() -> None:
    listing = inventory(*grid(), quantity_on=(200, 513))
    keys = variant_keys_of(listing)
    assert [keys[i] for i in range(4)] == [p.key for p in pools_of(listing)]


# --- ambiguous listings ------------------------------------------------------------


def test_identical_values_without_sku_are_ambiguous() -> None:
    listing = inventory(product(pv(COLOR, "Blue")), product(pv(COLOR, "Blue")), quantity_on=(200,))
    with pytest.raises(AmbiguousInventoryError, match="cannot be told apart"):
        pools_of(listing)


def test_identical_values_with_distinct_skus_are_not_ambiguous() -> None:
    listing = inventory(product(pv(COLOR, "Blue"), sku="B1"), product(pv(COLOR, "Blue"), sku="B2"))
    (pool,) = pools_of(listing)
    assert pool.product_indexes == (0, 1)


def test_values_differing_only_in_case_are_ambiguous() -> None:
    listing = inventory(product(pv(COLOR, "Blue")), product(pv(COLOR, "blue")), quantity_on=(200,))
    with pytest.raises(AmbiguousInventoryError):
        pools_of(listing)


def test_pools_differing_only_in_case_are_ambiguous() -> None:
    products = [
        product(pv(COLOR, "Blue"), pv(SIZE, "S")),
        product(pv(COLOR, "blue"), pv(SIZE, "M")),
    ]
    with pytest.raises(AmbiguousInventoryError, match="stock pools"):
        pools_of(inventory(*products, quantity_on=(200,)))


def test_two_products_without_properties_or_sku_are_ambiguous() -> None:
    with pytest.raises(AmbiguousInventoryError):
        pools_of(inventory(product(), product()))


def test_missing_quantity_property_is_reported() -> None:
    listing = inventory(product(pv(COLOR, "Blue")), product(pv(SIZE, "M")), quantity_on=(200,))
    with pytest.raises(AmbiguousInventoryError, match="quantity varies by"):
        pools_of(listing)


def test_a_property_listed_twice_on_one_product_is_reported() -> None:
    listing = inventory(product(pv(COLOR, "Blue"), pv(COLOR, "Red")), quantity_on=(200,))
    with pytest.raises(AmbiguousInventoryError, match="twice"):
        pools_of(listing)

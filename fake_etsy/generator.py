"""Seeded generator for a realistic fake shop.

Why: sync code breaks on the listings nobody thinks of. The generator produces, from a
seed and deterministically, the mix a real seller has: every listing state; simple
listings (one product, no property values); one- and two-variation listings; variations
sharing one stock (``quantity_on_property`` empty) or stocked per property; prices that
vary by a property; odd prices (0.20, 1234.56, 19.99); missing SKUs; a few disabled
offerings and sold-out variants. 10,000 listings take well under a second.

Listings with Etsy's third variation (``THREE_VARIATIONS``; updateListingInventory
accepts them only with ``max_variations_supported=3``) are made on request: by
``kind=THREE_VARIATIONS`` or a ``three_variations`` share of the shop.  They are
not in the default mix, so a seed generates the same shop as before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from fake_etsy.model import Inventory, Listing, Offering, Product, PropertyValue
from fake_etsy.shop import ShopState

LISTING_KINDS = ("simple", "one_variation", "two_variations")
THREE_VARIATIONS = "three_variations"


@dataclass(frozen=True)
class PropertySpec:
    property_id: int
    name: str
    values: tuple[str, ...]


COLOR = PropertySpec(200, "Primary color", ("Black", "White", "Red", "Blue", "Green", "Natural"))
SIZE = PropertySpec(513, "Size", ("XS", "S", "M", "L", "XL", "8x10 in", "11x14 in"))
MATERIAL = PropertySpec(514, "Material", ("Oak", "Walnut", "Maple", "Brass", "Linen"))
PROPERTIES = (COLOR, SIZE, MATERIAL)

ODD_PRICES = ("0.20", "1234.56", "19.99", "5.00", "0.99", "7.50", "49999.99", "12.34")
PROCESSING_PROFILES = (1_001_001, 1_001_002)
ADJECTIVES = ("Rustic", "Minimal", "Vintage", "Handmade", "Cozy", "Bold", "Tiny", "Golden")
NOUNS = ("Mug", "Print", "Necklace", "Tote Bag", "Candle", "Scarf", "Cutting Board", "Planter")
STATE_WEIGHTS = (
    ("active", 70),
    ("inactive", 8),
    ("sold_out", 8),
    ("draft", 8),
    ("expired", 6),
)


def generate_shop(shop: ShopState, count: int, seed: int, *, three_variations: float = 0.0) -> None:
    """Fill ``shop`` with ``count`` listings, the same ones for the same seed.

    ``three_variations``: the share of listings (after the first six) given a
    third variation property; 0 keeps the historical mix for every seed.
    """
    rng = random.Random(seed)
    states = [s for s, _ in STATE_WEIGHTS]
    weights = [w for _, w in STATE_WEIGHTS]
    # Guarantee every state and every kind exists once the shop has a handful of listings.
    for index in range(count):
        state = states[index] if index < len(states) else rng.choices(states, weights)[0]
        kind = LISTING_KINDS[index % 3] if index < 6 else None
        if kind is None and three_variations and rng.random() < three_variations:
            kind = THREE_VARIATIONS
        shop.add(make_listing(shop, rng, index=index, state=state, kind=kind))


def make_listing(
    shop: ShopState,
    rng: random.Random,
    *,
    index: int,
    state: str = "active",
    kind: str | None = None,
    title: str | None = None,
) -> Listing:
    """One generated listing; ``kind`` is one of ``LISTING_KINDS`` (random if None)."""
    if kind is None:
        roll = rng.random()
        kind = "simple" if roll < 0.5 else "one_variation" if roll < 0.8 else "two_variations"
    if kind not in (*LISTING_KINDS, THREE_VARIATIONS):
        raise ValueError(f"kind must be one of {(*LISTING_KINDS, THREE_VARIATIONS)}")
    readiness = rng.choice(PROCESSING_PROFILES)
    inventory = _inventory(shop, rng, index, kind, state, readiness)
    now = shop.now()
    created = now - rng.randint(2 * 86400, 365 * 86400)
    updated = created + rng.randint(0, max(1, now - created - 3600))
    adjective, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
    material = rng.choice(MATERIAL.values)
    return Listing(
        listing_id=shop.new_listing_id(),
        shop_id=shop.shop_id,
        user_id=shop.user_id,
        title=title or f"{adjective} {material} {noun} #{index + 1}",
        description=f"A {adjective.lower()} {noun.lower()} made by hand in small batches.",
        state=state,
        created_timestamp=created,
        updated_timestamp=updated,
        state_timestamp=updated,
        inventory=inventory,
        tags=[noun.lower(), adjective.lower()],
        materials=[material.lower()],
        shop_section_id=rng.choice((None, 41_000_001, 41_000_002)),
        readiness_state_id=readiness,
        shipping_profile_id=200_000_001,
        return_policy_id=300_000_001,
        taxonomy_id=rng.randint(1, 2000),
        num_favorers=rng.randint(0, 400),
        views=rng.randint(0, 5000),
    )


def _price(rng: random.Random) -> Decimal:
    if rng.random() < 0.2:
        return Decimal(rng.choice(ODD_PRICES))
    return (Decimal(rng.randint(300, 25_000)) / 100).quantize(Decimal("0.01"))


def _quantity(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.1:
        return 0
    if roll < 0.97:
        return rng.randint(1, 25)
    return rng.randint(100, 999)


def _inventory(
    shop: ShopState, rng: random.Random, index: int, kind: str, state: str, readiness: int
) -> Inventory:
    missing_skus = rng.random() < 0.15
    if kind == "simple":
        props: list[tuple[PropertySpec, tuple[str, ...]]] = []
    elif kind == THREE_VARIATIONS:  # at most 3 x 3 x 3 products
        props = [(spec, tuple(rng.sample(spec.values, rng.randint(2, 3)))) for spec in PROPERTIES]
    else:
        specs = rng.sample(PROPERTIES, 1 if kind == "one_variation" else 2)
        props = [(spec, tuple(rng.sample(spec.values, rng.randint(2, 4)))) for spec in specs]
    ids = [spec.property_id for spec, _ in props]
    quantity_on = _pick_on_property(rng, ids, all_weight=0.6)
    price_on = [rng.choice(ids)] if ids and rng.random() < 0.35 else []
    sku_on = [] if missing_skus or rng.random() < 0.3 else list(ids)
    combos: list[tuple[str, ...]] = [()]
    for _, choices in props:
        combos = [(*combo, value) for combo in combos for value in choices]

    pool_quantity: dict[tuple[str, ...], int] = {}
    group_price: dict[tuple[str, ...], Decimal] = {}
    products = []
    for n, combo in enumerate(combos):
        by_id = dict(zip(ids, combo, strict=True))
        pool = tuple(by_id[i] for i in quantity_on)
        price_key = tuple(by_id[i] for i in price_on)
        if pool not in pool_quantity:
            pool_quantity[pool] = 0 if state == "sold_out" else _quantity(rng)
        if price_key not in group_price:
            group_price[price_key] = _price(rng)
        if sku_on:
            sku = f"SKU-{index + 1:05d}-{n + 1}"
        else:
            sku = "" if missing_skus else f"SKU-{index + 1:05d}"
        property_values = [
            PropertyValue(
                property_id=spec.property_id,
                property_name=spec.name,
                values=[value],
                value_ids=[shop.value_id(spec.property_id, value)],
            )
            for (spec, _), value in zip(props, combo, strict=True)
        ]
        enabled = not (len(combos) > 1 and rng.random() < 0.05)
        offering = Offering(
            offering_id=shop.new_offering_id(),
            price=group_price[price_key],
            quantity=pool_quantity[pool],
            is_enabled=enabled,
            readiness_state_id=readiness,
        )
        products.append(Product(shop.new_product_id(), sku, property_values, [offering]))
    inventory = Inventory(products, price_on, quantity_on, sku_on, [])
    if state != "sold_out" and inventory.total_quantity() == 0:
        first = next((p for p in products if p.offering.is_enabled), products[0])
        first.offering.is_enabled = True
        inventory.set_pool_quantity(first, rng.randint(1, 10))
    return inventory


def _pick_on_property(rng: random.Random, ids: list[int], *, all_weight: float) -> list[int]:
    """Which properties an attribute varies by: all of them, one of them, or none."""
    if not ids:
        return []
    if rng.random() < all_weight:
        return list(ids)
    if len(ids) > 1 and rng.random() < 0.5:
        return [rng.choice(ids)]
    return []

"""What happens on etsy.com behind the client's back: buyers buy, the seller edits.

Why: a sync engine is only correct if it copes with the shop changing between its
reads and its writes. Reliability tests call these functions (through
``FakeEtsyServer``) to make a buyer purchase stock, to make the seller change a
quantity or price in Etsy's web editor, or to add, delete and re-state listings.

Products are chosen by SKU and/or by property values (``{"Primary color": "Red"}``,
keys are property names or property ids as strings); a simple listing needs neither.

Every purchase also records an order (a ``Receipt`` with one ``Transaction``, see
``receipts``), and ``cancel_order`` cancels one, with or without putting the stock back.

Assumptions: a purchase only changes stock (ids stay); a seller edit in Etsy's web
editor re-saves the whole inventory, so it REGENERATES product and offering ids like
an API PUT (not documented by Etsy; pass ``regenerate_ids=False`` to keep them). Both keep stock
pools and price groups consistent (every product sharing a pool changes together). A
purchase that empties an active listing makes it ``sold_out``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal

from fake_etsy.generator import make_listing
from fake_etsy.inventory import MAX_QUANTITY, validate_inventory
from fake_etsy.model import JsonDict, Listing, Product
from fake_etsy.receipts import Receipt, Transaction, Variation
from fake_etsy.shop import ShopState


def _listing(shop: ShopState, listing_id: int) -> Listing:
    listing = shop.listings.get(listing_id)
    if listing is None:
        raise KeyError(f"no listing {listing_id}")
    return listing


def find_products(
    listing: Listing, *, sku: str | None = None, property_values: Mapping[str, str] | None = None
) -> list[Product]:
    """Products of ``listing`` matching the SKU and/or property values (all if neither)."""
    matches = []
    for product in listing.inventory.products:
        if sku is not None and product.sku != sku:
            continue
        if property_values:
            values = product.value_map()
            if any(values.get(key) != value for key, value in property_values.items()):
                continue
        matches.append(product)
    return matches


def _one_product(
    listing: Listing, sku: str | None, property_values: Mapping[str, str] | None
) -> Product:
    matches = find_products(listing, sku=sku, property_values=property_values)
    if not matches:
        raise LookupError(f"listing {listing.listing_id} has no product matching that selection")
    if len(matches) > 1:
        raise LookupError(
            f"listing {listing.listing_id}: {len(matches)} products match; "
            "give property_values (and/or a distinct sku)"
        )
    return matches[0]


def simulate_purchase(
    shop: ShopState,
    listing_id: int,
    quantity: int = 1,
    *,
    sku: str | None = None,
    property_values: Mapping[str, str] | None = None,
) -> JsonDict:
    """A buyer buys ``quantity`` of one product; returns the inventory JSON afterwards.

    Raises ``KeyError`` (no such listing), ``LookupError`` (no single matching product)
    or ``ValueError`` (listing not active, offering disabled, not enough stock).
    """
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    with shop.lock:
        listing = _listing(shop, listing_id)
        if listing.state != "active":
            raise ValueError(f"listing {listing_id} is {listing.state}; buyers cannot buy it")
        product = _one_product(listing, sku, property_values)
        offering = product.offering
        if not offering.is_enabled:
            raise ValueError("that variation is not offered (disabled)")
        if offering.quantity < quantity:
            raise ValueError(f"only {offering.quantity} in stock")
        listing.inventory.set_pool_quantity(product, offering.quantity - quantity)
        now = shop.now()
        listing.touch(now)
        if listing.quantity == 0:
            listing.set_state("sold_out", now)
        _record_order(shop, listing, product, quantity, now)
        return listing.inventory.to_json(shop.currency_code)


def _record_order(
    shop: ShopState, listing: Listing, product: Product, quantity: int, now: int
) -> Receipt:
    """The order a purchase leaves behind: one receipt, one transaction."""
    receipt_id = shop.new_order_id()
    transaction = Transaction(
        transaction_id=shop.new_order_id(),
        receipt_id=receipt_id,
        listing_id=listing.listing_id,
        product_id=product.product_id,
        sku=product.sku,
        title=listing.title,
        quantity=quantity,
        price=product.offering.price,
        created=now,
        variations=[
            Variation(pv.property_id, pv.value_ids[0] if pv.value_ids else None, name, value)
            for pv in product.property_values
            for name, value in [(pv.property_name or str(pv.property_id), "/".join(pv.values))]
        ],
        product_data=[pv.to_json() for pv in product.property_values],
    )
    receipt = Receipt(receipt_id, created=now, updated=now, transactions=[transaction])
    shop.receipts.append(receipt)
    return receipt


def last_receipt_id(shop: ShopState) -> int:
    """The id of the newest order (``LookupError`` when there is none)."""
    with shop.lock:
        if not shop.receipts:
            raise LookupError("the shop has no orders")
        return shop.receipts[-1].receipt_id


def cancel_order(shop: ShopState, receipt_id: int, *, restock: bool) -> None:
    """The order is canceled; ``restock`` puts its quantities back on the listings.

    Etsy does not document whether a cancellation restocks (both happen, by the
    seller's choice in the cancel dialog), so tests can play either.  A listing
    or product that no longer exists is simply not restocked.
    """
    with shop.lock:
        receipt = next((r for r in shop.receipts if r.receipt_id == receipt_id), None)
        if receipt is None:
            raise KeyError(f"no receipt {receipt_id}")
        if receipt.canceled:
            raise ValueError(f"receipt {receipt_id} is already canceled")
        now = shop.now()
        receipt.status = "canceled"
        receipt.updated = max(now, receipt.updated)
        if not restock:
            return
        for line in receipt.transactions:
            listing = shop.listings.get(line.listing_id)
            if listing is None:
                continue
            values = {v.name: v.value for v in line.variations}
            matches = find_products(listing, property_values=values or None)
            if len(matches) == 1:
                product = matches[0]
                listing.inventory.set_pool_quantity(
                    product, min(MAX_QUANTITY, product.offering.quantity + line.quantity)
                )
                listing.touch(now)


def seller_edit(
    shop: ShopState,
    listing_id: int,
    *,
    sku: str | None = None,
    property_values: Mapping[str, str] | None = None,
    quantity: int | None = None,
    price: Decimal | str | float | None = None,
    regenerate_ids: bool = True,
) -> JsonDict:
    """The seller changes quantity and/or price on etsy.com; returns the inventory JSON.

    Without ``sku``/``property_values`` every product of the listing is edited.
    """
    if quantity is not None and not 0 <= quantity <= MAX_QUANTITY:
        raise ValueError("quantity must be between 0 and 999")
    new_price = Decimal(str(price)).quantize(Decimal("0.01")) if price is not None else None
    with shop.lock:
        listing = _listing(shop, listing_id)
        targets = find_products(listing, sku=sku, property_values=property_values)
        if not targets:
            raise LookupError(f"listing {listing_id} has no product matching that selection")
        for product in targets:
            if quantity is not None:
                listing.inventory.set_pool_quantity(product, quantity)
            if new_price is not None:
                listing.inventory.set_group_price(product, new_price)
        if regenerate_ids:
            for product in listing.inventory.products:
                product.product_id = shop.new_product_id()
                for offering in product.offerings:
                    offering.offering_id = shop.new_offering_id()
        now = shop.now()
        listing.touch(now)
        if listing.state == "active" and listing.quantity == 0:
            listing.set_state("sold_out", now)
        return listing.inventory.to_json(shop.currency_code)


def seller_replace_inventory(shop: ShopState, listing_id: int, body: object) -> JsonDict:
    """The seller rebuilds the inventory in Etsy's editor (PUT-shaped ``body``)."""
    data = validate_inventory(body, max_properties=3)
    with shop.lock:
        _listing(shop, listing_id)
        return shop.replace_inventory(listing_id, data)


def add_listing(
    shop: ShopState,
    rng: random.Random,
    *,
    kind: str | None = None,
    state: str = "active",
    title: str | None = None,
    inventory: object | None = None,
) -> int:
    """The seller creates a listing (generated, or with a PUT-shaped ``inventory``)."""
    with shop.lock:
        listing = make_listing(
            shop, rng, index=len(shop.listings), state=state, kind=kind, title=title
        )
        if inventory is not None:
            listing.inventory = shop.build_inventory(
                validate_inventory(inventory, max_properties=3)
            )
        now = shop.now()
        listing.created_timestamp = listing.updated_timestamp = listing.state_timestamp = now
        shop.add(listing)
        return listing.listing_id


def delete_listing(shop: ShopState, listing_id: int) -> None:
    """The seller deletes a listing; it 404s from then on."""
    with shop.lock:
        _listing(shop, listing_id)
        del shop.listings[listing_id]

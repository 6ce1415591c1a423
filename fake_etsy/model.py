"""The shop state model: listings, their inventory, and how Etsy renders them as JSON.

Why: the fake must answer with exactly the shapes of Etsy's OpenAPI document
(``ShopListing``, ``ListingInventory``, ``Money``) while keeping prices exact.
Prices are stored as :class:`~decimal.Decimal` currency units and rendered as
``Money {amount, divisor: 100, currency_code}``; nothing here ever rounds a float.

Derived listing fields follow the ShopListing schema of the Open API v3 reference: the
listing ``price`` is the lowest enabled offering price and the listing ``quantity`` is
the sum of enabled stock. Assumption (Etsy documents nothing here; the strict choice):
when several products share one stock pool (quantity does
not vary by some property, i.e. it is missing from ``quantity_on_property``), every
offering in the pool reports the pool's quantity and the pool is counted ONCE in the
listing quantity. For simple listings and listings whose quantity varies by every
property this is exactly "the sum of enabled offering quantities".

Timestamps are whole seconds from the injectable clock, like Etsy's: every change sets
``last_modified_timestamp``/``updated_timestamp`` to "now" (never backwards), so two
changes within the same second share a timestamp, as they would on Etsy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

PRICE_DIVISOR = 100
LISTING_STATES = ("active", "inactive", "sold_out", "draft", "expired")

JsonDict = dict[str, Any]


def money_json(price: Decimal, currency_code: str) -> JsonDict:
    """Etsy's ``Money`` object for an exact price in currency units."""
    amount = price * PRICE_DIVISOR
    if amount != amount.to_integral_value():
        raise ValueError(f"price {price} has more than two decimal places")
    return {"amount": int(amount), "divisor": PRICE_DIVISOR, "currency_code": currency_code}


@dataclass
class PropertyValue:
    """One variation value of a product, e.g. Primary color = Red."""

    property_id: int
    property_name: str | None
    values: list[str]
    value_ids: list[int]
    scale_id: int | None = None
    scale_name: str | None = None

    def to_json(self) -> JsonDict:
        return {
            "property_id": self.property_id,
            "property_name": self.property_name,
            "scale_id": self.scale_id,
            "scale_name": self.scale_name,
            "value_ids": list(self.value_ids),
            "values": list(self.values),
        }


@dataclass
class Offering:
    """The sellable offer of a product: price, stock and visibility."""

    offering_id: int
    price: Decimal
    quantity: int
    is_enabled: bool = True
    readiness_state_id: int | None = None

    def to_json(self, currency_code: str) -> JsonDict:
        return {
            "offering_id": self.offering_id,
            "quantity": self.quantity,
            "is_enabled": self.is_enabled,
            "is_deleted": False,
            "price": money_json(self.price, currency_code),
            "readiness_state_id": self.readiness_state_id,
        }


@dataclass
class Product:
    """One variation combination (or the only product of a simple listing)."""

    product_id: int
    sku: str
    property_values: list[PropertyValue]
    offerings: list[Offering]

    @property
    def offering(self) -> Offering:
        """The product's single offering (Etsy has exactly one per product)."""
        return self.offerings[0]

    def values_for(self, property_ids: Iterable[int]) -> tuple[str, ...]:
        """The value names of the given properties, in the given order."""
        by_id = {pv.property_id: pv for pv in self.property_values}
        return tuple("/".join(by_id[pid].values) if pid in by_id else "" for pid in property_ids)

    def value_map(self) -> dict[str, str]:
        """``property_name -> value`` (and ``str(property_id) -> value``) for matching."""
        result: dict[str, str] = {}
        for pv in self.property_values:
            value = "/".join(pv.values)
            result[str(pv.property_id)] = value
            if pv.property_name:
                result[pv.property_name] = value
        return result

    def to_json(self, currency_code: str, *, show_sku: bool) -> JsonDict:
        return {
            "product_id": self.product_id,
            "sku": self.sku if show_sku else "",
            "is_deleted": False,
            "offerings": [o.to_json(currency_code) for o in self.offerings],
            "property_values": [pv.to_json() for pv in self.property_values],
        }


@dataclass
class Inventory:
    """A listing's full inventory record, as getListingInventory returns it."""

    products: list[Product]
    price_on_property: list[int] = field(default_factory=list)
    quantity_on_property: list[int] = field(default_factory=list)
    sku_on_property: list[int] = field(default_factory=list)
    readiness_state_on_property: list[int] = field(default_factory=list)

    def pool_key(self, product: Product) -> tuple[str, ...]:
        """Which stock pool a product draws from (see the module docstring)."""
        return product.values_for(self.quantity_on_property)

    def pools(self) -> dict[tuple[str, ...], list[Product]]:
        """Products grouped by the stock pool they share."""
        grouped: dict[tuple[str, ...], list[Product]] = {}
        for product in self.products:
            grouped.setdefault(self.pool_key(product), []).append(product)
        return grouped

    def set_pool_quantity(self, product: Product, quantity: int) -> None:
        """Set the stock of ``product``'s pool (every product sharing it changes too)."""
        pool = self.pool_key(product)
        for other in self.products:
            if self.pool_key(other) == pool:
                other.offering.quantity = quantity

    def set_group_price(self, product: Product, price: Decimal) -> None:
        """Set the price of ``product`` and of every product sharing its price."""
        group = product.values_for(self.price_on_property)
        for other in self.products:
            if other.values_for(self.price_on_property) == group:
                other.offering.price = price

    def total_quantity(self) -> int:
        """Listing-level quantity: enabled stock, each shared pool counted once."""
        total = 0
        for members in self.pools().values():
            enabled = [p.offering.quantity for p in members if p.offering.is_enabled]
            if enabled:
                total += max(enabled)
        return total

    def min_price(self) -> Decimal:
        """Listing-level price: the lowest enabled offering price (any, if none enabled)."""
        enabled = [p.offering.price for p in self.products if p.offering.is_enabled]
        prices = enabled or [p.offering.price for p in self.products]
        return min(prices)

    def skus(self) -> list[str]:
        """Distinct non-empty SKUs in product order."""
        seen: list[str] = []
        for product in self.products:
            if product.sku and product.sku not in seen:
                seen.append(product.sku)
        return seen

    @property
    def has_variations(self) -> bool:
        return any(p.property_values for p in self.products)

    def to_json(self, currency_code: str, *, show_skus: bool = True) -> JsonDict:
        return {
            "products": [p.to_json(currency_code, show_sku=show_skus) for p in self.products],
            "price_on_property": list(self.price_on_property),
            "quantity_on_property": list(self.quantity_on_property),
            "sku_on_property": list(self.sku_on_property),
            "readiness_state_on_property": list(self.readiness_state_on_property),
        }


@dataclass
class Listing:
    """One shop listing with the fields a sync client reads."""

    listing_id: int
    shop_id: int
    user_id: int
    title: str
    description: str
    state: str
    created_timestamp: int
    updated_timestamp: int
    state_timestamp: int
    inventory: Inventory
    tags: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    shop_section_id: int | None = None
    readiness_state_id: int | None = None
    shipping_profile_id: int | None = None
    return_policy_id: int | None = None
    taxonomy_id: int | None = None
    listing_type: str = "physical"
    should_auto_renew: bool = True
    num_favorers: int = 0
    views: int = 0

    @property
    def quantity(self) -> int:
        return self.inventory.total_quantity()

    @property
    def price(self) -> Decimal:
        return self.inventory.min_price()

    def touch(self, now: int) -> None:
        """Record a change: Etsy moves ``last_modified``/``updated`` on every edit."""
        self.updated_timestamp = max(now, self.updated_timestamp)

    def set_state(self, state: str, now: int) -> None:
        if state != self.state:
            self.state = state
            self.state_timestamp = now
        self.touch(now)

    # Long because it is one flat JSON object, field by field as the spec lists them.
    def to_json(
        self,
        currency_code: str,
        *,
        show_skus: bool,
        includes: Sequence[str] = (),
        shop_json: JsonDict | None = None,
    ) -> JsonDict:
        """The ``ShopListingWithAssociations`` JSON; ``includes`` adds associations."""
        ending = self.created_timestamp + 120 * 86400
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:60]
        data: JsonDict = {
            "listing_id": self.listing_id,
            "user_id": self.user_id,
            "shop_id": self.shop_id,
            "title": self.title,
            "description": self.description,
            "state": self.state,
            "creation_timestamp": self.created_timestamp,
            "created_timestamp": self.created_timestamp,
            "ending_timestamp": max(ending, self.updated_timestamp),
            "original_creation_timestamp": self.created_timestamp,
            "last_modified_timestamp": self.updated_timestamp,
            "updated_timestamp": self.updated_timestamp,
            "state_timestamp": self.state_timestamp,
            "quantity": self.quantity,
            "shop_section_id": self.shop_section_id,
            "featured_rank": -1,
            "url": f"https://www.etsy.com/listing/{self.listing_id}/{slug}",
            "num_favorers": self.num_favorers,
            "non_taxable": False,
            "is_taxable": True,
            "is_customizable": False,
            "is_personalizable": False,
            "listing_type": self.listing_type,
            "tags": list(self.tags),
            "materials": list(self.materials),
            "shipping_profile_id": self.shipping_profile_id,
            "return_policy_id": self.return_policy_id,
            "processing_min": None,
            "processing_max": None,
            "who_made": "i_did",
            "when_made": "made_to_order",
            "is_supply": False,
            "item_weight": None,
            "item_weight_unit": "oz",
            "item_length": None,
            "item_width": None,
            "item_height": None,
            "item_dimensions_unit": "in",
            "is_private": False,
            "style": [],
            "file_data": "",
            "has_variations": self.inventory.has_variations,
            "should_auto_renew": self.should_auto_renew,
            "language": "en-US",
            "price": money_json(self.price, currency_code),
            "taxonomy_id": self.taxonomy_id,
            "readiness_state_id": self.readiness_state_id,
            "skus": self.inventory.skus() if show_skus else [],
            "views": self.views,
        }
        if "Inventory" in includes:
            data["inventory"] = self.inventory.to_json(currency_code, show_skus=show_skus)
        if "Images" in includes:
            data["images"] = []
        if "Videos" in includes:
            data["videos"] = []
        if "Shop" in includes and shop_json is not None:
            data["shop"] = shop_json
        return data

"""The fake shop's state: one lock around every listing, plus the id allocators.

Why: the HTTP server answers requests on many threads while tests mutate the shop
(purchases, seller edits) from another. Every read renders JSON and every write
changes the model under the single ``ShopState.lock`` (re-entrant), so a client never
sees half an inventory.

Ids come from shop-wide counters and are never reused, so a regenerated
``product_id``/``offering_id`` can never collide with one a client saw earlier.
Property ``value_ids`` are kept STABLE per (property_id, value name) by default: the
fake's choice, because clients only report that they change
(https://github.com/etsy/open-api/issues/432). Pass
``regenerate_value_ids=True`` to hand out fresh value ids on every write instead (the
hostile variant, for clients that must not key on them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any

from fake_etsy.clock import Clock
from fake_etsy.errors import bad_request, not_found
from fake_etsy.inventory import InventoryInput
from fake_etsy.model import (
    LISTING_STATES,
    Inventory,
    JsonDict,
    Listing,
    Offering,
    Product,
    PropertyValue,
)
from fake_etsy.receipts import Receipt

SORT_KEYS = ("created", "price", "updated", "score")
DESCENDING = ("desc", "descending", "down")


class ShopState:
    """All listings of the one fake shop, guarded by ``lock``."""

    def __init__(
        self,
        *,
        shop_id: int,
        user_id: int,
        shop_name: str,
        clock: Clock,
        currency_code: str = "USD",
        regenerate_value_ids: bool = False,
    ) -> None:
        self.shop_id = shop_id
        self.user_id = user_id
        self.shop_name = shop_name
        self.currency_code = currency_code
        self.regenerate_value_ids = regenerate_value_ids
        self.created_timestamp = int(clock()) - 400 * 86400
        self.lock = threading.RLock()
        self.listings: dict[int, Listing] = {}
        self._clock = clock
        self._next_listing_id = 1_400_000_001
        self._next_product_id = 10_000_000_001
        self._next_offering_id = 20_000_000_001
        self._next_value_id = 3_000_000_001
        self._next_order_id = 3_100_000_001  # receipt and transaction ids (one counter)
        self.receipts: list[Receipt] = []  # orders, see ``receipts`` and ``hooks``
        self._value_ids: dict[tuple[int, str], int] = {}
        # (state, sort_on) -> (sort keys seen, positions in sorted order); see listings_page.
        self._orders: dict[tuple[str, str], tuple[list[Any], list[int]]] = {}

    # -- time and ids -----------------------------------------------------------------

    def now(self) -> int:
        return int(self._clock())

    def new_listing_id(self) -> int:
        with self.lock:
            self._next_listing_id += 7
            return self._next_listing_id

    def new_product_id(self) -> int:
        with self.lock:
            self._next_product_id += 1
            return self._next_product_id

    def new_offering_id(self) -> int:
        with self.lock:
            self._next_offering_id += 1
            return self._next_offering_id

    def new_order_id(self) -> int:
        """A fresh receipt or transaction id (never reused)."""
        with self.lock:
            self._next_order_id += 3
            return self._next_order_id

    def value_id(self, property_id: int, value: str) -> int:
        """The value id for a value name (stable unless ``regenerate_value_ids``)."""
        with self.lock:
            key = (property_id, value.casefold())
            if self.regenerate_value_ids or key not in self._value_ids:
                self._next_value_id += 1
                self._value_ids[key] = self._next_value_id
            return self._value_ids[key]

    # -- lookups ----------------------------------------------------------------------

    def get(self, listing_id: int) -> Listing:
        """The listing, or a 404 ``ApiError``. Call with ``lock`` held."""
        listing = self.listings.get(listing_id)
        if listing is None:
            raise not_found(f"Listing {listing_id} not found")
        return listing

    def listing_ids(self, state: str | None = None) -> list[int]:
        with self.lock:
            return [
                lid for lid, item in self.listings.items() if state is None or item.state == state
            ]

    def shop_json(self) -> JsonDict:
        """Etsy's ``Shop`` resource for this shop."""
        with self.lock:
            active = sum(1 for item in self.listings.values() if item.state == "active")
            updated = max((item.updated_timestamp for item in self.listings.values()), default=0)
        updated = max(updated, self.created_timestamp)
        return {
            "shop_id": self.shop_id,
            "user_id": self.user_id,
            "shop_name": self.shop_name,
            "create_date": self.created_timestamp,
            "created_timestamp": self.created_timestamp,
            "title": f"{self.shop_name}: handmade things",
            "announcement": None,
            "currency_code": self.currency_code,
            "is_vacation": False,
            "vacation_message": None,
            "sale_message": None,
            "digital_sale_message": None,
            "update_date": updated,
            "updated_timestamp": updated,
            "listing_active_count": active,
            "digital_listing_count": 0,
            "login_name": self.shop_name.lower(),
            "accepts_custom_requests": False,
            "url": f"https://www.etsy.com/shop/{self.shop_name}",
            "num_favorers": 0,
            "languages": ["en-US"],
            "is_using_structured_policies": True,
            "has_onboarded_structured_policies": True,
            "include_dispute_form_link": False,
            "is_direct_checkout_onboarded": True,
            "is_etsy_payments_onboarded": True,
            "is_calculated_eligible": True,
            "is_opted_in_to_buyer_promise": False,
            "is_shop_us_based": True,
            "transaction_sold_count": 0,
            "shipping_from_country_iso": "US",
            "shop_location_country_iso": "US",
            "review_count": 0,
            "review_average": None,
        }

    def render_listing(
        self, listing: Listing, *, show_skus: bool, includes: Sequence[str] = ()
    ) -> JsonDict:
        shop = self.shop_json() if "Shop" in includes else None
        return listing.to_json(
            self.currency_code, show_skus=show_skus, includes=includes, shop_json=shop
        )

    def listings_page(
        self,
        *,
        state: str,
        limit: int,
        offset: int,
        sort_on: str = "created",
        sort_order: str = "desc",
        includes: Sequence[str] = (),
        show_skus: bool = True,
    ) -> JsonDict:
        """getListingsByShop: ``count`` is the total in ``state``, ``results`` one page."""
        with self.lock:
            matching = [item for item in self.listings.values() if item.state == state]
            # Sorting thousands of listings for every page made the fake, not the
            # client, the slowest part of reading a big shop.  The order is reused
            # while every sort key is unchanged; keys end in the listing id, so
            # equal keys mean exactly the same order.
            key = _sort_key(sort_on)
            keys = [key(item) for item in matching]
            cached = self._orders.get((state, sort_on))
            if cached is None or cached[0] != keys:
                cached = (keys, sorted(range(len(keys)), key=keys.__getitem__))
                self._orders[(state, sort_on)] = cached
            positions = cached[1][::-1] if sort_order in DESCENDING else cached[1]
            page = [matching[i] for i in positions[offset : offset + limit]]
            results = [self.render_listing(i, show_skus=show_skus, includes=includes) for i in page]
            return {"count": len(matching), "results": results}

    def listings_batch(
        self,
        listing_ids: Iterable[int],
        *,
        includes: Sequence[str] = (),
        show_skus: bool,
        all_required: bool,
    ) -> JsonDict:
        """Batch lookups; with ``all_required`` one unknown id is a 404 for the whole call."""
        with self.lock:
            results = []
            for listing_id in listing_ids:
                listing = self.listings.get(listing_id)
                if listing is None:
                    if all_required:
                        raise not_found(f"Listing {listing_id} not found")
                    continue
                results.append(self.render_listing(listing, show_skus=show_skus, includes=includes))
            return {"count": len(results), "results": results}

    def inventory_json(self, listing_id: int, *, show_skus: bool = True) -> JsonDict:
        """getListingInventory's body: plain JSON, safe to keep after the lock is released."""
        with self.lock:
            return self.get(listing_id).inventory.to_json(self.currency_code, show_skus=show_skus)

    # -- writes -----------------------------------------------------------------------

    def add(self, listing: Listing) -> None:
        with self.lock:
            self.listings[listing.listing_id] = listing

    def delete(self, listing_id: int) -> None:
        with self.lock:
            self.get(listing_id)
            del self.listings[listing_id]

    def set_state(self, listing_id: int, state: str) -> None:
        """Change state directly (a seller action on etsy.com; no API rules applied)."""
        if state not in LISTING_STATES:
            raise ValueError(f"unknown listing state {state!r}")
        with self.lock:
            listing = self.listings.get(listing_id)
            if listing is None:
                raise KeyError(f"no listing {listing_id}")
            listing.set_state(state, self.now())

    def build_inventory(self, data: InventoryInput) -> Inventory:
        """A model inventory from a validated body, with freshly generated ids."""
        products = []
        for item in data.products:
            values = [
                PropertyValue(
                    property_id=pv.property_id,
                    property_name=pv.property_name,
                    values=[pv.value],
                    value_ids=[self.value_id(pv.property_id, pv.value)],
                    scale_id=pv.scale_id,
                    scale_name=None,
                )
                for pv in item.property_values
            ]
            offering = Offering(
                offering_id=self.new_offering_id(),
                price=item.offering.price,
                quantity=item.offering.quantity,
                is_enabled=item.offering.is_enabled,
                readiness_state_id=item.offering.readiness_state_id,
            )
            products.append(
                Product(
                    product_id=self.new_product_id(),
                    sku=item.sku,
                    property_values=values,
                    offerings=[offering],
                )
            )
        return Inventory(
            products=products,
            price_on_property=list(data.price_on_property),
            quantity_on_property=list(data.quantity_on_property),
            sku_on_property=list(data.sku_on_property),
            readiness_state_on_property=list(data.readiness_state_on_property),
        )

    def replace_inventory(self, listing_id: int, data: InventoryInput) -> JsonDict:
        """updateListingInventory: FULL replace, new product and offering ids every time.

        State follows stock: an ``active`` listing whose enabled stock is now 0 becomes
        ``sold_out``. Assumption (Etsy does not document it): restocking a ``sold_out`` listing does
        NOT reactivate it; the client must send updateListing ``state=active`` (as the
        seller must "renew" on etsy.com). That is the strict choice.
        """
        with self.lock:
            listing = self.get(listing_id)
            listing.inventory = self.build_inventory(data)
            now = self.now()
            listing.touch(now)
            offering_readiness = data.products[0].offering.readiness_state_id
            if offering_readiness is not None:
                listing.readiness_state_id = offering_readiness
            if listing.state == "active" and listing.quantity == 0:
                listing.set_state("sold_out", now)
            return listing.inventory.to_json(self.currency_code)

    def update_listing(self, listing_id: int, fields: dict[str, str]) -> JsonDict:
        """updateListing (PATCH): title, description, tags and state; never price/quantity.

        Since June 2022 Etsy ignores price and quantity here (the 3.0.0 general release
        notes of 2022-06-06; etsy/open-api#582), so they are
        silently ignored. ``state=active`` needs stock: activating a listing whose
        enabled quantity is 0 is a 400 (assumption, the strict choice).
        """
        with self.lock:
            listing = self.get(listing_id)
            now = self.now()
            if "title" in fields:
                title = fields["title"].strip()
                if not title:
                    raise bad_request("title cannot be empty")
                listing.title = title
            if "description" in fields:
                listing.description = fields["description"]
            if "tags" in fields:
                listing.tags = [t.strip() for t in fields["tags"].split(",") if t.strip()]
            if "should_auto_renew" in fields:
                listing.should_auto_renew = fields["should_auto_renew"].lower() in ("true", "1")
            if "state" in fields:
                state = fields["state"]
                if state not in ("active", "inactive"):
                    raise bad_request("state must be one of: active, inactive")
                if state == "active" and listing.quantity == 0:
                    raise bad_request("Cannot activate a listing with quantity 0")
                listing.set_state(state, now)
            listing.touch(now)
            return self.render_listing(listing, show_skus=True)


def _sort_key(sort_on: str) -> Callable[[Listing], Any]:
    """The sort key for getListingsByShop's ``sort_on`` (ties broken by listing id)."""
    if sort_on == "price":
        return lambda listing: (listing.price, listing.listing_id)
    if sort_on == "updated":
        return attrgetter("updated_timestamp", "listing_id")
    return attrgetter("created_timestamp", "listing_id")

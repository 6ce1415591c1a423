"""What a listing read from Etsy becomes in ``etsy_products`` and ``etsy_stock_pools``.

Pure conversion, no database: the listing sync turns thousands of listings into
row dicts and writes them with bulk upserts, and the conversion rules are worth
testing on their own:

* ``sku`` on the listing row is set only when the listing has exactly ONE
  distinct non-empty SKU (a simple listing, or variations sharing a SKU); a
  listing with several SKUs has them on its pools instead.
* a pool's ``price`` is the lowest price among its live offerings (what a buyer
  pays at least); ``etsy_quantity`` / ``etsy_enabled`` come from ``pools_of``.
* a listing whose pools cannot be told apart (``AmbiguousInventoryError``) or
  that came without an inventory keeps its existing pool rows untouched: the
  sync cannot say which pool is which, so it changes nothing it cannot know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from etsysync_gui.etsy.models import Inventory, Listing
from etsysync_gui.sync.inventory.pools import AmbiguousInventoryError, StockPool, pools_of

NO_INVENTORY = "Etsy returned no inventory for this listing; its stock cannot be synced"


@dataclass(frozen=True, slots=True)
class ReadPool:
    """One stock pool of a listing as just read from Etsy."""

    key: str
    label: str
    sku: str | None
    quantity: int
    enabled: bool
    price: Decimal | None


@dataclass(frozen=True, slots=True)
class ReadListing:
    """A listing as just read, with its pools; ``pools`` is ``None`` when unknown.

    ``problem`` explains why the pools are unknown; ``ambiguous`` says the
    reason is an inventory whose pools cannot be told apart.
    """

    listing: Listing
    pools: tuple[ReadPool, ...] | None
    problem: str | None = None
    ambiguous: bool = False
    stock_pools: tuple[StockPool, ...] | None = None  # as computed, so planning reuses them

    @property
    def listing_id(self) -> int:
        return self.listing.listing_id


def read_listing(listing: Listing) -> ReadListing:
    """The listing with its pools computed (see the module notes)."""
    inventory = listing.inventory
    if inventory is None:
        return ReadListing(listing, None, NO_INVENTORY)
    try:
        pools = pools_of(inventory)
    except AmbiguousInventoryError as exc:
        return ReadListing(listing, None, exc.message, ambiguous=True)
    read = tuple(_read_pool(inventory, pool) for pool in pools)
    return ReadListing(listing, read, stock_pools=pools)


def _read_pool(inventory: Inventory, pool: StockPool) -> ReadPool:
    prices = [
        offering.price
        for index in pool.product_indexes
        for offering in inventory.products[index].live_offerings
    ]
    return ReadPool(
        key=pool.key,
        label=pool.label,
        sku=pool.sku,
        quantity=pool.quantity,
        enabled=pool.enabled,
        price=min(prices) if prices else None,
    )


def single_sku(listing: Listing) -> str | None:
    """The listing's SKU when it has exactly one distinct non-empty SKU."""
    if listing.inventory is not None:
        skus = {p.sku for p in listing.inventory.live_products if p.sku}
    else:
        skus = {s for s in listing.skus if s}
    return next(iter(skus)) if len(skus) == 1 else None


def epoch_to_datetime(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


LISTING_UPDATE_COLUMNS = (
    "shop_id",
    "title",
    "description",
    "price",
    "quantity",
    "sku",
    "state",
    "url",
    "has_variations",
    "etsy_last_modified_at",
    "last_synced_at",
    "sync_status",
    "missing_since",
    "link_problem",
    "sync_error",
    "etsy_digest",
    "updated_at",
)


def listing_row(
    read: ReadListing, *, shop_id: int, link_problem: str | None, now: datetime
) -> dict[str, Any]:
    """The ``etsy_products`` row (insert values; ``LISTING_UPDATE_COLUMNS`` on conflict)."""
    listing = read.listing
    return {
        "etsy_listing_id": listing.listing_id,
        "shop_id": shop_id,
        "title": listing.title,
        "description": listing.description,
        "price": listing.price,
        "quantity": listing.quantity,
        "sku": single_sku(listing),
        "state": listing.state,
        "url": listing.url or None,
        "has_variations": listing.has_variations,
        "etsy_last_modified_at": epoch_to_datetime(listing.last_modified_timestamp),
        "last_synced_at": now,
        "sync_status": "synced",
        "missing_since": None,
        "link_problem": link_problem,
        "sync_error": read.problem,
        # Only a listing stored with its pools can be recognised as unchanged later.
        "etsy_digest": listing.digest if read.pools is not None else None,
        "deactivated_by_etsysync": False,
        "disabled_by_us": [],
        "created_at": now,
        "updated_at": now,
    }


POOL_UPDATE_COLUMNS = ("label", "sku", "etsy_quantity", "etsy_enabled", "price", "updated_at")


def pool_row(listing_id: int, pool: ReadPool, *, now: datetime) -> dict[str, Any]:
    """The ``etsy_stock_pools`` row for a pool just read (``POOL_UPDATE_COLUMNS`` on conflict)."""
    return {
        "etsy_listing_id": listing_id,
        "pool_key": pool.key,
        "label": pool.label,
        "sku": pool.sku,
        "etsy_quantity": pool.quantity,
        "etsy_enabled": pool.enabled,
        "price": pool.price,
        "first_truth": "etsy",
        "status": "unlinked",
        "created_at": now,
        "updated_at": now,
    }

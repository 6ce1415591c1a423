"""Which offerings of a listing a stock write changes, and which EtsySync remembers disabling.

Why its own step: ``put_builder`` must change nothing but ``quantity`` and ``is_enabled`` of
the offerings it means to change (updateListingInventory replaces the whole inventory,
https://developers.etsy.com/documentation/reference#operation/updateListingInventory).  This
module decides those changes per product; ``put_builder`` turns them into the body and the notes.

Rules:

* Assumption (the safe choice): a pool at 0 while others still have stock gets quantity 0 AND
  ``is_enabled=false``.  Etsy does not document whether it accepts, or shows sensibly, an
  ENABLED offering with quantity 0; a disabled one cannot be bought and is the workaround
  Etsy staff suggest for stock that reaches 0 (etsy/open-api#560).
* ...but only as part of a write EtsySync sends anyway.  A pool Etsy ALREADY holds at 0 (a
  variation that sold out on Etsy, or that the seller left at 0) is left exactly as Etsy has
  it when nothing else about the listing changes: Etsy shows it as sold out, so disabling it
  prevents no oversell, and a PUT just for that would be a write the seller never asked for
  (a first sync with "Etsy is the truth", which must only pull, wrote ~1 listing in 10 of a
  generated shop this way while reporting no pushes).
* EtsySync re-enables only offerings it disabled itself, as recorded in ``disabled_by_us``;
  an offering the seller disabled stays disabled.  An entry is the pool key when EtsySync
  disabled every live offering of the pool, or ``"<pool key>#<variant key>"`` per product
  when the seller had already disabled some of the pool (so those are not switched on later).
  Entries whose pool no longer exists (SKU or values changed on Etsy) are dropped: the
  offering then stays disabled until the seller enables it, which cannot sell stock that is
  not there.
* Etsy lists one offering per product; should a product carry several, they are treated as
  one: all disabled together, all re-enabled together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from etsysync_gui.etsy.models import Inventory, Product
from etsysync_gui.sync.inventory.pools import StockPool

ENTRY_SEPARATOR = "#"


@dataclass(slots=True)
class ProductChange:
    """What changes on one product's offerings; ``None`` keeps Etsy's value."""

    quantity: int | None = None
    enabled: bool | None = None


def entries_by_pool(
    pools: Sequence[StockPool], variants: Mapping[int, str], disabled_by_us: frozenset[str]
) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Group the remembered entries by pool; the rest are stale."""
    by_pool: dict[str, frozenset[str]] = {}
    known: set[str] = set()
    for pool in pools:
        own = {pool.key} | {_entry(pool, variants[i]) for i in pool.product_indexes}
        by_pool[pool.key] = frozenset(own & disabled_by_us)
        known |= own
    return by_pool, disabled_by_us - known


def _entry(pool: StockPool, variant_key: str) -> str:
    return f"{pool.key}{ENTRY_SEPARATOR}{variant_key}"


def is_enabled(product: Product) -> bool:
    return any(o.is_enabled for o in product.live_offerings)


def plan_changes(
    inventory: Inventory,
    pools: Sequence[StockPool],
    targets: Mapping[str, int],
    entries: Mapping[str, frozenset[str]],
    variants: Mapping[int, str],
) -> tuple[dict[int, ProductChange], set[str], bool]:
    """``(product changes, entries to remember, whether they alter Etsy)``.

    First without touching pools Etsy already holds at 0; only when that still
    writes is the full edit (which also disables them) planned (module notes).
    """
    changes, remembered = _plan_pools(inventory, pools, targets, entries, variants, True)
    writes = _alters(inventory, changes)
    if writes:
        changes, remembered = _plan_pools(inventory, pools, targets, entries, variants, False)
    return changes, remembered, writes


def _plan_pools(
    inventory: Inventory,
    pools: Sequence[StockPool],
    targets: Mapping[str, int],
    entries: Mapping[str, frozenset[str]],
    variants: Mapping[int, str],
    keep_etsy_zero: bool,
) -> tuple[dict[int, ProductChange], set[str]]:
    """Every pool's product changes and the entries to remember."""
    changes: dict[int, ProductChange] = {}
    remembered: set[str] = set()
    for pool in pools:
        remembered |= _plan_pool(
            inventory, pool, targets, entries[pool.key], variants, changes, keep_etsy_zero
        )
    return changes, remembered


def _plan_pool(
    inventory: Inventory,
    pool: StockPool,
    targets: Mapping[str, int],
    entries: frozenset[str],
    variants: Mapping[int, str],
    changes: dict[int, ProductChange],
    keep_etsy_zero: bool,
) -> set[str]:
    """Record the pool's product changes; return the entries to remember for it.

    ``keep_etsy_zero``: a pool Etsy already holds at 0 is not disabled.
    """
    quantity = targets.get(pool.key, pool.quantity)
    targeted = pool.key in targets
    for index in pool.product_indexes:
        if targeted:
            changes.setdefault(index, ProductChange()).quantity = quantity
    if quantity > 0:
        for index in pool.product_indexes:
            if pool.key in entries or _entry(pool, variants[index]) in entries:
                changes.setdefault(index, ProductChange()).enabled = True
        return set()
    if not targeted or (keep_etsy_zero and pool.quantity == 0):
        return set(entries)
    to_disable = [i for i in pool.product_indexes if is_enabled(inventory.products[i])]
    for index in to_disable:
        changes.setdefault(index, ProductChange()).enabled = False
    if pool.key in entries:
        return {pool.key}
    if not entries and len(to_disable) == len(pool.product_indexes):
        return {pool.key}
    return set(entries) | {_entry(pool, variants[i]) for i in to_disable}


def _alters(inventory: Inventory, changes: Mapping[int, ProductChange]) -> bool:
    """Whether ``changes`` differ from what Etsy holds (else there is nothing to write).

    Checked on the offerings directly: building two full PUT bodies to compare
    them cost more than the rest of planning a listing.
    """
    for index, change in changes.items():
        for offering in inventory.products[index].live_offerings:
            if change.quantity is not None and offering.quantity != change.quantity:
                return True
            if change.enabled is not None and offering.is_enabled != change.enabled:
                return True
    return False


def sellable(
    inventory: Inventory,
    pools: Sequence[StockPool],
    targets: Mapping[str, int],
    changes: Mapping[int, ProductChange],
) -> bool:
    """Whether, after the edit, some enabled offering still has stock (``put_builder`` notes)."""
    for pool in pools:
        if targets.get(pool.key, pool.quantity) < 1:
            continue
        for index in pool.product_indexes:
            change = changes.get(index)
            enabled = is_enabled(inventory.products[index])
            if change is not None and change.enabled is not None:
                enabled = change.enabled
            if enabled:
                return True
    return False

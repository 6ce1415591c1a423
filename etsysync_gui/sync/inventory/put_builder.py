"""Turn per-pool target quantities into the one inventory write Etsy accepts.

Why this is its own step: Etsy has no per-SKU or per-offering update.
updateListingInventory replaces the whole inventory
(https://developers.etsy.com/documentation/reference#operation/updateListingInventory;
the "Updating inventory" section of https://developers.etsy.com/documentation/tutorials/listings
says to send every product back).  A stock sync must therefore send back prices, SKUs, property
values and every ``*_on_property`` array exactly as read, and change nothing but ``quantity``
and ``is_enabled`` of the offerings it means to change.  The body starts from
``Inventory.to_put_body()`` (which owns the GET→PUT shape rules) and only those two fields are
touched.  Whether Etsy's answer matches the body is checked separately, in ``answer_check``.

Etsy also refuses an inventory in which no offering has quantity ≥ 1 ("One offering must have
quantity greater than 0", etsy/open-api#395; Etsy staff in #560: "There is no way in the API
to zero out all of the inventory for a listing"), so "sold out everywhere" cannot be written at
all; the seller's zero-stock policy decides what happens instead (deactivate the listing, or
leave it to sell out).

Which offerings change (quantity 0 and disabled, re-enabled when stock returns, what EtsySync
remembers having disabled) is decided in ``offering_changes``.  Here:

* A pool EtsySync writes to 0 while others still have stock gets quantity 0 AND
  ``is_enabled=false``: a disabled offering cannot be bought (etsy/open-api#395).
* ...but only a pool EtsySync writes to 0.  A pool Etsy ALREADY holds at 0 (a variation that
  sold out on Etsy, or that the seller left at 0) is left exactly as Etsy has it, enabled or
  not, even when the same PUT writes other pools: Etsy accepts an enabled offering at 0 while
  another offering of the listing has stock and shows it as sold out, so disabling it prevents
  no oversell and would hide an option the seller chose to show.  Every other field of every
  offering not being written goes back exactly as read.
* Assumption (the safe choice): "some offering has quantity ≥ 1" is read as "some ENABLED
  offering has quantity ≥ 1".  Etsy does not document whether it counts a disabled
  offering's stock; the strict reading never sends a write Etsy might refuse, and never
  leaves a listing active that nobody can buy from.
* A listing EtsySync did not deactivate is never activated by it, and a listing that is not
  active is never "deactivated by EtsySync" (so EtsySync cannot later switch on a listing the
  seller had switched off).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from etsysync_gui.errors import EXIT_PARTIAL, EtsySyncError
from etsysync_gui.etsy.models import Inventory, InventoryPut
from etsysync_gui.policies import ZeroStockPolicy
from etsysync_gui.sync.inventory.decide import ETSY_MAX_QUANTITY
from etsysync_gui.sync.inventory.offering_changes import (
    ProductChange,
    entries_by_pool,
    is_enabled,
    plan_changes,
    sellable,
)
from etsysync_gui.sync.inventory.pools import StockPool, pools_of, variant_keys_of
from etsysync_gui.sync.inventory.states import NONE_DISABLED


class UnknownPoolError(EtsySyncError):
    """A target names a stock pool this listing no longer has.

    Why an error: the link was made against variations that have since changed
    on Etsy (a new SKU, renamed values).  Writing the other pools and silently
    dropping this one would let the engine store bases for a write that never
    happened.
    """

    title = "Listing changed on Etsy"
    exit_code = EXIT_PARTIAL


@dataclass(frozen=True, slots=True)
class ListingEdit:
    """What to do with one listing on Etsy.

    ``put_body``: the full updateListingInventory body, or ``None`` when nothing
    must (or can) be written; ``deactivate`` / ``reactivate``: change the
    listing's state (after the PUT, for ``reactivate``); ``disabled_by_us``:
    the entries to remember from now on (see ``offering_changes``);
    ``left_to_sell_out``: every pool reached 0 and the listing was left as it
    is under the ``leave`` policy, Etsy keeping its last quantities;
    ``notes``: one human sentence per thing worth showing in the plan review;
    ``written``: what ``put_body`` changes on Etsy, one short phrase each, for
    the audit log (a write that is only in the notes would be invisible there).

    When ``put_body`` is ``None`` Etsy keeps its current quantities; the engine
    must store those as ``base_etsy`` (see ``decide``), not the targets.
    """

    put_body: InventoryPut | None
    deactivate: bool
    reactivate: bool
    disabled_by_us: frozenset[str]
    notes: tuple[str, ...]
    left_to_sell_out: bool = False
    written: tuple[str, ...] = ()


# Long because the docstring states the whole contract; the body is about 40 lines.
def plan_listing(
    inventory: Inventory,
    targets: Mapping[str, int],
    *,
    zero_stock_policy: ZeroStockPolicy,
    disabled_by_us: frozenset[str],
    listing_deactivated_by_us: bool = False,
    listing_active: bool = True,
    known_pools: Sequence[StockPool] | None = None,
) -> ListingEdit:
    """Decide the inventory write for ``targets`` (desired Etsy quantity per pool key).

    Pools not in ``targets`` keep their quantity, except that a pool EtsySync
    disabled is re-enabled as soon as it holds stock again.  Pass a target for
    every linked pool (``PoolDecision.new_etsy``), not only for pushed ones, so a
    pool that reached 0 is disabled consistently.

    ``listing_deactivated_by_us``: EtsySync set this listing inactive earlier
    (it reactivates it when stock returns); ``listing_active``: the listing's
    state on Etsy is ``active``; ``known_pools``: ``pools_of(inventory)`` when
    the caller has it already (it is the costliest step of planning a listing).

    Raises ``UnknownPoolError`` for a target key the listing does not have,
    ``ValueError`` for a target outside 0..999 or an unknown policy, and
    ``AmbiguousInventoryError`` (from ``pools_of``) for a listing whose pools
    cannot be told apart.
    """
    if zero_stock_policy not in tuple(ZeroStockPolicy):
        raise ValueError(f"unknown zero-stock policy {zero_stock_policy!r}")
    pools = pools_of(inventory) if known_pools is None else known_pools
    variants = variant_keys_of(inventory)
    _check_targets(pools, targets)
    notes: list[str] = []
    entries, stale = entries_by_pool(pools, variants, disabled_by_us)
    if stale:
        notes.append(
            f"Forgot {len(stale)} offering(s) EtsySync had disabled whose variation no longer "
            "exists on Etsy; they stay as they are"
        )

    changes, remembered, writes = plan_changes(inventory, pools, targets, entries, variants)
    if not pools:
        notes.append("This listing has no live variations on Etsy; nothing to write")
        return ListingEdit(None, False, False, frozenset(remembered), tuple(notes))

    if not sellable(inventory, pools, targets, changes):
        return _zero_stock(
            zero_stock_policy,
            frozenset(e for pool in pools for e in entries[pool.key]),
            notes,
            listing_deactivated_by_us=listing_deactivated_by_us,
            listing_active=listing_active,
        )

    changed, written = _change_notes(inventory, pools, targets, changes)
    notes.extend(changed)
    reactivate = listing_deactivated_by_us
    if reactivate:
        notes.append("Stock is back: the listing EtsySync deactivated will be activated again")
    body = _apply(inventory, changes) if writes else None
    return ListingEdit(
        body,
        False,
        reactivate,
        frozenset(remembered) if remembered else NONE_DISABLED,
        tuple(notes),
        written=tuple(written) if body is not None else (),
    )


# --- planning ------------------------------------------------------------------------


def _check_targets(pools: Sequence[StockPool], targets: Mapping[str, int]) -> None:
    keys = {p.key for p in pools}
    unknown = sorted(set(targets) - keys)
    if unknown:
        raise UnknownPoolError(
            "This Etsy listing no longer has the linked variation(s) "
            + ", ".join(unknown)
            + "; link them again"
        )
    for key, quantity in targets.items():
        if not 0 <= quantity <= ETSY_MAX_QUANTITY:
            raise ValueError(f"target for {key} must be 0..{ETSY_MAX_QUANTITY}, got {quantity}")


def _zero_stock(
    policy: ZeroStockPolicy,
    disabled_by_us: frozenset[str],
    notes: list[str],
    *,
    listing_deactivated_by_us: bool,
    listing_active: bool,
) -> ListingEdit:
    """Every pool would end at 0 (or only disabled offerings hold stock): write nothing."""
    deactivate = False
    left = False
    if listing_deactivated_by_us:
        notes.append("Still out of stock: the listing stays inactive until stock returns")
    elif not listing_active:
        notes.append("Out of stock everywhere; the listing is not active, so nothing to do")
    elif policy == ZeroStockPolicy.DEACTIVATE:
        deactivate = True
        notes.append(
            "Out of stock everywhere: Etsy cannot hold 0 for a whole listing, so the "
            "listing will be deactivated (EtsySync reactivates it when stock returns)"
        )
    else:
        left = True
        notes.append(
            "Out of stock everywhere: left to sell out; Etsy cannot hold 0 for a whole "
            "listing, so it keeps its last quantities"
        )
    return ListingEdit(None, deactivate, False, disabled_by_us, tuple(notes), left)


def _change_notes(
    inventory: Inventory,
    pools: Sequence[StockPool],
    targets: Mapping[str, int],
    changes: Mapping[int, ProductChange],
) -> tuple[list[str], list[str]]:
    """``(notes for the plan review, short phrases for the audit log)``."""
    notes: list[str] = []
    written: list[str] = []
    for pool in pools:
        disabled = enabled = 0
        for index in pool.product_indexes:
            change = changes.get(index)
            was = is_enabled(inventory.products[index])
            if change is not None and change.enabled is False and was:
                disabled += 1
            if change is not None and change.enabled is True and not was:
                enabled += 1
        quantity = targets.get(pool.key, pool.quantity)
        if quantity != pool.quantity:
            notes.append(f"{pool.label}: Etsy {pool.quantity} → {quantity}")
            written.append(notes[-1])
        if disabled:
            notes.append(
                f"{pool.label}: out of stock, {disabled} variation(s) disabled on Etsy "
                "(EtsySync re-enables them when stock returns)"
            )
            written.append(f"{pool.label}: {disabled} offering(s) disabled at 0")
        if enabled:
            notes.append(
                f"{pool.label}: back in stock, {enabled} variation(s) EtsySync had disabled "
                "enabled again"
            )
            written.append(f"{pool.label}: {enabled} offering(s) re-enabled, stock is back")
    return notes, written


def _apply(inventory: Inventory, changes: Mapping[int, ProductChange]) -> InventoryPut:
    """``to_put_body()`` with only quantity and is_enabled of changed offerings replaced."""
    body = inventory.to_put_body()
    live = {id(p) for p in inventory.live_products}
    positions = [i for i, p in enumerate(inventory.products) if id(p) in live]
    for put_product, index in zip(body["products"], positions, strict=True):
        change = changes.get(index)
        if change is None:
            continue
        for offering in put_product["offerings"]:
            if change.quantity is not None:
                offering["quantity"] = change.quantity
            if change.enabled is not None:
                offering["is_enabled"] = change.enabled
    return body

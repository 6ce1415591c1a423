"""Turn per-pool target quantities into the one inventory write Etsy accepts.

Why this is its own step: Etsy has no per-SKU or per-offering update; every
write replaces the WHOLE inventory (FACTS §6 pitfall 1).  A stock sync must
therefore send back prices, SKUs, property values and every ``*_on_property``
array exactly as read, and change nothing but ``quantity`` and ``is_enabled``
of the offerings it means to change.  The body starts from
``Inventory.to_put_body()`` (which owns the GET→PUT shape rules) and only those
two fields are touched.

Etsy also refuses an inventory in which no offering has quantity ≥ 1 ("One
offering must have quantity greater than 0", FACTS §6 pitfall 4), so "sold
out everywhere" cannot be written at all; the seller's zero-stock policy
decides what happens instead (deactivate the listing, or leave it to sell out).

FACTS-style notes (assumptions, chosen to be safe):

* A pool at 0 while others still have stock gets quantity 0 AND
  ``is_enabled=false``.  Whether Etsy accepts, or shows sensibly, an ENABLED
  offering with quantity 0 is **UNCONFIRMED**; a disabled one cannot be bought
  and is the documented workaround (FACTS §6 pitfall 4).
* ...but only for a pool EtsySync writes to 0.  A pool Etsy ALREADY holds at
  0 (a variation that sold out on Etsy, or that the seller left at 0) is left
  exactly as Etsy has it, enabled or not, even when the same PUT writes other
  pools: Etsy accepts an enabled offering at 0 while another offering of the
  listing has stock, and shows it as sold out, so disabling it prevents no
  oversell and would hide an option the seller chose to show.  Every other
  field of every offering not being written goes back exactly as read.  (A
  first sync with "Etsy is the truth", which must only pull, once wrote ~1
  listing in 10 of a generated shop this way; later, writing one variation's
  quantity switched another one off.)
* "Some offering has quantity ≥ 1" is read as "some ENABLED offering has
  quantity ≥ 1".  Whether Etsy counts a disabled offering's stock is
  **UNCONFIRMED**; the strict reading never sends a write Etsy might refuse,
  and never leaves a listing active that nobody can buy from.
* EtsySync re-enables only offerings it disabled itself, as recorded in
  ``disabled_by_us``; an offering the seller disabled stays disabled.  An entry
  is the pool key when EtsySync disabled every live offering of the pool, or
  ``"<pool key>#<variant key>"`` per product when the seller had already
  disabled some of the pool (so those are not switched on later).  Entries whose
  pool no longer exists (SKU or values changed on Etsy) are dropped: the
  offering then stays disabled until the seller enables it, which cannot sell
  stock that is not there.
* Etsy lists one offering per product; should a product carry several, they are
  treated as one: all disabled together, all re-enabled together.
* A listing EtsySync did not deactivate is never activated by it, and a listing
  that is not active is never "deactivated by EtsySync" (so EtsySync cannot
  later switch on a listing the seller had switched off).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from etsysync_gui.errors import EXIT_PARTIAL, EtsySyncError
from etsysync_gui.etsy.models import Inventory, InventoryPut, Product, ProductPut
from etsysync_gui.sync.inventory.decide import ETSY_MAX_QUANTITY
from etsysync_gui.sync.inventory.pools import StockPool, pools_of, variant_keys_of

ZeroStockPolicy = Literal["deactivate", "leave"]
ZERO_STOCK_POLICIES: tuple[ZeroStockPolicy, ...] = ("deactivate", "leave")
ENTRY_SEPARATOR = "#"


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
    the entries to remember from now on (see the module notes);
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


@dataclass(slots=True)
class _ProductChange:
    quantity: int | None = None
    enabled: bool | None = None


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
    if zero_stock_policy not in ZERO_STOCK_POLICIES:
        raise ValueError(f"unknown zero-stock policy {zero_stock_policy!r}")
    pools = pools_of(inventory) if known_pools is None else known_pools
    variants = variant_keys_of(inventory)
    _check_targets(pools, targets)
    notes: list[str] = []
    entries, stale = _entries_by_pool(pools, variants, disabled_by_us)
    if stale:
        notes.append(
            f"Forgot {len(stale)} offering(s) EtsySync had disabled whose variation no longer "
            "exists on Etsy; they stay as they are"
        )

    # Pools Etsy already holds at 0 are never switched off (module notes).
    changes, remembered = _plan_pools(inventory, pools, targets, entries, variants)
    writes = _alters(inventory, changes)

    if not pools:
        notes.append("This listing has no live variations on Etsy; nothing to write")
        return ListingEdit(None, False, False, frozenset(remembered), tuple(notes))

    if not _sellable(inventory, pools, targets, changes):
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
        frozenset(remembered),
        tuple(notes),
        written=tuple(written) if body is not None else (),
    )


def verify_written(before: Inventory, sent: InventoryPut, after: Inventory) -> list[str]:
    """Differences between what was sent and what Etsy now holds; ``[]`` = as intended.

    Ids (``product_id``, ``offering_id``, ``value_ids``) are ignored: Etsy
    regenerates them on every write (PAINS §3).  Products are matched by their
    property values (by position when those cannot tell them apart), so a
    different order in Etsy's answer is not a difference.  ``before`` is the
    inventory the body was built from; it tells whether Etsy ignored the write
    altogether and whether a price changed currency.
    """
    problems: list[str] = []
    got = after.to_put_body()
    for name in (
        "price_on_property",
        "quantity_on_property",
        "sku_on_property",
        "readiness_state_on_property",
    ):
        want_ids: list[int] = sent[name]
        got_ids: list[int] = got[name]
        if sorted(want_ids) != sorted(got_ids):
            problems.append(f"{name}: sent {sorted(want_ids)}, Etsy has {sorted(got_ids)}")
    pairs, missing, extra = _match_products(sent["products"], got["products"])
    for product in missing:
        problems.append(f"{_put_label(product)}: sent, but missing from Etsy's inventory")
    for product in extra:
        problems.append(f"{_put_label(product)}: on Etsy, but was not sent")
    for want, have in pairs:
        problems.extend(_product_differences(want, have))
    before_currencies = {o.currency_code for p in before.live_products for o in p.live_offerings}
    after_currencies = {o.currency_code for p in after.live_products for o in p.live_offerings}
    if before_currencies and after_currencies != before_currencies:
        problems.append(
            f"prices are now in {', '.join(sorted(after_currencies))}, "
            f"were in {', '.join(sorted(before_currencies))}"
        )
    if problems and got == before.to_put_body() and sent != got:
        problems.insert(0, "Etsy's inventory is unchanged: the write seems to have been ignored")
    return problems


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


def _entries_by_pool(
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


def _enabled(product: Product) -> bool:
    return any(o.is_enabled for o in product.live_offerings)


def _plan_pools(
    inventory: Inventory,
    pools: Sequence[StockPool],
    targets: Mapping[str, int],
    entries: Mapping[str, frozenset[str]],
    variants: Mapping[int, str],
) -> tuple[dict[int, _ProductChange], set[str]]:
    """Every pool's product changes and the entries to remember."""
    changes: dict[int, _ProductChange] = {}
    remembered: set[str] = set()
    for pool in pools:
        remembered |= _plan_pool(inventory, pool, targets, entries[pool.key], variants, changes)
    return changes, remembered


def _plan_pool(
    inventory: Inventory,
    pool: StockPool,
    targets: Mapping[str, int],
    entries: frozenset[str],
    variants: Mapping[int, str],
    changes: dict[int, _ProductChange],
) -> set[str]:
    """Record the pool's product changes; return the entries to remember for it.

    Only a pool this write takes from stock to 0 is disabled; one Etsy already
    holds at 0 keeps its ``is_enabled`` as read (module notes).
    """
    quantity = targets.get(pool.key, pool.quantity)
    targeted = pool.key in targets
    for index in pool.product_indexes:
        if targeted:
            changes.setdefault(index, _ProductChange()).quantity = quantity
    if quantity > 0:
        for index in pool.product_indexes:
            if pool.key in entries or _entry(pool, variants[index]) in entries:
                changes.setdefault(index, _ProductChange()).enabled = True
        return set()
    if not targeted or pool.quantity == 0:
        return set(entries)
    to_disable = [i for i in pool.product_indexes if _enabled(inventory.products[i])]
    for index in to_disable:
        changes.setdefault(index, _ProductChange()).enabled = False
    if pool.key in entries:
        return {pool.key}
    if not entries and len(to_disable) == len(pool.product_indexes):
        return {pool.key}
    return set(entries) | {_entry(pool, variants[i]) for i in to_disable}


def _alters(inventory: Inventory, changes: Mapping[int, _ProductChange]) -> bool:
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


def _sellable(
    inventory: Inventory,
    pools: Sequence[StockPool],
    targets: Mapping[str, int],
    changes: Mapping[int, _ProductChange],
) -> bool:
    """Whether, after the edit, some enabled offering still has stock."""
    for pool in pools:
        if targets.get(pool.key, pool.quantity) < 1:
            continue
        for index in pool.product_indexes:
            change = changes.get(index)
            enabled = _enabled(inventory.products[index])
            if change is not None and change.enabled is not None:
                enabled = change.enabled
            if enabled:
                return True
    return False


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
    elif policy == "deactivate":
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
    changes: Mapping[int, _ProductChange],
) -> tuple[list[str], list[str]]:
    """``(notes for the plan review, short phrases for the audit log)``."""
    notes: list[str] = []
    written: list[str] = []
    for pool in pools:
        disabled = enabled = 0
        for index in pool.product_indexes:
            change = changes.get(index)
            was = _enabled(inventory.products[index])
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


def _apply(inventory: Inventory, changes: Mapping[int, _ProductChange]) -> InventoryPut:
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


# --- verification --------------------------------------------------------------------


def _signature(product: ProductPut) -> tuple[tuple[int, tuple[str, ...]], ...]:
    return tuple(
        sorted(
            (pv["property_id"], tuple(v.casefold() for v in pv["values"]))
            for pv in product["property_values"]
        )
    )


def _match_products(
    sent: Sequence[ProductPut], got: Sequence[ProductPut]
) -> tuple[list[tuple[ProductPut, ProductPut]], list[ProductPut], list[ProductPut]]:
    """Pair sent and returned products: by property values, else by position."""
    sent_sigs = [_signature(p) for p in sent]
    got_sigs = [_signature(p) for p in got]
    if len(set(sent_sigs)) == len(sent) and len(set(got_sigs)) == len(got):
        by_sig = dict(zip(got_sigs, got, strict=True))
        pairs = [(p, by_sig[s]) for p, s in zip(sent, sent_sigs, strict=True) if s in by_sig]
        missing = [p for p, s in zip(sent, sent_sigs, strict=True) if s not in by_sig]
        extra = [p for p, s in zip(got, got_sigs, strict=True) if s not in set(sent_sigs)]
        return pairs, missing, extra
    common = min(len(sent), len(got))
    return (
        list(zip(sent[:common], got[:common], strict=True)),
        list(sent[common:]),
        list(got[common:]),
    )


def _put_label(product: ProductPut) -> str:
    values = " / ".join(", ".join(pv["values"]) for pv in product["property_values"])
    if values:
        return values
    return f"SKU {product['sku']}" if product["sku"] else "the listing"


def _product_differences(want: ProductPut, have: ProductPut) -> list[str]:
    label = _put_label(want)
    problems: list[str] = []
    if want["sku"] != have["sku"]:
        problems.append(f"{label}: SKU sent {want['sku']!r}, Etsy has {have['sku']!r}")
    want_values = {pv["property_id"]: pv for pv in want["property_values"]}
    have_values = {pv["property_id"]: pv for pv in have["property_values"]}
    if set(want_values) != set(have_values):
        problems.append(
            f"{label}: properties sent {sorted(want_values)}, Etsy has {sorted(have_values)}"
        )
    for pid in sorted(set(want_values) & set(have_values)):
        w, h = want_values[pid], have_values[pid]
        if w["values"] != h["values"]:
            problems.append(f"{label}: property {pid} sent {w['values']}, Etsy has {h['values']}")
        if w["scale_id"] != h["scale_id"]:
            problems.append(
                f"{label}: property {pid} scale sent {w['scale_id']}, Etsy has {h['scale_id']}"
            )
        if "property_name" in w and w["property_name"] != h.get("property_name"):
            problems.append(
                f"{label}: property {pid} name sent {w['property_name']!r}, "
                f"Etsy has {h.get('property_name')!r}"
            )
    if len(want["offerings"]) != len(have["offerings"]):
        problems.append(
            f"{label}: sent {len(want['offerings'])} offering(s), Etsy has {len(have['offerings'])}"
        )
    for w_off, h_off in zip(want["offerings"], have["offerings"], strict=False):
        want_price = Decimal(repr(w_off["price"]))
        have_price = Decimal(repr(h_off["price"]))
        if want_price != have_price:
            problems.append(f"{label}: price sent {want_price}, Etsy has {have_price}")
        if w_off["quantity"] != h_off["quantity"]:
            problems.append(
                f"{label}: quantity sent {w_off['quantity']}, Etsy has {h_off['quantity']}"
            )
        if w_off["is_enabled"] != h_off["is_enabled"]:
            state = "enabled" if h_off["is_enabled"] else "disabled"
            problems.append(f"{label}: Etsy has it {state}, which is not what was sent")
        if w_off["readiness_state_id"] != h_off["readiness_state_id"]:
            problems.append(
                f"{label}: processing profile sent {w_off['readiness_state_id']}, "
                f"Etsy has {h_off['readiness_state_id']}"
            )
    return problems

"""Stock pools: the units of stock an Etsy listing really has.

Why pools and not products: on Etsy several products (variation combinations)
can share ONE quantity.  ``quantity_on_property`` says which properties the
quantity varies by; products that agree on those properties draw from the same
stock (Etsy's "Updating inventory" tutorial,
https://developers.etsy.com/documentation/tutorials/listings).  So:

* ``quantity_on_property`` empty: one pool holding every live product (a simple
  listing, or variations sharing one stock);
* one property named: one pool per value of that property;
* every variation property named: one pool per product.

A sale of "Blue / M" in a pool keyed on Color lowers Blue for every size, so the
sync must compare and write quantities per pool, never per product.

Why the keys look the way they do: Etsy regenerates ``product_id``,
``offering_id`` and ``value_ids`` on every inventory write (reported in
https://github.com/etsy/open-api/issues/523 and /432), so none
of them can identify a pool from one sync to the next.  A pool key is built
only from what survives a PUT: the SKU, or the property NAMES and values.

Assumptions (each the safe choice):

* SKUs and property values are compared case-insensitively when deciding
  whether two things collide.  Etsy refuses two products whose values differ
  only in case (the fake does too), so a key that differs from another only in
  case would be fragile; such a listing is reported as ambiguous.  Etsy documents
  nothing about SKU case; the strict reading cannot merge two pools by mistake.
* A property without a ``property_name`` is named ``#<property_id>`` in keys
  (written ``\\#513``: ``#`` is escaped, so a property really named "#513" differs).
  The spec's GET shape carries ``property_name``; if Etsy ever left it out, the
  key would change once and the link would have to be re-made (safe: a key that
  matches nothing writes nothing).
* A pool's ``quantity`` is the MINIMUM over its live offerings.  Etsy requires
  products sharing a pool to carry the same quantity, so they normally agree;
  if Etsy ever reports different numbers, selling the smaller one can never
  oversell.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from etsysync_gui.errors import EXIT_PARTIAL, EtsySyncError
from etsysync_gui.etsy.models import Inventory, Product, PropertyValue

WHOLE_LISTING_KEY = "listing"
SKU_PREFIX = "sku:"
PROP_PREFIX = "prop:"
ALL_VARIATIONS_LABEL = "All variations"
WHOLE_LISTING_LABEL = "Whole listing"

_ESCAPED = ("\\", "|", "=", ",", "#")


class AmbiguousInventoryError(EtsySyncError):
    """The listing's products or pools cannot be told apart, so it cannot be synced.

    Why an error and not a guess: after the next PUT every id is new, and the
    only way to find "the same" stock again is its SKU or property values.  If
    two pools (or two products) look identical, a guess could move one pool's
    stock onto the other.  The engine skips the listing and shows ``message``.
    """

    title = "Listing cannot be synced"
    exit_code = EXIT_PARTIAL


@dataclass(frozen=True, slots=True)
class StockPool:
    """One shared quantity of a listing.

    ``key``: stable identity (see ``pools_of``); ``label``: text for people;
    ``sku``: the one non-empty SKU every product of the pool carries, else
    ``None`` (it may be set while ``key`` is not SKU-based, when another pool
    uses the same SKU); ``product_indexes``: indexes into ``Inventory.products``
    (the full tuple as read, deleted products included, so they never shift);
    ``quantity``: the pool's Etsy quantity (minimum over its live offerings);
    ``enabled``: whether any live offering of the pool is enabled.
    """

    key: str
    label: str
    sku: str | None
    product_indexes: tuple[int, ...]
    quantity: int
    enabled: bool


def pools_of(inventory: Inventory) -> tuple[StockPool, ...]:
    """The listing's stock pools, in the order of their first product.

    Only live products and offerings count (``Inventory.live_products``).

    ``key`` is ``"sku:<SKU>"`` when every product of the pool shares one
    non-empty SKU that no other pool uses; else ``"prop:Name=Value|..."`` over
    the properties the quantity varies by, sorted by property name (case kept,
    ``\\ | = , #`` backslash-escaped); ``"listing"`` for the single
    whole-listing pool without such a SKU.

    Raises ``AmbiguousInventoryError`` when two products cannot be told apart
    (same property values and no distinct SKU), when a product has no value for
    a property named in ``quantity_on_property``, or when two pool keys collide.
    """
    live = _live_indexes(inventory)
    variant_keys_of(inventory)  # validates that every product can be told apart
    groups = _group_by_quantity_values(inventory, live)
    skus = [_shared_sku(inventory, members) for members in groups.values()]
    sku_users = _sku_users(inventory, groups.values())
    whole_listing = not inventory.quantity_on_property
    pools: list[StockPool] = []
    for (signature, members), sku in zip(groups.items(), skus, strict=True):
        first = inventory.products[members[0]]
        values = [_values_by_id(first, members[0])[pid] for pid, _ in signature]
        if sku is not None and sku_users.get(sku.casefold(), 0) == 1:
            key = SKU_PREFIX + sku
        elif whole_listing:
            key = WHOLE_LISTING_KEY
        else:
            key = sys.intern(_prop_key(values))  # see ``_pool_label``
        offerings = [o for i in members for o in inventory.products[i].live_offerings]
        pools.append(
            StockPool(
                key=key,
                label=_pool_label(first, values, whole_listing, len(live)),
                sku=sku,
                product_indexes=tuple(members),
                quantity=min(o.quantity for o in offerings),
                enabled=any(o.is_enabled for o in offerings),
            )
        )
    result = tuple(pools)
    if not pool_keys_are_unique(result):
        raise AmbiguousInventoryError(
            "This listing has stock pools that cannot be told apart ("
            + ", ".join(sorted(p.label for p in result))
            + "); give each variation its own SKU or distinct values on Etsy"
        )
    return result


_Signature = tuple[tuple[int, tuple[str, ...]], ...]


def _group_by_quantity_values(
    inventory: Inventory, live: Sequence[int]
) -> dict[_Signature, list[int]]:
    """Live product indexes grouped by their values of the quantity properties."""
    groups: dict[_Signature, list[int]] = {}
    for index in live:
        product = inventory.products[index]
        by_id = _values_by_id(product, index)
        signature = tuple(
            (pid, by_id[pid].values)
            for pid in _quantity_properties(inventory, product, by_id, index)
        )
        groups.setdefault(signature, []).append(index)
    return groups


def _sku_users(inventory: Inventory, groups: Iterable[Sequence[int]]) -> dict[str, int]:
    """How many groups use each SKU (casefolded): a SKU names a pool only if used once."""
    users: dict[str, int] = {}
    for members in groups:
        for folded in {inventory.products[i].sku.casefold() for i in members} - {""}:
            users[folded] = users.get(folded, 0) + 1
    return users


def pool_keys_are_unique(pools: Sequence[StockPool]) -> bool:
    """True when no two pools share a key, ignoring case (see the module notes)."""
    return len({p.key.casefold() for p in pools}) == len(pools)


def variant_keys_of(inventory: Inventory) -> dict[int, str]:
    """A stable identity for every live product, by index into ``Inventory.products``.

    Same rules as pool keys, one level down: ``"sku:<SKU>"`` when the product's
    SKU is non-empty and no other live product uses it, else ``"prop:..."``
    over ALL its property values, else ``"listing"`` for a lone product without
    properties.  For a listing whose quantity varies by every property the
    variant key equals the pool key.  Raises ``AmbiguousInventoryError`` when
    two products get the same key (e.g. identical values and no SKU).
    """
    live = _live_indexes(inventory)
    sku_count: dict[str, int] = {}
    for index in live:
        sku = inventory.products[index].sku.casefold()
        if sku:
            sku_count[sku] = sku_count.get(sku, 0) + 1
    keys: dict[int, str] = {}
    for index in live:
        product = inventory.products[index]
        by_id = _values_by_id(product, index)
        if product.sku and sku_count[product.sku.casefold()] == 1:
            keys[index] = SKU_PREFIX + product.sku
        elif by_id:
            keys[index] = _prop_key(list(by_id.values()))
        else:
            keys[index] = WHOLE_LISTING_KEY
    seen: dict[str, int] = {}
    for index, key in keys.items():
        other = seen.setdefault(key.casefold(), index)
        if other != index:
            raise AmbiguousInventoryError(
                f"Two variations of this listing ({_product_label(inventory.products[other])}"
                f" and {_product_label(inventory.products[index])}) cannot be told apart: "
                "same values and no distinct SKU; fix them on Etsy to sync this listing"
            )
    return keys


def _live_indexes(inventory: Inventory) -> list[int]:
    # Identity, not equality: two identical products are still two products.
    live = {id(p) for p in inventory.live_products}
    return [i for i, p in enumerate(inventory.products) if id(p) in live]


def _values_by_id(product: Product, index: int) -> dict[int, PropertyValue]:
    by_id: dict[int, PropertyValue] = {}
    for pv in product.property_values:
        if pv.property_id in by_id:
            raise AmbiguousInventoryError(
                f"Etsy lists property {_name(pv)} twice on one variation (product #{index})"
            )
        by_id[pv.property_id] = pv
    return by_id


def _quantity_properties(
    inventory: Inventory, product: Product, by_id: Mapping[int, PropertyValue], index: int
) -> list[int]:
    """The pool-defining property ids of ``product``, in the product's own order."""
    wanted = set(inventory.quantity_on_property)
    missing = wanted - set(by_id)
    if missing:
        raise AmbiguousInventoryError(
            f"Variation {_product_label(product) or f'#{index}'} has no value for "
            f"propert{'y' if len(missing) == 1 else 'ies'} {sorted(missing)} that the "
            "listing's quantity varies by; its stock pool is unknown"
        )
    return [pv.property_id for pv in product.property_values if pv.property_id in wanted]


def _shared_sku(inventory: Inventory, members: Sequence[int]) -> str | None:
    skus = {inventory.products[i].sku for i in members}
    if len(skus) == 1:
        (sku,) = skus
        return sku or None
    return None


def _name(pv: PropertyValue) -> str:
    return pv.property_name or f"#{pv.property_id}"


def _escape(text: str) -> str:
    for char in _ESCAPED:
        text = text.replace(char, "\\" + char)
    return text


def _prop_key(values: Sequence[PropertyValue]) -> str:
    parts = sorted(values, key=lambda pv: (_name(pv), pv.property_id))
    return PROP_PREFIX + "|".join(
        f"{_escape(_name(pv))}={','.join(_escape(v) for v in pv.values)}" for pv in parts
    )


def _value_text(pv: PropertyValue) -> str:
    return ", ".join(pv.values) or "(no value)"


def _product_label(product: Product) -> str:
    return " / ".join(_value_text(pv) for pv in product.property_values)


def _pool_label(
    first: Product, values: Sequence[PropertyValue], whole_listing: bool, live_count: int
) -> str:
    if whole_listing:
        if live_count > 1 or first.property_values:
            return ALL_VARIATIONS_LABEL
        return WHOLE_LISTING_LABEL
    # Interned: labels (and property keys) repeat across a shop's listings ("Red / M"),
    # and a ``sync all`` keeps one per pool in its plan and its link problems.
    return sys.intern(" / ".join(_value_text(pv) for pv in values))

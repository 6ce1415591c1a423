"""Check Etsy's answer to an inventory write against the body that was sent.

Why a separate step: updateListingInventory answers with the inventory Etsy now
holds (https://developers.etsy.com/documentation/reference#operation/updateListingInventory),
and a write Etsy accepted can still differ from what was sent (a value it
normalised, a price in another currency, a write it ignored).  The engine
compares the two before it records the write as done, so a difference becomes a
visible problem instead of a silently wrong base.

Ids (``product_id``, ``offering_id``, ``value_ids``) are never compared: Etsy
issues new ones on every inventory write (reported in etsy/open-api#523 and
#432), so only what the seller sees (property values, SKUs, prices, quantities,
enabled state, processing profile) counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from etsysync_gui.etsy.models import Inventory, InventoryPut, OfferingPut, ProductPut


def verify_written(before: Inventory, sent: InventoryPut, after: Inventory) -> list[str]:
    """Differences between what was sent and what Etsy now holds; ``[]`` = as intended.

    Products are matched by their property values (by position when those
    cannot tell them apart), so a different order in Etsy's answer is not a
    difference.  ``before`` is the inventory the body was built from; it tells
    whether Etsy ignored the write altogether and whether a price changed
    currency.
    """
    got = after.to_put_body()
    problems = _on_property_differences(sent, got)
    pairs, missing, extra = _match_products(sent["products"], got["products"])
    for product in missing:
        problems.append(f"{_put_label(product)}: sent, but missing from Etsy's inventory")
    for product in extra:
        problems.append(f"{_put_label(product)}: on Etsy, but was not sent")
    for want, have in pairs:
        problems.extend(_product_differences(want, have))
    problems.extend(_currency_change(before, after))
    if problems and got == before.to_put_body() and sent != got:
        problems.insert(0, "Etsy's inventory is unchanged: the write seems to have been ignored")
    return problems


def _on_property_differences(sent: InventoryPut, got: InventoryPut) -> list[str]:
    """The ``*_on_property`` arrays, compared as sets (Etsy may reorder them)."""
    problems: list[str] = []
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
    return problems


def _currency_change(before: Inventory, after: Inventory) -> list[str]:
    """A write sends prices as bare numbers, so Etsy's currency must not have moved."""
    before_currencies = {o.currency_code for p in before.live_products for o in p.live_offerings}
    after_currencies = {o.currency_code for p in after.live_products for o in p.live_offerings}
    if before_currencies and after_currencies != before_currencies:
        return [
            f"prices are now in {', '.join(sorted(after_currencies))}, "
            f"were in {', '.join(sorted(before_currencies))}"
        ]
    return []


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
    problems.extend(_property_differences(label, want, have))
    if len(want["offerings"]) != len(have["offerings"]):
        problems.append(
            f"{label}: sent {len(want['offerings'])} offering(s), Etsy has {len(have['offerings'])}"
        )
    for w_off, h_off in zip(want["offerings"], have["offerings"], strict=False):
        problems.extend(_offering_differences(label, w_off, h_off))
    return problems


def _property_differences(label: str, want: ProductPut, have: ProductPut) -> list[str]:
    want_values = {pv["property_id"]: pv for pv in want["property_values"]}
    have_values = {pv["property_id"]: pv for pv in have["property_values"]}
    problems: list[str] = []
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
    return problems


def _offering_differences(label: str, want: OfferingPut, have: OfferingPut) -> list[str]:
    problems: list[str] = []
    want_price = Decimal(repr(want["price"]))
    have_price = Decimal(repr(have["price"]))
    if want_price != have_price:
        problems.append(f"{label}: price sent {want_price}, Etsy has {have_price}")
    if want["quantity"] != have["quantity"]:
        problems.append(f"{label}: quantity sent {want['quantity']}, Etsy has {have['quantity']}")
    if want["is_enabled"] != have["is_enabled"]:
        state = "enabled" if have["is_enabled"] else "disabled"
        problems.append(f"{label}: Etsy has it {state}, which is not what was sent")
    if want["readiness_state_id"] != have["readiness_state_id"]:
        problems.append(
            f"{label}: processing profile sent {want['readiness_state_id']}, "
            f"Etsy has {have['readiness_state_id']}"
        )
    return problems

"""Reading the shop's orders (receipts and their transactions): the sales ledger's source.

Why: Etsy has no conditional inventory write, so a PUT computed from an earlier
read silently erases every sale that landed in between; the orders are the only
record of those sales (https://developers.etsy.com/documentation/reference#operation/getShopReceipts).
The sync reads them incrementally every run, so the normal cost is ONE call.

How: ``getShopReceipts`` with ``min_last_modified`` (epoch seconds), 100 a
page, ordered by ``updated`` ascending, so orders changed during the read move
to the end instead of being skipped.  Offset paging over a live list is still
not a snapshot (an order that moves to the end shifts the rest up by one), so a
pass is *consistent* only when every page reported the same ``count`` and the
pass returned ``count`` distinct receipts; otherwise it is read again (up to
``MAX_PASSES``) and, if it never settles, the union is returned with
``complete=False`` so the caller does not move its watermark.

Receipt ``status`` is compared case-insensitively: the spec's enum is lower
case but integrators report "Canceled" on the wire (etsy/open-api#469).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from etsysync_gui.etsy.fields import Fields
from etsysync_gui.etsy.transport import QueryValue

PAGE_SIZE = 100
MAX_PASSES = 3
Get = Callable[..., object]


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One ``ShopReceiptTransaction``: a quantity of one product of one listing.

    ``product_id`` is the product at the time of sale (Etsy regenerates product
    ids on every inventory write); ``variations`` are ``(name, value)`` pairs.
    """

    transaction_id: int
    receipt_id: int
    listing_id: int | None
    product_id: int | None
    sku: str | None
    quantity: int
    created: int
    variations: tuple[tuple[str, str], ...]

    @classmethod
    def from_json(cls, data: object, receipt_id: int) -> OrderLine:
        f = Fields(data, "receipt transaction")
        variations = []
        for item in f.array("variations"):
            v = Fields(item, "transaction variation")
            variations.append(
                (v.opt_str("formatted_name") or "", v.opt_str("formatted_value") or "")
            )
        return cls(
            transaction_id=f.req_int("transaction_id"),
            receipt_id=f.opt_int("receipt_id") or receipt_id,
            listing_id=f.opt_int("listing_id") or None,
            product_id=f.opt_int("product_id") or None,
            sku=f.opt_str("sku") or None,
            quantity=f.req_int("quantity"),
            created=f.opt_int("created_timestamp") or f.req_int("create_timestamp"),
            variations=tuple(variations),
        )


@dataclass(frozen=True, slots=True)
class Order:
    """One ``ShopReceipt`` with its lines."""

    receipt_id: int
    status: str
    created: int
    updated: int
    lines: tuple[OrderLine, ...]

    @property
    def canceled(self) -> bool:
        return self.status.casefold() == "canceled"

    @classmethod
    def from_json(cls, data: object) -> Order:
        f = Fields(data, "receipt")
        receipt_id = f.req_int("receipt_id")
        created = f.opt_int("created_timestamp") or f.req_int("create_timestamp")
        return cls(
            receipt_id=receipt_id,
            status=f.opt_str("status") or "",
            created=created,
            updated=f.opt_int("updated_timestamp") or f.opt_int("update_timestamp") or created,
            lines=tuple(OrderLine.from_json(t, receipt_id) for t in f.array("transactions")),
        )


@dataclass(frozen=True, slots=True)
class OrdersRead:
    """The orders changed since a moment; ``complete`` False = some may be missing."""

    orders: tuple[Order, ...]
    complete: bool
    calls: int


def read_orders(
    get: Get, shop_id: int, *, since: int, cancel: threading.Event | None = None
) -> OrdersRead:
    """Every order of the shop modified at or after ``since`` (epoch seconds)."""
    seen: dict[int, Order] = {}
    calls = 0
    for _ in range(MAX_PASSES):
        consistent, passed = True, 0
        counts: set[int] = set()
        offset, total = 0, 1
        pass_ids: set[int] = set()
        while offset < total:
            params: Mapping[str, QueryValue] = {
                "min_last_modified": since,
                "limit": PAGE_SIZE,
                "offset": offset,
                "sort_on": "updated",
                "sort_order": "asc",
            }
            body = get(f"/application/shops/{shop_id}/receipts", params, cancel=cancel)
            calls += 1
            page = Fields(body, "receipts page")
            total = page.req_int("count")
            counts.add(total)
            results = [Order.from_json(item) for item in page.array("results")]
            for order in results:
                seen[order.receipt_id] = order
                pass_ids.add(order.receipt_id)
            passed += len(results)
            if not results:
                break
            offset += PAGE_SIZE
        consistent = len(counts) == 1 and passed == total == len(pass_ids)
        if consistent:
            return OrdersRead(tuple(seen[i] for i in sorted(pass_ids)), True, calls)
    return OrdersRead(tuple(seen[i] for i in sorted(seen)), False, calls)

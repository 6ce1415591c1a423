"""Orders: the shop's receipts and their transactions, as ``getShopReceipts`` serves them.

Why: Etsy's inventory has no version and no conditional write, so a client that
writes a quantity computed from an earlier read erases every sale that landed in
between; only the orders tell afterwards.  The fake records an order for every
buyer purchase (``hooks.simulate_purchase``) so a client can read them back the
way it would on Etsy: ``ShopReceipt`` objects with ``transactions[]``
(``ShopReceiptTransaction``), filtered by ``min_created``/``max_created``/
``min_last_modified``/``max_last_modified`` and paged by ``limit`` (1..100) and
``offset`` (https://developers.etsy.com/documentation/reference#operation/getShopReceipts).

Timestamps are whole seconds from the shop's clock.  ``product_id`` is the
product at the time of sale (Etsy regenerates product ids on every inventory
write, so it may no longer exist).  Assumptions (UNCONFIRMED on Etsy, the fake's
choices): a cancellation bumps the receipt's ``updated_timestamp`` and sets
``status`` to ``canceled``; whether it puts stock back is the caller's choice
(``restock``).  Receipt ``status`` is served lower case, as the spec's enum says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fake_etsy.model import JsonDict, money_json

RECEIPT_SORTS = ("created", "updated", "receipt_id")
BUYER_USER_ID = 555_000_001


@dataclass
class Variation:
    """One variation the buyer chose (``TransactionVariations``)."""

    property_id: int
    value_id: int | None
    name: str
    value: str

    def to_json(self) -> JsonDict:
        return {
            "property_id": self.property_id,
            "value_id": self.value_id,
            "formatted_name": self.name,
            "formatted_value": self.value,
        }


@dataclass
class Transaction:
    """One line of an order: ``quantity`` of one product of one listing."""

    transaction_id: int
    receipt_id: int
    listing_id: int
    product_id: int
    sku: str
    title: str
    quantity: int
    price: Decimal
    created: int
    variations: list[Variation] = field(default_factory=list)
    product_data: list[JsonDict] = field(default_factory=list)

    def to_json(self, *, seller: int, buyer: int, currency: str) -> JsonDict:
        return {
            "transaction_id": self.transaction_id,
            "title": self.title,
            "description": None,
            "seller_user_id": seller,
            "buyer_user_id": buyer,
            "create_timestamp": self.created,
            "created_timestamp": self.created,
            "paid_timestamp": self.created,
            "shipped_timestamp": None,
            "quantity": self.quantity,
            "listing_image_id": None,
            "receipt_id": self.receipt_id,
            "is_digital": False,
            "file_data": "",
            "listing_id": self.listing_id,
            "transaction_type": "listing",
            "product_id": self.product_id,
            "sku": self.sku,
            "price": money_json(self.price, currency),
            "shipping_cost": money_json(Decimal("0"), currency),
            "variations": [v.to_json() for v in self.variations],
            "product_data": list(self.product_data),
            "shipping_profile_id": None,
            "min_processing_days": None,
            "max_processing_days": None,
            "shipping_method": None,
            "shipping_upgrade": None,
            "expected_ship_date": None,
            "buyer_coupon": 0,
            "shop_coupon": 0,
        }


@dataclass
class Receipt:
    """One order (``ShopReceipt``) with its transactions."""

    receipt_id: int
    created: int
    updated: int
    transactions: list[Transaction]
    status: str = "paid"
    buyer_user_id: int = BUYER_USER_ID

    @property
    def canceled(self) -> bool:
        return self.status == "canceled"

    def to_json(self, *, seller: int, currency: str) -> JsonDict:
        total = sum((t.price * t.quantity for t in self.transactions), Decimal("0"))
        zero = money_json(Decimal("0"), currency)
        return {
            "receipt_id": self.receipt_id,
            "receipt_type": 0,
            "seller_user_id": seller,
            "seller_email": None,
            "buyer_user_id": self.buyer_user_id,
            "buyer_email": None,
            "name": "A. Buyer",
            "first_line": None,
            "second_line": None,
            "city": None,
            "state": None,
            "zip": None,
            "status": self.status,
            "formatted_address": None,
            "country_iso": "US",
            "payment_method": "cc",
            "payment_email": None,
            "message_from_seller": None,
            "message_from_buyer": None,
            "message_from_payment": None,
            "is_paid": not self.canceled,
            "is_shipped": False,
            "create_timestamp": self.created,
            "created_timestamp": self.created,
            "update_timestamp": self.updated,
            "updated_timestamp": self.updated,
            "is_gift": False,
            "gift_message": "",
            "gift_sender": "",
            "grandtotal": money_json(total, currency),
            "subtotal": money_json(total, currency),
            "total_price": money_json(total, currency),
            "total_shipping_cost": zero,
            "total_tax_cost": zero,
            "total_vat_cost": zero,
            "discount_amt": zero,
            "gift_wrap_price": zero,
            "shipments": [],
            "transactions": [
                t.to_json(seller=seller, buyer=self.buyer_user_id, currency=currency)
                for t in self.transactions
            ],
            "refunds": [],
        }


@dataclass(frozen=True)
class ReceiptQuery:
    """The filters and paging of one getShopReceipts call (already validated)."""

    limit: int = 25
    offset: int = 0
    min_created: int | None = None
    max_created: int | None = None
    min_last_modified: int | None = None
    max_last_modified: int | None = None
    sort_on: str = "created"
    descending: bool = True
    was_canceled: bool | None = None

    def matches(self, receipt: Receipt) -> bool:
        bounds = (
            (self.min_created, receipt.created, True),
            (self.max_created, receipt.created, False),
            (self.min_last_modified, receipt.updated, True),
            (self.max_last_modified, receipt.updated, False),
        )
        for bound, value, lower in bounds:
            if bound is not None and (value < bound if lower else value > bound):
                return False
        return self.was_canceled is None or receipt.canceled == self.was_canceled


def receipts_page(
    receipts: Sequence[Receipt], query: ReceiptQuery, *, seller: int, currency: str
) -> JsonDict:
    """``ShopReceipts``: ``count`` is every match, ``results`` one page in the asked order."""
    matching = [r for r in receipts if query.matches(r)]
    if query.sort_on == "updated":
        matching.sort(key=lambda r: (r.updated, r.receipt_id), reverse=query.descending)
    elif query.sort_on == "receipt_id":
        matching.sort(key=lambda r: r.receipt_id, reverse=query.descending)
    else:
        matching.sort(key=lambda r: (r.created, r.receipt_id), reverse=query.descending)
    page = matching[query.offset : query.offset + query.limit]
    return {
        "count": len(matching),
        "results": [r.to_json(seller=seller, currency=currency) for r in page],
    }

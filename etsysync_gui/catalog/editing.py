"""Editing the local catalog from the GUI: products, variants, one quantity.

These are the few writes the views make outside a sync.  The rules they
enforce (a quantity is a whole number of 0 or more; a SKU is unique; a
variant linked to an Etsy stock pool is not deleted behind the sync's back)
are checked here, not in the widgets, and each failure is a
``CatalogEditError`` whose message the GUI shows as it is.

Deleting a linked variant is refused unless the caller asks to unlink it
first (``unlink=True``), which goes through ``sync.linking.unlink`` so the pool
is marked unlinked on purpose and the next listing sync does not re-link it.

A changed quantity is written to the sync log in the same transaction
(``catalog.journal``), before → after, so the seller's own edits sit next
to the sync decisions they lead to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from etsysync_gui.catalog import cells
from etsysync_gui.catalog.journal import log_quantity_edit
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyStockPool, Product, ProductVariant
from etsysync_gui.db.types import utcnow
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.sync.listings import linking

T = TypeVar("T")


class CatalogEditError(EtsySyncError):
    title = "Cannot change the catalog"


class LinkedVariantError(CatalogEditError):
    """The variant (or a variant of the product) is linked to Etsy stock."""

    title = "Linked to Etsy"

    def __init__(self, message: str, links: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.links = links


@dataclass(frozen=True, slots=True)
class VariantInput:
    sku: str | None
    name: str | None
    price: Decimal | None
    quantity: int


def parse_quantity(text: str) -> int:
    """A quantity typed by the seller: a whole number of 0 or more, in the digits 0-9."""
    raw = text.strip()
    if not raw or not raw.lstrip("-").isascii() or not raw.lstrip("-").isdigit():
        raise CatalogEditError(f"Quantity must be a whole number of 0 or more (got {text!r}).")
    value = int(raw)
    if value < 0:
        raise CatalogEditError(f"Quantity cannot be negative (got {value}).")
    if value > cells.MAX_QUANTITY:
        raise CatalogEditError(f"Quantity cannot be larger than {cells.MAX_QUANTITY}.")
    return value


def parse_price(text: str) -> Decimal | None:
    """A price typed by the seller; a decimal comma is accepted in the form (one value)."""
    raw = text.strip().replace(",", ".")
    try:
        return cells.price(raw)
    except cells.CellError:
        raise CatalogEditError(
            f"Price must be an amount like 12.50, at most {cells.MAX_PRICE} (got {text!r})."
        ) from None


def _checked(check: Callable[[], T]) -> T:
    try:
        return check()
    except cells.CellError as exc:
        raise CatalogEditError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None


def _clean(value: VariantInput) -> VariantInput:
    """The column limits of both databases, checked before writing (PostgreSQL enforces
    them with an error, SQLite not at all)."""
    if value.quantity < 0:
        raise CatalogEditError(f"Quantity cannot be negative (got {value.quantity}).")
    if value.quantity > cells.MAX_QUANTITY:
        raise CatalogEditError(f"Quantity cannot be larger than {cells.MAX_QUANTITY}.")
    sku = (value.sku or "").strip() or None
    name = (value.name or "").strip() or None
    if sku is not None:
        _checked(lambda: cells.sku(sku))
    if name is not None:
        _checked(lambda: cells.text(name, "variant name", cells.MAX_TITLE))
    price = value.price
    if price is not None and (not price.is_finite() or price < 0 or price > cells.MAX_PRICE):
        raise CatalogEditError(f"Price must be an amount from 0 to {cells.MAX_PRICE}.")
    return VariantInput(sku, name, price, value.quantity)


def _title(title: str) -> str:
    clean = title.strip()
    if not clean:
        raise CatalogEditError("A product needs a title.")
    return _checked(lambda: cells.text(clean, "title", cells.MAX_TITLE))


def _write(
    database: Database, action: str, sku: str | None, change: Callable[[Session], ProductVariant]
) -> int:
    try:
        with database.session() as session:
            variant = change(session)
            session.flush()
            return int(variant.id)
    except IntegrityError:
        raise CatalogEditError(
            f"Cannot {action}: another variant already has SKU {sku!r}."
        ) from None


def add_product(database: Database, title: str, first: VariantInput) -> int:
    """A new product with its first variant; returns the variant id."""
    clean_title = _title(title)
    value = _clean(first)

    def change(session: Session) -> ProductVariant:
        product = Product(title=clean_title)
        variant = ProductVariant(
            sku=value.sku, name=value.name, price=value.price, quantity=value.quantity
        )
        product.variants.append(variant)
        session.add(product)
        return variant

    return _write(database, "add the product", value.sku, change)


def add_variant(database: Database, product_id: int, value: VariantInput) -> int:
    value = _clean(value)

    def change(session: Session) -> ProductVariant:
        variant = ProductVariant(
            product_id=product_id,
            sku=value.sku,
            name=value.name,
            price=value.price,
            quantity=value.quantity,
        )
        session.add(variant)
        return variant

    return _write(database, "add the variant", value.sku, change)


def update_variant(
    database: Database, variant_id: int, value: VariantInput, product_title: str | None = None
) -> int:
    value = _clean(value)
    new_title = _title(product_title) if product_title and product_title.strip() else None

    def change(session: Session) -> ProductVariant:
        variant = session.get(ProductVariant, variant_id)
        if variant is None:
            raise CatalogEditError(f"Variant {variant_id} no longer exists.")
        before = variant.quantity
        variant.sku, variant.name, variant.price = value.sku, value.name, value.price
        variant.quantity = value.quantity
        log_quantity_edit(session, variant_id, _label(variant), before, value.quantity, utcnow())
        if new_title is not None:
            variant.product.title = new_title
        return variant

    return _write(database, "save the variant", value.sku, change)


def set_variant_quantity(database: Database, variant_id: int, quantity: int) -> None:
    """Set the local stock of one variant (the next inventory sync takes it from here)."""
    if quantity < 0 or quantity > cells.MAX_QUANTITY:
        raise CatalogEditError(f"Quantity must be from 0 to {cells.MAX_QUANTITY} (got {quantity}).")
    with database.session() as session:
        variant = session.get(ProductVariant, variant_id)
        if variant is None:
            raise CatalogEditError(f"Variant {variant_id} no longer exists.")
        before = variant.quantity
        variant.quantity = quantity
        log_quantity_edit(session, variant_id, _label(variant), before, quantity, utcnow())


def _label(variant: ProductVariant) -> str:
    """How the log names a variant: its SKU, else product and variant name."""
    if variant.sku:
        return variant.sku
    return " / ".join(p for p in (variant.product.title, variant.name) if p)


def _links(database: Database, variant_ids: list[int]) -> list[tuple[int, str]]:
    with database.session() as session:
        rows = session.execute(
            select(EtsyStockPool.etsy_listing_id, EtsyStockPool.pool_key).where(
                EtsyStockPool.local_variant_id.in_(variant_ids)
            )
        )
        return [(int(listing), key) for listing, key in rows]


def _delete(database: Database, variant_ids: list[int], what: str, unlink: bool) -> None:
    links = _links(database, variant_ids)
    if links and not unlink:
        listings = ", ".join(str(listing) for listing, _ in links[:5])
        raise LinkedVariantError(
            f"{what} is linked to Etsy stock (listing {listings}). Unlink it first, or "
            "delete and unlink it in one go.",
            links,
        )
    for listing_id, pool_key in links:
        linking.unlink(database, listing_id, pool_key, now=utcnow())


def delete_variant(database: Database, variant_id: int, *, unlink: bool = False) -> None:
    _delete(database, [variant_id], "This variant", unlink)
    with database.session() as session:
        variant = session.get(ProductVariant, variant_id)
        if variant is not None:
            session.delete(variant)


def delete_product(database: Database, product_id: int, *, unlink: bool = False) -> None:
    with database.session() as session:
        ids = list(
            session.scalars(
                select(ProductVariant.id).where(ProductVariant.product_id == product_id)
            )
        )
    _delete(database, ids, "A variant of this product", unlink)
    with database.session() as session:
        product = session.get(Product, product_id)
        if product is not None:
            session.delete(product)

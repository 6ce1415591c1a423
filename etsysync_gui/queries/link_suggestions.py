"""Candidates for linking a listing's stock pool to a local variant, with a confidence.

Two signals, strongest first: the SKU (the same SKU is near certain, the same
SKU in other letter case nearly so), then how alike the titles are
(``difflib.SequenceMatcher.ratio`` of the listing title against the product
title, plus the pool label against the variant name).  The linking itself is
``SyncService.link``; this only ranks.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, Product, ProductVariant

SAME_SKU = 1.0
SAME_SKU_OTHER_CASE = 0.95
MIN_TITLE_RATIO = 0.35


@dataclass(frozen=True, slots=True)
class PoolChoice:
    """One stock pool of the listing, and what it is linked to now."""

    pool_key: str
    label: str
    sku: str | None
    etsy_quantity: int | None
    local_variant_id: int | None
    local_sku: str | None
    status: str


@dataclass(frozen=True, slots=True)
class VariantSuggestion:
    variant_id: int
    sku: str | None
    product_title: str
    variant_name: str | None
    quantity: int
    confidence: float
    reason: str
    linked_to: str | None


@dataclass(frozen=True, slots=True)
class ListingLinks:
    listing_id: int
    title: str
    pools: tuple[PoolChoice, ...]


def listing_links(database: Database, listing_id: int) -> ListingLinks:
    with database.session() as session:
        title = session.scalar(
            select(EtsyProduct.title).where(EtsyProduct.etsy_listing_id == listing_id)
        )
        rows = session.execute(
            select(EtsyStockPool, ProductVariant.sku)
            .outerjoin(ProductVariant, ProductVariant.id == EtsyStockPool.local_variant_id)
            .where(EtsyStockPool.etsy_listing_id == listing_id)
            .order_by(EtsyStockPool.id)
        )
        pools = tuple(
            PoolChoice(
                p.pool_key,
                p.label or p.pool_key,
                p.sku,
                p.etsy_quantity,
                p.local_variant_id,
                local_sku,
                p.status,
            )
            for p, local_sku in rows
        )
    return ListingLinks(listing_id, title or "", pools)


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a.lower(), b.lower())
    if matcher.real_quick_ratio() < MIN_TITLE_RATIO or matcher.quick_ratio() < MIN_TITLE_RATIO:
        return 0.0
    return matcher.ratio()


def suggest_variants(
    database: Database,
    listing_title: str,
    pool: PoolChoice | None,
    *,
    search: str = "",
    limit: int = 25,
) -> list[VariantSuggestion]:
    """Ranked variants for ``pool``; ``search`` narrows to SKUs or names containing it."""
    query = (
        select(ProductVariant, Product.title, EtsyStockPool.etsy_listing_id, EtsyStockPool.label)
        .join(Product, Product.id == ProductVariant.product_id)
        .outerjoin(EtsyStockPool, EtsyStockPool.local_variant_id == ProductVariant.id)
    )
    if search.strip():
        needle = f"%{search.strip()}%"
        query = query.where(
            ProductVariant.sku.ilike(needle)
            | ProductVariant.name.ilike(needle)
            | Product.title.ilike(needle)
        )
    pool_sku = (pool.sku or "").strip() if pool is not None else ""
    label = pool.label if pool is not None else ""
    found: list[VariantSuggestion] = []
    with database.session() as session:
        for variant, product_title, linked_listing, linked_label in session.execute(query):
            confidence, reason = _score(variant, product_title, listing_title, label, pool_sku)
            if confidence <= 0 and not search.strip():
                continue
            linked_to = None
            if linked_listing is not None:
                linked_to = f"listing {linked_listing}" + (
                    f" ({linked_label})" if linked_label else ""
                )
            found.append(
                VariantSuggestion(
                    variant.id,
                    variant.sku,
                    product_title,
                    variant.name,
                    variant.quantity,
                    round(confidence, 2),
                    reason,
                    linked_to,
                )
            )
    found.sort(key=lambda s: (-s.confidence, s.product_title, s.sku or ""))
    return found[:limit]


def _score(
    variant: ProductVariant, product_title: str, listing_title: str, label: str, pool_sku: str
) -> tuple[float, str]:
    sku = (variant.sku or "").strip()
    if pool_sku and sku:
        if sku == pool_sku:
            return SAME_SKU, "same SKU"
        if sku.lower() == pool_sku.lower():
            return SAME_SKU_OTHER_CASE, "same SKU (other letter case)"
    title = _ratio(listing_title, product_title) if listing_title and product_title else 0.0
    if title <= 0:
        return 0.0, "no likeness"
    name = variant.name or ""
    if label and name and label.lower() not in ("listing", product_title.lower()):
        title = 0.8 * title + 0.2 * _ratio(label, name)
    return 0.9 * title, f"title {round(title * 100)}% alike"

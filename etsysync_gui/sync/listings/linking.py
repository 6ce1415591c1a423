"""Linking by hand: ``link(sku, listing_id, pool_key)`` and ``unlink(listing_id, pool_key)``.

Why by hand as well as by SKU: many sellers' Etsy SKUs do not match their own,
or a listing's variations share one SKU.  A manual link ties one Etsy stock
pool to one local variant (one-to-one: a variant linked to two pools would
have each local sale applied twice).

A new link has no bases, so its first inventory sync applies ``first_truth``:
Etsy's stock is the starting point (default) or the local stock is pushed
(``--local-first``).  Re-linking clears the bases for the same reason.

``unlink`` marks the pool ``link_source`` 'unlinked' so the next listing sync
does not link it again by SKU; a later manual ``link`` overrides that.
Neither takes the sync lease: a run in flight only updates pools still linked
to the variant it decided for, so it cannot store bases on a link made since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, ProductVariant
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.sync.inventory.decide import FirstTruth
from etsysync_gui.sync.listings.autolink import SOURCE_MANUAL, SOURCE_UNLINKED


class LinkError(EtsySyncError):
    """The SKU, listing or pool named does not exist, or the link is not allowed."""

    title = "Cannot link"


@dataclass(frozen=True, slots=True)
class LinkResult:
    listing_id: int
    pool_key: str
    label: str
    local_variant_id: int
    sku: str
    first_truth: FirstTruth


def link(
    database: Database,
    sku: str,
    listing_id: int,
    pool_key: str | None = None,
    *,
    first_truth: FirstTruth = FirstTruth.ETSY,
    now: datetime,
) -> LinkResult:
    """Link the local variant with ``sku`` to a stock pool of ``listing_id``."""
    with database.session() as session:
        variant = session.scalar(select(ProductVariant).where(ProductVariant.sku == sku))
        if variant is None:
            raise LinkError(f"No local variant has SKU {sku!r}")
        listing = _listing(session, listing_id)
        pool = _pool(session, listing_id, pool_key)
        other = session.scalar(
            select(EtsyStockPool).where(
                EtsyStockPool.local_variant_id == variant.id, EtsyStockPool.id != pool.id
            )
        )
        if other is not None:
            raise LinkError(
                f"SKU {sku} is already linked to listing {other.etsy_listing_id} "
                f"({other.label}); unlink it there first"
            )
        pool.local_variant_id = variant.id
        pool.link_source = SOURCE_MANUAL
        pool.first_truth = first_truth.value
        pool.base_local = pool.base_etsy = None
        pool.status, pool.message, pool.updated_at = "ok", None, now
        listing.local_product_id = listing.local_product_id or variant.product_id
        session.flush()
        _refresh_link_problem(session, listing)
        return LinkResult(listing_id, pool.pool_key, pool.label, variant.id, sku, first_truth)


def unlink(
    database: Database, listing_id: int, pool_key: str | None = None, *, now: datetime
) -> int:
    """Unlink one pool (or every pool of the listing); returns how many were linked."""
    with database.session() as session:
        listing = _listing(session, listing_id)
        if pool_key is not None:
            pools = [_pool(session, listing_id, pool_key)]
        else:
            pools = list(
                session.scalars(
                    select(EtsyStockPool).where(EtsyStockPool.etsy_listing_id == listing_id)
                )
            )
        count = 0
        for pool in pools:
            count += pool.local_variant_id is not None
            pool.local_variant_id = None
            pool.link_source = SOURCE_UNLINKED
            pool.base_local = pool.base_etsy = None
            pool.status, pool.message, pool.updated_at = "unlinked", "unlinked by you", now
        session.flush()
        still = session.scalar(
            select(EtsyStockPool.id).where(
                EtsyStockPool.etsy_listing_id == listing_id,
                EtsyStockPool.local_variant_id.is_not(None),
            )
        )
        if still is None:
            listing.local_product_id = None
        _refresh_link_problem(session, listing)
        return count


def _listing(session: Session, listing_id: int) -> EtsyProduct:
    listing = session.scalar(select(EtsyProduct).where(EtsyProduct.etsy_listing_id == listing_id))
    if listing is None:
        raise LinkError(f"Listing {listing_id} is not known; run 'etsysync sync listings' first")
    if listing.missing_since is not None:
        raise LinkError(f"Listing {listing_id} is no longer on Etsy")
    return listing


def _pool(session: Session, listing_id: int, pool_key: str | None) -> EtsyStockPool:
    pools = list(
        session.scalars(
            select(EtsyStockPool)
            .where(EtsyStockPool.etsy_listing_id == listing_id)
            .order_by(EtsyStockPool.id)
        )
    )
    if pool_key is not None:
        for pool in pools:
            if pool.pool_key == pool_key:
                return pool
        known = ", ".join(p.pool_key for p in pools) or "none"
        raise LinkError(f"Listing {listing_id} has no stock pool {pool_key!r} (it has: {known})")
    if len(pools) == 1:
        return pools[0]
    if not pools:
        raise LinkError(f"Listing {listing_id} has no stock pools EtsySync can link")
    keys = ", ".join(p.pool_key for p in pools)
    raise LinkError(
        f"Listing {listing_id} has {len(pools)} stock pools; choose one with --pool ({keys})"
    )


def _refresh_link_problem(session: Session, listing: EtsyProduct) -> None:
    """Clear ``link_problem`` once no pool of the listing waits for a link."""
    waiting = session.scalar(
        select(EtsyStockPool.id).where(
            EtsyStockPool.etsy_listing_id == listing.etsy_listing_id,
            EtsyStockPool.local_variant_id.is_(None),
            EtsyStockPool.link_source.is_distinct_from(SOURCE_UNLINKED),
        )
    )
    if waiting is None and listing.link_problem != "ambiguous":
        listing.link_problem = None

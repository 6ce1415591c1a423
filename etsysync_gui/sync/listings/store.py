"""The set-based SQL of the listing sync: what is stored, and the link writes.

Kept apart from ``listing_sync`` so that module reads as the steps of a sync;
every function here is one query (or one chunked executemany), never a query
per row.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, false, select, update
from sqlalchemy.orm import Session

from etsysync_gui.db.bulk import update_rows
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, ProductVariant
from etsysync_gui.db.sql_helpers import IN_CHUNK, chunks, same_shop, table_of, upsert
from etsysync_gui.sync.listings.autolink import ExistingPool, LinkOutcome, PoolId, VariantRef
from etsysync_gui.sync.listings.rows import LISTING_UPDATE_COLUMNS, POOL_UPDATE_COLUMNS
from etsysync_gui.sync.listings.unchanged import POOL_COMPARED, PoolPrints

LISTINGS = table_of(EtsyProduct)
POOLS = table_of(EtsyStockPool)
VARIANTS = table_of(ProductVariant)


def stored_pools(
    session: Session, shop_id: int, listing_ids: Sequence[int]
) -> tuple[dict[int, dict[PoolId, ExistingPool]], dict[int, PoolPrints]]:
    """The stored pools of ``listing_ids`` (one page of a read), by listing: their links
    (for auto-linking) and their compared columns (``unchanged``), in one query."""
    query = (
        select(
            POOLS.c.id,
            POOLS.c.etsy_listing_id,
            POOLS.c.pool_key,
            POOLS.c.local_variant_id,
            POOLS.c.link_source,
            *[POOLS.c[name] for name in POOL_COMPARED],
        )
        .join(LISTINGS, LISTINGS.c.etsy_listing_id == POOLS.c.etsy_listing_id)
        .where(same_shop(LISTINGS.c.shop_id, shop_id))
    )
    found: dict[int, dict[PoolId, ExistingPool]] = {}
    prints: dict[int, PoolPrints] = {}
    for chunk in chunks(listing_ids, IN_CHUNK):
        for row in session.execute(query.where(LISTINGS.c.etsy_listing_id.in_(chunk))):
            lid, key = row[1], row[2]
            found.setdefault(lid, {})[(lid, key)] = ExistingPool(row[0], row[3], row[4])
            prints.setdefault(lid, {})[key] = tuple(row[5:])
    return found, prints


def variants_with_claims(
    session: Session, skus: Sequence[str]
) -> tuple[dict[str, VariantRef], dict[int, PoolId]]:
    """The local variants with these SKUs, and which of them are linked (any shop) to
    which pool, in one query.

    Why one: PostgreSQL pays a round trip per statement, and a read stores
    about a hundred pages.
    """
    found: dict[str, VariantRef] = {}
    claimed: dict[int, PoolId] = {}
    query = select(
        VARIANTS.c.sku,
        VARIANTS.c.id,
        VARIANTS.c.product_id,
        POOLS.c.etsy_listing_id,
        POOLS.c.pool_key,
    ).outerjoin(POOLS, POOLS.c.local_variant_id == VARIANTS.c.id)
    for chunk in chunks(skus, IN_CHUNK):
        for sku, variant_id, product_id, listing_id, key in session.execute(
            query.where(VARIANTS.c.sku.in_(chunk))
        ):
            if sku is None:
                continue
            found[sku] = VariantRef(variant_id, product_id)
            if listing_id is not None:
                claimed[variant_id] = (listing_id, key)
    return found, claimed


LINK_MATCH = {"b_lid": "etsy_listing_id", "b_key": "pool_key"}
LINK_VALUES = {
    f"v_{column}": column
    for column in (
        "local_variant_id",
        "link_source",
        "first_truth",
        "base_local",
        "base_etsy",
        "status",
        "message",
    )
}
LINK_COLUMNS = tuple(LINK_VALUES.values())


def write_links(
    session: Session,
    link_rows: Sequence[dict[str, Any]],
    problems: Mapping[PoolId, str],
    now: datetime,
) -> None:
    """Link changes and link problems (``problems``: pool -> detail) of pools the pool
    upsert did not write (``write_pools``), one set-based update each."""
    update_rows(
        session,
        POOLS,
        link_rows,
        match=LINK_MATCH,
        values=LINK_VALUES,
        constants={"updated_at": now},
    )
    rows = [
        {"b_lid": pid[0], "b_key": pid[1], "b_message": detail} for pid, detail in problems.items()
    ]
    update_rows(
        session,
        POOLS,
        rows,
        match=LINK_MATCH,
        values={"b_message": "message"},
        constants={"status": "unlinked", "updated_at": now},
    )


def new_listing_products(new: Collection[int], links: LinkOutcome) -> dict[int, int | None]:
    """``local_product_id`` of the ``new`` listings (not stored before this page) that
    their links settle: no linked pool, or linked pools all on one product.

    Why: ``set_local_products`` rewrote nearly every listing a cold sync had just
    inserted; a listing whose product is known here is inserted with it.  A new
    listing's pools are all written by this page, so its links are exactly the
    page's link rows (the last per pool).  Pools on several products leave the
    choice to ``set_local_products`` (the first pool linked, in the order stored).
    """
    final = {(row["b_lid"], row["b_key"]): row["v_local_variant_id"] for row in links.link_rows}
    found: dict[int, set[int | None]] = {lid: set() for lid in new}
    for (lid, _key), variant_id in final.items():
        if variant_id is not None and lid in found:
            found[lid].add(links.products.get(variant_id))
    return {
        lid: next(iter(products), None)
        for lid, products in found.items()
        if len(products) <= 1 and None not in products
    }


def set_local_products(session: Session, shop_id: int, listing_ids: Sequence[int]) -> None:
    """``local_product_id`` = the product of the listing's first linked variant.

    Only rows whose product changes are updated, so a repeat sync that changed
    no link rewrites nothing (see ``unchanged``).
    """
    for chunk in chunks(sorted(listing_ids), IN_CHUNK):
        _set_local_products(session, shop_id, chunk)


def _set_local_products(session: Session, shop_id: int, listing_ids: Sequence[int]) -> None:
    first_product = (
        select(VARIANTS.c.product_id)
        .join(POOLS, POOLS.c.local_variant_id == VARIANTS.c.id)
        .where(POOLS.c.etsy_listing_id == LISTINGS.c.etsy_listing_id)
        .order_by(POOLS.c.id)
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        update(LISTINGS)
        .where(
            same_shop(LISTINGS.c.shop_id, shop_id),
            LISTINGS.c.etsy_listing_id.in_(listing_ids),
            LISTINGS.c.local_product_id.is_distinct_from(first_product),
        )
        .values(local_product_id=first_product)
    )


def upsert_listings(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """One bulk upsert; a listing Etsy reports active loses ``deactivated_by_etsysync``."""
    upsert(
        session,
        LISTINGS,
        list(rows),
        keys=["etsy_listing_id"],
        update=LISTING_UPDATE_COLUMNS,
        computed=lambda excluded: {
            "deactivated_by_etsysync": case(
                (excluded.state == "active", false()),
                else_=LISTINGS.c.deactivated_by_etsysync,
            )
        },
    )


def write_pools(
    session: Session,
    pool_rows: Sequence[dict[str, Any]],
    vanished: Sequence[int],
    links: LinkOutcome,
    now: datetime,
) -> None:
    """Upsert the pools of changed listings with the page's link changes folded in,
    delete the vanished ones, then update the links of pools not upserted.

    Why folded: on PostgreSQL every update writes a new version of the row and of
    each of its indexes, and a cold sync wrote each new pool three times (insert,
    link, problem).  A pool upserted here takes its final link columns in the same
    statement: rows are grouped by which columns they set, and a row's ``ON
    CONFLICT`` overwrites only those, so a link or a problem left alone by this
    page is never rewritten.  Two link rows for one pool (a link dropped and made
    again) keep the last, and a problem is written after the link, as before.
    """
    link_of = {(row["b_lid"], row["b_key"]): row for row in links.link_rows}
    problem_of = {pid: problem.detail for pid, problem in links.problems.items()}
    plain: list[dict[str, Any]] = []
    linked: list[dict[str, Any]] = []
    unlinked: list[dict[str, Any]] = []
    for row in pool_rows:
        pid = (row["etsy_listing_id"], row["pool_key"])
        link = link_of.pop(pid, None)
        problem = problem_of.pop(pid, None)
        if link is not None:
            row = {**row, **{column: link[key] for key, column in LINK_VALUES.items()}}
        if problem is not None:
            row = {**row, "status": "unlinked", "message": problem}
        group = linked if link is not None else unlinked if problem is not None else plain
        group.append(row)
    for rows, columns in (
        (plain, ()),
        (linked, LINK_COLUMNS),
        (unlinked, ("status", "message")),
    ):
        upsert(
            session,
            POOLS,
            rows,
            keys=["etsy_listing_id", "pool_key"],
            update=(*POOL_UPDATE_COLUMNS, *columns),
        )
    for chunk in chunks(vanished, IN_CHUNK):
        session.execute(delete(POOLS).where(POOLS.c.id.in_(chunk)))
    write_links(session, list(link_of.values()), problem_of, now)


def mark_missing(session: Session, missing: Sequence[int], now: datetime) -> None:
    """Stamp ``missing_since`` on listings confirmed gone (the first time only)."""
    for chunk in chunks(missing, IN_CHUNK):
        session.execute(
            update(LISTINGS)
            .where(LISTINGS.c.etsy_listing_id.in_(chunk), LISTINGS.c.missing_since.is_(None))
            .values(missing_since=now, updated_at=now)
        )

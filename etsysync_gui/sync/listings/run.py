"""Listing sync (Etsy → local): every listing, every state, with its stock pools.

Two halves, so the network never runs inside a database transaction:

* ``read_shop`` reads every listing with its inventory (one
  ``get_listings_by_shop`` call-set, ceil(n/100) calls per state) and confirms
  listings that vanished with ``get_listings_by_ids`` (the paged read alone can
  miss a listing that moved state mid-read, see ``etsy.paging``; this costs
  calls only when something is absent).
* ``store_listings`` writes it all in ONE transaction with bulk upserts and
  set-based updates (no per-row round trips): ``etsy_products``, their
  ``etsy_stock_pools``, links by SKU (``autolink``), optional imports
  (``importing``), pools that vanished deleted, listings that vanished marked
  ``missing_since`` (rows and log kept; the local product is never deleted),
  listings that came back un-marked.  The caller owns the transaction, so a dry
  run can roll it back and still plan against what it would have written.

Each listing read gets ``sync_status`` 'synced' and its ``sync_error`` reset to
what this read found (e.g. an ambiguous inventory); inventory errors are set
again by the next inventory run if they persist.

A listing EtsySync deactivated that Etsy now reports ``active`` was switched on
again by the seller: its ``deactivated_by_etsysync`` flag is cleared, so the
zero-stock policy never fights the seller.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import case, delete, false, select, update
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyProduct, EtsyStockPool
from etsysync_gui.db.sql_helpers import IN_CHUNK, chunks, table_of, upsert
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import OperationCancelled
from etsysync_gui.etsy.models import Inventory, Listing
from etsysync_gui.sync.inventory.pools import StockPool
from etsysync_gui.sync.listings import autolink
from etsysync_gui.sync.listings.autolink import ExistingPool, LinkOutcome, LinkProblem, PoolId
from etsysync_gui.sync.listings.import_unlinked import ImportCounts, import_unlinked
from etsysync_gui.sync.listings.rows import (
    LISTING_UPDATE_COLUMNS,
    POOL_UPDATE_COLUMNS,
    ReadListing,
    listing_row,
    pool_row,
    read_listing,
)
from etsysync_gui.sync.listings.store import (
    claimed_variants,
    existing_pools,
    set_local_products,
    variants_by_sku,
    write_links,
)
from etsysync_gui.sync.listings.unchanged import (
    stamp_synced,
    stored_listings,
    stored_pools,
    unchanged_listings,
)
from etsysync_gui.sync.runs.progress import PHASE_SAVING, Progress, cancelled, for_client, report

LISTINGS = table_of(EtsyProduct)
POOLS = table_of(EtsyStockPool)


@dataclass(frozen=True, slots=True)
class ShopRead:
    """Every listing read, and the known listings confirmed gone from Etsy."""

    listings: tuple[Listing, ...]
    gone: frozenset[int]


@dataclass(frozen=True, slots=True)
class ListingSyncResult:
    """What a listing sync found and did (``inventories`` feed ``sync all``'s plan)."""

    listings_read: int
    new: int
    updated: int
    missing: tuple[int, ...]
    returned: tuple[int, ...]
    pools: int
    pools_removed: int
    linked: int
    links_dropped: int
    imported_products: int
    imported_variants: int
    link_problems: tuple[LinkProblem, ...]
    unchanged: int = 0
    inventories: Mapping[int, Inventory] = field(default_factory=dict, repr=False)
    stock_pools: Mapping[int, tuple[StockPool, ...]] = field(default_factory=dict, repr=False)

    def problem_counts(self) -> dict[str, int]:
        counts = {name: 0 for name in autolink.PROBLEM_ORDER}
        for problem in self.link_problems:
            counts[problem.problem] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "listings_read": self.listings_read,
            "new": self.new,
            "updated": self.updated,
            "missing": list(self.missing),
            "returned": list(self.returned),
            "pools": self.pools,
            "pools_removed": self.pools_removed,
            "linked": self.linked,
            "links_dropped": self.links_dropped,
            "imported_products": self.imported_products,
            "imported_variants": self.imported_variants,
            "problem_counts": self.problem_counts(),
            "link_problems": [p.to_json() for p in self.link_problems],
            "unchanged_skipped": self.unchanged,
        }


def read_shop(
    client: EtsyClient,
    known: Sequence[int],
    shop_id: int,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ShopRead:
    """Read every listing; ``known`` are the ids stored as present (not missing)."""
    listings = client.get_listings_by_shop(
        shop_id, include_inventory=True, progress=for_client(progress), cancel=cancel
    )
    absent = sorted(set(known) - {listing.listing_id for listing in listings})
    gone: set[int] = set(absent)
    if absent:
        still_there = client.get_listings_by_ids(absent, cancel=cancel)
        gone -= {listing.listing_id for listing in still_there}
    if cancelled(cancel):
        raise OperationCancelled("Cancelled")
    return ShopRead(tuple(listings), frozenset(gone))


def known_listing_ids(session: Session, shop_id: int) -> list[int]:
    return list(
        session.scalars(
            select(EtsyProduct.etsy_listing_id).where(
                EtsyProduct.shop_id == shop_id, EtsyProduct.missing_since.is_(None)
            )
        )
    )


def store_listings(
    session: Session,
    shop_id: int,
    shop: ShopRead,
    *,
    now: datetime,
    import_unlinked_pools: bool = False,
    progress: Progress | None = None,
) -> ListingSyncResult:
    """Write ``shop`` in the caller's transaction (see the module notes)."""
    reads = [read_listing(x) for x in sorted(shop.listings, key=lambda x: x.listing_id)]
    report(progress, PHASE_SAVING, 0, len(reads))
    old_listings = _old_listings(session, shop_id)
    existing = existing_pools(session, shop_id)
    vanished, vanished_pools = _vanished_pools(reads, existing)
    links = _auto_link(session, reads, existing, vanished_pools)
    imported = ImportCounts()
    if import_unlinked_pools:
        products = {lid: row.local_product_id for lid, row in old_listings.items()}
        imported = import_unlinked(session, links, listing_products=products)
    rows = _listing_rows(shop_id, reads, links.listing_problems_by_id(), now)
    pool_rows = {r.listing_id: _pool_rows(r, now) for r in reads}
    same = unchanged_listings(
        rows, pool_rows, stored_listings(session, shop_id), stored_pools(session, shop_id)
    )
    _upsert_listings(session, [row for row in rows if row["etsy_listing_id"] not in same])
    stamp_synced(session, sorted(same), now)
    report(progress, PHASE_SAVING, len(reads) // 2, len(reads))
    changed = [rows for lid, rows in pool_rows.items() if rows and lid not in same]
    _upsert_pools(session, [row for rows in changed for row in rows], vanished)
    write_links(session, links, now)
    missing = sorted(shop.gone)
    _mark_missing(session, missing, now)
    set_local_products(session, shop_id)
    report(progress, PHASE_SAVING, len(reads), len(reads))
    return _result(
        reads,
        old_listings,
        missing=missing,
        pools=sum(len(rows) for rows in pool_rows.values() if rows),
        pools_removed=len(vanished),
        links=links,
        imported=imported,
        unchanged=len(same),
    )


class _OldListing(NamedTuple):
    """A listing as stored before this sync."""

    local_product_id: int | None
    missing_since: datetime | None


def _old_listings(session: Session, shop_id: int) -> dict[int, _OldListing]:
    """The shop's stored listings by id."""
    return {
        row.etsy_listing_id: _OldListing(row.local_product_id, row.missing_since)
        for row in session.execute(
            select(
                EtsyProduct.etsy_listing_id,
                EtsyProduct.local_product_id,
                EtsyProduct.missing_since,
            ).where(EtsyProduct.shop_id == shop_id)
        )
    }


def _vanished_pools(
    reads: Sequence[ReadListing], existing: Mapping[int, Mapping[PoolId, ExistingPool]]
) -> tuple[list[int], set[PoolId]]:
    """Stored pools a listing read no longer has: ``(row ids, pool ids)``.

    A listing whose inventory could not be read (``pools is None``) keeps its pools.
    """
    vanished: list[int] = []
    vanished_pools: set[PoolId] = set()
    for read in reads:
        if read.pools is None:
            continue
        keys = {pool.key for pool in read.pools}
        for (lid, key), pool in existing.get(read.listing_id, {}).items():
            if key not in keys:
                vanished.append(pool.id)
                vanished_pools.add((lid, key))
    return vanished, vanished_pools


def _auto_link(
    session: Session,
    reads: Sequence[ReadListing],
    existing: Mapping[int, Mapping[PoolId, ExistingPool]],
    vanished_pools: set[PoolId],
) -> LinkOutcome:
    """Link pools by SKU; a variant held by a vanishing pool is free to link again."""
    flat = {pid: pool for pools in existing.values() for pid, pool in pools.items()}
    claimed = {
        variant_id: pid
        for variant_id, pid in claimed_variants(session).items()
        if pid not in vanished_pools
    }
    skus = sorted({p.sku for r in reads for p in r.pools or () if p.sku})
    return autolink.auto_link(
        reads, existing=flat, variants=variants_by_sku(session, skus), claimed=claimed
    )


def _listing_rows(
    shop_id: int, reads: Sequence[ReadListing], problems: Mapping[int, str], now: datetime
) -> list[dict[str, Any]]:
    return [
        listing_row(r, shop_id=shop_id, link_problem=problems.get(r.listing_id), now=now)
        for r in reads
    ]


def _pool_rows(read: ReadListing, now: datetime) -> list[dict[str, Any]] | None:
    """The pool rows of one listing read; ``None`` when its pools are unknown (kept)."""
    if read.pools is None:
        return None
    return [pool_row(read.listing_id, p, now=now) for p in read.pools]


def _upsert_listings(session: Session, rows: Sequence[dict[str, Any]]) -> None:
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


def _upsert_pools(
    session: Session, pool_rows: Sequence[dict[str, Any]], vanished: Sequence[int]
) -> None:
    """Upsert the pools of changed listings and delete the vanished ones."""
    upsert(
        session,
        POOLS,
        list(pool_rows),
        keys=["etsy_listing_id", "pool_key"],
        update=POOL_UPDATE_COLUMNS,
    )
    for chunk in chunks(vanished, IN_CHUNK):
        session.execute(delete(POOLS).where(POOLS.c.id.in_(chunk)))


def _mark_missing(session: Session, missing: Sequence[int], now: datetime) -> None:
    """Stamp ``missing_since`` on listings confirmed gone (the first time only)."""
    for chunk in chunks(missing, IN_CHUNK):
        session.execute(
            update(LISTINGS)
            .where(LISTINGS.c.etsy_listing_id.in_(chunk), LISTINGS.c.missing_since.is_(None))
            .values(missing_since=now, updated_at=now)
        )


def _result(
    reads: Sequence[ReadListing],
    old_listings: Mapping[int, _OldListing],
    *,
    missing: Sequence[int],
    pools: int,
    pools_removed: int,
    links: LinkOutcome,
    imported: ImportCounts,
    unchanged: int,
) -> ListingSyncResult:
    return ListingSyncResult(
        listings_read=len(reads),
        new=sum(1 for r in reads if r.listing_id not in old_listings),
        updated=sum(1 for r in reads if r.listing_id in old_listings),
        missing=tuple(missing),
        returned=tuple(
            r.listing_id
            for r in reads
            if r.listing_id in old_listings and old_listings[r.listing_id].missing_since is not None
        ),
        pools=pools,
        pools_removed=pools_removed,
        linked=links.linked,
        links_dropped=links.dropped,
        imported_products=imported.products,
        imported_variants=imported.variants,
        link_problems=tuple(links.all_problems()),
        unchanged=unchanged,
        inventories={
            r.listing_id: r.listing.inventory for r in reads if r.listing.inventory is not None
        },
        stock_pools={r.listing_id: r.stock_pools for r in reads if r.stock_pools is not None},
    )

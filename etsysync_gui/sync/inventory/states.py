"""What the database knows about linked listings: the input of every stock decision.

Why one loader: the planner, ``apply`` (before each chunk, to re-check links and
bases and read current local stock) and re-decisions all need the same view:
every linked pool of listings that are not missing, with its bases and the
local variant's quantity.  One query (chunked by listing id when asked for
specific listings) builds it, so no per-listing round trips happen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, ProductVariant
from etsysync_gui.db.sql_helpers import IN_CHUNK, chunks, same_shop, table_of
from etsysync_gui.sync.inventory.decide import FirstTruth
from etsysync_gui.sync.ledger.overwrites import Sale, pending_sales

LISTINGS, POOLS, VARIANTS = table_of(EtsyProduct), table_of(EtsyStockPool), table_of(ProductVariant)

NONE_DISABLED: frozenset[str] = frozenset()
"""Shared by every listing with no offering disabled (an empty frozenset is ~200 bytes
and a ``sync all`` plan keeps one per listing)."""


@dataclass(frozen=True, slots=True)
class PoolLink:
    """A linked pool as stored, with its local variant's current quantity."""

    pool_key: str
    label: str
    sku: str | None
    local_variant_id: int
    first_truth: FirstTruth
    base_local: int | None
    base_etsy: int | None
    local_quantity: int
    status: str
    sales: tuple[Sale, ...] = ()  # Etsy sales a write erased, not yet counted (sync.ledger)


@dataclass(frozen=True, slots=True)
class ListingState:
    """What the database knows about a linked listing, enough to decide it."""

    listing_id: int
    title: str
    state: str | None
    disabled_by_us: frozenset[str]
    deactivated_by_etsysync: bool
    pending: bool
    links: tuple[PoolLink, ...]
    # Erased Etsy sales of pools that are not linked, per pool key: EtsySync's own
    # writes erased them, so its next write of the listing puts them right (sync.ledger).
    other_sales: tuple[tuple[str, tuple[Sale, ...]], ...] = ()


def load_states(
    session: Session,
    shop_id: int,
    listing_ids: Sequence[int] | None = None,
    *,
    erased: Mapping[tuple[int, str], tuple[Sale, ...]] | None = None,
) -> dict[int, ListingState]:
    """Linked listings of the shop that are not missing (all, or those in ``listing_ids``).

    ``erased``: ``pending_sales`` of the shop if the caller has them (a ``sync all``
    plans page by page and they do not change before it applies anything).

    Built in one pass over the rows, each object made once: a cold ``sync all``
    loads the states of every page, so per-row copies (``dataclasses.replace``)
    and ORM row handling were a visible part of it.
    """
    query = _linked_pools_query(shop_id, by_ids=listing_ids is not None)
    rows = []
    if listing_ids is None:
        rows = list(session.execute(query))
    else:
        for chunk in chunks(list(listing_ids), IN_CHUNK):
            rows.extend(session.execute(query.where(LISTINGS.c.etsy_listing_id.in_(chunk))))
    if erased is None:
        erased = pending_sales(session, shop_id)
    found: dict[int, tuple[Any, list[PoolLink]]] = {}
    for row in rows:
        lid = row.etsy_listing_id
        entry = found.get(lid)
        if entry is None:
            entry = found[lid] = (row, [])
        sales = erased.get((lid, row.pool_key), ()) if erased else ()
        entry[1].append(_pool_link(row, sales))
    return {
        lid: _listing_state(row, tuple(links), _other_sales(lid, links, erased))
        for lid, (row, links) in found.items()
    }


def _other_sales(
    listing_id: int,
    links: Sequence[PoolLink],
    erased: Mapping[tuple[int, str], tuple[Sale, ...]],
) -> tuple[tuple[str, tuple[Sale, ...]], ...]:
    """The erased sales of the listing's pools that are not linked (usually none)."""
    if not erased:
        return ()
    linked = {link.pool_key for link in links}
    return tuple(
        (key, sales)
        for (lid, key), sales in sorted(erased.items())
        if lid == listing_id and key not in linked
    )


def _linked_pools_query(shop_id: int, *, by_ids: bool) -> Select[Any]:
    """One row per linked pool: the listing's columns, the pool's, the variant's quantity.

    ``by_ids``: the caller adds an ``IN`` on the listing ids, which must drive the
    lookup (``same_shop``), not the shop.  Core columns (no ORM entities): the
    rows are plain tuples.
    """
    listings, pools = LISTINGS.c, POOLS.c
    shop = same_shop(listings.shop_id, shop_id) if by_ids else listings.shop_id == shop_id
    return (
        select(
            listings.etsy_listing_id,
            listings.title,
            listings.state,
            listings.disabled_by_us,
            listings.deactivated_by_etsysync,
            listings.pending_write.is_not(None).label("pending"),
            pools.pool_key,
            pools.label,
            pools.sku,
            pools.local_variant_id,
            pools.first_truth,
            pools.base_local,
            pools.base_etsy,
            pools.status,
            VARIANTS.c.quantity,
        )
        .join(POOLS, pools.etsy_listing_id == listings.etsy_listing_id)
        .join(VARIANTS, VARIANTS.c.id == pools.local_variant_id)
        .where(shop, listings.missing_since.is_(None))
        .order_by(listings.etsy_listing_id, pools.id)
    )


_TRUTHS = {truth.value: truth for truth in FirstTruth}


def _listing_state(
    row: Any,
    links: tuple[PoolLink, ...],
    other_sales: tuple[tuple[str, tuple[Sale, ...]], ...],
) -> ListingState:
    """The listing's part of its first row, with its links."""
    return ListingState(
        row.etsy_listing_id,
        row.title or "",
        row.state,
        frozenset(row.disabled_by_us) if row.disabled_by_us else NONE_DISABLED,
        bool(row.deactivated_by_etsysync),
        bool(row.pending),
        links,
        other_sales,
    )


def _pool_link(row: Any, sales: tuple[Sale, ...]) -> PoolLink:
    return PoolLink(
        row.pool_key,
        row.label,
        row.sku,
        row.local_variant_id,
        _TRUTHS.get(row.first_truth) or FirstTruth(row.first_truth),
        row.base_local,
        row.base_etsy,
        row.quantity,
        row.status,
        sales,
    )

"""Which listings read from Etsy would be written exactly as they are already stored.

Why: a repeat ``sync all`` reads the whole shop again (Etsy has no "changed
since" filter on ``getListingsByShop``), and rewriting every row with identical
values cost almost as much as the first sync.  A listing whose row and pools
would be written with the values already stored is left alone; only its
``last_synced_at`` is stamped, in one set-based update, so "last synced" still
says when Etsy was last read.

The comparison is on the values themselves (what is stored against what would
be written), not on Etsy's ``last_modified_timestamp``: that timestamp is not
documented to move on every inventory change, and a local column (a link
problem, a sync error set by an inventory run, ``missing_since``) can differ
while Etsy's data did not.  A value that compares unequal for any reason (a
type the driver returns differently, say) only means the row is rewritten as
before, so the check can never hide a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyProduct
from etsysync_gui.db.sql_helpers import IN_CHUNK, chunks, table_of
from etsysync_gui.sync.listings.rows import LISTING_UPDATE_COLUMNS

LISTINGS = table_of(EtsyProduct)

# Compared listing columns: everything an upsert sets except the run's timestamps.
LISTING_COMPARED = tuple(
    c for c in LISTING_UPDATE_COLUMNS if c not in ("last_synced_at", "updated_at")
)
POOL_COMPARED = ("label", "sku", "etsy_quantity", "etsy_enabled", "price")

Fingerprint = tuple[Any, ...]
PoolPrints = dict[str, Fingerprint]


class OldListing(NamedTuple):
    """A listing as stored before this page was written (for the page's counts and import)."""

    local_product_id: int | None
    missing_since: datetime | None


class StoredListings(NamedTuple):
    """A page's listings as stored: ``old`` and ``prints`` for this shop's, ``present``
    the ids stored under any shop (the upsert overwrites those too)."""

    old: dict[int, OldListing]
    prints: dict[int, Fingerprint]
    present: set[int]


def stored_listings(session: Session, shop_id: int, listing_ids: Sequence[int]) -> StoredListings:
    """The stored listings among ``listing_ids`` (one page of a read, so memory stays
    bounded): their product and ``missing_since``, and their compared columns plus the
    deactivation flag.  One query for all: PostgreSQL pays a round trip per statement.

    The shop is compared here, not in SQL, so a listing stored under another shop is
    still seen as present (and only an equality on the unique id reaches the index).
    """
    columns = [LISTINGS.c[name] for name in LISTING_COMPARED]
    query = select(
        LISTINGS.c.etsy_listing_id,
        LISTINGS.c.shop_id,
        LISTINGS.c.local_product_id,
        LISTINGS.c.missing_since,
        *columns,
        LISTINGS.c.deactivated_by_etsysync,
    )
    found = StoredListings({}, {}, set())
    for chunk in chunks(listing_ids, IN_CHUNK):
        for row in session.execute(query.where(LISTINGS.c.etsy_listing_id.in_(chunk))):
            found.present.add(row[0])
            if row[1] == shop_id:
                found.old[row[0]] = OldListing(row[2], row[3])
                found.prints[row[0]] = tuple(row[4:])
    return found


def unchanged_listings(
    listing_rows: Iterable[Mapping[str, Any]],
    pool_rows: Mapping[int, Sequence[Mapping[str, Any]] | None],
    stored: Mapping[int, Fingerprint],
    pools: Mapping[int, PoolPrints],
) -> set[int]:
    """Ids whose listing row and pools (when read) equal what is stored.

    A stored listing flagged ``deactivated_by_etsysync`` that Etsy reports
    active must be rewritten (the upsert clears the flag), so it never counts.
    ``pool_rows[lid] is None`` means the pools were not read (they are kept).
    """
    same: set[int] = set()
    for row in listing_rows:
        lid = row["etsy_listing_id"]
        old = stored.get(lid)
        if old is None or old[:-1] != tuple(row[name] for name in LISTING_COMPARED):
            continue
        if old[-1] and row["state"] == "active":
            continue
        read = pool_rows.get(lid)
        if read is not None:
            now = {p["pool_key"]: tuple(p[name] for name in POOL_COMPARED) for p in read}
            if now != pools.get(lid, {}):
                continue
        same.add(lid)
    return same


def stamp_synced(session: Session, listing_ids: Sequence[int], now: datetime) -> None:
    """Record that unchanged listings were read now (their data stays as stored)."""
    for chunk in chunks(sorted(listing_ids), IN_CHUNK):
        session.execute(
            update(LISTINGS)
            .where(LISTINGS.c.etsy_listing_id.in_(chunk))
            # ``updated_at`` kept as it is: nothing about the listing changed.
            .values(last_synced_at=now, updated_at=LISTINGS.c.updated_at)
        )

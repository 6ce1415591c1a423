"""SKUs found shared by several pools only after the first of them was stored.

Why: a SKU used by more than one pool of the shop is never linked
automatically (see ``autolink``), but a read stored page by page learns that a
SKU is shared only when its second pool arrives, perhaps 40 pages after the
first pool was stored and linked.  ``SkuSightings`` remembers, per casefolded
SKU, the listing of its first pool (one small entry per SKU, not the pools);
after a complete read ``unlink_late_duplicates`` gives that first pool the
outcome a whole-shop read would have given: a link made by this run is undone
and the pool is reported ``duplicate_sku``.  A link made by an earlier run is
kept, as ``autolink`` keeps it.

Known limit: a read that fails after such a link was stored leaves it in
place; the next complete read keeps it (as any earlier link) and reports the
other pool ``duplicate_sku``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyProduct, EtsyStockPool
from etsysync_gui.db.sql_helpers import table_of
from etsysync_gui.sync.listings.autolink import (
    DUPLICATE_SKU,
    SOURCE_SKU,
    LinkProblem,
    duplicate_detail,
)
from etsysync_gui.sync.listings.rows import ReadListing

if TYPE_CHECKING:
    from etsysync_gui.sync.listings.pages import StoreTally

LISTINGS = table_of(EtsyProduct)
POOLS = table_of(EtsyStockPool)


class SkuSightings:
    """Which SKUs the pages stored so far share between listings (see the module notes)."""

    def __init__(self) -> None:
        # casefolded SKU -> listing id of its first pool, negated once this run linked it
        self._first: dict[str, int] = {}
        self.duplicated: set[str] = set()
        self.late: dict[str, int] = {}

    def see(
        self, reads: Sequence[ReadListing], stored: Iterable[tuple[int, str | None]] = ()
    ) -> None:
        """Note the SKUs of one page before it is linked: those of the pools ``reads``
        found, and ``stored`` ``(listing id, SKU)`` of listings left as stored (``in_step``)."""
        read = [(r.listing_id, pool.sku) for r in reads for pool in r.pools or ()]
        page: dict[str, int] = {}
        for lid, raw_sku in [*read, *stored]:
            if not raw_sku:
                continue
            sku = raw_sku.casefold()
            prior = self._first.get(sku)
            if prior is None:
                if page.setdefault(sku, lid) != lid:
                    self.duplicated.add(sku)
            elif abs(prior) != lid and sku not in self.duplicated:
                self.duplicated.add(sku)
                self.late[sku] = prior
        for sku, lid in page.items():
            self._first.setdefault(sku, lid)

    def linked(self, pools: Iterable[tuple[str, int]]) -> None:
        """Note ``(sku, listing id)`` pools this run linked by SKU."""
        for sku, lid in pools:
            key = sku.casefold()
            if self._first.get(key) == lid:
                self._first[key] = -lid


def unlink_late_duplicates(
    session: Session, skus: SkuSightings, tally: StoreTally, now: datetime
) -> set[int]:
    """Settle the first pool of every SKU found shared late; the listings whose links changed."""
    changed: set[int] = set()
    for sku, first in sorted(skus.late.items()):
        lid = abs(first)
        query = (
            select(POOLS.c.pool_key, POOLS.c.label, POOLS.c.sku, POOLS.c.local_variant_id)
            .add_columns(POOLS.c.link_source, LISTINGS.c.title)
            .join(LISTINGS, LISTINGS.c.etsy_listing_id == POOLS.c.etsy_listing_id)
            .where(POOLS.c.etsy_listing_id == lid)
        )
        for row in session.execute(query).all():
            if not row.sku or row.sku.casefold() != sku:
                continue
            undo = first < 0 and row.link_source == SOURCE_SKU
            if not undo and (row.local_variant_id is not None or row.link_source is not None):
                continue
            detail = duplicate_detail(row.sku)
            _mark_duplicate(session, lid, row.pool_key, detail, unlink=undo, now=now)
            problem = LinkProblem(
                lid, row.title, row.pool_key, row.label, row.sku, DUPLICATE_SKU, detail
            )
            kept = [p for p in tally.problems.get(lid, []) if p.pool_key != row.pool_key]
            tally.problems[lid] = [*kept, problem]
            if undo:
                tally.linked -= 1
                changed.add(lid)
    return changed


def _mark_duplicate(
    session: Session, lid: int, key: str, detail: str, *, unlink: bool, now: datetime
) -> None:
    values: dict[str, object] = {"status": "unlinked", "message": detail, "updated_at": now}
    if unlink:
        values.update(
            local_variant_id=None,
            link_source=None,
            first_truth="etsy",
            base_local=None,
            base_etsy=None,
        )
    session.execute(
        update(POOLS)
        .where(POOLS.c.etsy_listing_id == lid, POOLS.c.pool_key == key)
        .values(**values)
    )
    session.execute(
        update(LISTINGS)
        .where(
            LISTINGS.c.etsy_listing_id == lid, LISTINGS.c.link_problem.is_distinct_from("ambiguous")
        )
        .values(link_problem=DUPLICATE_SKU, updated_at=now)
    )

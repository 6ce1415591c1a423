"""What "Build your catalog" shows: how far the shop is linked, and what each start would do.

Why counted here, apart from the dashboard: the step offers three ways to
start (from the Etsy listings, from a spreadsheet, by SKU) and each button
says in numbers what it will do before the seller presses it, then what it
did.  The numbers come from the stored listings, pools and catalog, read on a
worker; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, ProductVariant
from etsysync_gui.scheduling.requests import SyncOutcome
from etsysync_gui.sync.listings.autolink import SOURCE_UNLINKED, LinkProblem
from etsysync_gui.sync.listings.run import ListingSyncResult


@dataclass(frozen=True, slots=True)
class HeldBack:
    """A listing's pool the import will not touch, and why (shown to the seller)."""

    listing_id: int
    title: str
    label: str
    reason: str


@dataclass(frozen=True, slots=True)
class CatalogStart:
    listings: int = 0
    pools: int = 0
    linked_pools: int = 0
    catalog_variants: int = 0
    sku_matches: int = 0
    """Unlinked pools whose SKU is exactly a catalog variant's SKU that is not linked yet."""
    unlinked_listings: int = 0
    """Listings with a pool the import would take (not counting pools unlinked by hand)."""
    unlinked_by_you: tuple[HeldBack, ...] = field(default_factory=tuple)

    @property
    def unlinked_pools(self) -> int:
        return self.pools - self.linked_pools

    @property
    def importable_pools(self) -> int:
        """Pools "Start from my Etsy listings" would turn into catalog variants."""
        return self.unlinked_pools - len(self.unlinked_by_you)


def load_catalog_start(database: Database, shop_id: int | None) -> CatalogStart:
    if shop_id is None:
        return CatalogStart()
    pool, listing = EtsyStockPool, EtsyProduct
    query = (
        select(
            pool.etsy_listing_id,
            listing.title,
            pool.label,
            pool.sku,
            pool.local_variant_id,
            pool.link_source,
        )
        .join(listing, listing.etsy_listing_id == pool.etsy_listing_id)
        .where(listing.shop_id == shop_id, listing.missing_since.is_(None))
    )
    with database.session() as session:
        rows = list(session.execute(query))
        variants = list(session.execute(select(ProductVariant.id, ProductVariant.sku)))
        listing_count = session.scalar(
            select(func.count())
            .select_from(listing)
            .where(listing.shop_id == shop_id, listing.missing_since.is_(None))
        )
    linked_variants = {r.local_variant_id for r in rows if r.local_variant_id is not None}
    free_skus = {sku for vid, sku in variants if sku and vid not in linked_variants}
    unlinked = [r for r in rows if r.local_variant_id is None]
    held = tuple(
        HeldBack(r.etsy_listing_id, r.title or "", r.label, "you unlinked it by hand")
        for r in unlinked
        if r.link_source == SOURCE_UNLINKED
    )
    return CatalogStart(
        listings=listing_count or 0,
        pools=len(rows),
        linked_pools=len(rows) - len(unlinked),
        catalog_variants=len(variants),
        sku_matches=sum(
            1 for r in unlinked if r.sku and r.sku in free_skus and r.link_source is None
        ),
        unlinked_listings=len(
            {r.etsy_listing_id for r in unlinked if r.link_source != SOURCE_UNLINKED}
        ),
        unlinked_by_you=held,
    )


def import_report(
    products: int, variants: int, problems: tuple[LinkProblem, ...], held: tuple[HeldBack, ...]
) -> list[str]:
    """What "Import unlinked listings" did, then one line per listing it skipped, and why."""
    if variants:
        lines = [
            f"Imported {variants:,} variant(s) into {products:,} new or existing product(s), "
            "linked to their Etsy listings at once."
        ]
    else:
        lines = ["Nothing was imported."]
    for problem in problems:
        what = f"{problem.title} ({problem.label})" if problem.label else problem.title
        lines.append(f"Skipped {what}: {problem.detail}")
    for item in held:
        lines.append(
            f"Skipped {item.title} ({item.label}): {item.reason}; use Link… in Listings to "
            "link it to a catalog variant."
        )
    if not variants and not problems and not held:
        lines = ["Nothing to import: every Etsy listing is linked to your catalog already."]
    return lines


def listing_sync_of(outcome: SyncOutcome) -> ListingSyncResult | None:
    """The listing sync's own result (links, imports, problems), when the run got that far."""
    if outcome.error is not None or outcome.result is None:
        return None
    result = outcome.result.listing_sync
    return result if isinstance(result, ListingSyncResult) else None

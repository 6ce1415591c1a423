"""``import_unlinked``: make local catalog entries for Etsy stock nobody linked yet.

Why: a seller starting with EtsySync often has the stock only on Etsy.  Rather
than typing a catalog, they let the listing sync create one local product per
listing and one variant per unlinked stock pool, with Etsy's quantity and
price, linked at once.  Both bases are set to Etsy's quantity, because both
sides now hold the same number: the first inventory sync finds nothing to do.

The new variant keeps the pool's SKU only when no local variant has it and no
other pool uses it (``no_match``); a pool without a single SKU, or whose SKU is
shared with other pools, gets a variant without SKU (SKUs are unique locally),
which the seller can name later.  A listing already partly linked gets its new
variants on the product its linked variants belong to.  Listings whose pools
cannot be told apart (``ambiguous``) are not imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from etsysync_gui.db.models import Product, ProductVariant
from etsysync_gui.sync.listings.autolink import NO_MATCH, SOURCE_MANUAL, LinkOutcome
from etsysync_gui.sync.listings.rows import ReadListing, ReadPool


@dataclass(frozen=True, slots=True)
class ImportCounts:
    products: int = 0
    variants: int = 0


def import_unlinked(
    session: Session, outcome: LinkOutcome, *, listing_products: Mapping[int, int | None]
) -> ImportCounts:
    """Create and link variants for ``outcome.unlinkable``; resolves their problems."""
    by_listing: dict[int, list[tuple[ReadListing, ReadPool]]] = {}
    for read, pool in outcome.unlinkable:
        by_listing.setdefault(read.listing_id, []).append((read, pool))
    if not by_listing:
        return ImportCounts()
    created: list[tuple[tuple[int, str], ProductVariant, int]] = []
    new_products = 0
    for listing_id, items in by_listing.items():
        product_id = listing_products.get(listing_id)
        product: Product | None = None
        if product_id is None:
            product = Product(title=items[0][0].listing.title)
            session.add(product)
            new_products += 1
        for _read, pool in items:
            problem = outcome.problems[(listing_id, pool.key)]
            variant = ProductVariant(
                sku=pool.sku if problem.problem == NO_MATCH else None,
                name=pool.label,
                quantity=pool.quantity,
                price=pool.price,
            )
            if product is not None:
                product.variants.append(variant)
            else:
                assert product_id is not None
                variant.product_id = product_id
                session.add(variant)
            created.append(((listing_id, pool.key), variant, pool.quantity))
    session.flush()
    for pid, variant, quantity in created:
        outcome.add_link(pid, variant.id, SOURCE_MANUAL, base=quantity)
        outcome.products[variant.id] = variant.product_id
        del outcome.problems[pid]
    outcome.unlinkable.clear()
    return ImportCounts(products=new_products, variants=len(created))

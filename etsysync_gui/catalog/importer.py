"""Applying a checked catalog CSV to the database, and writing the catalog back out.

Import upserts by SKU in one transaction: a file with errors imports nothing
(unless the caller asked to skip invalid rows), so a half-imported
spreadsheet never leaves stock counts in a state nobody chose.  Variants of
one product share the ``product`` column; a row without it is a product of
its own, named by its title or SKU.

Variants made from SKU-less Etsy listings have no SKU, so the export also
writes the Etsy pool each variant is linked to (``etsy_listing``,
``etsy_pool_key``) and the import finds such a row's variant by that pool
first: Export → edit → Import round-trips every row, and an SKU typed into
such a row is given to the variant (when no other variant has it).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from etsysync_gui.catalog.csv_rows import CatalogRow, read_catalog_file
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyStockPool, Product, ProductVariant
from etsysync_gui.errors import CatalogExportError, CatalogImportError

EXPORT_COLUMNS = ("sku", "quantity", "title", "price", "product", "etsy_listing", "etsy_pool_key")
PoolRef = tuple[int, str]
_LOOKUP_CHUNK = 500


@dataclass
class ImportReport:
    """What an import did; ``skipped`` lists the problems of rows left out."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _existing_variants(session: Session, skus: list[str]) -> dict[str, ProductVariant]:
    found: dict[str, ProductVariant] = {}
    for start in range(0, len(skus), _LOOKUP_CHUNK):
        chunk = skus[start : start + _LOOKUP_CHUNK]
        for variant in session.scalars(select(ProductVariant).where(ProductVariant.sku.in_(chunk))):
            assert variant.sku is not None
            found[variant.sku] = variant
    return found


def _existing_products(session: Session, titles: list[str]) -> dict[str, Product]:
    """Products a new variant may join by name: the oldest product with that title."""
    found: dict[str, Product] = {}
    for start in range(0, len(titles), _LOOKUP_CHUNK):
        chunk = titles[start : start + _LOOKUP_CHUNK]
        query = select(Product).where(Product.title.in_(chunk)).order_by(Product.id.desc())
        for product in session.scalars(query):
            found[product.title] = product
    return found


def _linked_variants(session: Session, pools: list[PoolRef]) -> dict[PoolRef, ProductVariant]:
    """The catalog variants linked to the Etsy pools the rows name."""
    wanted = set(pools)
    listings = sorted({listing for listing, _key in wanted})
    ids: dict[PoolRef, int] = {}
    for start in range(0, len(listings), _LOOKUP_CHUNK):
        query = select(
            EtsyStockPool.etsy_listing_id, EtsyStockPool.pool_key, EtsyStockPool.local_variant_id
        ).where(
            EtsyStockPool.etsy_listing_id.in_(listings[start : start + _LOOKUP_CHUNK]),
            EtsyStockPool.local_variant_id.is_not(None),
        )
        for listing, key, variant_id in session.execute(query):
            if (listing, key) in wanted and variant_id is not None:
                ids[(listing, key)] = variant_id
    variants = {v.id: v for v in _variants_by_id(session, sorted(set(ids.values())))}
    return {pool: variants[vid] for pool, vid in ids.items() if vid in variants}


def _variants_by_id(session: Session, ids: list[int]) -> list[ProductVariant]:
    found: list[ProductVariant] = []
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        found.extend(session.scalars(select(ProductVariant).where(ProductVariant.id.in_(chunk))))
    return found


def _take_sku(
    row: CatalogRow, variant: ProductVariant, existing: dict[str, ProductVariant]
) -> bool:
    """Give a pool-keyed row's typed SKU to its variant, unless another variant has it."""
    if not row.sku or variant.sku == row.sku:
        return False
    holder = existing.get(row.sku)
    if holder is not None and holder is not variant:
        return False
    variant.sku = row.sku
    existing[row.sku] = variant
    return True


def _apply_row(row: CatalogRow, variant: ProductVariant) -> bool:
    changed = False
    if variant.quantity != row.quantity:
        variant.quantity = row.quantity
        changed = True
    if row.price is not None and variant.price != row.price:
        variant.price = row.price
        changed = True
    if row.title is not None and variant.name != row.title:
        variant.name = row.title
        changed = True
    return changed


def _apply(session: Session, rows: Iterable[CatalogRow], report: ImportReport) -> None:
    rows = list(rows)
    existing = _existing_variants(session, [r.sku for r in rows if r.sku])
    by_pool = _linked_variants(session, [r.pool for r in rows if r.pool is not None])
    groups = {r.product for r in rows if r.product and r.sku not in existing}
    products_by_title = _existing_products(session, sorted(groups))
    for row in rows:
        variant = by_pool.get(row.pool) if row.pool is not None else None
        if variant is None and row.sku:
            variant = existing.get(row.sku)
        elif variant is not None and _take_sku(row, variant, existing):
            _apply_row(row, variant)
            report.updated += 1
            continue
        if variant is not None:
            if _apply_row(row, variant):
                report.updated += 1
            else:
                report.unchanged += 1
            continue
        if not row.sku:
            report.skipped.append(
                f"line {row.line}: Etsy listing {row.etsy_listing} ({row.etsy_pool_key}) is no "
                "longer linked to a catalog variant; give the row an SKU to add it"
            )
            continue
        group = row.product or row.title or row.sku
        product = products_by_title.get(group) if row.product else None
        if product is None:
            product = Product(title=group)
            session.add(product)
            if row.product:
                products_by_title[group] = product
        product.variants.append(
            ProductVariant(
                sku=row.sku or None, name=row.title, price=row.price, quantity=row.quantity
            )
        )
        report.created += 1


def import_catalog(db: Database, path: Path, *, skip_invalid: bool = False) -> ImportReport:
    """Import ``path``; raise CatalogImportError listing every bad row unless skipping them."""
    parsed = read_catalog_file(path)
    if parsed.problems and not skip_invalid:
        count = len(parsed.problems)
        raise CatalogImportError(
            f"{path}: {count} invalid row{'s' if count != 1 else ''}; nothing was imported "
            "(fix them, or use --skip-invalid to import the valid rows only).",
            problems=parsed.problems,
        )
    report = ImportReport(skipped=list(parsed.problems))
    with db.session() as session:
        _apply(session, parsed.rows, report)
    return report


def _pool_of_variant(session: Session) -> dict[int, tuple[int | str, str]]:
    """variant id → the (first) Etsy pool it is linked to, for the export's key columns."""
    query = (
        select(
            EtsyStockPool.local_variant_id, EtsyStockPool.etsy_listing_id, EtsyStockPool.pool_key
        )
        .where(EtsyStockPool.local_variant_id.is_not(None))
        .order_by(EtsyStockPool.id.desc())
    )
    return {vid: (listing, key) for vid, listing, key in session.execute(query) if vid is not None}


def export_catalog(db: Database, path: Path) -> int:
    """Write every variant to ``path`` in the import format; return the number of rows."""
    written = 0
    tmp = path.with_name(path.name + ".partial")
    try:
        with db.session() as session, tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            pools = _pool_of_variant(session)
            query = select(Product).options(selectinload(Product.variants)).order_by(Product.id)
            for product in session.scalars(query):
                for variant in sorted(product.variants, key=lambda v: v.id):
                    listing, key = pools.get(variant.id, ("", ""))
                    writer.writerow(
                        [
                            variant.sku or "",
                            variant.quantity,
                            variant.name or "",
                            "" if variant.price is None else f"{variant.price:.2f}",
                            product.title,
                            listing,
                            key,
                        ]
                    )
                    written += 1
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CatalogExportError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return written

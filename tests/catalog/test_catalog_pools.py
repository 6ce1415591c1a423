"""Rows keyed by Etsy pool (etsy_listing + etsy_pool_key) in the streamed, chunked import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from etsysync_gui.catalog import importer
from etsysync_gui.catalog.importer import export_catalog, import_catalog
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, Product, ProductVariant
from etsysync_gui.errors import CatalogImportError

LISTING = 1_400_000_001
HEADER = "sku,quantity,title,price,product,etsy_listing,etsy_pool_key\n"


def _linked_sku_less(db: Database, count: int) -> list[int]:
    """``count`` SKU-less variants, each linked to one pool of one Etsy listing."""
    with db.session() as session:
        session.add(EtsyProduct(etsy_listing_id=LISTING, shop_id=1, title="Mugs"))
        product = Product(title="Mugs")
        product.variants.extend(ProductVariant(name=f"Mug {i}", quantity=1) for i in range(count))
        session.add(product)
        session.flush()
        for i, variant in enumerate(product.variants):
            pool = EtsyStockPool(etsy_listing_id=LISTING, pool_key=f"prop:Color=c{i}")
            pool.local_variant_id = variant.id
            session.add(pool)
        session.commit()
        return [v.id for v in product.variants]


def _quantities(db: Database) -> dict[int, tuple[str | None, int]]:
    with db.session() as session:
        rows = session.execute(
            select(ProductVariant.id, ProductVariant.sku, ProductVariant.quantity)
        )
        return {vid: (sku, qty) for vid, sku, qty in rows}


def test_pool_keyed_rows_are_found_chunk_by_chunk(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    ids = _linked_sku_less(database, 5)
    path = tmp_path / "catalog.csv"
    assert export_catalog(database, path) == 5
    text = path.read_text(encoding="utf-8").replace(",1,Mug", ",9,Mug")
    path.write_text(text.replace(",9,Mug 3,", "MUG-3,9,Mug 3,"), encoding="utf-8")
    report = import_catalog(database, path)
    assert (report.created, report.updated, report.skipped) == (0, 5, [])
    stored = _quantities(database)
    assert [stored[i] for i in ids] == [(None, 9)] * 3 + [("MUG-3", 9), (None, 9)]


def test_an_sku_another_variant_has_is_not_given_to_a_pool_keyed_row(
    database: Database, tmp_path: Path
) -> None:
    ids = _linked_sku_less(database, 1)
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + f"TAKEN,2,,,,,\nTAKEN,3,,,,{LISTING},prop:Color=c0\n")
    with pytest.raises(CatalogImportError, match="1 invalid row"):
        import_catalog(database, path)  # one SKU twice in a file is refused first
    (tmp_path / "first.csv").write_text("sku,quantity\nTAKEN,2\n")
    import_catalog(database, tmp_path / "first.csv")
    path.write_text(HEADER + f"TAKEN,3,,,,{LISTING},prop:Color=c0\n")
    report = import_catalog(database, path)
    assert (report.created, report.updated) == (0, 1)
    assert _quantities(database)[ids[0]] == (None, 3)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (f",1,,,,{LISTING},", "go together"),
        (",1,,,,,prop:Color=c0", "go together"),
        (",1,,,,１２,prop:Color=c0", "not an Etsy listing number"),
        (",1,,,,1234567890123456789,prop:Color=c0", "not an Etsy listing number"),
        (f",1,,,,{LISTING},{'k' * 501}", "etsy_pool_key is longer than 500"),
    ],
)
def test_half_or_odd_pool_cells_are_refused(
    database: Database, tmp_path: Path, row: str, expected: str
) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(CatalogImportError) as info:
        import_catalog(database, path)
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_one_pool_twice_is_refused(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + f",1,,,,{LISTING},k\n,2,,,,{LISTING},k\n")
    with pytest.raises(CatalogImportError) as info:
        import_catalog(database, path)
    duplicate = f"line 3: duplicate Etsy pool {LISTING} 'k' (first seen on line 2)"
    assert duplicate in info.value.problems
    assert "1 invalid row;" in info.value.message


def test_a_sku_less_row_of_a_pool_no_longer_linked_is_skipped_and_said(
    database: Database, tmp_path: Path
) -> None:
    _linked_sku_less(database, 1)
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + f",4,,,,{LISTING},prop:Color=gone\nNEW,1,,,,,\n")
    report = import_catalog(database, path)
    assert report.created == 1
    assert report.skipped_count == 1
    assert "no longer linked to a catalog variant" in report.skipped[0]
    assert report.skipped[0].startswith("line 2:")

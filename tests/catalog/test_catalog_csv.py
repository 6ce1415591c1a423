"""Catalog CSV import and export: every bad row reported, nothing half-imported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from etsysync_gui.catalog.importer import export_catalog, import_catalog
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import Product, ProductVariant
from etsysync_gui.errors import CatalogImportError


def write(tmp_path: Path, text: str, name: str = "catalog.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def variants(db: Database) -> dict[str, tuple[int, str | None, Decimal | None, str]]:
    with db.session() as s:
        rows = s.execute(
            select(
                ProductVariant.sku,
                ProductVariant.quantity,
                ProductVariant.name,
                ProductVariant.price,
                Product.title,
            ).join(Product)
        )
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def test_import_creates_variants_grouped_by_product(database: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sku,quantity,title,price,product\n"
        "MUG-BLUE,4,Blue,18.50,Stoneware mug\n"
        "MUG-RED,0,Red,18.50,Stoneware mug\n"
        "PRINT-A4,12,A4 print,0.20,\n",
    )
    report = import_catalog(database, path)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert variants(database) == {
        "MUG-BLUE": (4, "Blue", Decimal("18.50"), "Stoneware mug"),
        "MUG-RED": (0, "Red", Decimal("18.50"), "Stoneware mug"),
        "PRINT-A4": (12, "A4 print", Decimal("0.20"), "A4 print"),
    }
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Product)) == 2


def test_import_upserts_by_sku(database: Database, tmp_path: Path) -> None:
    import_catalog(database, write(tmp_path, "sku,quantity,product\nA,1,Vase\nB,2,Vase\n"))
    report = import_catalog(
        database, write(tmp_path, "sku,quantity,product\nA,5,Vase\nB,2,Vase\nC,7,Vase\n", "2.csv")
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    got = variants(database)
    assert {k: v[0] for k, v in got.items()} == {"A": 5, "B": 2, "C": 7}
    with database.session() as s:  # C joined the existing product instead of a duplicate
        assert s.scalar(select(func.count()).select_from(Product)) == 1


def test_excel_bom_and_header_case_are_accepted(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffSKU,Quantity\r\nX-1,3\r\n\r\n".encode())
    assert import_catalog(database, path).created == 1
    assert variants(database)["X-1"][0] == 3


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sku,quantity\nA,two\n", "line 2: quantity 'two' is not a whole number"),
        ("sku,quantity\nA,-1\n", "line 2: quantity -1 is negative"),
        ("sku,quantity\nA,1.5\n", "line 2: quantity '1.5' is not a whole number"),
        ("sku,quantity\n,3\n", "line 2: sku is empty"),
        ("sku,quantity\nA,1\nB,2\nA,3\n", "line 4: duplicate sku 'A' (first seen on line 2)"),
        ("sku,quantity,price\nA,1,12,50\n", "line 2: more values than the 3 columns"),
        ('sku,quantity,price\nA,1,"12,50"\n', "line 2: price '12,50' is not an amount"),
        ("sku,quantity,price\nA,1,abc\n", "line 2: price 'abc' is not an amount like 12.50"),
    ],
)
def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(
    database: Database, tmp_path: Path, body: str, expected: str
) -> None:
    path = write(tmp_path, "sku,quantity\nKEEP,9\n")
    import_catalog(database, path)
    with pytest.raises(CatalogImportError) as info:
        import_catalog(database, write(tmp_path, body, "bad.csv"))
    assert "nothing was imported" in info.value.message
    assert any(p.startswith(expected) or expected in p for p in info.value.problems), (
        info.value.problems
    )
    assert variants(database) == {"KEEP": (9, None, None, "KEEP")}


def test_every_bad_row_is_listed_at_once(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "sku,quantity\nA,x\nB,-2\nC,3\n,4\n")
    with pytest.raises(CatalogImportError) as info:
        import_catalog(database, path)
    assert [p.split(":")[0] for p in info.value.problems] == ["line 2", "line 3", "line 5"]


def test_skip_invalid_imports_the_good_rows_and_lists_the_rest(
    database: Database, tmp_path: Path
) -> None:
    report = import_catalog(
        database, write(tmp_path, "sku,quantity\nA,x\nC,3\n"), skip_invalid=True
    )
    assert report.created == 1
    assert len(report.skipped) == 1
    assert set(variants(database)) == {"C"}


def test_missing_column_names_what_was_found(database: Database, tmp_path: Path) -> None:
    with pytest.raises(CatalogImportError) as info:
        import_catalog(database, write(tmp_path, "sku,qty\nA,1\n"))
    assert "missing required column(s) quantity" in info.value.message
    assert "found: sku, qty" in info.value.message


def test_non_utf8_and_missing_files_get_clear_messages(database: Database, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("sku,quantity,title\nA,1,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(CatalogImportError, match="not UTF-8"):
        import_catalog(database, latin)
    with pytest.raises(CatalogImportError, match="no such file"):
        import_catalog(database, tmp_path / "nope.csv")


def test_export_then_import_round_trips(database: Database, tmp_path: Path) -> None:
    source = write(
        tmp_path,
        "sku,quantity,title,price,product\nA,1,Small,5.00,Ring\nB,0,Large,7.25,Ring\nC,3,,,\n",
    )
    import_catalog(database, source)
    out = tmp_path / "out.csv"
    assert export_catalog(database, out) == 3
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "sku,quantity,title,price,product,etsy_listing,etsy_pool_key"
    assert "B,0,Large,7.25,Ring,," in lines  # not linked: no Etsy pool to name
    before = variants(database)
    report = import_catalog(database, out)
    assert report.unchanged == 3
    assert variants(database) == before

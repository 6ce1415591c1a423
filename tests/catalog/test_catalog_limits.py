"""Catalog values at the limits of the columns: the same answer on SQLite and PostgreSQL.

PostgreSQL refuses a 501-character title, a NUL byte or a price beyond
Numeric(12, 2) with an error (once exit 70); SQLite stored them silently.
Both now refuse them before writing, naming the line and the value.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, select

from etsysync_gui.catalog import editing, importer
from etsysync_gui.catalog.importer import (
    ImportCancelled,
    ImportProgress,
    export_catalog,
    import_catalog,
)
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import Product, ProductVariant
from etsysync_gui.errors import CatalogImportError
from etsysync_gui.failures import StorageFullError


def write(tmp_path: Path, text: str, name: str = "catalog.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def skus(db: Database) -> dict[str, tuple[int, Decimal | None, str | None]]:
    with db.session() as s:
        rows = s.execute(select(ProductVariant.sku, ProductVariant.quantity, ProductVariant.price,
                                ProductVariant.name))  # fmt: skip
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sku,quantity\nA,1_0\n", "line 2: quantity '1_0' is not a whole number"),
        ("sku,quantity\nA,１２\n", "line 2: quantity '１２' is not a whole number"),
        ("sku,quantity,price\nA,1,1_0\n", "line 2: price '1_0' is not an amount"),
        ("sku,quantity,price\nA,1,１２\n", "line 2: price '１２' is not an amount"),
        ("sku,quantity,price\nA,1,1e3\n", "line 2: price '1e3' is not an amount"),
        (
            "sku,quantity,price\nA,1,99999999999\n",
            "line 2: price 99999999999 is larger than 9999999999.99",
        ),
        ("sku,quantity,title\nA,1," + "t" * 501 + "\n", "line 2: title is longer than 500"),
        ("sku,quantity,product\nA,1," + "p" * 501 + "\n", "line 2: product is longer than 500"),
        ("sku,quantity\nA\x00B,1\n", "line 2: sku 'A\\x00B' contains a control character"),
        ("sku,quantity,title\nA,1,x\x00y\n", "line 2: title contains a NUL byte"),
        ("sku,quantity\n" + "S" * 256 + ",1\n", "line 2: sku is longer than 255"),
    ],
)
def test_values_beyond_the_columns_are_refused_on_both_backends(
    database: Database, tmp_path: Path, body: str, expected: str
) -> None:
    with pytest.raises(CatalogImportError) as info:
        import_catalog(database, write(tmp_path, body))
    assert any(p.startswith(expected) for p in info.value.problems), info.value.problems
    assert skus(database) == {}


def test_a_duplicate_header_column_is_refused_naming_it(database: Database, tmp_path: Path) -> None:
    with pytest.raises(CatalogImportError) as info:
        import_catalog(database, write(tmp_path, "sku,quantity,Quantity\nA,1,2\n"))
    assert "names column 'quantity' more than once (columns 2, 3)" in info.value.message


def test_the_largest_price_is_stored_exactly(database: Database, tmp_path: Path) -> None:
    import_catalog(database, write(tmp_path, "sku,quantity,price\nA,1,9999999999.99\nB,1,.10\n"))
    assert skus(database)["A"][1] == Decimal("9999999999.99")
    assert skus(database)["B"][1] == Decimal("0.10")


@pytest.mark.parametrize(
    "value", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "'=already", "''@x", "-RED"]
)
def test_formula_cells_are_escaped_on_export_and_round_trip(
    database: Database, tmp_path: Path, value: str
) -> None:
    editing.add_product(database, "Mug", editing.VariantInput(value, value, None, 1))
    out = tmp_path / "out.csv"
    export_catalog(database, out)
    line = out.read_text(encoding="utf-8").splitlines()[1]
    assert not line.startswith(tuple("=+-@\t\r")), line
    assert line.startswith("'") or line.startswith("\"'")
    with database.session() as s:
        s.execute(ProductVariant.__table__.delete())
        s.execute(Product.__table__.delete())
    import_catalog(database, out)
    assert skus(database) == {value.strip(): (1, None, value.strip())}


def test_a_plain_leading_quote_is_left_alone(database: Database, tmp_path: Path) -> None:
    import_catalog(database, write(tmp_path, "sku,quantity,title\n'A,1,'quoted\n"))
    assert skus(database) == {"'A": (1, None, "'quoted")}


def test_editing_refuses_the_same_limits(database: Database) -> None:
    with pytest.raises(editing.CatalogEditError, match="longer than 500"):
        editing.add_product(database, "t" * 501, editing.VariantInput("A", None, None, 1))
    with pytest.raises(editing.CatalogEditError, match="control character"):
        editing.add_product(database, "Mug", editing.VariantInput("A\x00", None, None, 1))
    with pytest.raises(editing.CatalogEditError, match="amount"):
        editing.parse_price("12345678901")
    with pytest.raises(editing.CatalogEditError, match="whole number"):
        editing.parse_quantity("１２")
    with database.session() as s:
        assert s.scalars(select(Product)).first() is None


def test_chunks_share_products_and_progress_is_reported(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 3)
    body = "sku,quantity,product\n" + "".join(f"S{i},{i},Vase\n" for i in range(10))
    seen: list[ImportProgress] = []
    report = import_catalog(database, write(tmp_path, body), progress=seen.append)
    assert report.created == 10
    assert [p.rows for p in seen] == [3, 6, 9, 10]
    assert seen[-1].fraction == 1.0
    with database.session() as s:
        assert len(s.scalars(select(Product)).all()) == 1
    again = import_catalog(database, write(tmp_path, body.replace(",0,", ",5,"), "2.csv"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 9)


def test_a_cancelled_import_commits_nothing(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    cancel = threading.Event()
    body = "sku,quantity\n" + "".join(f"S{i},1\n" for i in range(10))

    def progress(update: ImportProgress) -> None:
        if update.rows >= 4:
            cancel.set()

    with pytest.raises(ImportCancelled, match="nothing was imported"):
        import_catalog(database, write(tmp_path, body), progress=progress, cancel=cancel)
    assert skus(database) == {}


def test_a_full_disk_during_import_is_one_sentence(database: Database, tmp_path: Path) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite's max_page_count stands in for a full disk")

    def tiny(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.execute("PRAGMA max_page_count=40")  # type: ignore[attr-defined]

    database.engine.dispose()
    event.listen(database.engine, "connect", tiny)
    body = "sku,quantity,title\n" + "".join(f"S{i},1,{'x' * 200}\n" for i in range(2000))
    with pytest.raises(StorageFullError, match="The disk is full") as info:
        import_catalog(database, write(tmp_path, body))
    assert info.value.exit_code == 74
    event.remove(database.engine, "connect", tiny)
    assert skus(database) == {}


@pytest.mark.parametrize("value", ["\tx", "\rx", "=x", "'+x", "plain", "'plain", ""])
def test_escape_and_unescape_are_inverse(value: str) -> None:
    from etsysync_gui.catalog.cells import escape_formula, unescape_formula

    escaped = escape_formula(value)
    assert unescape_formula(escaped) == value
    assert escaped[:1] not in tuple("=+-@\t\r")

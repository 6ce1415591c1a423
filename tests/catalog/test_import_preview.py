"""The import preview (changes nothing, says what would change) and the catalog's log rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from etsysync_gui.catalog import preview as preview_module
from etsysync_gui.catalog.editing import set_variant_quantity
from etsysync_gui.catalog.importer import import_catalog
from etsysync_gui.catalog.preview import preview_import
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyInventorySyncLog, EtsySyncConfig, ProductVariant
from etsysync_gui.errors import CatalogImportError
from etsysync_gui.queries.log import LogFilter, fetch_log_page
from tests.catalog.test_catalog_csv import variants, write
from tests.cli.helpers import run_cli

START = "sku,quantity,title,price\nA,5,Mug,10.00\nB,3,Cup,\nC,1,Bowl,4.50\n"
EDIT = (
    "sku,quantity,title,price\n"
    "A,8,Mug,12.50\n"  # changed: quantity 5 → 8, price 10.00 → 12.50
    "B,3,Cup,\n"  # unchanged
    "C,1,Big bowl,\n"  # changed: name (no price: the stored one stays)
    "D,2,Plate,\n"  # new
    "E,-1,Broken,\n"  # invalid
)


def log_rows(db: Database) -> list[EtsyInventorySyncLog]:
    with db.session() as s:
        return list(s.scalars(select(EtsyInventorySyncLog).order_by(EtsyInventorySyncLog.id)))


def test_preview_counts_every_kind_shows_before_and_after_and_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    import_catalog(database, write(tmp_path, START, "start.csv"))
    before, logged = variants(database), len(log_rows(database))
    preview = preview_import(database, write(tmp_path, EDIT))
    assert (preview.new_count, preview.changed_count) == (1, 2)
    assert (preview.unchanged_count, preview.invalid_count) == (1, 1)
    changed = {row.sku: row.describe_changes() for row in preview.changed}
    assert changed == {"A": "quantity 5 → 8, price 10.00 → 12.50", "C": "name Bowl → Big bowl"}
    assert [(r.sku, r.quantity) for r in preview.new] == [("D", 2)]
    assert preview.invalid == ["line 6: quantity -1 is negative"]
    assert preview.summary() == ("Imported catalog.csv: 1 new, 2 changed, 1 unchanged, 1 invalid")
    assert variants(database) == before
    assert len(log_rows(database)) == logged


def test_preview_agrees_with_the_import_across_chunks(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_catalog(database, write(tmp_path, START, "start.csv"))
    monkeypatch.setattr(preview_module, "CHUNK_ROWS", 2)  # several chunks on a small file
    preview = preview_import(database, write(tmp_path, EDIT))
    report = import_catalog(database, write(tmp_path, EDIT), skip_invalid=True)
    assert (report.created, report.updated, report.unchanged) == (
        preview.new_count,
        preview.changed_count,
        preview.unchanged_count,
    )
    assert report.skipped_count == preview.invalid_count


def test_an_import_is_logged_with_its_counts_and_marks_the_catalog(
    database: Database, tmp_path: Path
) -> None:
    with database.session() as s:
        s.add(EtsySyncConfig(shop_id=42))
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    import_catalog(database, write(tmp_path, START, "start.csv"), now=now)
    import_catalog(database, write(tmp_path, EDIT), skip_invalid=True, now=now)
    page = fetch_log_page(database, LogFilter(action="catalog_import"))
    messages = [row.message for row in page.rows]
    assert messages == [
        "Imported catalog.csv: 1 new, 2 changed, 1 unchanged, 1 invalid",
        "Imported start.csv: 3 new, 0 changed, 0 unchanged, 0 invalid",
    ]
    assert all(row.listing_id is None for row in page.rows)
    with database.session() as s:
        assert s.scalar(select(EtsySyncConfig.catalog_imported_at)) == now


def test_an_import_that_changes_nothing_leaves_no_mark(database: Database, tmp_path: Path) -> None:
    import_catalog(database, write(tmp_path, START, "start.csv"))
    with database.session() as s:
        s.add(EtsySyncConfig(shop_id=42))
    import_catalog(database, write(tmp_path, START, "again.csv"))
    with database.session() as s:
        assert s.scalar(select(EtsySyncConfig.catalog_imported_at)) is None
    assert log_rows(database)[-1].message == (
        "Imported again.csv: 0 new, 0 changed, 3 unchanged, 0 invalid"
    )


def test_a_refused_import_logs_nothing(database: Database, tmp_path: Path) -> None:
    with pytest.raises(CatalogImportError, match="1 invalid row"):
        import_catalog(database, write(tmp_path, EDIT))
    assert log_rows(database) == []


def test_a_quantity_edit_is_logged_before_and_after(database: Database, tmp_path: Path) -> None:
    import_catalog(database, write(tmp_path, START))
    with database.session() as s:
        variant_id = s.scalar(select(ProductVariant.id).where(ProductVariant.sku == "A"))
    assert variant_id is not None
    set_variant_quantity(database, variant_id, 9)
    set_variant_quantity(database, variant_id, 9)  # the same number again: nothing to log
    edits = [r for r in log_rows(database) if r.sync_action == "catalog_edit"]
    assert [(r.message, r.local_quantity) for r in edits] == [
        ("Quantity of A changed by you: 5 → 9", 9)
    ]


def test_cli_dry_run_prints_the_preview_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    env = {"ETSYSYNC_DATABASE_URL": db_url}
    assert run_cli("catalog", "import", str(write(tmp_path, START, "s.csv")), env=env).code == 0
    result = run_cli("catalog", "import", str(write(tmp_path, EDIT)), "--dry-run", env=env)
    assert result.code == 1, result.stderr  # as an import that skipped rows
    assert result.stdout.splitlines()[0] == (
        "Dry run, nothing changed. Imported catalog.csv: 1 new, 2 changed, 1 unchanged, 1 invalid."
    )
    assert "Changed  line 2: A: quantity 5 → 8, price 10.00 → 12.50" in result.stdout
    assert "Invalid  line 6: quantity -1 is negative" in result.stdout
    assert "--skip-invalid" in result.stderr
    missing = run_cli("catalog", "import", str(tmp_path / "nope.csv"), "--dry-run", env=env)
    assert missing.code == 2
    assert "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr + result.stderr
    check = run_cli("status", "--json", env=env)
    assert '"catalog_variants": 3' in check.stdout

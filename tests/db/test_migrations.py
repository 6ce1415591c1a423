"""The schema is created, kept and evolved by Alembic on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import (
    current_revision,
    downgrade,
    head_revision,
    upgrade_to,
    upgrade_to_head,
)
from etsysync_gui.db.models import Base
from etsysync_gui.errors import DatabaseError
from etsysync_gui.paths import migrations_dir

EXPECTED_TABLES = {
    "products",
    "product_variants",
    "etsy_sync_config",
    "etsy_products",
    "etsy_inventory_sync_log",
}


def test_upgrade_creates_every_table_and_is_idempotent(db_url: str) -> None:
    db = Database.open(db_url)
    first = upgrade_to_head(db.engine)
    assert first.before is None
    assert first.after == head_revision()
    assert set(inspect(db.engine).get_table_names()) >= EXPECTED_TABLES

    second = upgrade_to_head(db.engine)
    assert not second.changed
    assert second.backup is None
    db.dispose()


def test_a_database_from_a_newer_version_is_refused_untouched(database: Database) -> None:
    """A newer EtsySync upgraded this database: say so, change nothing, leave no backup."""
    with database.session() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(DatabaseError, match="newer version of EtsySync") as raised:
        upgrade_to_head(database.engine)
    assert "9999_from_the_future" in raised.value.message
    assert current_revision(database.engine) == "9999_from_the_future"
    if database.engine.url.get_backend_name() == "sqlite":
        folder = Path(str(database.engine.url.database)).parent
        assert not list(folder.glob("*.bak"))


def test_models_match_the_migrated_schema(database: Database) -> None:
    """A model change without a migration (or the reverse) fails here."""
    with database.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def test_downgrade_to_base_then_upgrade_again(database: Database) -> None:
    with database.session() as s:
        s.execute(
            text(
                "INSERT INTO products (title, created_at, updated_at) "
                "VALUES ('Mug', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    down = downgrade(database.engine, "base")
    assert down.after is None
    assert not EXPECTED_TABLES & set(inspect(database.engine).get_table_names())
    up = upgrade_to_head(database.engine)
    assert up.after == head_revision() == current_revision(database.engine)
    assert set(inspect(database.engine).get_table_names()) >= EXPECTED_TABLES


def test_sqlite_file_is_copied_aside_before_an_upgrade_changes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer app version adds a revision: the old file is backed up, data and all."""
    path = tmp_path / "shop.db"
    db = Database.open(f"sqlite:///{path}")
    upgrade_to_head(db.engine)
    with db.session() as s:
        s.execute(
            text(
                "INSERT INTO products (title, created_at, updated_at) "
                "VALUES ('Kept safe', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )

    old_head = head_revision()
    newer = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), newer)
    (newer / "versions" / "9999_add_note.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '9999'\ndown_revision = '{old_head}'\nbranch_labels = None\n"
        "depends_on = None\n"
        "def upgrade():\n"
        "    op.create_table('notes', sa.Column('id', sa.Integer, primary_key=True))\n"
        "def downgrade():\n    op.drop_table('notes')\n"
    )
    monkeypatch.setattr("etsysync_gui.db.migrate.migrations_dir", lambda: newer)

    result = upgrade_to_head(db.engine)
    db.dispose()
    assert (result.before, result.after) == (old_head, "9999")
    assert result.backup is not None
    assert result.backup.parent == tmp_path
    with sqlite3.connect(result.backup) as conn:
        assert conn.execute("SELECT title FROM products").fetchall() == [("Kept safe",)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "notes" not in tables


def test_downgrade_copies_the_file_aside_first(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    db = Database.open(f"sqlite:///{path}")
    upgrade_to_head(db.engine)
    with db.session() as s:
        s.execute(
            text(
                "INSERT INTO products (title, created_at, updated_at) "
                "VALUES ('Blue vase', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    result = downgrade(db.engine, "base")  # changes a versioned file: copied aside first
    db.dispose()
    assert result.backup is not None
    assert result.backup.exists()
    with sqlite3.connect(result.backup) as conn:
        assert conn.execute("SELECT title FROM products").fetchall() == [("Blue vase",)]
    assert oct(result.backup.stat().st_mode & 0o777) == "0o600"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'wal.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_upgrading_from_the_first_schema_keeps_every_row(db_url: str) -> None:
    """Rows written by an older version survive every later migration."""
    db = Database.open(db_url)
    upgrade_to(db.engine, "0001")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO etsy_products (etsy_listing_id, shop_id, title, sync_status, "
                "created_at, updated_at) VALUES (111, 7, 'Mug', 'synced', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO etsy_inventory_sync_log (etsy_listing_id, sync_action, sync_result, "
                "synced_at) VALUES (111, 'push_to_etsy', 'success', CURRENT_TIMESTAMP)"
            )
        )
    upgrade_to_head(db.engine)
    with db.engine.connect() as conn:
        row = conn.execute(
            text("SELECT title, has_variations, deactivated_by_etsysync FROM etsy_products")
        ).one()
        assert (row[0], bool(row[1]), bool(row[2])) == ("Mug", False, False)
        assert conn.execute(text("SELECT count(*) FROM etsy_inventory_sync_log")).scalar() == 1
    db.dispose()


def test_runs_recorded_before_0004_count_no_etsy_writes_and_downgrade_keeps_them(
    db_url: str,
) -> None:
    """``sync_runs.etsy_writes`` arrives as 0 on old rows and leaves them intact on the way back."""
    db = Database.open(db_url)
    upgrade_to(db.engine, "0003")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sync_runs (shop_id, kind, trigger, dry_run, status, started_at, "
                "listings, pushes, pulls, merges, conflicts, errors, api_calls) VALUES "
                "(7, 'inventory', 'cli', false, 'completed', CURRENT_TIMESTAMP, "
                "3, 1, 0, 0, 0, 0, 4)"
            )
        )
    upgrade_to(db.engine, "0004")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT pushes, etsy_writes FROM sync_runs")).one() == (1, 0)
    downgrade(db.engine, "0003")
    assert "etsy_writes" not in {c["name"] for c in inspect(db.engine).get_columns("sync_runs")}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT pushes FROM sync_runs")).scalar() == 1
    db.dispose()


def test_the_newest_revision_read_from_the_files_is_alembics() -> None:
    """``etsysync`` skips importing Alembic when the database is at head; both must agree."""
    from alembic.script import ScriptDirectory

    from etsysync_gui.db.migrate import alembic_config, head_revision
    from etsysync_gui.db.revisions import scanned_head
    from etsysync_gui.paths import migrations_dir

    alembic_head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert scanned_head(migrations_dir() / "versions") == alembic_head == head_revision()

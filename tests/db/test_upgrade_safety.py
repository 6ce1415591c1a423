"""SQLite upgrades that fail or were cut short: atomic steps, one sound copy, repairs.

``test_upgrade_kill`` kills real upgrades at every statement; these tests pin
the single behaviours: a failing step changes nothing and leaves one copy, a
copy that cannot be written leaves no file, and the half-upgraded files older
builds left are repaired or restored with one message (or refused with one).
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from etsysync_gui.db import backups
from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import current_revision, head_revision, upgrade_to, upgrade_to_head
from etsysync_gui.errors import DatabaseError, DataDirError
from etsysync_gui.paths import migrations_dir

KEPT = (
    "INSERT INTO products (title, created_at, updated_at) "
    "VALUES ('Kept safe', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


def _shop(tmp_path: Path, revision: str | None = None) -> Database:
    db = Database.open(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade_to(db.engine, revision or "head")
    with db.engine.begin() as conn:
        conn.execute(text(KEPT))
    return db


def _titles(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT title FROM products")]


def _newer_migrations(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer EtsySync's migrations: today's plus revision 9999 running ``body``."""
    newer = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), newer)
    (newer / "versions" / "9999_next.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '9999'\ndown_revision = '{head_revision()}'\nbranch_labels = None\n"
        f"depends_on = None\ndef upgrade():\n{body}\ndef downgrade():\n    pass\n"
    )
    monkeypatch.setattr("etsysync_gui.db.migrate.migrations_dir", lambda: newer)
    monkeypatch.setattr("etsysync_gui.db.sqlite_upgrade.migrations_dir", lambda: newer)


def test_a_failing_step_changes_nothing_and_a_retry_keeps_one_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _shop(tmp_path)
    old_head = head_revision()
    _newer_migrations(
        tmp_path,
        "    op.create_table('notes', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.execute('SELECT no_such_function()')\n",
        monkeypatch,
    )
    for _attempt in range(3):
        with pytest.raises(DatabaseError):
            upgrade_to_head(db.engine)
        # Atomic: the table the step created before failing is gone with it.
        assert "notes" not in inspect(db.engine).get_table_names()
        assert current_revision(db.engine) == old_head
    copies = sorted(p.name for p in tmp_path.glob("*.bak"))
    assert copies == [f"shop.db.before-upgrade-from-{old_head}-to-9999.bak"]
    assert _titles(tmp_path / copies[0]) == ["Kept safe"]
    db.dispose()


def test_a_copy_that_cannot_be_written_leaves_no_file_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _shop(tmp_path, "0003")

    def disk_full(source: Path, target: Path) -> None:
        target.write_bytes(b"")  # what a full disk leaves: the file, and nothing in it
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups, "copy_database", disk_full)
    with pytest.raises(DataDirError, match="No space left on device") as raised:
        upgrade_to_head(db.engine)
    assert "nothing was changed" in raised.value.message
    assert list(tmp_path.glob("*.bak*")) == []
    assert current_revision(db.engine) == "0003"
    db.dispose()


def test_a_copy_is_checked_before_it_gets_its_name(tmp_path: Path) -> None:
    source = tmp_path / "shop.db"
    _shop(tmp_path, "0002").dispose()
    target = tmp_path / "copy.bak"
    with pytest.raises(DataDirError):
        backups.write_backup(source, target, "0001")  # the file is at 0002: not that copy
    assert not target.exists()
    assert not list(tmp_path.glob("*.partial"))
    assert backups.write_backup(source, target, "0002") == target
    assert _titles(target) == ["Kept safe"]
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def half_upgrade_like_an_old_build(path: Path, stamp: str = "20261201T000000Z") -> Path:
    """A file at 0001 whose upgrade to 0002 an old build began and a crash cut short."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open(f"sqlite:///{path}")
    upgrade_to(db.engine, "0001")
    with db.engine.begin() as conn:
        conn.execute(text(KEPT))
    db.dispose()
    good = path.with_name(f"{path.name}.before-upgrade-from-0001-{stamp}.bak")
    backups.copy_database(path, good)
    with sqlite3.connect(path) as conn:  # 0002's first statement, outside a transaction
        conn.execute("CREATE TABLE sync_runs (id INTEGER PRIMARY KEY, shop_id BIGINT)")
    # ...and the copy the old build wrote at the next (failing) start, of the damaged file.
    backups.copy_database(path, path.with_name(f"{path.name}.before-upgrade-from-0001-2Z.bak"))
    return path


def test_a_half_upgraded_file_from_an_older_build_is_restored_and_upgraded(
    tmp_path: Path,
) -> None:
    path = half_upgrade_like_an_old_build(tmp_path / "shop.db")
    db = Database.open(f"sqlite:///{path}")
    result = upgrade_to_head(db.engine)
    assert result.after == head_revision()
    assert result.repaired is not None
    assert "restored from" in result.repaired
    assert "20261201T000000Z" in result.repaired  # the sound copy, not the later damaged one
    assert _titles(path) == ["Kept safe"]
    kept = tmp_path / "shop.db.half-upgraded-from-0001.bak"
    assert kept.is_file()
    assert kept.name in result.repaired
    assert not upgrade_to_head(db.engine).changed  # and it stays repaired
    db.dispose()


def test_a_half_upgraded_file_without_a_sound_copy_is_refused_untouched(tmp_path: Path) -> None:
    path = half_upgrade_like_an_old_build(tmp_path / "shop.db")
    (tmp_path / "shop.db.before-upgrade-from-0001-20261201T000000Z.bak").unlink()
    db = Database.open(f"sqlite:///{path}")
    with pytest.raises(DatabaseError, match="half-upgraded") as raised:
        upgrade_to_head(db.engine)
    assert "restore the file from your own backup" in raised.value.message
    assert current_revision(db.engine) == "0001"
    assert _titles(path) == ["Kept safe"]
    db.dispose()


def test_a_first_start_cut_short_is_created_again(tmp_path: Path) -> None:
    """No revision recorded, some empty tables: nothing of the seller's to keep."""
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, title TEXT)")
    db = Database.open(f"sqlite:///{path}")
    result = upgrade_to_head(db.engine)
    assert result.after == head_revision()
    assert result.repaired is not None
    assert "created again" in result.repaired
    db.dispose()


def test_tables_with_rows_but_no_revision_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO products (title) VALUES ('Kept safe')")
    db = Database.open(f"sqlite:///{path}")
    with pytest.raises(DatabaseError, match="tables with rows but no schema revision"):
        upgrade_to_head(db.engine)
    assert _titles(path) == ["Kept safe"]
    db.dispose()


def test_tables_of_other_programs_in_the_file_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE my_notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO my_notes (body) VALUES ('mine')")
    db = Database.open(f"sqlite:///{path}")
    result = upgrade_to_head(db.engine)
    assert result.after == head_revision()
    assert result.repaired is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT body FROM my_notes").fetchall() == [("mine",)]
    db.dispose()


def test_an_empty_half_upgraded_file_without_a_copy_is_created_again(tmp_path: Path) -> None:
    """An older build's first upgrade committed 0001, then died inside 0002: no rows, no copy."""
    path = tmp_path / "shop.db"
    db = Database.open(f"sqlite:///{path}")
    upgrade_to(db.engine, "0001")
    db.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE sync_runs (id INTEGER PRIMARY KEY, shop_id BIGINT)")
    db = Database.open(f"sqlite:///{path}")
    result = upgrade_to_head(db.engine)
    assert result.after == head_revision()
    assert result.backup is None
    assert result.repaired is not None
    assert "created again" in result.repaired
    assert list(tmp_path.glob("*.bak")) == []
    db.dispose()


def _old_build_upgraded_two_steps_then_died(path: Path) -> None:
    """Copy at 0001, 0002 committed, a crash inside 0003: what the older builds left."""
    half_upgrade_like_an_old_build(path)
    path.unlink()
    good = path.with_name(f"{path.name}.before-upgrade-from-0001-20261201T000000Z.bak")
    backups.copy_database(good, path)
    db = Database.open(f"sqlite:///{path}")
    upgrade_to(db.engine, "0002")
    db.dispose()
    for stale in path.parent.glob("*-to-0002.bak"):
        stale.unlink()  # the older builds took no copy between steps
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE scheduled_jobs (id INTEGER PRIMARY KEY)")


def test_a_copy_from_before_several_steps_is_restored_when_nothing_was_written_since(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.db"
    _old_build_upgraded_two_steps_then_died(path)
    db = Database.open(f"sqlite:///{path}")
    result = upgrade_to_head(db.engine)
    assert result.after == head_revision()
    assert result.before == "0001"
    assert result.repaired is not None
    assert "20261201T000000Z" in result.repaired
    assert _titles(path) == ["Kept safe"]
    db.dispose()


def test_a_copy_from_before_several_steps_is_refused_when_rows_changed_since(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.db"
    _old_build_upgraded_two_steps_then_died(path)
    with sqlite3.connect(path) as conn:
        conn.execute(KEPT.replace("Kept safe", "Sold since"))
    db = Database.open(f"sqlite:///{path}")
    with pytest.raises(DatabaseError, match="no sound copy"):
        upgrade_to_head(db.engine)
    assert current_revision(db.engine) == "0002"
    assert sorted(_titles(path)) == ["Kept safe", "Sold since"]
    db.dispose()

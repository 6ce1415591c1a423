"""Bringing a database to the schema this version of EtsySync expects.

``upgrade_to_head`` runs at every start of both the GUI and the CLI, before
any window is built or any command touches a table.  Before a migration
changes an existing SQLite file, the file is copied aside with SQLite's online
backup API (safe with WAL), so a failed or unwanted upgrade never loses the
seller's data.  On PostgreSQL an advisory lock stops two starting processes
from migrating the same database at once.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from etsysync_gui.db.engine import describe_connection_error
from etsysync_gui.db.revisions import scanned_head, stored_revision
from etsysync_gui.db.urls import sqlite_path
from etsysync_gui.errors import DatabaseError, DataDirError
from etsysync_gui.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# Arbitrary but fixed: the key of the PostgreSQL advisory lock held while migrating.
_PG_MIGRATION_LOCK = 0x45545359


@dataclass(frozen=True)
class MigrationResult:
    """What ``upgrade_to_head`` did; the CLI prints it and the GUI logs it."""

    before: str | None
    after: str | None
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # Alembic is imported only when it is needed

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    """The newest revision: read from the files when plain (see ``revisions``), else Alembic."""
    scanned = scanned_head(migrations_dir() / "versions")
    if scanned is not None:
        return scanned
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    try:
        with engine.connect() as conn:
            return _current(conn)
    except SQLAlchemyError as exc:
        raise DatabaseError(describe_connection_error(engine, exc)) from None


def _refuse_unknown_revision(engine: Engine, before: str | None) -> None:
    """Stop before touching a database whose schema this version does not know.

    That happens when a newer EtsySync (on this computer or another one sharing
    the PostgreSQL database) upgraded it.  Alembic would fail deep inside with
    "Can't locate revision"; the seller needs to hear which version to run, and
    no backup file should pile up on each attempt.
    """
    if before is None:
        return
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    if before in {rev.revision for rev in scripts.walk_revisions()}:
        return
    raise DatabaseError(
        f"The database {engine.url.render_as_string(hide_password=True)} was upgraded by a "
        f"newer version of EtsySync (schema {before}; this version knows up to "
        f"{scripts.get_current_head()}). Install the newer EtsySync, or choose another "
        "database; nothing was changed."
    )


def _backup_sqlite(engine: Engine, before: str | None) -> Path | None:
    path = sqlite_path(engine.url)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-upgrade-from-{before or 'empty'}-{stamp}.bak")
    try:
        with sqlite3.connect(path) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
    except (OSError, sqlite3.Error) as exc:
        raise DataDirError(
            f"Cannot copy {path} aside before upgrading it ({exc}); nothing was changed."
        ) from None
    target.chmod(0o600)
    log.info("Copied the database aside before upgrading it: %s", target)
    return target


def _run(engine: Engine, target: str, downgrade: bool) -> MigrationResult:
    head = head_revision()
    with engine.connect() as conn:
        if engine.url.get_backend_name() == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            conn.commit()
        try:
            before = _current(conn)
            _refuse_unknown_revision(engine, before)
            wanted = head if target == "head" else (None if target == "base" else target)
            backup = None
            if before != wanted:
                if engine.url.get_backend_name() == "sqlite" and before is not None:
                    backup = _backup_sqlite(engine, before)
                from alembic import command

                cfg = alembic_config(conn)
                if downgrade:
                    command.downgrade(cfg, target)
                else:
                    command.upgrade(cfg, target)
                conn.commit()
            after = _current(conn)
        finally:
            if engine.url.get_backend_name() == "postgresql":
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()
    return MigrationResult(before=before, after=after, backup=backup)


def upgrade_to_head(engine: Engine) -> MigrationResult:
    """Apply every pending migration; a database already at head is left untouched."""
    return upgrade_to(engine, "head")


def upgrade_to(engine: Engine, target: str) -> MigrationResult:
    """Apply migrations up to ``target`` (a revision id, or "head")."""
    try:
        at_head = _already_at_head(engine) if target == "head" else None
        if at_head is not None:
            return at_head
        result = _run(engine, target, downgrade=False)
    except (DatabaseError, DataDirError):
        raise
    except SQLAlchemyError as exc:
        raise DatabaseError(describe_connection_error(engine, exc)) from None
    if result.changed:
        log.info("Database upgraded from %s to %s", result.before or "empty", result.after)
    return result


def _already_at_head(engine: Engine) -> MigrationResult | None:
    """The nothing-to-do result when the database is plainly at head (no Alembic import)."""
    head = scanned_head(migrations_dir() / "versions")
    if head is None:
        return None
    with engine.connect() as conn:
        current = stored_revision(conn)
    return MigrationResult(before=head, after=head, backup=None) if current == head else None


def downgrade(engine: Engine, target: str = "base") -> MigrationResult:
    """Undo migrations down to ``target`` (used by maintainers and tests)."""
    try:
        return _run(engine, target, downgrade=True)
    except SQLAlchemyError as exc:
        raise DatabaseError(describe_connection_error(engine, exc)) from None

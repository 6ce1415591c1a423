"""Bringing a database to the schema this version of EtsySync expects.

``upgrade_to_head`` runs at every start of both the GUI and the CLI, before
any window is built or any command touches a table.  A crash must never leave
a half-upgraded database, so every upgrade runs in one transaction: on
PostgreSQL natively (its DDL is transactional), under an advisory lock that
stops two starting processes from migrating at once; on SQLite through
``sqlite_upgrade``, which also copies the file aside first (``backups``) and
repairs a file an older build left half-upgraded (``sqlite_repair``).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from etsysync_gui.db.engine import describe_connection_error
from etsysync_gui.db.revisions import scanned_head, stored_revision
from etsysync_gui.errors import DatabaseError, DataDirError
from etsysync_gui.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

# Arbitrary but fixed: the key of the PostgreSQL advisory lock held while migrating.
_PG_MIGRATION_LOCK = 0x45545359


@dataclass(frozen=True)
class MigrationResult:
    """What ``upgrade_to_head`` did; the CLI prints it and the GUI logs it.

    ``repaired``: one sentence for the seller when a half-upgraded file left by
    an older build had to be repaired or restored first.
    """

    before: str | None
    after: str | None
    backup: Path | None
    repaired: str | None = None

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


@functools.lru_cache(maxsize=4)
def _scripts_in(folder: str) -> ScriptDirectory:
    from alembic.script import ScriptDirectory  # Alembic is imported only when it is needed

    return ScriptDirectory.from_config(alembic_config())


def scripts() -> ScriptDirectory:
    """The migration scripts, read once per folder: each read compiles every script."""
    return _scripts_in(str(migrations_dir()))


def head_revision() -> str | None:
    """The newest revision: read from the files when plain (see ``revisions``), else Alembic."""
    scanned = scanned_head(migrations_dir() / "versions")
    if scanned is not None:
        return scanned
    return scripts().get_current_head()


def wanted_revision(target: str) -> str | None:
    """The revision a ``target`` ("head", "base" or a revision id) names."""
    if target == "head":
        return head_revision()
    return None if target == "base" else target


def current_from(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    try:
        with engine.connect() as conn:
            return current_from(conn)
    except SQLAlchemyError as exc:
        raise DatabaseError(describe_connection_error(engine, exc)) from None


def refuse_unknown_revision(engine: Engine, before: str | None) -> None:
    """Stop before touching a database whose schema this version does not know.

    That happens when a newer EtsySync (on this computer or another one sharing
    the PostgreSQL database) upgraded it.  Alembic would fail deep inside with
    "Can't locate revision"; the seller needs to hear which version to run, and
    no backup file should pile up on each attempt.
    """
    if before is None:
        return
    known = scripts()
    if before in {rev.revision for rev in known.walk_revisions()}:
        return
    raise DatabaseError(
        f"The database {engine.url.render_as_string(hide_password=True)} was upgraded by a "
        f"newer version of EtsySync (schema {before}; this version knows up to "
        f"{known.get_current_head()}). Install the newer EtsySync, or choose another "
        "database; nothing was changed."
    )


def _run(engine: Engine, target: str, downgrade: bool) -> MigrationResult:
    if engine.url.get_backend_name() == "sqlite":
        from etsysync_gui.db.sqlite_upgrade import run_sqlite  # it imports this module

        return run_sqlite(engine, target, downgrade)
    return _run_postgresql(engine, target, downgrade)


def _run_postgresql(engine: Engine, target: str, downgrade: bool) -> MigrationResult:
    """All pending migrations in one transaction (PostgreSQL's DDL is transactional),
    under an advisory lock so two starting processes never migrate at once."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        conn.commit()
        try:
            before = current_from(conn)
            refuse_unknown_revision(engine, before)
            if before != wanted_revision(target):
                from alembic import command

                cfg = alembic_config(conn)
                if downgrade:
                    command.downgrade(cfg, target)
                else:
                    command.upgrade(cfg, target)
                conn.commit()
            after = current_from(conn)
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
            conn.commit()
    return MigrationResult(before=before, after=after, backup=None)


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
    if result.repaired:
        log.warning("%s", result.repaired)
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

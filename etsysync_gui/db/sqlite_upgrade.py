"""SQLite schema changes that a crash cannot half-apply, and that one process makes at a time.

Why: Python's sqlite3 module, left to itself, runs DDL outside any transaction
(it only opens one before INSERT/UPDATE/DELETE).  An upgrade killed half-way
then kept some new tables while ``alembic_version`` still named the old
revision, and no later start got past "table ... already exists".  Here the
driver's own transaction handling is switched off and every step, from reading
the revision to writing the new one, runs in one ``BEGIN IMMEDIATE``
transaction: SQLite's journal makes DDL as atomic as any other write, so a
crash leaves either the old schema or the new one.

``BEGIN IMMEDIATE`` also takes the write lock before the revision is read, so
two processes starting on a new file cannot both decide to create the tables:
the second waits (the busy timeout) and then finds the upgrade done, or gives
up with ``DatabaseBusyError`` (exit 3).

A file an older build left half-upgraded is repaired first (``sqlite_repair``).
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Connection, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from etsysync_gui.db import sqlite_repair
from etsysync_gui.db.backups import backup_label, write_backup
from etsysync_gui.db.engine import make_engine, sqlite_is_busy
from etsysync_gui.db.migrate import (
    MigrationResult,
    alembic_config,
    current_from,
    refuse_unknown_revision,
    scripts,
    wanted_revision,
)
from etsysync_gui.db.models import Base
from etsysync_gui.db.sqlite_repair import Fingerprint, Query
from etsysync_gui.db.urls import sqlite_path
from etsysync_gui.errors import DatabaseBusyError, DatabaseError
from etsysync_gui.paths import migrations_dir

log = logging.getLogger(__name__)


def _driver_leaves_transactions_to_us(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # no implicit BEGIN/COMMIT around our statements
    dbapi_conn.execute("PRAGMA synchronous=FULL")  # a committed upgrade survives power loss


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def locking_engine(url: str | URL) -> Engine:
    """An engine whose transactions are real SQLite ``BEGIN IMMEDIATE`` transactions, DDL too."""
    engine = make_engine(url, poolclass=NullPool)
    event.listen(engine, "connect", _driver_leaves_transactions_to_us)
    event.listen(engine, "begin", _begin_immediate)
    return engine


@dataclass(frozen=True)
class Schemas:
    """The schema a revision should have, and which table names are EtsySync's."""

    revision: str | None
    expected: Fingerprint
    tables: frozenset[str]

    def is_ours(self, name: str) -> bool:
        return name in self.tables


@functools.lru_cache(maxsize=8)
def _fingerprint_at(scripts_dir: str, revision: str) -> Fingerprint:
    with tempfile.TemporaryDirectory() as folder:
        engine = locking_engine(f"sqlite:///{Path(folder) / 'reference.db'}")
        try:
            with engine.connect() as conn:
                command.upgrade(alembic_config(conn), revision)
                found = sqlite_repair.fingerprint(conn.exec_driver_sql, _any)
                conn.rollback()
        finally:
            engine.dispose()
    return found


def _any(_name: str) -> bool:
    return True


def schemas_at(revision: str | None) -> Schemas:
    """What ``revision``'s schema looks like, found by upgrading an empty scratch file.

    Only up to ``revision``: a later step may be the one that fails.  EtsySync's
    tables are that schema's and the models' (a half-applied step creates those).
    """
    expected = frozenset() if revision is None else _fingerprint_at(str(migrations_dir()), revision)
    tables = {name for kind, name in expected if kind == "table"}
    tables |= set(Base.metadata.tables) | {"alembic_version"}
    return Schemas(revision, expected, frozenset(tables))


def busy_error(path: Path) -> DatabaseBusyError:
    return DatabaseBusyError(
        f"The database {path} is busy: another EtsySync is upgrading or writing to it; "
        "wait for it to finish, then start again."
    )


def run_sqlite(app_engine: Engine, target: str, downgrade: bool) -> MigrationResult:
    """Bring the SQLite file to ``target``; reads first, so a file at ``target`` costs no lock."""
    path = sqlite_path(app_engine.url)
    assert path is not None, "SQLite URLs always name a file (urls.parse_database_url)"
    wanted = wanted_revision(target)
    with app_engine.connect() as conn:
        before = current_from(conn)
    refuse_unknown_revision(app_engine, before)
    if before == wanted:
        return MigrationResult(before=before, after=before, backup=None)
    engine = locking_engine(app_engine.url)
    try:
        outcome = _change_locked(engine, path, target, downgrade)
        if isinstance(outcome, MigrationResult):
            return outcome
        note = _restore(path, outcome)
        again = _change_locked(engine, path, target, downgrade)
        if not isinstance(again, MigrationResult):
            raise DatabaseError(_no_copy_message(path, again))
        return MigrationResult(again.before, again.after, again.backup, repaired=note)
    except OperationalError as exc:
        if sqlite_is_busy(exc):
            raise busy_error(path) from None
        raise
    finally:
        engine.dispose()


@dataclass(frozen=True)
class _Damaged:
    """The file is half-upgraded from ``revision`` and needs its copy restored first."""

    revision: str


def _damaged(query: Query, schemas: Schemas) -> bool:
    return sqlite_repair.fingerprint(query, schemas.is_ours) != schemas.expected


def _change_locked(
    engine: Engine, path: Path, target: str, downgrade: bool
) -> MigrationResult | _Damaged:
    """Everything in one write transaction: read, repair if need be, back up, migrate, commit."""
    with engine.connect() as conn:
        before = current_from(conn)  # the first statement: BEGIN IMMEDIATE, then the read
        refuse_unknown_revision(engine, before)
        wanted = wanted_revision(target)
        if before == wanted:  # another process did it while this one waited
            return MigrationResult(before=before, after=before, backup=None)
        repaired = None
        schemas = schemas_at(before)
        if _damaged(conn.exec_driver_sql, schemas):
            # Nothing of the seller's in it (an older build's first upgrade, cut short
            # after a step or two): start from scratch, in this same transaction.
            if sqlite_repair.drop_empty_tables(conn.exec_driver_sql, schemas.is_ours):
                repaired = (
                    f"The database {path} held only the empty tables of an upgrade that was "
                    "cut short; they were created again."
                )
            elif before is not None:
                return _Damaged(before)
            else:
                raise DatabaseError(
                    f"The database {path} holds EtsySync tables with rows but no schema "
                    "revision, so it cannot be upgraded safely; restore the file from your own "
                    "backup, or move it aside to start with an empty database."
                )
        backup = None
        if before is not None and repaired is None:
            label = backup_label(path, "downgrade" if downgrade else "upgrade", before, wanted)
            backup = write_backup(path, label, before)
        cfg = alembic_config(conn)
        if downgrade:
            command.downgrade(cfg, target)
        else:
            command.upgrade(cfg, target)
        after = current_from(conn)
        conn.commit()
    return MigrationResult(before=before, after=after, backup=backup, repaired=repaired)


def _no_copy_message(path: Path, damaged: _Damaged) -> str:
    return (
        f"The database {path} was left half-upgraded (from schema {damaged.revision}) by an "
        "earlier EtsySync and no sound copy from before that upgrade was found; restore the "
        "file from your own backup, or move it aside to start with an empty database."
    )


def _restore(path: Path, damaged: _Damaged) -> str:
    """Put the copy taken before the interrupted upgrade back; returns the note for the seller."""
    schemas = schemas_at(damaged.revision)
    chain = [rev.revision for rev in reversed(list(scripts().walk_revisions()))]
    earlier = set(chain[: chain.index(damaged.revision) + 1])

    def sound(copy: Path, revision: str) -> bool:
        # A copy from an earlier revision: an older build upgraded several steps in
        # one start and took one copy, before the first; nothing written since.
        if revision not in earlier:
            return False
        at = schemas_at(revision)
        if sqlite_repair.read_fingerprint(copy, at.is_ours) != at.expected:
            return False
        return revision == damaged.revision or sqlite_repair.same_row_counts(path, copy, at.is_ours)

    backup = sqlite_repair.find_backup(path, sound)
    if backup is None:
        raise DatabaseError(_no_copy_message(path, damaged))
    kept = path.with_name(f"{path.name}.half-upgraded-from-{damaged.revision}.bak")
    if not kept.exists():
        write_backup(path, kept, damaged.revision)

    def still_damaged(query: Query) -> bool:
        rows = list(query("SELECT version_num FROM main.alembic_version"))
        revision = str(rows[0][0]) if rows else None
        return revision == damaged.revision and _damaged(query, schemas)

    try:
        sqlite_repair.restore_tables(path, backup, schemas.is_ours, still_damaged)
    except sqlite3.Error as exc:
        if sqlite_is_busy(exc):
            raise busy_error(path) from None
        raise DatabaseError(
            f"Cannot restore {path} from {backup} ({exc}); nothing was changed, so restore "
            "the file by hand from that copy, or move it aside to start afresh."
        ) from None
    return (
        f"The database {path} had been left half-upgraded by an earlier EtsySync; it was "
        f"restored from {backup.name} and upgraded again (the damaged file is kept as "
        f"{kept.name})."
    )

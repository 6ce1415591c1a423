"""Recognising and repairing a SQLite database that an older build left half-upgraded.

Why this exists: EtsySync builds before the upgrade ran in one transaction
executed SQLite DDL outside any transaction, so a crash in the middle of an
upgrade kept some of a step's tables and columns while ``alembic_version``
still named the step before.  Every later start then failed ("table sync_runs
already exists").  Such a file is recognised by comparing its schema (our
tables, their columns and indexes) with the schema the recorded revision
should have.  It is repaired in one of two ways, both in a single write
transaction so that a crash during the repair changes nothing:

* no revision recorded and every EtsySync table still empty: those tables are
  dropped and the upgrade starts from scratch (nothing of the seller's is lost);
* otherwise: the copy the older build took before that upgrade is checked and
  its tables replace the damaged ones; the damaged file is copied aside first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from etsysync_gui.db.backups import check_copy, readonly_uri, stored_revision

# (kind, name): ("table", t), ("index", i) or ("column", "t.c").
Fingerprint = frozenset[tuple[str, str]]
Query = Callable[[str], Iterable[Sequence[Any]]]
IsOurs = Callable[[str], bool]

BATCH_TEMP_PREFIX = "_alembic_tmp_"  # tables Alembic's batch mode builds and renames


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def our_tables(query: Query, is_ours: IsOurs, schema: str = "main") -> list[str]:
    """EtsySync's tables in ``schema`` (other tables a seller keeps in the file are left alone)."""
    rows = query(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")
    names = [str(r[0]) for r in rows]
    return [n for n in names if is_ours(n) or n.startswith(BATCH_TEMP_PREFIX)]


def fingerprint(query: Query, is_ours: IsOurs, schema: str = "main") -> Fingerprint:
    """Our tables (not ``alembic_version``), their columns and their named indexes.

    Two statements, whatever the number of tables (SQLite's table-valued pragmas).
    """
    ours = {t for t in our_tables(query, is_ours, schema) if t != "alembic_version"}
    items: set[tuple[str, str]] = {("table", t) for t in ours}
    columns = query(
        f"SELECT m.name, c.name FROM {schema}.sqlite_master AS m, "
        f"pragma_table_info(m.name, '{schema}') AS c WHERE m.type = 'table'"
    )
    items |= {("column", f"{t}.{c}") for t, c in columns if t in ours}
    indexes = query(
        f"SELECT m.name, i.name FROM {schema}.sqlite_master AS m, "
        f"pragma_index_list(m.name, '{schema}') AS i WHERE m.type = 'table'"
    )
    items |= {
        ("index", str(i)) for t, i in indexes if t in ours and not str(i).startswith("sqlite_")
    }
    return frozenset(items)


def drop_empty_tables(query: Query, is_ours: IsOurs) -> bool:
    """Drop our tables if none holds a row (a first upgrade cut short); False if any does.

    Runs inside the caller's write transaction, so the drop and the upgrade that
    follows commit together or not at all.
    """
    tables = our_tables(query, is_ours)
    for table in tables:
        if table != "alembic_version" and list(query(f"SELECT 1 FROM {_q(table)} LIMIT 1")):
            return False
    for table in tables:
        query(f"DROP TABLE {_q(table)}")
    return True


def find_backup(path: Path, accept: Callable[[Path, str], bool]) -> Path | None:
    """The newest sound copy of ``path`` that ``accept(copy, its revision)`` takes.

    Older builds labelled copies ``<file>.before-upgrade-from-<rev>-<time>.bak``,
    one at every start that upgraded, of a damaged file too (those fail the
    caller's schema comparison and are skipped).
    """
    candidates = sorted(
        path.parent.glob(f"{path.name}.before-*-from-*.bak"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for candidate in candidates:
        try:
            revision = stored_revision(candidate)
            check_copy(candidate, revision)
            if revision is not None and accept(candidate, revision):
                return candidate
        except (OSError, sqlite3.Error):
            continue
    return None


def read_fingerprint(path: Path, is_ours: IsOurs) -> Fingerprint:
    conn = sqlite3.connect(readonly_uri(path), uri=True)
    try:
        return fingerprint(conn.execute, is_ours)
    finally:
        conn.close()


def same_row_counts(path: Path, copy: Path, is_ours: IsOurs) -> bool:
    """Whether every table of ``copy`` holds as many rows in ``path``: nothing was
    written since the copy (a copy from an earlier revision is only taken then)."""
    conn = sqlite3.connect(path.resolve().as_uri(), uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (readonly_uri(copy),))
        for table in our_tables(conn.execute, is_ours, "src"):
            if table == "alembic_version":
                continue
            theirs = conn.execute(f"SELECT count(*) FROM src.{_q(table)}").fetchone()
            try:
                ours = conn.execute(f"SELECT count(*) FROM main.{_q(table)}").fetchone()
            except sqlite3.OperationalError:  # no such table: in the middle of a rebuild
                return False
            if ours != theirs:
                return False
        return True
    finally:
        conn.close()


def restore_tables(
    path: Path, backup: Path, is_ours: IsOurs, still_damaged: Callable[[Query], bool]
) -> bool:
    """Replace our tables in ``path`` by those of ``backup``, in one write transaction.

    ``still_damaged`` is asked again once the write lock is held: another
    EtsySync starting at the same moment may have repaired the file already
    (then nothing is done and False is returned).
    """
    # uri=True: the ATTACH below opens the copy read-only through a URI.
    conn = sqlite3.connect(path.resolve().as_uri(), uri=True, isolation_level=None, timeout=10)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (readonly_uri(backup),))
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not still_damaged(conn.execute):
                conn.execute("ROLLBACK")
                return False
            _copy_tables(conn, is_ours)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("DETACH DATABASE src")
        return True
    finally:
        conn.close()


def _copy_tables(conn: sqlite3.Connection, is_ours: IsOurs) -> None:
    # Foreign keys are off on this plain connection: dropping a parent table must
    # not cascade into the children about to be replaced as well.
    for table in our_tables(conn.execute, is_ours):
        conn.execute(f"DROP TABLE main.{_q(table)}")
    wanted = set(our_tables(conn.execute, is_ours, "src"))
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM src.sqlite_master").fetchall()
    for kind, name, _table, sql in rows:
        if kind == "table" and name in wanted:
            conn.execute(sql)  # unqualified: created in main
            conn.execute(f"INSERT INTO main.{_q(name)} SELECT * FROM src.{_q(name)}")
    for kind, _name, table, sql in rows:
        if kind in ("index", "trigger") and table in wanted and sql:
            conn.execute(sql)
    sequences = {str(r[0]) for r in conn.execute("SELECT name FROM src.sqlite_master")}
    if "sqlite_sequence" in sequences:
        conn.execute("DELETE FROM main.sqlite_sequence")
        conn.execute("INSERT INTO main.sqlite_sequence SELECT * FROM src.sqlite_sequence")

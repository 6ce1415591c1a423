"""Copies of a SQLite database file taken before its schema changes.

Why so careful: a backup is what the seller falls back on when an upgrade goes
wrong, so a half-written or empty one is worse than none.  The copy is made
with SQLite's online backup API (consistent even while the app runs, WAL
included) into a temporary file next to the target, checked (not empty, passes
``PRAGMA quick_check``, at the expected schema revision), flushed to disk, and
only then renamed to its label in one atomic step.  A failure on the way (a full
disk, say) removes the temporary file: no 0-byte or partial ``.bak`` is left.

Labels name the step (``<file>.before-upgrade-from-0002-to-0004.bak``), so the
same step retried after a failure replaces its own copy instead of adding one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path

from etsysync_gui.errors import DataDirError

log = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"


def backup_label(path: Path, action: str, before: str | None, after: str | None) -> Path:
    """``<file>.before-<action>-from-<before>-to-<after>.bak``; one name per version step."""
    return path.with_name(
        f"{path.name}.before-{action}-from-{before or 'empty'}-to-{after or 'empty'}.bak"
    )


def readonly_uri(path: Path) -> str:
    """A URI that opens ``path`` read-only (and never creates it), any characters in it."""
    return f"{path.resolve().as_uri()}?mode=ro"


def copy_database(source: Path, target: Path) -> None:
    """Copy ``source`` into a brand-new file ``target`` with the online backup API."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            # One self-contained file: the copy carries the WAL flag of the original.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def stored_revision(path: Path) -> str | None:
    """The ``alembic_version`` recorded in a database file (None: empty or no table)."""
    conn = sqlite3.connect(readonly_uri(path), uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    finally:
        conn.close()


def check_copy(path: Path, revision: str | None) -> None:
    """Raise ``sqlite3.DatabaseError`` unless ``path`` is a sound copy at ``revision``."""
    if path.stat().st_size == 0:
        raise sqlite3.DatabaseError("the copy is empty")
    conn = sqlite3.connect(readonly_uri(path), uri=True)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()
    finally:
        conn.close()
    if verdict is None or verdict[0] != "ok":
        raise sqlite3.DatabaseError(f"the copy fails its integrity check ({verdict})")
    if stored_revision(path) != revision:
        raise sqlite3.DatabaseError("the copy is not at the schema revision it was taken at")


def _fsync(path: Path) -> None:
    """Flush ``path`` (a file, or a folder after a rename) to the disk."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # folders cannot be opened on Windows; renames there are durable
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder
        log.debug("fsync not supported for %s", path)
    finally:
        os.close(fd)


def write_backup(source: Path, target: Path, revision: str | None) -> Path:
    """Copy ``source`` to ``target`` atomically; raise ``DataDirError`` (nothing left) on failure.

    ``revision`` is the schema revision ``source`` is at; the copy must say the same.
    """
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        partial.unlink(missing_ok=True)  # left by a start that was killed while copying
        copy_database(source, partial)
        check_copy(partial, revision)
        partial.chmod(0o600)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise DataDirError(
            f"Cannot copy {source} aside before changing it ({exc}); nothing was changed, "
            "so free some disk space or fix the folder's permissions and start again."
        ) from None
    log.info("Copied the database aside before changing its schema: %s", target)
    return target

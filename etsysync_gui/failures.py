"""Turning failures of the machine (full disk, a locked database) into user errors.

These are not bugs: the disk filled up, or another EtsySync process holds the
SQLite write lock for longer than the busy timeout (a long catalog import).
They arrive as ``OSError`` or as a driver error wrapped by SQLAlchemy, from
wherever the write happened, so they are recognised once here and both the
CLI and the GUI show one sentence with a next step instead of "unexpected
error" (exit 70, which stays reserved for bugs).
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError

from etsysync_gui.errors import EXIT_ALREADY_RUNNING, EtsySyncError

EXIT_IO = 74
"""sysexits.h EX_IOERR: the disk is full or cannot be written (70 is EX_SOFTWARE, a bug)."""

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_FULL_TEXTS = ("database or disk is full", "no space left on device", "disk full")
_LOCKED_TEXTS = ("database is locked", "database table is locked")


class StorageFullError(EtsySyncError):
    """The disk (or quota) is full; nothing half-written was kept."""

    title = "Disk full"
    exit_code = EXIT_IO


class DatabaseBusyError(EtsySyncError):
    """Another process held the database's write lock for longer than we wait."""

    title = "Database busy"
    exit_code = EXIT_ALREADY_RUNNING


def _driver_text(exc: BaseException) -> str:
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return str(orig).lower()


def _sqlstate(exc: BaseException) -> str:
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    return str(getattr(orig, "sqlstate", "") or "")


def user_error_for(exc: BaseException) -> EtsySyncError | None:
    """The user-facing error for a known machine failure, or None for anything else."""
    if isinstance(exc, EtsySyncError):
        return exc
    text = _driver_text(exc)
    full = (isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS) or any(
        t in text for t in _FULL_TEXTS
    )
    if full or _sqlstate(exc) == "53100":  # PostgreSQL disk_full
        return StorageFullError(
            "The disk is full, so EtsySync could not finish writing; nothing half-written "
            "was kept. Free some space and run the command again."
        )
    if isinstance(exc, DBAPIError) and any(t in text for t in _LOCKED_TEXTS):
        return DatabaseBusyError(
            "The database is busy: another EtsySync task (a long catalog import, or a sync) "
            "is writing to it. Try again when it has finished."
        )
    return None

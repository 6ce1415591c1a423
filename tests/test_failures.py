"""Machine failures become the same user sentence in the CLI and the app (``describe_error``)."""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import OperationalError

from etsysync_gui.failures import DatabaseBusyError, StorageFullError, user_error_for
from etsysync_gui.scheduling.requests import describe_error


def _wrapped(message: str) -> OperationalError:
    return OperationalError("INSERT …", {}, sqlite3.OperationalError(message))


def test_full_disk_and_locked_database_are_recognised() -> None:
    assert isinstance(user_error_for(OSError(errno.ENOSPC, "No space")), StorageFullError)
    assert isinstance(user_error_for(_wrapped("database or disk is full")), StorageFullError)
    assert isinstance(user_error_for(_wrapped("database is locked")), DatabaseBusyError)
    assert user_error_for(ValueError("a bug")) is None
    assert user_error_for(OSError(errno.EIO, "I/O")) is None


def test_the_app_shows_the_same_sentence_as_the_cli() -> None:
    title, message, needs_user = describe_error(_wrapped("database is locked"))
    assert title == "Database busy"
    assert message.startswith("The database is busy")
    assert not needs_user
    assert describe_error(RuntimeError("x"))[0] == "Unexpected problem"

"""The database server's own clock, as SQL expressions usable inside one statement.

Why: machines sharing one PostgreSQL database do not agree on the time (two
laptops 5 minutes apart are common), so anything that decides who may act by
comparing times -- the sync lease -- must read ONE clock: the database's.
Evaluated inside the conditional UPDATE itself, the comparison and the new
expiry come from the same clock at the same moment, whatever the callers'
clocks say.

* PostgreSQL: ``clock_timestamp()`` (the real time, not the transaction's start).
* SQLite: ``strftime(..., 'now')`` in the exact text form SQLAlchemy stores
  ``DateTime`` values in (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), so stored values
  and the expression compare correctly as text.  On SQLite every writer is on
  the same machine as the file, so "the database's clock" is that machine's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, literal
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement

# SQLite's %f is "SS.SSS"; three more digits give SQLAlchemy's six-digit microseconds.
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%f000"


def db_now(dialect: Dialect) -> ColumnElement[Any]:
    """The database's current time (UTC)."""
    return db_later(dialect, 0.0)


def db_later(dialect: Dialect, seconds: float) -> ColumnElement[Any]:
    """The database's current time plus ``seconds`` (negative: earlier)."""
    if dialect.name == "postgresql":
        now = func.clock_timestamp()
        return now if seconds == 0 else now + literal(timedelta(seconds=seconds))
    if dialect.name == "sqlite":
        if seconds == 0:
            return func.strftime(SQLITE_FORMAT, "now")
        return func.strftime(SQLITE_FORMAT, "now", f"{seconds:+.6f} seconds")
    raise NotImplementedError(f"no database clock for {dialect.name}")

"""Writes sent to PostgreSQL without waiting for each one (psycopg's pipeline mode).

Why: a page of a sync ends with a handful of bulk writes whose results nobody
reads; waiting for each left this process idle while PostgreSQL worked.  In
pipeline mode psycopg sends a statement and returns at once; the server runs
them in order while this process goes on (parsing the next page, say), and
``settle`` waits for them all, raising the first error as SQLAlchemy would
have (https://www.psycopg.org/psycopg3/docs/advanced/pipeline.html).

Only statements that return no rows may run while writes are in flight: a
query's rows are not there until ``settle`` (SQLAlchemy would see none).  The
writes stay in the session's transaction: nothing is committed by ``settle``.
SQLite has no such mode: ``begin`` returns ``None`` and the writes run as
they are made.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


class InFlight:
    """The pipeline of one session's writes in flight (see the module notes)."""

    def __init__(self, pipeline: Any, base_error: type[Exception]) -> None:
        self._pipeline = pipeline
        self._base_error = base_error

    def settle(self) -> None:
        """Wait for every write sent; their first error, as SQLAlchemy's error type."""
        try:
            self._pipeline.__exit__(None, None, None)
        except self._base_error as exc:
            raise DBAPIError.instance(None, None, exc, self._base_error) from exc

    def abandon(self, exc: BaseException) -> None:
        """Leave pipeline mode after ``exc`` (the writes' own errors are not raised)."""
        self._pipeline.__exit__(type(exc), exc, exc.__traceback__)


def begin(session: Session) -> InFlight | None:
    """Start sending the session's next statements without waiting (PostgreSQL)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return None
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the session's connection is closed")
    pipeline = driver.pipeline()
    pipeline.__enter__()
    return InFlight(pipeline, connection.dialect.loaded_dbapi.Error)

"""Engines and sessions for SQLite and PostgreSQL from one URL.

SQLite is tuned for a desktop app that a background sync and the GUI use at
the same time: WAL (readers never wait for the writer), foreign keys on, and a
busy timeout instead of "database is locked".  PostgreSQL gets a short connect
timeout so an unreachable server is reported in seconds, not minutes.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from etsysync_gui.db.urls import mask_url, parse_database_url, sqlite_path
from etsysync_gui.errors import DatabaseError, DataDirError

PG_CONNECT_TIMEOUT_S = 5
SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's write lock before "database is busy"."""


def _prepare_sqlite_folder(url: URL) -> None:
    path = sqlite_path(url)
    if path is None:
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise DataDirError(
            f"Cannot create the data folder {folder}: {exc.strerror or exc}."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataDirError(f"The data folder {folder} is not writable.")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise DataDirError(f"The database file {path} is not readable and writable.")
    _create_private(path)


def _create_private(path: Path) -> None:
    """Create a new SQLite file as 0600 before SQLite does (it would use the umask, 0644).

    The catalog, shop ids and sync history are the seller's business; SQLite
    gives its -wal and -shm files the same mode as the database file.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise DataDirError(
            f"Cannot create the database file {path}: {exc.strerror or exc}."
        ) from None
    os.close(fd)


def sqlite_is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (the driver's, or SQLAlchemy's wrapping it) is SQLite's lock answer."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "locked" in text or "busy" in text


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """``PRAGMA journal_mode=WAL``, waiting out another process that holds the file.

    Why a loop and not only the busy timeout: while another process is turning
    a brand-new file into a WAL file, SQLite can answer "database is locked" at
    once without calling its busy handler (seen about once in 150 two-process
    first starts).  The wait is bounded by the same busy timeout.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not sqlite_is_busy(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # The wait first: switching a new file to WAL needs a lock another start may hold.
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for ``url`` (validated); raises ConfigError or DataDirError on bad input."""
    parsed = url if isinstance(url, URL) else parse_database_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _prepare_sqlite_folder(parsed)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)
    # Never prepared: every statement is planned for the values it is given.  psycopg
    # prepares a statement run five times
    # (https://www.psycopg.org/psycopg3/docs/advanced/prepare.html), and PostgreSQL may
    # then keep one generic plan for it: a page lookup first planned on an almost
    # empty ``etsy_products`` kept a sequential scan, and the lookups of a cold
    # 10,000-listing sync grew slower page after page.  Why not ``plan_cache_mode =
    # force_custom_plan`` for the session: it applies to the foreign-key checks too
    # (https://www.postgresql.org/docs/current/runtime-config-query.html), which then
    # planned every inserted row's lookup of its parent again (a cold 10,000-listing
    # sync's pool and log inserts: 0.83 s of checks instead of 0.27 s); their generic
    # plan is a primary-key lookup whatever the table's size.
    connect_args.setdefault("prepare_threshold", None)
    engine = create_engine(parsed, connect_args=connect_args, pool_pre_ping=True, **kwargs)
    event.listen(engine, "connect", _on_postgres_connect)
    return engine


# Unless the server's administrator chose a cost, a page read at random costs about what
# a sequential one does: EtsySync's tables are small and stay in memory.
_RANDOM_PAGE_COST = (
    "SELECT set_config('random_page_cost', '1.1', false) "
    "WHERE (SELECT source FROM pg_settings WHERE name = 'random_page_cost') = 'default'"
)


def _on_postgres_connect(dbapi_conn: Any, _record: Any) -> None:
    """Let the planner price an index lookup as what it costs on a small database.

    Why: with the default ``random_page_cost`` (4, for spinning disks) a page's
    lookup of its SKUs (140 of them, ``listings.store.variants_with_claims``)
    read every variant and every pool of the shop instead of using their
    indexes: 2 ms a page at 10,000 listings, 0.2 s of a cold sync.  1.1 is what
    the documentation suggests when the data is cached or on solid-state drives
    (https://www.postgresql.org/docs/current/runtime-config-query.html).  A value
    set on the server (``postgresql.conf``, ``ALTER DATABASE``...) is kept.
    """
    with dbapi_conn.cursor() as cursor:
        cursor.execute(_RANDOM_PAGE_COST)
    dbapi_conn.commit()


def describe_connection_error(engine: Engine, exc: BaseException) -> str:
    """One line that tells a shop owner what went wrong, without a password."""
    where = mask_url(engine.url)
    detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    if engine.url.get_backend_name() == "sqlite":
        return f"Cannot open the SQLite database {engine.url.database}: {first}"
    return f"Cannot connect to the PostgreSQL database {where}: {first}"


def check_connection(engine: Engine) -> None:
    """Open one connection now so a bad database is reported before anything else."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, SQLAlchemyError, OSError) as exc:
        raise DatabaseError(describe_connection_error(engine, exc)) from None


class Database:
    """An engine plus a session factory: the one object the layers above share."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | URL) -> Database:
        return cls(make_engine(url))

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any exception."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

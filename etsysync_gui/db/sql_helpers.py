"""Small SQL helpers the sync modules share: dialect upserts, chunking, row counts.

Why: the listing sync writes tens of thousands of rows; doing that row by row
would take minutes on PostgreSQL over a network.  ``INSERT ... ON CONFLICT``
exists on both SQLite and PostgreSQL with the same shape, but SQLAlchemy keeps
it in each dialect's own ``insert``; ``upsert`` picks the right one.

Chunks stay well under SQLite's bound-parameter limit (32,766 since 3.32; the
old limit of 999 is respected for ``IN`` lists, which may be compiled on any
version).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import BindParameter, CursorResult, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from etsysync_gui.db.bulk import is_postgres, pg_upsert
from etsysync_gui.db.many import execute_many

T = TypeVar("T")
IN_CHUNK = 900


def same_shop(column: Any, shop_id: int | BindParameter[Any]) -> Any:
    """``column = shop_id``, written so SQLite does not pick the shop index for it.

    Why: without ``ANALYZE`` statistics SQLite guesses that an equality on a
    non-unique index (every row of a one-shop database has the same
    ``shop_id``) matches about ten rows, fewer than an ``IN`` of a page's 100
    ids on the unique ``etsy_listing_id``, so a page's lookup scanned the whole
    shop: storing a shop page by page became quadratic (7 ms per listing at
    100,000).  ``column + 0`` is the same test that no index can serve
    (https://www.sqlite.org/optoverview.html, "Disqualifying WHERE clause
    terms using unary-+"); PostgreSQL plans it from its statistics as before.
    """
    return column + 0 == shop_id


def table_of(model: type[Any]) -> Table:
    """The Core ``Table`` of an ORM model, typed as such (``__table__`` is typed loosely)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def rowcount(result: Any) -> int:
    """Rows an ``UPDATE``/``DELETE`` matched (``Session.execute`` is typed loosely)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_insert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` for ``table`` in the session's dialect (which has ``on_conflict_*``)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"EtsySync supports SQLite and PostgreSQL, not {name}")


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
    computed: Callable[[Any], Mapping[str, Any]] | None = None,
) -> None:
    """Insert ``rows``; where ``keys`` already exist, overwrite only ``update`` columns.

    ``computed(excluded)`` may add SQL expressions to the ``SET`` clause (they
    can refer to ``excluded.<column>``, the row that was proposed; it must
    build the same SQL on every call, as its compiled form is kept).  Every row
    must have the same keys (one executemany per chunk; on PostgreSQL one
    statement per batch, see ``bulk``).
    """
    if not rows:
        return
    if is_postgres(session):
        pg_upsert(session, table, rows, keys=keys, update=update, computed=computed)
        return

    def build() -> Any:
        stmt = dialect_insert(session, table)
        set_: dict[str, Any] = {name: stmt.excluded[name] for name in update}
        if computed is not None:
            set_.update(computed(stmt.excluded))
        return stmt.on_conflict_do_update(index_elements=list(keys), set_=set_)

    shape = computed.__code__ if computed is not None else None
    key = ("upsert", table.name, tuple(keys), tuple(update), shape)
    execute_many(session, key, build, rows)


def insert_ignore(session: Session, table: Table, row: Mapping[str, Any], key: str) -> None:
    """Insert ``row`` unless a row with the same ``key`` exists (atomic on both databases)."""
    stmt = dialect_insert(session, table).values(**row)
    session.execute(stmt.on_conflict_do_nothing(index_elements=[key]))

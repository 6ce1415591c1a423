"""Bulk inserts, upserts and updates that cost PostgreSQL one statement per batch.

Why: psycopg's ``executemany`` sends one ``INSERT``/``UPDATE`` per row (pipelined,
but each row is still parsed, planned and executed on its own), so a 10,000-listing
sync paid for about 70,000 statements and ran 1.5x slower on PostgreSQL than on
SQLite.  Here each column travels as ONE array parameter and the statement reads
the rows from ``unnest(...)``
(https://www.postgresql.org/docs/current/functions-array.html, "unnest ( anyarray,
anyarray [, ... ] )"), so a batch is one round trip and one plan, whatever its size.
SQLAlchemy also binds a handful of arrays instead of processing every row's
parameters one by one.

SQLite keeps ``executemany``: its driver loops in C over one prepared statement,
which is already as cheap as a set-based statement there (``many`` keeps
SQLAlchemy's per-row work out of it).

Rows given to one call must all have the same keys.  Where two rows of a batch
name the same key, the last one wins, as it did when the rows ran one after
the other (PostgreSQL refuses to touch a row twice in one ``ON CONFLICT``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Table, Text, and_, bindparam, cast, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ClauseElement

from etsysync_gui.db.many import execute_many

BATCH = 5_000  # rows per statement: bounds the size of one message, not the round trips


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _last_per_key(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> list[Mapping[str, Any]]:
    """``rows`` without earlier rows of a repeated key (the last one wins, as in order)."""
    by_key = {tuple(row[k] for k in keys): row for row in rows}
    return list(by_key.values()) if len(by_key) < len(rows) else list(rows)


def _is_json(table: Table, column: str) -> bool:
    return isinstance(table.c[column].type, JSON)


def _unnest(table: Table, columns: Mapping[str, str]) -> Any:
    """``unnest(:a_0::type[], ...) AS v(key, ...)``: ``columns`` maps row keys to columns.

    A JSON column travels as text (psycopg cannot tell a JSON value inside an
    array from a nested array) and is cast back by ``_value``.
    """
    arrays = [
        bindparam(
            f"a_{i}",
            type_=postgresql.ARRAY(Text() if _is_json(table, column) else table.c[column].type),
        )
        for i, column in enumerate(columns.values())
    ]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name="v")


def _value(source: Any, table: Table, key: str, column: str) -> Any:
    """The unnested value of ``key`` as ``column`` is typed."""
    if _is_json(table, column):
        return cast(source.c[key], table.c[column].type)
    return source.c[key]


def _arrays(
    table: Table, rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str]
) -> dict[str, list[Any]]:
    arrays: dict[str, list[Any]] = {}
    for i, (key, column) in enumerate(columns.items()):
        values = [row[key] for row in rows]
        if _is_json(table, column):
            none_as_null = bool(getattr(table.c[column].type, "none_as_null", False))
            values = [
                None if value is None and none_as_null else json.dumps(value) for value in values
            ]
        arrays[f"a_{i}"] = values
    return arrays


def _batches(rows: Sequence[Mapping[str, Any]]) -> list[Sequence[Mapping[str, Any]]]:
    return [rows[start : start + BATCH] for start in range(0, len(rows), BATCH)]


def pg_upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
    computed: Callable[[Any], Mapping[str, Any]] | None = None,
) -> None:
    """``INSERT ... SELECT FROM unnest ... ON CONFLICT DO UPDATE`` (see ``sql_helpers.upsert``)."""
    names = {name: name for name in rows[0]}
    source = _unnest(table, names)
    stmt = postgresql.insert(table).from_select(
        list(names), select(*[_value(source, table, n, n) for n in names])
    )
    set_: dict[str, Any] = {name: stmt.excluded[name] for name in update}
    if computed is not None:
        set_.update(computed(stmt.excluded))
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_)
    for batch in _batches(_last_per_key(rows, keys)):
        session.execute(stmt, _arrays(table, batch, names))


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (one statement per batch on PostgreSQL, ``executemany`` elsewhere)."""
    if not rows:
        return
    if not is_postgres(session):
        execute_many(session, ("insert", table.name), table.insert, rows)
        return
    names = {name: name for name in rows[0]}
    source = _unnest(table, names)
    stmt = table.insert().from_select(
        list(names), select(*[_value(source, table, n, n) for n in names])
    )
    for batch in _batches(rows):
        session.execute(stmt, _arrays(table, batch, names))


def update_rows(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    match: Mapping[str, str],
    values: Mapping[str, str],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """``UPDATE table SET column = row[key] ... WHERE column = row[key]`` for every row.

    ``match`` and ``values`` map row keys to columns; ``constants`` sets columns
    to the same value (or SQL expression) in every row.  Rows that match no
    stored row change nothing, as with one ``UPDATE`` per row.
    """
    if not rows:
        return
    fixed = dict(constants or {})
    if not is_postgres(session):
        _sqlite_update(session, table, rows, match, values, fixed)
        return
    columns = {**match, **values}
    source = _unnest(table, columns)
    stmt = (
        update(table)
        .where(and_(*[table.c[column] == source.c[key] for key, column in match.items()]))
        .values({**{c: _value(source, table, k, c) for k, c in values.items()}, **fixed})
    )
    for batch in _batches(_last_per_key(rows, list(match))):
        session.execute(stmt, _arrays(table, batch, columns))


def _sqlite_update(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    match: Mapping[str, str],
    values: Mapping[str, str],
    constants: Mapping[str, Any],
) -> None:
    """``update_rows`` as one ``executemany``; plain constants are bound (``c_`` + column)."""
    shared = {f"c_{c}": v for c, v in constants.items() if not isinstance(v, ClauseElement)}
    sql = {c: v for c, v in constants.items() if isinstance(v, ClauseElement)}

    def build() -> Any:
        assigned: dict[str, Any] = {
            c: bindparam(k, type_=table.c[c].type) for k, c in values.items()
        }
        assigned.update({c: bindparam(f"c_{c}") for c in constants if c not in sql})
        return (
            update(table)
            .where(and_(*[table.c[column] == bindparam(key) for key, column in match.items()]))
            .values({**assigned, **sql})
        )

    key = ("update", table.name, tuple(match.items()), tuple(values.items()), tuple(constants))
    execute_many(session, key, build, rows, shared)

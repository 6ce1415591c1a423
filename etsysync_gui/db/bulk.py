"""Bulk inserts, upserts and updates that cost PostgreSQL one statement per batch.

Why: psycopg's ``executemany`` sends one ``INSERT``/``UPDATE`` per row (pipelined,
but each row is still parsed, planned and executed on its own), so a 10,000-listing
sync paid for about 70,000 statements and ran 1.5x slower on PostgreSQL than on
SQLite.  Here a batch of rows travels as ONE JSON parameter and the statement
reads the rows from ``json_to_recordset(...)``, so a batch is one round trip
and one plan, whatever its size, and SQLAlchemy binds one value instead of
processing every row's parameters one by one.

SQLite keeps ``executemany``: its driver loops in C over one prepared statement,
which is already as cheap as a set-based statement there (``many`` keeps
SQLAlchemy's per-row work out of it).

Rows given to one call must all have the same keys.  Where two rows of a batch
name the same key, the last one wins, as it did when the rows ran one after
the other (PostgreSQL refuses to touch a row twice in one ``ON CONFLICT``).
On PostgreSQL a ``None`` in a JSON column is stored as SQL ``NULL`` (the
JSON null of ``json_to_recordset``); no bulk caller writes one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Table, Text, and_, bindparam, cast, func, select, update
from sqlalchemy import column as sql_column
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


def _recordset(table: Table, columns: Mapping[str, str]) -> Any:
    """``json_to_recordset(:rows) AS v(key type, ...)``: ``columns`` maps row keys to columns.

    Why JSON and not one array per column: psycopg writes arrays element by
    element in Python (a regular expression per text value), which cost more
    than the round trips it saved; one JSON text is written by the standard
    library's C encoder and parsed by PostgreSQL
    (https://www.postgresql.org/docs/current/functions-json.html,
    ``json_to_recordset``).
    """
    typed = [sql_column(key, table.c[name].type) for key, name in columns.items()]
    rows = cast(bindparam("rows", type_=Text()), JSON)
    return (
        func.json_to_recordset(rows).table_valued(*typed).render_derived(name="v", with_types=True)
    )


def _value(source: Any, table: Table, key: str, column: str) -> Any:
    """The value of ``key`` read from the rows (typed by ``_recordset``)."""
    return source.c[key]


def _json_value(value: Any) -> Any:
    """What the standard encoder cannot write: times (aware, ISO 8601) and decimals."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} in a bulk statement")


def _payload(
    table: Table, rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str]
) -> dict[str, str]:
    """The ``rows`` parameter (keys that are not columns are ignored by PostgreSQL)."""
    return {"rows": json.dumps(list(rows), default=_json_value)}


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
    """``INSERT ... SELECT FROM json_to_recordset ... ON CONFLICT DO UPDATE``.

    The PostgreSQL side of ``sql_helpers.upsert`` (same arguments).
    """
    names = {name: name for name in rows[0]}
    source = _recordset(table, names)
    stmt = postgresql.insert(table).from_select(
        list(names), select(*[_value(source, table, n, n) for n in names])
    )
    set_: dict[str, Any] = {name: stmt.excluded[name] for name in update}
    if computed is not None:
        set_.update(computed(stmt.excluded))
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_)
    for batch in _batches(_last_per_key(rows, keys)):
        session.execute(stmt, _payload(table, batch, names))


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (one statement per batch on PostgreSQL, ``executemany`` elsewhere)."""
    if not rows:
        return
    if not is_postgres(session):
        execute_many(session, ("insert", table.name), table.insert, rows)
        return
    names = {name: name for name in rows[0]}
    source = _recordset(table, names)
    stmt = table.insert().from_select(
        list(names), select(*[_value(source, table, n, n) for n in names])
    )
    for batch in _batches(rows):
        session.execute(stmt, _payload(table, batch, names))


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
    source = _recordset(table, columns)
    stmt = (
        update(table)
        .where(and_(*[table.c[column] == source.c[key] for key, column in match.items()]))
        .values({**{c: _value(source, table, k, c) for k, c in values.items()}, **fixed})
    )
    for batch in _batches(_last_per_key(rows, list(match))):
        session.execute(stmt, _payload(table, batch, columns))


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

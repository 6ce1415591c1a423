"""Bulk inserts, upserts and updates that cost PostgreSQL one statement per batch.

Why: psycopg's ``executemany`` sends one ``INSERT``/``UPDATE`` per row (pipelined,
but each row is still parsed, planned and executed on its own), so a 10,000-listing
sync paid for about 70,000 statements and ran 1.5x slower on PostgreSQL than on
SQLite.  Here a batch of rows travels as ONE JSON parameter and the statement
reads the rows from ``jsonb_array_elements(...)``, so a batch is one round trip
and one plan, whatever its size, and SQLAlchemy binds one value instead of
processing every row's parameters one by one.

SQLite keeps ``executemany``: its driver loops in C over one prepared statement,
which is already as cheap as a set-based statement there (``many`` keeps
SQLAlchemy's per-row work out of it).

Rows given to one call must all have the same keys.  Where two rows of a batch
name the same key, the last one wins, as it did when the rows ran one after
the other (PostgreSQL refuses to touch a row twice in one ``ON CONFLICT``).
On PostgreSQL a ``None`` in a JSON column is stored as SQL ``NULL`` (see
``_recordset``); no bulk caller writes one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    String,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    update,
)
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


def _recordset(table: Table, columns: Mapping[str, str]) -> dict[str, Any]:
    """The values of the rows of the ``rows`` parameter, as SQL, by row key.

    ``columns`` maps each row key to the column whose type it takes, in the
    order of the row's array (``_payload``).  The rows are read with
    ``jsonb_array_elements(:rows) AS v`` and ``v->>n``.  Why positional rows:
    with ``json_to_recordset`` PostgreSQL looked up every key of every row
    object by name, about half of a pool insert's time and twice what the
    positional form costs; the message is smaller too.  Why JSON and not one
    array per column: psycopg writes arrays element by element in Python (a
    regular expression per text value), which cost more than the round trips
    it saved; one JSON text is written by the standard library's C encoder
    (https://www.postgresql.org/docs/current/functions-json.html).

    Text values are not cast: the column's length is checked on assignment, as
    with one statement per row (a ``CAST`` to ``VARCHAR(n)`` truncates silently).
    A JSON column takes the element as JSON, its JSON ``null`` as SQL ``NULL``.
    """
    rows = cast(bindparam("rows", type_=Text()), postgresql.JSONB)
    element = func.jsonb_array_elements(rows).table_valued("value").render_derived(name="v")
    values: dict[str, Any] = {}
    for position, (key, name) in enumerate(columns.items()):
        kind = table.c[name].type
        index: Any = literal_column(str(position))
        if isinstance(kind, JSON):
            item = func.nullif(element.c.value.op("->")(index), literal_column("'null'::jsonb"))
            values[key] = cast(item, kind)
        elif isinstance(kind, String):
            values[key] = element.c.value.op("->>")(index)
        else:
            values[key] = cast(element.c.value.op("->>")(index), kind)
    return values


def _json_value(value: Any) -> Any:
    """What the standard encoder cannot write: times (aware, ISO 8601) and decimals."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} in a bulk statement")


def _payload(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, str]:
    """The ``rows`` parameter: each row as the array of its ``keys``' values (``_recordset``)."""
    return {"rows": json.dumps([[row[k] for k in keys] for row in rows], default=_json_value)}


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
    """``INSERT ... SELECT FROM jsonb_array_elements ... ON CONFLICT DO UPDATE``.

    The PostgreSQL side of ``sql_helpers.upsert`` (same arguments).
    """
    names = {name: name for name in rows[0]}
    source = _recordset(table, names)
    stmt = postgresql.insert(table).from_select(list(names), select(*source.values()))
    set_: dict[str, Any] = {name: stmt.excluded[name] for name in update}
    if computed is not None:
        set_.update(computed(stmt.excluded))
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_)
    for batch in _batches(_last_per_key(rows, keys)):
        session.execute(stmt, _payload(batch, list(names)))


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (one statement per batch on PostgreSQL, ``executemany`` elsewhere)."""
    if not rows:
        return
    if not is_postgres(session):
        execute_many(session, ("insert", table.name), table.insert, rows)
        return
    names = {name: name for name in rows[0]}
    source = _recordset(table, names)
    stmt = table.insert().from_select(list(names), select(*source.values()))
    for batch in _batches(rows):
        session.execute(stmt, _payload(batch, list(names)))


Computed = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def update_rows(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    match: Mapping[str, str],
    values: Mapping[str, str],
    constants: Mapping[str, Any] | None = None,
    inputs: Mapping[str, str] | None = None,
    computed: Computed | None = None,
) -> None:
    """``UPDATE table SET column = row[key] ... WHERE column = row[key]`` for every row.

    ``match`` and ``values`` map row keys to columns; ``constants`` sets columns
    to the same value (or SQL expression) in every row.  ``computed(value)``
    may add columns set to SQL expressions of the row's values (``value[key]``
    for a key of ``match``, ``values`` or ``inputs``; ``inputs`` maps keys used
    only there to the column whose type they take); it must build the same SQL
    on every call, as its compiled form is kept.  Rows that match no stored row
    change nothing, as with one ``UPDATE`` per row.
    """
    if not rows:
        return
    fixed = dict(constants or {})
    columns = {**match, **values, **(inputs or {})}
    if not is_postgres(session):
        _sqlite_update(session, table, rows, match, values, fixed, columns, computed)
        return
    source = _recordset(table, columns)
    assigned = {column: source[key] for key, column in values.items()}
    if computed is not None:
        assigned.update(computed(source))
    stmt = (
        update(table)
        .where(and_(*[table.c[column] == source[key] for key, column in match.items()]))
        .values({**assigned, **fixed})
    )
    for batch in _batches(_last_per_key(rows, list(match))):
        session.execute(stmt, _payload(batch, list(columns)))


def _sqlite_update(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    match: Mapping[str, str],
    values: Mapping[str, str],
    constants: Mapping[str, Any],
    columns: Mapping[str, str],
    computed: Computed | None,
) -> None:
    """``update_rows`` as one ``executemany``; plain constants are bound (``c_`` + column)."""
    shared = {f"c_{c}": v for c, v in constants.items() if not isinstance(v, ClauseElement)}
    sql = {c: v for c, v in constants.items() if isinstance(v, ClauseElement)}

    def build() -> Any:
        bound = {k: bindparam(k, type_=table.c[c].type) for k, c in columns.items()}
        assigned: dict[str, Any] = {c: bound[k] for k, c in values.items()}
        if computed is not None:
            assigned.update(computed(bound))
        assigned.update({c: bindparam(f"c_{c}") for c in constants if c not in sql})
        return (
            update(table)
            .where(and_(*[table.c[column] == bound[key] for key, column in match.items()]))
            .values({**assigned, **sql})
        )

    shape = computed.__code__ if computed is not None else None
    key = ("update", table.name, tuple(columns.items()), tuple(values), tuple(constants), shape)
    execute_many(session, key, build, rows, shared)

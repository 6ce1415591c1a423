"""``executemany`` on SQLite without SQLAlchemy's per-row parameter processing.

Why: for every row of an ``executemany`` SQLAlchemy builds a parameter dict
(``construct_params``) and runs each value through its type's bind processor,
about 1.3 s of a cold 10,000-listing sync spent on 100,000 rows whose values
are mostly the same few objects (the run's ``now`` in three columns of every
row).  Here a statement is compiled once per shape, each column keeps its
bind processor, a value identical to the previous row's is not processed
again, and the driver gets plain tuples (``Connection.exec_driver_sql``), so
what is stored is exactly what SQLAlchemy would have stored.

A statement whose columns get Python-side defaults at execution time (a
column left out of the rows that has ``default=`` or ``onupdate=``) goes the
ordinary way: those values are made per execution and this module does not
make them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


class _Plan(NamedTuple):
    """A compiled statement: its SQL and, per ``?``, the row key (or constant) it takes."""

    sql: str
    slots: tuple[tuple[str | None, Any, Processor], ...]  # (row key, constant, processor)


_PLANS: dict[tuple[str, Hashable, tuple[str, ...]], _Plan | None] = {}


def _plan(dialect: Dialect, statement: Any, names: Sequence[str]) -> _Plan | None:
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    if compiled.insert_prefetch or compiled.update_prefetch or not compiled.positional:
        return None
    keys = set(names)
    slots = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        processor = bind.type._cached_bind_processor(dialect)
        if name in keys:
            slots.append((name, None, processor))
        else:
            if bind.required or bind.callable is not None:
                return None  # a value made at execution: leave it to SQLAlchemy
            value = bind.value
            slots.append((None, processor(value) if processor else value, None))
    return _Plan(compiled.string, tuple(slots))


def execute_many(
    session: Session,
    key: Hashable,
    build: Callable[[], Executable],
    rows: Sequence[Mapping[str, Any]],
    shared: Mapping[str, Any] | None = None,
) -> None:
    """Run ``build()`` once per row of ``rows`` (all with the same keys).

    ``shared`` holds bound parameters with the same value in every row (the
    run's time, say).  ``key`` names the statement's shape: the same key must
    always build the same SQL, since the compiled form is kept under it.
    """
    if not rows:
        return
    shared = shared or {}
    connection = session.connection()
    dialect = connection.dialect
    names = [*rows[0], *shared]
    cache_key = (dialect.name, key, tuple(names))
    if cache_key not in _PLANS:
        _PLANS[cache_key] = _plan(dialect, build(), names)
    plan = _PLANS[cache_key]
    if plan is None:
        session.execute(build(), [{**row, **shared} for row in rows])
        return
    connection.exec_driver_sql(plan.sql, _tuples(plan, rows, shared))


def _tuples(
    plan: _Plan, rows: Sequence[Mapping[str, Any]], shared: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows as the driver's tuples (a value equal by identity to the last is reused)."""
    columns: list[list[Any]] = []
    for name, constant, processor in plan.slots:
        if name is None or name in shared:
            value = constant if name is None else shared[name]
            if name is not None and processor is not None:
                value = processor(value)
            columns.append([value] * len(rows))
            continue
        values = [row[name] for row in rows]
        if processor is not None:
            last: Any = object()
            done: Any = None
            out = []
            for value in values:
                if value is not last:
                    last, done = value, processor(value)
                out.append(done)
            values = out
        columns.append(values)
    return list(zip(*columns, strict=True))

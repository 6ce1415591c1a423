"""Planner statistics for PostgreSQL tables a first sync fills from empty.

Why: a first sync fills ``etsy_products`` and ``etsy_stock_pools`` from nothing
(and a catalog import may have filled ``product_variants`` a moment before),
and autovacuum analyzes a table only some time later
(https://www.postgresql.org/docs/current/routine-vacuuming.html#AUTOVACUUM).
Until then the planner guesses a table's rows from its column widths, far
too few: the page lookups of a cold 10,000-listing sync scanned whole tables
(a SKU lookup read every variant and every pool, 3 to 4 ms a page, a third of
the time the listing pass waited for PostgreSQL).  Analyzed once with real
rows, the planner scales those statistics to the table's current size as it
grows (https://www.postgresql.org/docs/current/row-estimation-examples.html),
so one ``ANALYZE`` after the first page is enough.

SQLite needs nothing here (its lookups are written so that no statistics are
needed, see ``sql_helpers.same_shop``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

SYNC_TABLES = ("products", "product_variants", "etsy_products", "etsy_stock_pools")

# Tables with no pages recorded: never analyzed or vacuumed with rows in them.
_UNMEASURED = text(
    "SELECT name FROM unnest(:names) AS name "
    "JOIN pg_class ON pg_class.oid = to_regclass(name) WHERE pg_class.relpages = 0"
).bindparams(bindparam("names", type_=ARRAY(Text())))


def analyze_unmeasured(session: Session, tables: Sequence[str] = SYNC_TABLES) -> list[str]:
    """``ANALYZE`` those of ``tables`` the planner has no size for, in the session's
    transaction (its own rows count); the names analyzed.  Nothing on SQLite.

    ``ANALYZE`` blocks no reads or writes; a role that does not own a table only
    gets a warning (https://www.postgresql.org/docs/current/sql-analyze.html).
    """
    if session.get_bind().dialect.name != "postgresql":
        return []
    names = list(session.scalars(_UNMEASURED, {"names": list(tables)}))
    preparer = session.get_bind().dialect.identifier_preparer
    for name in names:
        session.execute(text(f"ANALYZE {preparer.quote(name)}"))
    return names

"""PostgreSQL plans each statement for the values it is given (``db.engine``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from etsysync_gui.db.engine import Database


def test_postgres_connections_never_keep_a_generic_plan(database: Database) -> None:
    """A cold sync fills ``etsy_products`` as it goes; a generic plan made on the first
    pages kept scanning the whole table for every later page.  A statement run many
    times is never prepared on the server, so it is planned each time, while the
    session keeps PostgreSQL's default plan choice (the foreign-key checks' lookups
    keep their generic plan)."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans each statement when it is prepared")
    lookup = text("SELECT count(*) FROM etsy_products WHERE etsy_listing_id = :lid")
    for _ in range(2):
        with database.session() as session:
            for lid in range(12):
                session.execute(lookup, {"lid": lid})
            prepared = session.execute(text("SELECT count(*) FROM pg_prepared_statements"))
            assert prepared.scalar() == 0
            assert session.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
        database.engine.dispose()  # a new connection is set up the same way

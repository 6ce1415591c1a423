"""PostgreSQL plans each statement for the values it is given (``db.engine``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from etsysync_gui.db.engine import Database


def test_postgres_connections_never_keep_a_generic_plan(database: Database) -> None:
    """A cold sync fills ``etsy_products`` as it goes; a generic plan made on the first
    pages kept scanning the whole table for every later page."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans each statement when it is prepared")
    with database.engine.connect() as conn:
        assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
    database.engine.dispose()  # a new connection is set up the same way
    with database.session() as session:
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"

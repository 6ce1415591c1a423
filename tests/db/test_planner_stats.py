"""A first sync's PostgreSQL tables get planner statistics once they hold rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import Product
from etsysync_gui.db.planner_stats import analyze_unmeasured


def test_tables_never_measured_are_analyzed_once(database: Database) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with database.session() as session:
        session.add_all(Product(title=f"P{n}", created_at=now, updated_at=now) for n in range(50))
        session.flush()
        first = analyze_unmeasured(session)
        again = analyze_unmeasured(session)
        if database.engine.dialect.name != "postgresql":
            assert first == again == []  # SQLite's lookups need no statistics
            return
        assert "products" in first
        assert "products" not in again  # measured: its size is known from now on
        pages = session.execute(
            text("SELECT relpages FROM pg_class WHERE oid = to_regclass('products')")
        ).scalar()
        assert pages is not None
        assert pages > 0

"""Alembic environment for EtsySync.

The app runs migrations programmatically (etsysync_gui.db.migrate) and hands
its own connection in ``config.attributes["connection"]``; a maintainer can
also run ``alembic -x url=sqlite:///path.db upgrade head`` from the repo.
``render_as_batch`` lets ALTERs work on SQLite by rebuilding the table.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from etsysync_gui.db.engine import make_engine
from etsysync_gui.db.models import Base

config = context.config
target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("Give the database as: alembic -x url=DATABASE_URL upgrade head")
    engine = make_engine(url)
    with engine.connect() as conn:
        _migrate(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("EtsySync migrations run online only (they need the real database).")
run_migrations_online()

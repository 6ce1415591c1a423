"""The declarative base every model shares, with its constraint naming convention.

Why a module of its own: the models are split over more than one file once
``models`` grows past a screenful per table, and each file needs the one
``Base`` (its ``metadata`` is what Alembic and the schema test compare).
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names: Alembic's batch mode on SQLite needs them to
# alter or drop a constraint, and they make migration diffs readable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

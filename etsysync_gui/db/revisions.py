"""The newest schema revision, read from the migration files without importing Alembic.

Why: every command opens the database and makes sure it is at the newest
revision; Alembic takes about 0.4 s to import, longer than the rest of
``etsysync status``.  When the database is already at the newest revision
(nearly always) the answer needs only the files' ``revision`` /
``down_revision`` lines and one query; Alembic is imported only to migrate,
or whenever these lines cannot be read plainly (then ``None``: ask Alembic).
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

_REVISION = re.compile(r"^revision(?::\s*str)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?::[^=]+)?=\s*(None|['\"]([^'\"]+)['\"])\s*$", re.MULTILINE)


def scanned_head(versions: Path) -> str | None:
    """The one revision no other revision builds on; ``None`` when that is not plain."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        files = sorted(versions.glob("*.py"))
        for path in files:
            source = path.read_text(encoding="utf-8")
            revision, down = _REVISION.search(source), _DOWN.search(source)
            if revision is None or down is None:
                return None
            revisions.add(revision.group(1))
            if down.group(2) is not None:
                parents.add(down.group(2))
    except OSError:
        return None
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 and parents <= revisions else None


def stored_revision(connection: Connection) -> str | None:
    """The revision recorded in ``alembic_version``; ``None`` when it cannot be read plainly.

    The table is looked up first, as Alembic does, so a new database costs no
    failing statement (nor an error line in PostgreSQL's log).
    """
    try:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        connection.rollback()
        return None
    return str(rows[0][0]) if len(rows) == 1 else None

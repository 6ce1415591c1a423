"""Kill a schema upgrade at every statement, then start normally: run by ``test_upgrade_kill``.

``python -m tests.db.kill_upgrade CONFIG_JSON`` prints one JSON summary per
starting revision.  For each statement index k of the upgrade from that
revision and each side of it (just before, just after), a forked child runs
the upgrade with a hook on SQLAlchemy's cursor events that SIGKILLs the child
at statement k; the parent (a separate process, as the seller's next start
would be) then looks at what the kill left and runs a normal start
(``bootstrap.open_database_url``), which must finish the upgrade or restore.

``legacy`` mode upgrades the way builds before the transactional upgrade did
(DDL outside a transaction, a time-stamped copy at every attempt), to make the
half-upgraded files the repair must handle.  The hook lives here, in the test
helper, never in the product.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine

from etsysync_gui.bootstrap import open_database_url
from etsysync_gui.db.backups import copy_database
from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import alembic_config, current_revision, head_revision, upgrade_to
from etsysync_gui.db.sqlite_upgrade import schemas_at

ROWS = [
    "INSERT INTO products (title, created_at, updated_at) "
    "VALUES ('Kept safe', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO etsy_products (etsy_listing_id, shop_id, title, sync_status, created_at, "
    "updated_at) VALUES (111, 7, 'Mug', 'synced', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
]


@dataclass
class Summary:
    start: str | None
    mode: str
    statements: int = 0
    trials: int = 0
    killed: int = 0
    left: dict[str, int] = field(default_factory=dict)  # what the kill left behind
    outcomes: dict[str, int] = field(default_factory=dict)  # what the next start did
    failures: list[str] = field(default_factory=list)

    def count(self, table: dict[str, int], key: str) -> None:
        table[key] = table.get(key, 0) + 1


class Target:
    """One database to break: a SQLite file in ``folder`` or a PostgreSQL schema."""

    def __init__(self, backend: str, folder: Path, pg_base: str, trial: str) -> None:
        self.backend, self.folder = backend, folder / trial
        self.folder.mkdir(parents=True)
        self.schema = f"k_{uuid.uuid4().hex[:12]}"
        self.pg_base = pg_base
        if backend == "sqlite":
            self.path: Path | None = self.folder / "shop.db"
            self.url = f"sqlite:///{self.path}"
        else:
            self.path = None
            sep = "&" if "?" in pg_base else "?"
            self.url = f"{pg_base}{sep}options={quote(f'-csearch_path={self.schema}')}"
            self._admin(f'CREATE SCHEMA "{self.schema}"')

    def _admin(self, sql: str) -> None:
        admin = create_engine(self.pg_base.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as conn:
            conn.execute(text(sql))
        admin.dispose()

    def drop(self) -> None:
        if self.backend == "postgresql":
            self._admin(f'DROP SCHEMA "{self.schema}" CASCADE')
        shutil.rmtree(self.folder, ignore_errors=True)

    def backups(self) -> list[Path]:
        return sorted(self.folder.glob("*.bak"))


def prepare(target: Target, start: str | None, template: Path | None) -> None:
    """Bring ``target`` to ``start`` with a few of the seller's rows."""
    if template is not None and target.path is not None:
        copy_database(template, target.path)
        return
    if start is None:
        return
    db = Database.open(target.url)
    upgrade_to(db.engine, start)
    with db.engine.begin() as conn:
        for sql in ROWS:
            conn.execute(text(sql))
    db.dispose()


def install_kill(k: int, when: str) -> None:
    """SIGKILL this process just before or just after the k-th statement (0-based)."""
    seen = [0]

    def before(*_: Any) -> None:
        if when == "before" and seen[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)

    def after(*_: Any) -> None:
        seen[0] += 1
        if when == "after" and seen[0] == k + 1:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)


def legacy_upgrade(target: Target, start: str | None) -> None:
    """What builds before the transactional upgrade did: a copy per attempt, DDL in autocommit."""
    if start is not None and target.path is not None:
        stamp = uuid.uuid4().hex[:8]  # the old label carried the time
        copy_database(
            target.path, target.folder / f"shop.db.before-upgrade-from-{start}-{stamp}.bak"
        )
    db = Database.open(target.url)
    with db.engine.connect() as conn:
        command.upgrade(alembic_config(conn), "head")
        conn.commit()


def run_child(target: Target, start: str | None, mode: str, kill: Callable[[], None]) -> bool:
    """Upgrade in a forked child that ``kill`` arms; True if the child was killed."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            kill()
            if mode == "legacy":
                legacy_upgrade(target, start)
            else:
                database, _ = open_database_url(target.url)
                database.dispose()
        except BaseException as exc:  # a clean failure is not a kill
            print(f"child failed: {exc!r}", file=sys.stderr)
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


def count_statements(target: Target, start: str | None, mode: str) -> int:
    """How many statements the whole upgrade from ``start`` executes (in a child)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        seen = [0]
        event.listen(Engine, "before_cursor_execute", lambda *_: seen.__setitem__(0, seen[0] + 1))
        if mode == "legacy":
            legacy_upgrade(target, start)
        else:
            database, _ = open_database_url(target.url)
            database.dispose()
        os.write(write, str(seen[0]).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        return int(pipe.read())


def left_behind(target: Target, start: str | None) -> str:
    """ "start" or "head" when the database holds exactly that schema, else "half-applied"."""
    engine = Database.open(target.url).engine
    try:
        revision = current_revision(engine)
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    for name, rev in (("start", start), ("head", head_revision())):
        wanted = {n for kind, n in schemas_at(rev).expected if kind == "table"}
        if revision == rev and tables == wanted:
            return name
    return "half-applied"


def verify(target: Target, start: str | None) -> str:
    """Start normally; return what the start did, or raise AssertionError."""
    database, migration = open_database_url(target.url)
    try:
        assert migration.after == head_revision(), migration
        names = set(inspect(database.engine).get_table_names())
        wanted = {n for kind, n in schemas_at(head_revision()).expected if kind == "table"}
        assert wanted <= names, wanted - names
        if start is not None:
            with database.engine.connect() as conn:
                titles = conn.execute(text("SELECT title FROM products")).scalars().all()
            assert titles == ["Kept safe"], titles
    finally:
        database.dispose()
    for backup in target.backups():
        assert backup.stat().st_size > 0, f"0-byte {backup.name}"
    assert not list(target.folder.glob("*.partial")), "a partial copy was left"
    if migration.repaired:
        return "restored" if "restored" in migration.repaired else "repaired"
    return "finished" if migration.changed else "already at head"


def run(config: dict[str, Any]) -> list[Summary]:
    backend, mode = config["backend"], config["mode"]
    folder = Path(config["folder"])
    for start in config["starts"]:
        schemas_at(start)  # computed once here, inherited by every child
    summaries = []
    for start in config["starts"]:
        summary = Summary(start, mode)
        template_target = Target(backend, folder, config.get("pg_base", ""), f"t-{start}")
        prepare(template_target, start, None)
        template = template_target.path
        counting = Target(backend, folder, config.get("pg_base", ""), f"c-{start}")
        prepare(counting, start, template)
        summary.statements = count_statements(counting, start, mode)
        counting.drop()
        for k, when in _points(summary.statements, config.get("sample"), str(start)):
            _trial(summary, backend, folder, config, start, template, k, when)
        template_target.drop()
        summaries.append(summary)
    return summaries


def _points(statements: int, sample: int | None, seed: str) -> list[tuple[int, str]]:
    """Every (statement, side) pair, or a seeded sample that keeps the first and the last."""
    points = [(k, when) for k in range(statements) for when in ("before", "after")]
    if sample is None or len(points) <= sample:
        return points
    ends = [points[0], points[-1]]
    middle = random.Random(f"kill-{seed}").sample(points[1:-1], sample - 2)
    return sorted([*ends, *middle])


def _trial(
    summary: Summary,
    backend: str,
    folder: Path,
    config: dict[str, Any],
    start: str | None,
    template: Path | None,
    k: int,
    when: str,
) -> None:
    target = Target(backend, folder, config.get("pg_base", ""), f"{start}-{k}-{when}")
    try:
        prepare(target, start, template)
        summary.trials += 1
        if run_child(target, start, summary.mode, lambda: install_kill(k, when)):
            summary.killed += 1
        summary.count(summary.left, left_behind(target, start))
        summary.count(summary.outcomes, verify(target, start))
        copies = [b for b in target.backups() if "half-upgraded" not in b.name]
        if summary.mode == "new":
            assert len(copies) <= 1, [b.name for b in copies]
    except (AssertionError, sqlite3.Error, Exception) as exc:  # report, go on
        summary.failures.append(f"{start} k={k} {when}: {type(exc).__name__}: {exc}")
    finally:
        target.drop()


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # the repair notes; the summary counts them
    results = run(json.loads(sys.argv[1]))
    for result in results:
        print(json.dumps(result.__dict__))
